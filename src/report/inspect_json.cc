#include <optional>

#include "lucompat/report/inspect_report.h"
#include "lucompat/table/compatible.h"

namespace lucompat {
namespace {

using nlohmann::json;

json string_or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json table_json(const LocatedTable& t) {
  const TableLocation& where = t.location;
  json entries = json::array();
  for (const auto& e : t.table.entries) {
    json entry = {{"slot", e.slot}, {"compatible", e.compatible}, {"offset", e.offset}};
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
      entry["address"] = r->address ? json(*r->address) : json(nullptr);
      entry["module"] = string_or_null(r->module);
      entry["evidence"] = name(r->evidence);
    }
    entries.push_back(std::move(entry));
  }
  json warnings = json::array();
  for (const auto& w : t.table.warnings)
    warnings.push_back({{"offset", w.offset}, {"message", w.message}});
  json out = {
      {"method", name(where.method)},
      {"shape", name(where.shape)},
      {"section", string_or_null(where.section)},
      {"offset", where.offset},
      {"size", where.size},
      {"header_offset", where.header_offset ? json(*where.header_offset) : json(nullptr)},
      {"format_version", t.table.format_version ? json(*t.table.format_version) : json(nullptr)},
      {"entries", std::move(entries)},
      {"warnings", std::move(warnings)},
  };
  if (is_derived(where.method)) {
    out["evidence"] = where.evidence;
    out["near_misses"] = where.near_misses;
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

json elf_json(const std::optional<ElfInfo>& e) {
  if (!e) return nullptr;
  return {{"class", e->elf_class},
          {"byte_order", order_json(e->order)},
          {"machine", e->machine_name},
          {"e_machine", e->machine},
          {"type", e->type_name},
          {"arch", string_or_null(e->arch)},
          {"section_headers", e->has_section_headers},
          {"early_exit", e->sections_cut}};
}

}  // namespace

json inspect_json(const Inspection& in) {
  const KernelIdentity& id = in.identity;
  json chain = json::array();
  for (const auto& l : in.chain) chain.push_back(layer_json(l));
  return {
      {"schema", kInspectSchema},
      {"input", in.input},
      {"input_size", in.input_size},
      {"status", in.table ? "table" : "no-table"},
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
      {"table", in.table ? table_json(*in.table) : json(nullptr)},
      {"registrations", in.registrations ? table_json(*in.registrations) : json(nullptr)},
      {"disagreements", registration_disagreements(in)},
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
        {"context", string_or_null(error.context)},
        {"message", error.message},
        {"text", error.to_string()}}},
  };
}

json member_json(const std::string& path, const Result<Inspection>& result) {
  json doc = result ? inspect_json(*result) : inspect_error_json(result.error());
  doc.erase("schema");
  doc["path"] = path;
  return doc;
}

}  // namespace lucompat
