// An exponentially decaying byte counter: O(1) per sample, no history kept.
// Its value approximates "bytes over the last `window`", which is what
// tit-for-tat ranks neighbors by.
#pragma once

#include <cmath>
#include <cstdint>

#include "shoal/peer/core/types.hpp"

namespace shoal::peer {

class RateMeter {
 public:
  void add(std::uint64_t bytes, Time now, Time window) {
    decay(now, window);
    value_ += static_cast<double>(bytes);
  }
  /// Bytes per second over about `window`.
  double rate(Time now, Time window) {
    decay(now, window);
    return value_ / seconds(window);
  }
  double bytes(Time now, Time window) {
    decay(now, window);
    return value_;
  }

 private:
  static double seconds(Time t) { return static_cast<double>(t.count()) / 1e6; }
  void decay(Time now, Time window) {
    if (now > last_ && window.count() > 0) {
      value_ *= std::exp(-seconds(now - last_) / seconds(window));
    }
    if (now > last_) last_ = now;
  }
  double value_ = 0;
  Time last_{0};
};

}  // namespace shoal::peer
