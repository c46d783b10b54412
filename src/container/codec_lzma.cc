#include <lzma.h>

#include <algorithm>
#include <array>
#include <vector>

#include "container/codec_util.h"
#include "container/codecs.h"
#include "container/dictionary_memory.h"

namespace lucompat {
namespace {

// What a dictionary may cost when its stream's size is not known (a stream
// fed in pieces whose blocks do not record their sizes): the kernel's xz
// payloads ask for 128 MiB, but that size is always known.
constexpr uint64_t kMemLimit = uint64_t{96} << 20;
// The dictionaries of all threads together: sixteen threads reading streams
// with 64 MiB dictionaries would otherwise hold 1 GiB. A kernel's leaves room
// for the modules beside it.
constexpr uint64_t kAllThreads = uint64_t{128} << 20;

// What the legacy decoder may use before it asks for more: liblzma's smallest limit.
constexpr uint64_t kInitialLimit = 1;

// liblzma reuses a stream's allocations (the dictionary) when it is
// initialised again, which a module tree of thousands of small streams
// notices. A kernel's dictionary is not kept: it would stay beside the next
// stream's in the peak RSS, outside the budget of all threads (a module's
// 1 MiB dictionary is kept).
constexpr uint64_t kKeepDecoderBelow = uint64_t{2} << 20;

// An xz index read from the end of a stream that lists more blocks than this
// costs more than it saves; the stream is then decoded as if it had none.
constexpr uint64_t kIndexLimit = uint64_t{1} << 20;

constexpr size_t kXzHeader = LZMA_STREAM_HEADER_SIZE;  // the stream header and footer are this long

DecoderMemory& dictionaries() {
  static DecoderMemory m;
  return m;
}

std::string_view why(lzma_ret rc) {
  switch (rc) {
    case LZMA_FORMAT_ERROR:
      return "not a valid stream header";
    case LZMA_OPTIONS_ERROR:
      return "unsupported options in the header";
    case LZMA_DATA_ERROR:
      return "the compressed data is corrupt";
    case LZMA_UNSUPPORTED_CHECK:
      return "unsupported integrity check";
    default:
      return "decoder error";
  }
}

[[noreturn]] void refuse(std::string_view codec, uint64_t at, uint64_t needed) {
  fail(ErrorKind::limit, at,
       fmt::format("{} stream needs {} bytes of decoder memory, more than the {} MiB limit", codec,
                   needed, kMemLimit >> 20));
}

const uint8_t* bytes_of(Bytes b) { return reinterpret_cast<const uint8_t*>(b.data()); }

// liblzma's allocations, its dictionary among them, on dictionary memory.
const lzma_allocator kAllocator{
    [](void*, size_t count, size_t size) -> void* {
      return size != 0 && count > SIZE_MAX / size ? nullptr : dictionary_alloc(count * size);
    },
    [](void*, void* p) { dictionary_free(p); }, nullptr};

struct LzmaState {
  lzma_stream s = LZMA_STREAM_INIT;
  LzmaState() { s.allocator = &kAllocator; }
  ~LzmaState() { lzma_end(&s); }
  LzmaState(const LzmaState&) = delete;
  LzmaState& operator=(const LzmaState&) = delete;
};

// The legacy .lzma format: one header, then LZMA data to an end marker.
class LzmaAloneDecoder final : public StreamDecoder {
 public:
  LzmaAloneDecoder(const Sink& sink, uint64_t max_output)
      : StreamDecoder(sink, max_output, "lzma") {
    lzma_stream& s = state_->s;
    if (lzma_alone_decoder(&s, kInitialLimit) != LZMA_OK) corrupt(0, "cannot initialise liblzma");
    // The decoder starts with almost no memory allowed: a header that needs
    // more stops it with LZMA_MEMLIMIT_ERROR, and it goes on once that much
    // is reserved among all threads.
    reserved_.set(lzma_memusage(&s), kAllThreads);
  }
  ~LzmaAloneDecoder() override {
    // Before the reservation is given back: the memory is freed first.
    if (lzma_memusage(&state_->s) > kKeepDecoderBelow) lzma_end(&state_->s);
  }
  LzmaAloneDecoder(const LzmaAloneDecoder&) = delete;
  LzmaAloneDecoder& operator=(const LzmaAloneDecoder&) = delete;

