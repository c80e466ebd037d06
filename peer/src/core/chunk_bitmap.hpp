// Which chunks a neighbor announced, by absolute sequence number, over a
// bounded span: a neighbor cannot make us allocate more than kMaxSpan bits.
#pragma once

#include <algorithm>
#include <boost/container/small_vector.hpp>
#include <cstddef>
#include <cstdint>

#include "shoal/peer/core/types.hpp"

namespace shoal::peer {

class ChunkBitmap {
 public:
  static constexpr Seq kMaxSpan = 1 << 16;

  bool test(Seq seq) const {
    if (seq < base_) return false;
    Seq i = seq - base_;
    return i / 64 < words_.size() && ((words_[i / 64] >> (i % 64)) & 1u) != 0;
  }
  /// Returns true when the bit was newly set; false when already set or out of span.
  bool set(Seq seq) {
    if (words_.empty()) base_ = seq & ~Seq{63};
    if (seq < base_) {
      // Grow downwards: a VoD neighbor fetching rarest first announces its chunks in any order.
      const Seq new_base = seq & ~Seq{63};
      if ((base_ - new_base) + words_.size() * 64 > kMaxSpan) return false;
      words_.insert(words_.begin(), static_cast<std::size_t>((base_ - new_base) / 64), 0);
      base_ = new_base;
    }
    if (seq - base_ >= kMaxSpan) return false;
    Seq i = seq - base_;
    if (i / 64 >= words_.size()) words_.resize(i / 64 + 1, 0);
    std::uint64_t bit = std::uint64_t{1} << (i % 64);
    if (words_[i / 64] & bit) return false;
    words_[i / 64] |= bit;
    if (seq > highest_ || !any_) highest_ = seq;
    any_ = true;
    ++announced_;
    return true;
  }
  void clear(Seq seq) {
    if (seq < base_) return;
    Seq i = seq - base_;
    if (i / 64 < words_.size()) words_[i / 64] &= ~(std::uint64_t{1} << (i % 64));
  }
  /// Forgets everything below `seq` (rounded down to a word).
  void trim_below(Seq seq) {
    if (words_.empty() || seq <= base_ + 63) return;
    Seq drop = std::min<Seq>((seq - base_) / 64, words_.size());
    words_.erase(words_.begin(), words_.begin() + static_cast<std::ptrdiff_t>(drop));
    base_ += drop * 64;
  }
  bool any() const { return any_; }
  /// How many chunks it has announced, ever (how far along it is, however much was trimmed since).
  std::uint64_t announced() const { return announced_; }
  /// The newest chunk ever announced (where the neighbor's playback roughly is).
  Seq highest() const { return highest_; }

 private:
  Seq base_ = 0;
  Seq highest_ = 0;
  bool any_ = false;
  std::uint64_t announced_ = 0;
  // A live neighbor's map spans a window of a few dozen chunks: four words kept inline hold it in the
  // Neighbor itself, so testing a bit costs no second cache miss (the bit tests of every Have, every
  // verified chunk and every selection pass); a longer VoD map spills to the heap.
  boost::container::small_vector<std::uint64_t, 4> words_;
};

}  // namespace shoal::peer
