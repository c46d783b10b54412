#include "lucompat/raw/raw_reader.h"

#include "lucompat/table/magic_scan.h"
#include "lucompat/table/table_format.h"

namespace lucompat {

Result<RawReading> read_raw(Bytes image, std::optional<ByteOrder> order,
                            const std::vector<ByteRange>& present) {
  return catch_parse_errors([&] {
    RawReading out;
    out.order = order;
    // An Image is loaded at an aligned address, so image offsets keep the
    // table's 8-byte alignment.
    std::vector<ScanRegion> regions;
    std::vector<Bytes> parts;
    for (const ByteRange& r : clip_to_present({0, image.size()}, present)) {
      regions.push_back({image.subspan(r.offset, r.size), r.offset, r.offset});
      parts.push_back(regions.back().bytes);
    }
    out.table = scan_for_table(regions, order.value_or(ByteOrder::little), order.has_value());
    if (out.table) {
      out.table->location.method = TableMethod::magic_scan;
      if (!out.order) {
        // The magic's bytes say which order the table was read in.
        const auto* at = image.data() + out.table->location.offset;
        out.order = is_table_magic(load<uint32_t>(at, ByteOrder::little)) ? ByteOrder::little
                                                                          : ByteOrder::big;
      }
    }
    if (auto b = find_banner(parts)) {
      out.identity.banner = *b;
      out.identity.release = release_of_banner(*b);
    }
    return out;
  });
}

}  // namespace lucompat
