#include "lucompat/table/decode.h"

#include <fmt/format.h>

#include <string>

namespace lucompat {
namespace {

std::string supported_versions(uint32_t magic, TableFormats formats) {
  std::string out;
  size_t n = 0;
  for (const auto& f : formats)
    if (f.magic == magic) out += (n++ == 0 ? "" : ", ") + std::to_string(f.version);
  return (n == 1 ? "version " : "versions ") + out;
}

// The magic as its value reads, for people: "LVUP" for the RFC's.
std::string spelled(uint32_t magic) {
  std::string s;
  for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((magic >> shift) & 0xff);
  return s;
}

const TableFormat& read_header(const ByteReader& r, TableFormats formats) {
  if (r.size() < 8)
    fail(ErrorKind::malformed, r.base(),
         fmt::format("expected a table header (4-byte magic and 4-byte format version), but the "
                     "table is only {} bytes",
                     r.size()));
  const uint32_t magic = r.u32(0, "table magic");
  if (!is_table_magic(magic, formats)) {
    if (is_table_magic(byteswap(magic), formats))
      fail(ErrorKind::malformed, r.base(),
           fmt::format("table magic is byte-swapped ({:#010x}): the table is stored {} but the "
                       "file is {}",
                       magic, name(other(r.order())), name(r.order())));
    fail(ErrorKind::malformed, r.base(),
         fmt::format("expected table magic {:#010x} (\"{}\"), found {:#010x}", table_magic(),
                     spelled(table_magic()), magic));
  }
  const uint32_t version = r.u32(4, "table format version");
  const TableFormat* f = find_table_format(magic, version, formats);
  if (f == nullptr)
    fail(ErrorKind::unsupported, r.base() + 4,
         fmt::format("unsupported table format version {} (this lucompat reads {})", version,
                     supported_versions(magic, formats)));
  return *f;
}

// A table's header, then its entries as `entries` reads them.
template <typename Entries>
Result<VersionTable> read_table(Bytes bytes, ByteOrder order, uint64_t offset, TableFormats formats,
                                Entries entries) {
  return catch_parse_errors([&] {
    const ByteReader r(bytes, order, offset);
    const TableFormat& f = read_header(r, formats);
    VersionTable t;
    t.format_version = f.version;
    entries(r, f, t);
    return t;
  });
}

}  // namespace

Result<const TableFormat*> decode_table_header(Bytes bytes, ByteOrder order, uint64_t offset,
                                               TableFormats formats) {
  return catch_parse_errors(
      [&] { return &read_header(ByteReader(bytes, order, offset), formats); });
}

Result<VersionTable> decode_table(Bytes bytes, ByteOrder order, uint64_t offset,
                                  TableFormats formats) {
  return read_table(bytes, order, offset, formats,
                    [](const ByteReader& r, const TableFormat& f, VersionTable& t) {
                      const uint64_t body = r.size() - f.header_size;
                      if (f.entry_size != 0 && body % f.entry_size != 0)
                        fail(ErrorKind::malformed, r.base(),
                             fmt::format("table size {} is not {} + {}·N: {} bytes follow the "
                                         "header, {} more than {} whole entries",
                                         r.size(), f.header_size, f.entry_size, body,
                                         body % f.entry_size, body / f.entry_size));
                      f.decode_entries(r.slice(f.header_size, body, "table entries"), t);
                    });
}

Result<VersionTable> decode_table_entries(const TableFormat& format, Bytes bytes, ByteOrder order,
                                          uint64_t offset) {
  return catch_parse_errors([&] {
    VersionTable t;
    format.decode_entries(ByteReader(bytes, order, offset), t);
    return t;
  });
}

Result<VersionTable> scan_table(Bytes bytes, ByteOrder order, uint64_t offset,
                                TableFormats formats) {
  return read_table(bytes, order, offset, formats,
                    [](const ByteReader& r, const TableFormat& f, VersionTable& t) {
                      f.scan_entries(
                          r.slice(f.header_size, r.size() - f.header_size, "table entries"), t);
                    });
}

}  // namespace lucompat
