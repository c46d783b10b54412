#include <algorithm>
#include <optional>

#include "lucompat/base/json_dump.h"
#include "lucompat/report/inspect_report.h"
#include "lucompat/table/compatible.h"

namespace lucompat {
namespace {

using nlohmann::json;

json string_or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

// In a running kernel's set every position is a kernel address: `offset`
// (a number, a file offset elsewhere) is null and `address` holds it.
json offset_json(uint64_t position, bool in_memory) {
  return in_memory ? json(nullptr) : json(position);
}

json entries_json(const std::vector<TableEntry>& entries, bool in_memory) {
  json out = json::array();
  for (const auto& e : entries) {
    json entry = {{"slot", e.slot},
                  {"compatible", e.compatible},
                  {"offset", offset_json(e.offset, in_memory)}};
    if (is_composite(e.compatible)) {
      json parts = json::array();
      for (std::string_view c : components_of(e.compatible)) parts.push_back(c);
      entry["components"] = std::move(parts);
    }
    if (const auto v = parse_integer_compatible(e.compatible)) {
      entry["name"] = v->name;
      entry["version"] = v->version;
    }
    if (const auto& r = e.registration) {
      entry["kind"] = name(r->kind);
      entry["symbol"] = string_or_null(r->symbol);
      entry["address"] = r->address ? hex_json(*r->address) : json(nullptr);
      entry["module"] = string_or_null(r->module);
      entry["evidence"] = name(r->evidence);
    }
    out.push_back(std::move(entry));
  }
  return out;
}

json warnings_json(const std::vector<TableWarning>& warnings, bool in_memory) {
  json out = json::array();
  for (const auto& w : warnings) {
    json warning = {{"offset", offset_json(w.offset, in_memory)}, {"message", w.message}};
    if (in_memory) warning["address"] = hex_json(w.offset);
    out.push_back(std::move(warning));
  }
  return out;
}

json table_json(const LocatedTable& t) {
  const TableLocation& where = t.location;
  return {
      {"method", name(where.method)},
      {"shape", name(where.shape)},
      {"section", string_or_null(where.section)},
      {"offset", where.offset},
      {"size", where.size},
      {"header_offset", where.header_offset ? json(*where.header_offset) : json(nullptr)},
      {"format_version", t.table.format_version ? json(*t.table.format_version) : json(nullptr)},
      {"entries", entries_json(t.table.entries, false)},
      {"warnings", warnings_json(t.table.warnings, false)},
  };
}

// A derived set in the table's shape, so that a consumer of entries reads
// both alike; what it rests on and what it could not read beside them.
json derived_json(const DerivedSet& d) {
  json near_misses = json::array(), gaps = json::array();
  for (const auto& g : d.gaps) {
    if (g.kind == GapKind::near_miss) near_misses.push_back(g.detail);
    gaps.push_back({{"kind", name(g.kind)}, {"detail", g.detail}});
  }
  const bool in_memory = d.evidence == Evidence::kcore;
  return {
      {"method", in_memory ? "running" : "registrations"},
      {"shape", "merged"},
      {"section", string_or_null(d.section)},
      {"offset", offset_json(d.offset, in_memory)},
      {"address", in_memory ? hex_json(d.offset) : json(nullptr)},
      {"size", 0},
      {"header_offset", nullptr},
      {"format_version", nullptr},
      {"entries", entries_json(d.entries, in_memory)},
      {"warnings", warnings_json(d.warnings, in_memory)},
      {"evidence", d.basis},
      {"near_misses", std::move(near_misses)},
      {"gaps", std::move(gaps)},
      {"complete", d.complete()},
  };
}

json sessions_json(const std::optional<DerivedSet>& d) {
  if (!d || !d->sessions) return nullptr;
  json out = json::array();
  for (const LiveSession& s : *d->sessions) {
    json files = json::array();
    for (const LiveFile& f : s.files)
      files.push_back(
          {{"token", hex_json(f.token)}, {"compatible", f.compatible}, {"flbs", f.flbs}});
    out.push_back({{"name", s.name}, {"files", std::move(files)}});
  }
  return out;
}

json order_json(std::optional<ByteOrder> o) {
  if (!o) return nullptr;
  return *o == ByteOrder::little ? "little" : "big";
}

template <typename T>
json optional_json(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json layer_json(const Layer& l) {
  json details = json::object();
  for (const auto& [k, v] : l.details) details[k] = v;
  return {
      {"format", l.format},
      {"offset", l.offset},
      {"size", l.size},
      {"compression", string_or_null(l.compression)},
      {"decompressed_size", optional_json(l.decompressed_size)},
      {"size_trailer", optional_json(l.size_trailer)},
      {"details", std::move(details)},
      {"warnings", l.warnings},
  };
}

// elf_type_name() words the type for the text ("shared object", "type 0x5");
// JSON values are identifiers, so that a consumer can switch on them.
std::string snake_case(std::string words) {
  std::replace(words.begin(), words.end(), ' ', '_');
  return words;
}

json elf_json(const std::optional<ElfInfo>& e) {
  if (!e) return nullptr;
  return {{"class", e->elf_class},
          {"byte_order", order_json(e->order)},
          {"machine", e->machine_name},
          {"e_machine", e->machine},
          {"type", snake_case(e->type_name)},
          {"arch", string_or_null(e->arch)},
          {"section_headers", e->has_section_headers},
          {"early_exit", e->sections_cut}};
}

}  // namespace

std::string_view version_set_status(const Inspection& in) {
  if (in.table) return "table";
  return has_version_set(in) ? "derived" : "no_table";
}

std::string_view strongest_status(std::string_view a, std::string_view b) {
  for (std::string_view s : {"table", "derived"})
    if (a == s || b == s) return s;
  return "no_table";
}

json inspect_json(const Inspection& in) {
  const KernelIdentity& id = in.identity;
  json chain = json::array();
  for (const auto& l : in.chain) chain.push_back(layer_json(l));
  return {
      {"schema", kInspectSchema},
      {"input", in.input},
      {"input_size", in.input_size},
      {"status", version_set_status(in)},
      {"liveupdate", name(luo_presence(in))},
      {"chain", std::move(chain)},
      {"compression", string_or_null(in.compression())},
      {"format", in.format},
      {"kind", name(in.kind)},
      {"arch", string_or_null(in.arch)},
      {"byte_order", order_json(in.byte_order)},
      {"elf", elf_json(in.elf)},
      {"identity",
       {{"release", string_or_null(id.release)},
        {"banner", string_or_null(id.banner)},
        {"build_id", string_or_null(id.build_id)},
        {"module_name", string_or_null(id.module_name)},
        {"vermagic", string_or_null(id.vermagic)}}},
      {"table", in.table              ? table_json(*in.table)
                : has_version_set(in) ? derived_json(*in.derived)
                                      : json(nullptr)},
      {"registrations", in.table && in.derived && !in.derived->entries.empty()
                            ? derived_json(*in.derived)
                            : json(nullptr)},
      {"disagreements", registration_disagreements(in)},
      {"sessions", sessions_json(in.derived)},
      {"no_table_reason", has_version_set(in) ? json(nullptr) : json(no_table_reason(in))},
      {"error", nullptr},
  };
}

json inspect_error_json(const Error& error) {
  return {
      {"schema", kInspectSchema},
      {"input", error.input},
      {"status", "error"},
      {"error", error_json(error)},
  };
}

json member_json(const std::string& path, const Result<Inspection>& result) {
  json doc = result ? inspect_json(*result) : inspect_error_json(result.error());
  doc.erase("schema");
  doc["path"] = path;
  return doc;
}

}  // namespace lucompat
