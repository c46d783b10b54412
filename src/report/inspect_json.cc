#include <optional>

#include "lucompat/report/inspect_report.h"

namespace lucompat {
namespace {

using nlohmann::json;

json string_or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json table_json(const LocatedTable& t) {
  const TableLocation& where = t.location;
  json entries = json::array();
  for (const auto& e : t.table.entries)
    entries.push_back({{"slot", e.slot}, {"compatible", e.compatible}, {"offset", e.offset}});
  json warnings = json::array();
  for (const auto& w : t.table.warnings)
    warnings.push_back({{"offset", w.offset}, {"message", w.message}});
  return {
      {"method", name(where.method)},
      {"shape", name(where.shape)},
      {"section", string_or_null(where.section)},
      {"offset", where.offset},
      {"size", where.size},
      {"header_offset", where.header_offset ? json(*where.header_offset) : json(nullptr)},
      {"format_version",
       t.table.format_version ? json(*t.table.format_version) : json(nullptr)},
      {"entries", std::move(entries)},
      {"warnings", std::move(warnings)},
  };
}

}  // namespace

json inspect_json(const Inspection& in) {
  const ElfInfo& e = in.elf;
  const KernelIdentity& id = in.identity;
  return {
      {"schema", kInspectSchema},
      {"input", in.input},
      {"status", in.table ? "table" : "no-table"},
      {"format", in.format},
      {"kind", name(in.kind)},
      {"elf",
       {{"class", e.elf_class},
        {"byte_order", e.order == ByteOrder::little ? "little" : "big"},
        {"machine", e.machine_name},
        {"e_machine", e.machine},
        {"type", e.type_name},
        {"arch", string_or_null(e.arch)},
        {"section_headers", e.has_section_headers}}},
      {"identity",
       {{"release", string_or_null(id.release)},
        {"banner", string_or_null(id.banner)},
        {"build_id", string_or_null(id.build_id)},
        {"module_name", string_or_null(id.module_name)},
        {"vermagic", string_or_null(id.vermagic)}}},
      {"table", in.table ? table_json(*in.table) : json(nullptr)},
      {"no_table_reason", in.table ? json(nullptr) : json(no_table_reason(in))},
      {"error", nullptr},
  };
}

json inspect_error_json(const Error& error) {
  return {
      {"schema", kInspectSchema},
      {"input", error.input},
      {"status", "error"},
      {"error",
       {{"kind", name(error.kind)},
        {"offset", error.offset ? json(*error.offset) : json(nullptr)},
        {"message", error.message},
        {"text", error.to_string()}}},
  };
}

}  // namespace lucompat
