#include "container/codec_util.h"

#include <algorithm>

namespace lucompat {

uint64_t UnitDecoder::decode(Bytes input) {
  uint64_t used = 0;
  while (!ended() && !stopped()) {
    if (skip_ != 0) {
      const uint64_t n = std::min<uint64_t>(skip_, input.size() - used);
      skip_ -= n;
      used += n;
      at_ += n;
      if (skip_ != 0) return used;
      continue;
    }
    const Bytes rest = input.subspan(used);
    uint64_t n = 0;
    if (pending_.empty()) {
      if (rest.empty()) return used;
      n = unit(rest);
      if (n == 0) {  // the unit goes on in the next piece
        pending_.assign(rest.begin(), rest.end());
        return input.size();
      }
      used += n;
    } else {
      // need_ is never more than the unit's size, so what is taken is all the unit's.
      const uint64_t take = std::min<uint64_t>(need_ - pending_.size(), rest.size());
      pending_.insert(pending_.end(), rest.begin(), rest.begin() + static_cast<ptrdiff_t>(take));
      used += take;
      if (pending_.size() < need_) return used;
      n = unit(pending_);
      if (n == 0) continue;  // reading it showed it is longer
      pending_.clear();
    }
    at_ += n;
  }
  return used;
}

}  // namespace lucompat
