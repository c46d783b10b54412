#include "lucompat/table/table_location.h"

namespace lucompat {

std::string_view name(TableMethod m) {
  switch (m) {
    case TableMethod::section:
      return "section";
    case TableMethod::segment_scan:
      return "segment_scan";
    case TableMethod::magic_scan:
      return "magic_scan";
  }
  return "unknown";
}

std::string_view name(TableShape s) {
  switch (s) {
    case TableShape::merged:
      return "merged";
    case TableShape::split:
      return "split";
    case TableShape::entries_only:
      return "entries_only";
  }
  return "unknown";
}

std::string_view name(EntryKind k) {
  switch (k) {
    case EntryKind::core:
      return "core";
    case EntryKind::subtree:
      return "subtree";
    case EntryKind::file:
      return "file";
    case EntryKind::flb:
      return "flb";
  }
  return "unknown";
}

std::string_view name(LuoPresence p) {
  switch (p) {
    case LuoPresence::present:
      return "present";
    case LuoPresence::absent:
      return "absent";
    case LuoPresence::unknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view name(Evidence e) {
  switch (e) {
    case Evidence::symtab:
      return "symtab";
    case Evidence::kallsyms:
      return "kallsyms";
    case Evidence::scan:
      return "scan";
    case Evidence::kcore:
      return "kcore";
  }
  return "unknown";
}

}  // namespace lucompat