 private:
  uint64_t decode(Bytes input) override {
    lzma_stream& s = state_->s;
    s.next_in = bytes_of(input);
    s.avail_in = input.size();
    run(LZMA_RUN);
    const uint64_t used = input.size() - s.avail_in;
    s.avail_in = 0;
    return used;
  }

  void drain() override { run(LZMA_FINISH); }

  void run(lzma_action action) {
    lzma_stream& s = state_->s;
    for (;;) {
      s.next_out = buf_;
      s.avail_out = sizeof buf_;
      const lzma_ret rc = lzma_code(&s, action);
      const size_t n = sizeof buf_ - s.avail_out;
      if (!emit(buf_, n)) return;
      if (rc == LZMA_STREAM_END) return end();
      if (rc == LZMA_OK) {
        if (s.avail_in == 0 && n < sizeof buf_ && action == LZMA_RUN) return;
        continue;
      }
      if (rc == LZMA_BUF_ERROR) return;  // no progress without more input
      if (rc == LZMA_MEMLIMIT_ERROR) {
        const uint64_t needed = lzma_memusage(&s);
        if (needed > kMemLimit) refuse(name(), s.total_in, needed);
        reserved_.set(needed, kAllThreads);
        if (lzma_memlimit_set(&s, needed) != LZMA_OK)
          corrupt(s.total_in, "cannot raise the memory limit");
        continue;
      }
      corrupt(s.total_in, why(rc));
    }
  }

  DecoderMemory::Reservation reserved_{dictionaries()};
  PerThread<LzmaState> state_;
  uint8_t buf_[kCodecChunk];
};

struct XzState {
  lzma_stream s = LZMA_STREAM_INIT;
  lzma_index_hash* index = nullptr;  // the blocks decoded so far, for the index to match
  XzState() { s.allocator = &kAllocator; }
  ~XzState() {
    lzma_end(&s);
    lzma_index_hash_end(index, nullptr);
  }
  XzState(const XzState&) = delete;
  XzState& operator=(const XzState&) = delete;
};

// A block header's filter options, which liblzma allocates, freed with the header.
struct Filters {
  std::array<lzma_filter, LZMA_FILTERS_MAX + 1> f{};
  Filters() {
    for (lzma_filter& x : f) x.id = LZMA_VLI_UNKNOWN;
  }
  ~Filters() { lzma_filters_free(f.data(), nullptr); }
  Filters(const Filters&) = delete;
  Filters& operator=(const Filters&) = delete;
};

// An LZMA2 stream never refers further back than what it has produced, so a
// block decodes the same with a dictionary no larger than its output; one
// that produces more than it declared is corrupt (the block decoder stops it
// there), and one that refers further back than its smaller dictionary holds
// is refused by liblzma as corrupt too.
void fit_dictionaries(Filters& filters, uint64_t size) {
  const auto fit =
      static_cast<uint32_t>(std::clamp<uint64_t>(size, LZMA_DICT_SIZE_MIN, UINT32_MAX));
  for (lzma_filter& f : filters.f) {
    if (f.id == LZMA_VLI_UNKNOWN) return;
    if (f.id != LZMA_FILTER_LZMA2 && f.id != LZMA_FILTER_LZMA1) continue;
    auto& options = *static_cast<lzma_options_lzma*>(f.options);
    options.dict_size = std::min(options.dict_size, fit);
  }
}

// What each block of the stream starting at `input` decompresses to, as the
// index at its end says, when `input` holds all of it: the footer ends at a
// multiple of 4 bytes from the start (streams are made of 4-byte units),
// followed by anything (the kernel's size trailer, the rest of a
// decompressor). Found from the end, and only trusted when the index's blocks
// fill the stream from its header to that footer; the block decoder and the
// index hash check what it says. Empty when there is no such footer.
std::vector<uint64_t> sizes_from_index(Bytes input, const lzma_stream_flags& header) {
  const uint8_t* in = bytes_of(input);
  constexpr uint64_t kSmallest = 2 * kXzHeader + 8;  // an empty index
  for (uint64_t end = input.size() & ~uint64_t{3}; end >= kSmallest; end -= 4) {
    if (in[end - 2] != 'Y' || in[end - 1] != 'Z') continue;
    lzma_stream_flags footer;
    const uint64_t index_end = end - kXzHeader;
    if (lzma_stream_footer_decode(&footer, in + index_end) != LZMA_OK ||
        lzma_stream_flags_compare(&header, &footer) != LZMA_OK ||
        footer.backward_size > index_end - kXzHeader)
      continue;
    lzma_index* index = nullptr;
    uint64_t memlimit = kIndexLimit;
    size_t pos = index_end - footer.backward_size;
    const lzma_ret rc = lzma_index_buffer_decode(&index, &memlimit, nullptr, in, &pos, index_end);
    std::vector<uint64_t> sizes;
    if (rc == LZMA_OK && pos == index_end && lzma_index_stream_size(index) == end) {
      lzma_index_iter it;
      lzma_index_iter_init(&it, index);
      while (!lzma_index_iter_next(&it, LZMA_INDEX_ITER_BLOCK))
        sizes.push_back(it.block.uncompressed_size);
    }
    lzma_index_end(index, nullptr);
    if (rc == LZMA_OK && !sizes.empty()) return sizes;
  }
  return {};
}

// An .xz stream, read part by part with liblzma's block decoder so that each
// block's dictionary can be sized to what it decompresses to: the kernel's
// scripts/xz_wrap.sh asks for 128 MiB whatever the kernel's size, which its
// own decoder ignores (it decodes into the output buffer) and liblzma would
// allocate. The size comes from the block header when it records one, or
// from the index at the stream's end when the stream is all in the first
// piece (a bzImage's or zboot's payload, a .ko.xz); a block of unknown size
// keeps the dictionary its header asks for, within kMemLimit.
class XzDecoder final : public StreamDecoder {
 public:
  XzDecoder(const Sink& sink, uint64_t max_output) : StreamDecoder(sink, max_output, "xz") {
    lzma_index_hash* index = lzma_index_hash_init(state_->index, nullptr);
    if (index == nullptr) corrupt(0, "cannot initialise liblzma");
    state_->index = index;
  }
  ~XzDecoder() override {
    // Before the reservation is given back: the memory is freed first.
    if (memory_ > kKeepDecoderBelow) lzma_end(&state_->s);
  }
  XzDecoder(const XzDecoder&) = delete;
  XzDecoder& operator=(const XzDecoder&) = delete;

