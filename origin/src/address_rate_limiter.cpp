#include "shoal/origin/address_rate_limiter.hpp"

#include <algorithm>

#include "shoal/protocol/address_text.hpp"

namespace shoal::origin {

bool AddressRateLimiter::allow(const std::string& address, Clock::time_point now) {
  if (protocol::is_loopback_text(address)) return true;
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(address);
  if (it == buckets_.end()) {
    if (buckets_.size() >= limits_.max_addresses) {
      buckets_.erase(recent_.back());
      recent_.pop_back();
    }
    recent_.push_front(address);
    it = buckets_.emplace(address, Bucket{limits_.burst, now, recent_.begin()}).first;
  } else {
    recent_.splice(recent_.begin(), recent_, it->second.recent);
  }
  Bucket& b = it->second;
  const double elapsed = std::chrono::duration<double>(std::max(now - b.at, Clock::duration::zero())).count();
  b.tokens = std::min(limits_.burst, b.tokens + elapsed * limits_.per_second);
  b.at = std::max(b.at, now);
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

std::size_t AddressRateLimiter::addresses() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace shoal::origin
