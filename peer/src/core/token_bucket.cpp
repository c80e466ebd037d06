#include "token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace shoal::peer {

TokenBucket::TokenBucket(std::uint64_t bits_per_second, Time burst)
    : bytes_per_second_(static_cast<double>(bits_per_second) / 8.0),
      capacity_(bytes_per_second_ * static_cast<double>(burst.count()) / 1e6),
      tokens_(capacity_) {}

void TokenBucket::refill(Time now) {
  if (now <= last_) return;
  tokens_ = std::min(capacity_, tokens_ + bytes_per_second_ * static_cast<double>((now - last_).count()) / 1e6);
  last_ = now;
}

bool TokenBucket::ready(Time now) {
  if (unlimited()) return true;
  refill(now);
  return tokens_ >= 0;
}

void TokenBucket::consume(std::uint64_t bytes, Time now) {
  if (unlimited()) return;
  refill(now);
  tokens_ -= static_cast<double>(bytes);
}

Time TokenBucket::ready_at(Time now) {
  if (ready(now)) return now;
  // Round up so that ready(ready_at(now)) holds.
  return now + Time(static_cast<std::int64_t>(std::ceil(-tokens_ / bytes_per_second_ * 1e6)) + 1);
}

}  // namespace shoal::peer