 private:
  uint64_t decode(Bytes input) override {
    // Only a first piece can hold the whole stream, and only while it is read.
    first_piece_ = consumed() == 0 ? input : Bytes{};
    uint64_t used = 0;
    while (used < input.size() && !ended() && !stopped())
      used += (this->*part_)(input.subspan(used), consumed() + used);
    first_piece_ = {};
    return used;
  }

  // Gathers a `size`-byte part from `input` into part_bytes_: returns the bytes
  // taken, and whether the part is whole.
  std::pair<uint64_t, bool> gather(Bytes input, size_t size) {
    const size_t take = std::min(size - part_bytes_.size(), input.size());
    part_bytes_.insert(part_bytes_.end(), bytes_of(input), bytes_of(input) + take);
    return {take, part_bytes_.size() == size};
  }
  // The stream offset where the part being gathered starts.
  uint64_t part_at(uint64_t at) const { return at - part_bytes_.size(); }

  uint64_t stream_header(Bytes input, uint64_t at) {
    const auto [taken, whole] = gather(input, kXzHeader);
    if (!whole) return taken;
    const lzma_ret rc = lzma_stream_header_decode(&flags_, part_bytes_.data());
    if (rc != LZMA_OK) corrupt(part_at(at + taken), why(rc));
    part_bytes_.clear();
    part_ = &XzDecoder::block_header;
    return taken;
  }

  uint64_t block_header(Bytes input, uint64_t at) {
    const uint8_t first = part_bytes_.empty() ? static_cast<uint8_t>(input[0]) : part_bytes_[0];
    if (first == 0) {  // the index indicator: no more blocks
      part_ = &XzDecoder::index;
      return 0;
    }
    const auto [taken, whole] = gather(input, lzma_block_header_size_decode(first));
    if (!whole) return taken;
    const uint64_t start = part_at(at + taken);
    Filters filters;
    block_ = lzma_block{};
    block_.version = 1;
    block_.check = flags_.check;
    block_.header_size = lzma_block_header_size_decode(first);
    block_.filters = filters.f.data();
    lzma_ret rc = lzma_block_header_decode(&block_, nullptr, part_bytes_.data());
    if (rc != LZMA_OK) corrupt(start, why(rc));
    part_bytes_.clear();
    if (block_.uncompressed_size == LZMA_VLI_UNKNOWN) {
      if (!index_read_ && !first_piece_.empty()) {
        index_read_ = true;
        indexed_sizes_ = sizes_from_index(first_piece_, flags_);
      }
      if (blocks_ < indexed_sizes_.size()) block_.uncompressed_size = indexed_sizes_[blocks_];
    }
    if (block_.uncompressed_size != LZMA_VLI_UNKNOWN)
      fit_dictionaries(filters, block_.uncompressed_size);
    const uint64_t needed = lzma_raw_decoder_memusage(filters.f.data());
    if (needed == UINT64_MAX) corrupt(start, why(LZMA_OPTIONS_ERROR));
    if (needed > kMemLimit) refuse(name(), start, needed);
    reserved_.set(needed, kAllThreads);
    memory_ = needed;
    rc = lzma_block_decoder(&state_->s, &block_);
    if (rc != LZMA_OK) corrupt(start, why(rc));
    ++blocks_;
    part_ = &XzDecoder::block;
    return taken;
  }

