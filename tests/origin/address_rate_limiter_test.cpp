// Per-address budgets for announces and reports: a burst, then the refill rate; loopback exempt; a
// bounded table of addresses.
#include "shoal/origin/address_rate_limiter.hpp"

#include <gtest/gtest.h>

namespace shoal::origin::test {
namespace {

using namespace std::chrono_literals;

TEST(AddressRateLimiter, AllowsABurstThenTheRate) {
  AddressRateLimiter limiter({.per_second = 2, .burst = 4, .max_addresses = 8});
  const auto t0 = AddressRateLimiter::Clock::now();
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(limiter.allow("198.51.100.1", t0)) << i;
  EXPECT_FALSE(limiter.allow("198.51.100.1", t0));
  EXPECT_TRUE(limiter.allow("198.51.100.2", t0)) << "each address has its own budget";
  EXPECT_FALSE(limiter.allow("198.51.100.1", t0 + 400ms)) << "0.8 of a request regained";
  EXPECT_TRUE(limiter.allow("198.51.100.1", t0 + 500ms));
  EXPECT_FALSE(limiter.allow("198.51.100.1", t0 + 500ms));
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(limiter.allow("198.51.100.1", t0 + 1h)) << "never more than the burst";
  EXPECT_FALSE(limiter.allow("198.51.100.1", t0 + 1h));
}

TEST(AddressRateLimiter, LoopbackIsNotLimited) {
  AddressRateLimiter limiter({.per_second = 1, .burst = 1, .max_addresses = 8});
  const auto t0 = AddressRateLimiter::Clock::now();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(limiter.allow("127.0.0.1", t0));
  EXPECT_EQ(limiter.addresses(), 0u);
}

TEST(AddressRateLimiter, RemembersAtMostMaxAddressesForgettingTheLeastRecent) {
  AddressRateLimiter limiter({.per_second = 1, .burst = 1, .max_addresses = 3});
  const auto t0 = AddressRateLimiter::Clock::now();
  for (const char* a : {"192.0.2.1", "192.0.2.2", "192.0.2.3"}) ASSERT_TRUE(limiter.allow(a, t0));
  EXPECT_FALSE(limiter.allow("192.0.2.1", t0));  // seen again: now the most recent
  EXPECT_TRUE(limiter.allow("192.0.2.4", t0));   // pushes out 192.0.2.2
  EXPECT_EQ(limiter.addresses(), 3u);
  EXPECT_FALSE(limiter.allow("192.0.2.1", t0)) << "still remembered, still spent";
  EXPECT_TRUE(limiter.allow("192.0.2.2", t0)) << "forgotten: back with a full bucket";
}

}  // namespace
}  // namespace shoal::origin::test
