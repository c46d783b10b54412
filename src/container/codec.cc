#include "lucompat/container/codec.h"

#include <array>
#include <vector>

#include "container/codec_util.h"
#include "container/codecs.h"

namespace lucompat {
namespace {

using namespace std::string_view_literals;

// Magics from the kernel's compressors (scripts/Makefile.lib) and their formats.
constexpr std::array kCodecs{
    Codec{"gzip", "\x1f\x8b\x08"sv, &open_gzip},
    Codec{"xz",
          "\xfd"
          "7zXZ\x00"sv,
          &open_xz},
    Codec{"bzip2", "BZh"sv, &open_bzip2},
    Codec{"lzma", "\x5d\x00\x00"sv, &open_lzma},
    Codec{"lzo", "\x89LZO\x00\r\n\x1a\n"sv, &open_lzo},
    Codec{"lz4", "\x02\x21\x4c\x18"sv, &open_lz4_legacy},
    Codec{"zstd", "\x28\xb5\x2f\xfd"sv, &open_zstd},
};

}  // namespace

uint64_t StreamDecoder::feed(Bytes input) {
  if (ended_ || stopped_) return 0;
  if (release_ && unreleased_ == nullptr) unreleased_ = input.data();
  feeding_ = input;
  const uint64_t used = decode(input);
  consumed_ += used;
  return used;
}

void StreamDecoder::finish() {
  if (!ended_ && !stopped_) drain();
  if (!ended_ && !stopped_) truncated(consumed_);
}

bool StreamDecoder::emit(const void* data, size_t size) {
  if (size > max_output_ - produced_)
    fail(ErrorKind::limit, std::nullopt,
         fmt::format("{} output exceeds the {}-byte limit (--max-output)", name_, max_output_));
  produced_ += size;
  if (size == 0 || sink_(Bytes(static_cast<const std::byte*>(data), size))) return true;
  stopped_ = true;
  return false;
}

void StreamDecoder::read_up_to(const std::byte* end) {
  // In steps: a syscall per 64 KiB piece would cost more than it saves.
  constexpr uint64_t kStep = uint64_t{2} << 20;
  const auto at = reinterpret_cast<std::uintptr_t>(end);
  const auto from = reinterpret_cast<std::uintptr_t>(feeding_.data());
  if (!release_ || unreleased_ == nullptr || at < from || at - from > feeding_.size() ||
      at < reinterpret_cast<std::uintptr_t>(unreleased_) ||
      at - reinterpret_cast<std::uintptr_t>(unreleased_) < kStep)
    return;
  release_(Bytes(unreleased_, static_cast<size_t>(end - unreleased_)));
  unreleased_ = end;
}

void StreamDecoder::truncated(uint64_t at) const { lucompat::truncated(name_, at); }

void StreamDecoder::corrupt(uint64_t at, std::string_view why) const {
  lucompat::corrupt(name_, at, why);
}

StreamInfo Codec::decode(Bytes input, const Sink& sink, uint64_t max_output) const {
  const std::unique_ptr<StreamDecoder> decoder = open(sink, max_output);
  decoder->feed(input);
  decoder->finish();
  StreamInfo info{decoder->consumed(), decoder->produced(), std::nullopt};
  info.stopped = decoder->stopped();
  if (!info.stopped) {
    info.size_trailer = decoder->own_size();
    if (!info.size_trailer) info.size_trailer = size_trailer_after(input, decoder->consumed());
  }
  return info;
}

std::span<const Codec> codecs() { return kCodecs; }

const Codec* codec_at(Bytes data) {
  const std::string_view head = as_chars(data);
  for (const auto& c : kCodecs)
    if (head.starts_with(c.magic)) return &c;
  return nullptr;
}

const Codec* codec_named(std::string_view name) {
  for (const auto& c : kCodecs)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace lucompat
