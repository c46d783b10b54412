#include "lucompat/derive/live_derivation.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

#include "lucompat/base/printable.h"
#include "lucompat/derive/object_matcher.h"

namespace lucompat {
namespace {

struct ListHead {
  std::string name;
  uint64_t address = 0;
};

// The first of `names` the kernel has, placed: nullopt when it has none;
// an error message when it has one the model cannot place.
struct Found {
  std::optional<ListHead> head;
  std::string unplaced;  // "luo_flb_global.list: ..."
};

Found find_head(const LiveEvidence& ev, const LuoModel& model,
                const std::vector<std::string>& names) {
  Found out;
  for (const std::string& n : names) {
    const size_t dot = n.find('.');
    const std::string symbol = n.substr(0, dot);
    const auto at = ev.symbols(symbol);
    if (!at) continue;
    if (dot == std::string::npos) {
      out.head = ListHead{n, *at};
      return out;
    }
    if (const auto member = model.member_offset(symbol, n.substr(dot + 1))) {
      out.head = ListHead{n, *at + *member};
      return out;
    }
    if (out.unplaced.empty())
      out.unplaced = fmt::format(
          "{}: the kernel has {}, but where its member {} sits is known neither from BTF nor "
          "from the {}",
          n, symbol, n.substr(dot + 1), model.source);
  }
  return out;
}

std::string compatible_at(const KernelMemory& memory, uint64_t address, uint64_t size) {
  const auto s = compatible_in(read_memory(memory, address, size));
  if (!s)
    fail(ErrorKind::malformed, std::nullopt,
         fmt::format("kernel address {:#x}: no valid compatible string there", address));
  return *s;
}

uint64_t u64_at(const KernelMemory& memory, uint64_t address) {
  return ByteReader(read_memory(memory, address, 8), memory.order()).u64(0, "u64");
}

// The compatibles of the FLBs a handler uses: its flb_list of luo_flb_links.
std::vector<std::string> flbs_of(const LiveEvidence& ev, const LuoModel& model,
                                 const SessionLayout& s, uint64_t handler) {
  std::vector<std::string> out;
  if (!s.handler_flbs_offset) return out;
  const auto links = walk_list(*ev.memory, handler + *s.handler_flbs_offset, ev.max_nodes);
  for (const uint64_t node : links) {
    const uint64_t flb =
        read_pointer(*ev.memory, node - s.flb_link_list_offset + s.flb_link_flb_offset);
    out.push_back(
        compatible_at(*ev.memory, flb + model.flb.compatible_offset, model.flb.compatible_size));
  }
  return out;
}

std::vector<LiveSession> read_sessions(const LiveEvidence& ev, const LuoModel& model,
                                       uint64_t head) {
  const SessionLayout& s = *model.sessions;
  std::vector<LiveSession> out;
  for (const uint64_t node : walk_list(*ev.memory, head, ev.max_nodes)) {
    const uint64_t session = node - s.link_offset;
    LiveSession ls;
    const std::vector<std::byte> name =
        read_memory(*ev.memory, session + s.name_offset, s.name_size);
    const std::string_view text = as_chars(name);
    ls.name = printable(text.substr(0, text.find('\0')));
    const auto files = walk_list(*ev.memory, session + s.files_offset, ev.max_nodes);
    for (const uint64_t f : files) {
      const uint64_t file = f - s.file_link_offset;
      const uint64_t handler = read_pointer(*ev.memory, file + s.file_handler_offset);
      LiveFile lf;
      lf.token = u64_at(*ev.memory, file + s.file_token_offset);
      lf.compatible = compatible_at(*ev.memory, handler + model.handler.compatible_offset,
                                    model.handler.compatible_size);
      lf.flbs = flbs_of(ev, model, s, handler);
      ls.files.push_back(std::move(lf));
    }
    out.push_back(std::move(ls));
  }
  return out;
}

// Each object by the symbol it lies in, as the image readers name them: the
// symbol itself, or NAME[i] for the elements of an array of objects
// (test_flbs[3] is one symbol holding three FLBs); empty when the symbol
// cannot be told (an object inside a symbol without an exact size).
std::vector<std::string> object_names(const std::vector<RegisteredObject>& objects,
                                      const LiveEvidence& ev, const ObjectLayout& layout) {
  std::vector<std::pair<std::string, uint64_t>> holders;
  std::map<std::string, size_t> per_holder;
  for (const RegisteredObject& o : objects) {
    holders.push_back(ev.symbol_at(o.address));
    if (!holders.back().first.empty()) ++per_holder[holders.back().first];
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < objects.size(); ++i) {
    const auto& [name, start] = holders[i];
    const uint64_t offset = objects[i].address - start;
    if (name.empty() || (offset == 0 && per_holder[name] == 1))
      out.push_back(offset == 0 ? name : std::string());
    else if (layout.exact && offset % layout.size == 0)
      out.push_back(fmt::format("{}[{}]", name, offset / layout.size));
    else
      out.emplace_back();
  }
  return out;
}

void add_registered(DerivedSet& out, const LiveEvidence& ev, const LuoModel& model,
                    const ListHead& head, EntryKind kind) {
  std::vector<RegisteredObject> objects =
      read_registered(*ev.memory, head.address, kind, model, ev.max_nodes);
  const std::vector<std::string> names =
      object_names(objects, ev, kind == EntryKind::file ? model.handler : model.flb);
  for (size_t i = 0; i < objects.size(); ++i) {
    RegisteredObject& o = objects[i];
    Registration reg{kind, names[i], o.address, ev.owner_name(o.owner), Evidence::kcore};
    append_entry(out, std::move(o.compatible), o.address, std::move(reg));
  }
}

// The outgoing sessions, when the model knows their structs and the catalog
// their list: read the way the handlers are, but a session list that cannot
// be read only leaves them unknown (a warning), since sessions come and go.
void add_sessions(DerivedSet& out, const LiveEvidence& ev, const LuoModel& model) {
  if (!model.sessions) {
    out.warnings.push_back(
        {0, fmt::format("the outgoing sessions are not read: the {} does not describe them",
                        model.source)});
    return;
  }
  const Found list = find_head(ev, model, ev.lists.sessions);
  if (!list.head) {
    out.warnings.push_back(
        {0, list.unplaced.empty()
                ? fmt::format("the outgoing sessions are not read: the kernel has none of {}",
                              fmt::join(ev.lists.sessions, ", "))
                : "the outgoing sessions are not read: " + list.unplaced});
    return;
  }
  // Recovered, not converted: a session list that cannot be read is a
  // warning (docs/architecture.md, "Errors").
  auto sessions = catch_parse_errors([&] { return read_sessions(ev, model, list.head->address); });
  if (!sessions) {
    out.warnings.push_back({list.head->address, "the outgoing sessions could not be read: " +
                                                    sessions.error().to_string()});
    return;
  }
  out.sessions = std::move(sessions).value();
}

// What the derivation was reading when an error stopped it, which the
// error then names.
struct ReadingContext {
  std::string input;  // the BTF's, while it is read
  std::string what;   // the list's, while it is walked
};

DerivedSet derive(const LiveEvidence& ev, std::span<const CompatibleForm> core_forms,
                  ReadingContext& reading) {
  DerivedSet out;
  out.evidence = Evidence::kcore;
  reading.input = ev.btf_name;
  const ModelChoice choice =
      choose_model(ev.btf, std::nullopt, ev.release, ev.memory->pointer_size());
  reading.input.clear();
  const bool anchor = ev.symbols(kLuoAnchor).has_value();
  out.luo = anchor ? LuoPresence::present : LuoPresence::absent;
  if (!anchor) return out;  // /proc/kallsyms lists every function: no LUO built in
  if (!choice.model) {
    out.basis = "kallsyms + BTF without LUO + kcore";
    out.gaps.push_back(
        {GapKind::no_model, "the kernel's BTF has none of LUO's structs, yet LUO is built in"});
    return out;
  }
  const LuoModel& model = *choice.model;
  out.basis = fmt::format("kallsyms + {} + kcore", model.source);
  if (ev.rodata != nullptr) {
    add_core_strings(out, *ev.rodata, core_forms, Evidence::kcore);
    for (TableEntry& e : out.entries) {
      e.registration->address = e.offset;
      e.registration->module = "vmlinux";
    }
  }
  bool first = true;
  for (const auto& [names, kind] :
       {std::pair{&ev.lists.file, EntryKind::file}, std::pair{&ev.lists.flb, EntryKind::flb}}) {
    const Found list = find_head(ev, model, *names);
    if (!list.head) {
      out.gaps.push_back(
          {GapKind::unread_list,
           list.unplaced.empty()
               ? fmt::format("the kernel has none of the {} list heads the catalog names ({}): "
                             "name this kernel's in [registration_lists] of a catalog",
                             kind == EntryKind::file ? "file handler" : "FLB",
                             fmt::join(*names, ", "))
               : list.unplaced});
      continue;
    }
    if (first) out.section = list.head->name, out.offset = list.head->address, first = false;
    reading.what =
        fmt::format("{} ({})", list.head->name, kind == EntryKind::file ? "file handlers" : "FLBs");
    add_registered(out, ev, model, *list.head, kind);
    reading.what.clear();
  }
  add_sessions(out, ev, model);
  return out;
}

}  // namespace

// The layer's one conversion to Result for the running kernel.
Result<DerivedSet> derive_running(const LiveEvidence& ev,
                                  std::span<const CompatibleForm> core_forms) {
  ReadingContext reading;
  auto set = catch_parse_errors([&] { return derive(ev, core_forms, reading); });
  if (set) return set;
  Error e = std::move(set).error();
  if (!reading.input.empty()) e.input = reading.input;
  if (!reading.what.empty()) e.message = fmt::format("{}: {}", reading.what, e.message);
  return e;
}

}  // namespace lucompat
