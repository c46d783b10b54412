// The decoders registered in codec.cc, one file each.
#pragma once

#include <memory>

#include "lucompat/container/codec.h"

namespace lucompat {

std::unique_ptr<StreamDecoder> open_gzip(const Sink& sink, uint64_t max_output);
std::unique_ptr<StreamDecoder> open_xz(const Sink& sink, uint64_t max_output);
std::unique_ptr<StreamDecoder> open_lzma(const Sink& sink, uint64_t max_output);
std::unique_ptr<StreamDecoder> open_bzip2(const Sink& sink, uint64_t max_output);
std::unique_ptr<StreamDecoder> open_lzo(const Sink& sink, uint64_t max_output);
std::unique_ptr<StreamDecoder> open_lz4_legacy(const Sink& sink, uint64_t max_output);
std::unique_ptr<StreamDecoder> open_zstd(const Sink& sink, uint64_t max_output);

}  // namespace lucompat
