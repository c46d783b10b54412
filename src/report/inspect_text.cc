#include <fmt/format.h>

#include <algorithm>

#include "lucompat/base/printable.h"
#include "lucompat/report/inspect_report.h"
#include "lucompat/report/paint.h"
#include "lucompat/table/compatible.h"

namespace lucompat {
namespace {

void field(std::string& out, std::string_view label, std::string_view value) {
  if (!value.empty()) out += fmt::format("  {:<9} {}\n", label, printable(value));
}

std::string where(const LocatedTable& t) {
  const TableLocation& l = t.location;
  const size_t n = t.table.entries.size();
  const std::string count = fmt::format("{} entr{}", n, n == 1 ? "y" : "ies");
  switch (l.shape) {
    case TableShape::merged:
      if (l.method == TableMethod::segment_scan)
        return fmt::format("found by segment scan at offset {:#x} (header + {})", l.offset, count);
      if (l.method == TableMethod::magic_scan)
        return fmt::format("found by magic scan of the raw image at offset {:#x} (header + {})",
                           l.offset, count);
      return fmt::format("section {} at offset {:#x}, {} bytes (header + {})", l.section, l.offset,
                         l.size, count);
    case TableShape::split:
      return fmt::format("section {} at offset {:#x} ({}), header in its own section at {:#x}",
                         l.section, l.offset, count, l.header_offset.value_or(0));
    case TableShape::entries_only:
      return fmt::format("section {} at offset {:#x}, {} bytes ({}, no header)", l.section,
                         l.offset, l.size, count);
  }
  return {};
}

// "registered handlers: 4 file handlers, 1 FLB, core luo-v1 kho-v1 (evidence: symtab + BTF)";
// "registered now: ..." for the running kernel read live.
std::string registrations_line(const DerivedSet& d) {
  size_t files = 0, flbs = 0;
  std::string core;
  for (const auto& e : d.entries) {
    if (!e.registration) continue;
    if (e.registration->kind == EntryKind::file) ++files;
    if (e.registration->kind == EntryKind::flb) ++flbs;
    if (e.registration->kind == EntryKind::core || e.registration->kind == EntryKind::subtree)
      core += " " + e.compatible;
  }
  return fmt::format("{}: {} file handler{}, {} FLB{}, {} (evidence: {})",
                     d.evidence == Evidence::kcore ? "registered now" : "registered handlers",
                     files, files == 1 ? "" : "s", flbs, flbs == 1 ? "" : "s",
                     core.empty() ? "no core strings" : "core" + core, d.basis);
}

// What a forward-format entry holds, beside its string: the components of a
// composite, or the name and version of an integer-version entry.
std::string entry_note(std::string_view compatible) {
  if (is_composite(compatible)) {
    std::string parts;
    for (std::string_view c : components_of(compatible))
      parts += (parts.empty() ? "" : " + ") + printable(c);
    return "  (composite: " + parts + ")";
  }
  if (const auto v = parse_integer_compatible(compatible))
    return fmt::format("  (integer version {} of {})", v->version, printable(v->name));
  return {};
}

void registration_entries(std::string& out, const DerivedSet& d) {
  for (const auto& e : d.entries) {
    if (!e.registration) continue;
    const Registration& r = *e.registration;
    std::string where = r.symbol;
    if (r.address) where += fmt::format(" at {:#x}", *r.address);
    // A live reading names the kernel itself "vmlinux", as /proc/kallsyms does not.
    if (!r.module.empty()) where += (r.module == "vmlinux" ? " in " : " in module ") + r.module;
    if (where.empty()) where = fmt::format("string at offset {:#x}", e.offset);
    out += fmt::format("  {:>4}  {:<7} {:<24} {} ({}){}\n", e.slot, name(r.kind),
                       printable(e.compatible), printable(where), name(r.evidence),
                       entry_note(e.compatible));
  }
  // The one word of LUO's an operator meets here without its docs.
  if (std::any_of(d.entries.begin(), d.entries.end(), [](const TableEntry& e) {
        return e.registration && e.registration->kind == EntryKind::flb;
      }))
    out += "        (an FLB is state that several preserved files share, restored before them)\n";
}

std::string layer_line(const Layer& l) {
  std::string out = l.format;
  if (!l.compression.empty()) {
    out += l.decompressed_size ? fmt::format(": {} → {} bytes", l.size, *l.decompressed_size)
                               : fmt::format(": {} bytes read", l.size);
    if (l.size_trailer) out += fmt::format(" (size trailer {})", *l.size_trailer);
  } else if (l.offset != 0) {
    out += fmt::format(": payload at {:#x}, {} bytes", l.offset, l.size);
  } else {
    out += fmt::format(": {} bytes", l.size);
  }
  for (const auto& [k, v] : l.details) out += fmt::format("; {} {}", k, v);
  return out;
}

}  // namespace

std::string no_table_reason(const Inspection& in) {
  if (in.elf && in.elf->sections_cut)
    return "no live-update version table in the segment that holds the kernel's notes, where the "
           "RFC's linker script puts it; early exit read no further (run without --early-exit "
           "to search the whole image)";
  const LuoPresence luo = luo_presence(in);
  if (in.kind == InputKind::kernel && luo == LuoPresence::absent)
    return "no Live Update Orchestrator in this kernel (built without CONFIG_LIVEUPDATE): its "
           "complete symbols have none of LUO's functions, handlers, FLBs or core strings";
  if (in.kind == InputKind::kernel && in.derived)
    return "no live-update version table, and no registration was found, but the evidence (" +
           in.derived->basis + ") cannot show that LUO is absent";
  // Without symbols the registrations were not searched: a mainline LUO
  // kernel looks the same as one without LUO, and we must not say which.
  if (in.kind == InputKind::kernel)
    return "no live-update version table: the kernel predates the RFC or was built without "
           "CONFIG_LIVEUPDATE, or it is a mainline LUO kernel whose registrations cannot be "
           "found without a symbol table or kallsyms this reader can decode";
  if (in.kind == InputKind::module && in.derived)
    return "no live-update version table, and the module registers no file handler or FLB";
  if (in.kind == InputKind::module)
    return "no live-update version table: the module declares no live-update file handler";
  return "no live-update version table in this object";
}

namespace {

// "2 outgoing: test-session (memfd-v2 token 0x1a), ..." or that none is open.
std::string sessions_line(const std::vector<LiveSession>& sessions) {
  if (sessions.empty())
    return "none open: nothing is preserved now, so no live update can lose anything yet";
  std::string out = fmt::format("{} outgoing:", sessions.size());
  for (size_t i = 0; i < sessions.size(); ++i) {
    const LiveSession& s = sessions[i];
    std::string files;
    for (const LiveFile& f : s.files)
      files += fmt::format("{}{} token {:#x}", files.empty() ? "" : ", ", f.compatible, f.token);
    out += fmt::format("{} {} ({})", i == 0 ? "" : ";", s.name, files.empty() ? "no file" : files);
  }
  return out;
}

void derived_text(std::string& out, const DerivedSet& d, bool colour) {
  field(out, "table", registrations_line(d));
  registration_entries(out, d);
  for (const auto& w : d.warnings)
    out += fmt::format("  {}: {}\n", painted("warning", Tone::doubt, colour), printable(w.message));
  for (const auto& g : d.gaps)
    out += fmt::format(
        "  {}: {}\n",
        painted(g.kind == GapKind::near_miss ? "NEAR MISS" : "NOT READ", Tone::doubt, colour),
        printable(g.detail));
  if (d.sessions) field(out, "sessions", sessions_line(*d.sessions));
}

}  // namespace

std::string inspect_text(const Inspection& in, bool colour) {
  std::string out = fmt::format("{}: {} ({})\n", printable(in.input),
                                printable(in.describe_chain()), name(in.kind));
  for (const auto& l : in.chain) {
    field(out, "container", layer_line(l));
    for (const auto& w : l.warnings)
      out += fmt::format("  warning: {}: {}\n", printable(l.format), printable(w));
  }
  field(out, "release", in.identity.release);
  field(out, "banner", in.identity.banner);
  field(out, "module", in.identity.module_name);
  field(out, "vermagic", in.identity.vermagic);
  field(out, "build-id", in.identity.build_id);
  if (!in.table) {
    if (has_version_set(in))
      derived_text(out, *in.derived, colour);
    else
      field(out, "table", no_table_reason(in));
    return out;
  }
  const LocatedTable& t = *in.table;
  std::string at = where(t);
  // Offsets count from the innermost data: say so when that is not the file.
  if (!in.chain.empty())
    at += in.compression().empty() ? " (in the innermost image)" : " (in the decompressed data)";
  field(out, "table", at);
  field(out, "format",
        t.table.format_version ? fmt::format("version {}", *t.table.format_version)
                               : "entries only; the kernel's header states the version");
  for (const auto& e : t.table.entries)
    out +=
        fmt::format("  {:>4}  {}{}\n", e.slot, printable(e.compatible), entry_note(e.compatible));
  for (const auto& w : t.table.warnings)
    out += fmt::format("  warning: offset {:#x}: {}\n", w.offset, printable(w.message));
  if (in.derived && !in.derived->entries.empty()) {
    field(out, "also", registrations_line(*in.derived));
    registration_entries(out, *in.derived);
    for (const auto& d : registration_disagreements(in))
      out += fmt::format("  {}: {}\n", painted("DISAGREES", Tone::bad, colour), printable(d));
  }
  return out;
}

}  // namespace lucompat
