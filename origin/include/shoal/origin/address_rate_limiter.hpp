// Per-address request budgets for the paths anyone may POST to (announce, report): a token bucket per
// source address, so one address flooding them is answered 429 at the cost of a hash lookup, and the
// tracker's and QoE tables' work stays with the honest rate. The table of addresses is bounded too: past
// max_addresses the least recently seen address is forgotten (it comes back with a full bucket).
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace shoal::origin {

class AddressRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  struct Limits {
    // A household of 16 viewers behind one NAT re-announces and reports about twice a second in all.
    double per_second = 10;
    double burst = 60;  // all of them joining at once
    std::size_t max_addresses = 65'536;
  };

  explicit AddressRateLimiter(Limits limits) : limits_(limits) {}
  /// Spends one request of `address`'s budget; false when it is spent. Loopback is not limited (tests, a
  /// proxy on the same machine).
  bool allow(const std::string& address, Clock::time_point now);
  std::size_t addresses() const;
  const Limits& limits() const { return limits_; }

 private:
  struct Bucket {
    double tokens;
    Clock::time_point at;
    std::list<std::string>::iterator recent;  // its place in recent_
  };
  Limits limits_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::list<std::string> recent_;  // most recently seen first
};

}  // namespace shoal::origin
