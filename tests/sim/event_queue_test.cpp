// The event queue pops in (time, scheduling order), whatever the push pattern: a run's determinism rests on it.
#include "event_queue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <utility>
#include <vector>

namespace shoal::sim {
namespace {

TEST(EventQueue, EqualTimesPopInPushOrder) {
  EventQueue<int> q;
  for (int i = 0; i < 100; ++i) q.push(Time(i % 3 == 0 ? 5 : 7), i);
  Time at{};
  std::vector<int> fives, sevens;
  while (!q.empty()) {
    const int v = q.pop(at);
    (at == Time(5) ? fives : sevens).push_back(v);
    if (at == Time(7)) {
      EXPECT_EQ(fives.size(), 34u);  // every 5 before any 7
    }
  }
  EXPECT_TRUE(std::is_sorted(fives.begin(), fives.end()));
  EXPECT_TRUE(std::is_sorted(sevens.begin(), sevens.end()));
  EXPECT_EQ(fives.size() + sevens.size(), 100u);
}

TEST(EventQueue, InterleavedPushesAndPopsMatchASortedReference) {
  // Pushes during pops, as the simulator makes them, with many ties and bodies' slots reused.
  EventQueue<std::uint64_t> q;
  std::vector<std::pair<std::int64_t, std::uint64_t>> pending;  // (time, push number)
  std::mt19937_64 rng(42);
  std::uint64_t pushed = 0;
  std::int64_t now = 0;
  for (int round = 0; round < 20000; ++round) {
    const int pushes = static_cast<int>(rng() % 3);
    for (int k = 0; k < pushes; ++k) {
      const std::int64_t at = now + static_cast<std::int64_t>(rng() % 50);
      q.push(Time(at), pushed);
      pending.emplace_back(at, pushed++);
    }
    if (q.empty()) continue;
    ASSERT_EQ(q.size(), pending.size());
    const auto expected = *std::min_element(pending.begin(), pending.end());
    ASSERT_EQ(q.next_time(), Time(expected.first));
    ASSERT_EQ(*q.peek(0), expected.second);
    Time at{};
    ASSERT_EQ(q.pop(at), expected.second);
    ASSERT_EQ(at, Time(expected.first));
    std::erase(pending, expected);
    now = expected.first;
    if (!pending.empty()) {
      // peek(k) names the event k places after the next one, as long as nothing is pushed meanwhile.
      auto sorted = pending;
      std::sort(sorted.begin(), sorted.end());
      for (int k = 0; k < 3; ++k) {
        if (sorted.size() > static_cast<std::size_t>(k)) {
          ASSERT_NE(q.peek(k), nullptr);
          EXPECT_EQ(*q.peek(k), sorted[static_cast<std::size_t>(k)].second);
        } else {
          EXPECT_EQ(q.peek(k), nullptr);
        }
      }
    }
  }
  EXPECT_GT(pushed, 15000u);
}

}  // namespace
}  // namespace shoal::sim