  uint64_t block(Bytes input, uint64_t at) {
    lzma_stream& s = state_->s;
    s.next_in = bytes_of(input);
    s.avail_in = input.size();
    for (;;) {
      s.next_out = buf_;
      s.avail_out = sizeof buf_;
      const lzma_ret rc = lzma_code(&s, LZMA_RUN);
      const size_t n = sizeof buf_ - s.avail_out;
      const uint64_t used = input.size() - s.avail_in;
      read_up_to(input.data() + used);
      if (!emit(buf_, n)) return used;
      if (rc == LZMA_STREAM_END) {
        if (lzma_index_hash_append(state_->index, lzma_block_unpadded_size(&block_),
                                   block_.uncompressed_size) != LZMA_OK)
          corrupt(at + used, "the blocks are larger than an index can list");
        part_ = &XzDecoder::block_header;
        return used;
      }
      if (rc != LZMA_OK) corrupt(at + used, why(rc));
      if (s.avail_in == 0 && n < sizeof buf_) return used;  // the block goes on in the next piece
    }
  }

  uint64_t index(Bytes input, uint64_t at) {
    size_t pos = 0;
    const lzma_ret rc = lzma_index_hash_decode(state_->index, bytes_of(input), &pos, input.size());
    if (rc == LZMA_STREAM_END)
      part_ = &XzDecoder::footer;
    else if (rc != LZMA_OK)
      corrupt(at + pos, "the index does not list the blocks as they are");
    return pos;
  }

  uint64_t footer(Bytes input, uint64_t at) {
    const auto [taken, whole] = gather(input, kXzHeader);
    if (!whole) return taken;
    const uint64_t start = part_at(at + taken);
    lzma_stream_flags footer;
    const lzma_ret rc = lzma_stream_footer_decode(&footer, part_bytes_.data());
    if (rc != LZMA_OK)
      corrupt(start, rc == LZMA_FORMAT_ERROR ? "no stream footer after the index" : why(rc));
    if (lzma_stream_flags_compare(&flags_, &footer) != LZMA_OK)
      corrupt(start, "the stream footer's flags differ from its header's");
    if (footer.backward_size != lzma_index_hash_size(state_->index))
      corrupt(start, "the stream footer gives another size for the index");
    part_bytes_.clear();
    end();
    return taken;
  }

  // The reader of the part of the stream that comes next: each takes the
  // input from that part on, at its stream offset, and returns the bytes it used.
  uint64_t (XzDecoder::*part_)(Bytes, uint64_t) = &XzDecoder::stream_header;
  std::vector<uint8_t> part_bytes_;  // a header or footer, while it is split across pieces
  lzma_stream_flags flags_{};
  lzma_block block_{};  // the block being decoded: liblzma writes its sizes back
  uint64_t blocks_ = 0;
  Bytes first_piece_;
  bool index_read_ = false;
  std::vector<uint64_t> indexed_sizes_;  // what the index says the blocks decompress to
  uint64_t memory_ = 0;                  // what the last block's decoder needed
  DecoderMemory::Reservation reserved_{dictionaries()};
  PerThread<XzState> state_;
  uint8_t buf_[kCodecChunk];
};

}  // namespace

std::unique_ptr<StreamDecoder> open_xz(const Sink& sink, uint64_t max_output) {
  return std::make_unique<XzDecoder>(sink, max_output);
}

std::unique_ptr<StreamDecoder> open_lzma(const Sink& sink, uint64_t max_output) {
  return std::make_unique<LzmaAloneDecoder>(sink, max_output);
}

}  // namespace lucompat
