// The codec entry points registered in codec.cc, one file each.
#pragma once

#include "lucompat/container/codec.h"

namespace lucompat {

StreamInfo decode_gzip(Bytes input, const Sink& sink, uint64_t max_output);
StreamInfo decode_xz(Bytes input, const Sink& sink, uint64_t max_output);
StreamInfo decode_lzma(Bytes input, const Sink& sink, uint64_t max_output);
StreamInfo decode_bzip2(Bytes input, const Sink& sink, uint64_t max_output);
StreamInfo decode_lzo(Bytes input, const Sink& sink, uint64_t max_output);
StreamInfo decode_lz4_legacy(Bytes input, const Sink& sink, uint64_t max_output);
StreamInfo decode_zstd(Bytes input, const Sink& sink, uint64_t max_output);

}  // namespace lucompat
