// Upload rate limit. A whole chunk is sent at once when the bucket is not in
// debt, then the debt is paid back at the configured rate: the average rate
// holds without splitting chunks, and the time the debt clears is the only
// wake-up the bucket needs (part of PeerCore::next_deadline()).
#pragma once

#include <cstdint>

#include "shoal/peer/core/types.hpp"

namespace shoal::peer {

class TokenBucket {
 public:
  /// bits_per_second = 0: unlimited. `burst` is how much unused time may be saved up.
  TokenBucket(std::uint64_t bits_per_second, Time burst);
  bool unlimited() const { return bytes_per_second_ == 0; }
  /// True when a chunk may be sent now.
  bool ready(Time now);
  /// Takes `bytes` (may go into debt).
  void consume(std::uint64_t bytes, Time now);
  /// When ready() turns true; `now` when it already is.
  Time ready_at(Time now);

 private:
  void refill(Time now);
  double bytes_per_second_;
  double capacity_;
  double tokens_;
  Time last_{0};
};

}  // namespace shoal::peer
