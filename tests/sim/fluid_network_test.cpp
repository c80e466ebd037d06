// Max-min fairness of the fluid model on hand-built networks, where the fair
// allocation can be worked out on paper.
#include "fluid_network.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace shoal::sim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kMbit = 1e6;
Time at_s(double s) { return Time(static_cast<std::int64_t>(std::llround(s * 1e6))); }

TEST(FluidNetwork, OneFlowGetsTheSmallerOfUplinkAndDownlink) {
  FluidNetwork net;
  auto a = net.add_node(8 * kMbit, kInf);
  auto b = net.add_node(kInf, 2 * kMbit);
  auto f = net.start_flow(a, b, 1'000'000, Time{0});
  EXPECT_NEAR(net.rate_bps(f), 2 * kMbit, 1);
  Time reached{};
  auto done = net.advance(at_s(10), reached);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0], f);
  EXPECT_NEAR(static_cast<double>(reached.count()), 4e6, 2);  // 8 Mbit at 2 Mbit/s
}

TEST(FluidNetwork, UplinkLeftoverGoesToTheFlowNotLimitedElsewhere) {
  FluidNetwork net;
  auto s = net.add_node(10 * kMbit, kInf);
  auto slow = net.add_node(kInf, 2 * kMbit);
  auto fast = net.add_node(kInf, 100 * kMbit);
  auto f1 = net.start_flow(s, slow, 1'000'000, Time{0});
  auto f2 = net.start_flow(s, fast, 1'000'000, Time{0});
  EXPECT_NEAR(net.rate_bps(f1), 2 * kMbit, 1);
  EXPECT_NEAR(net.rate_bps(f2), 8 * kMbit, 1);
}

TEST(FluidNetwork, DownlinkSharedByUplinksOfDifferentSpeeds) {
  FluidNetwork net;
  auto d = net.add_node(kInf, 9 * kMbit);
  auto u1 = net.add_node(1 * kMbit, kInf);
  auto u5 = net.add_node(5 * kMbit, kInf);
  auto u10 = net.add_node(10 * kMbit, kInf);
  auto f1 = net.start_flow(u1, d, 1'000'000, Time{0});
  auto f5 = net.start_flow(u5, d, 1'000'000, Time{0});
  auto f10 = net.start_flow(u10, d, 1'000'000, Time{0});
  EXPECT_NEAR(net.rate_bps(f1), 1 * kMbit, 1);
  EXPECT_NEAR(net.rate_bps(f5), 4 * kMbit, 1);
  EXPECT_NEAR(net.rate_bps(f10), 4 * kMbit, 1);
}

TEST(FluidNetwork, ChainOfBottlenecksSettlesToMaxMin) {
  // A uploads to X and Y; B uploads to Y. Progressive filling: all rise together until A's uplink
  // (3) is full at 1.5 each; B→Y then rises alone until Y's downlink (4) is full at 2.5.
  FluidNetwork net;
  auto a = net.add_node(3 * kMbit, kInf);
  auto b = net.add_node(10 * kMbit, kInf);
  auto x = net.add_node(kInf, 100 * kMbit);
  auto y = net.add_node(kInf, 4 * kMbit);
  auto ax = net.start_flow(a, x, 1'000'000, Time{0});
  auto ay = net.start_flow(a, y, 1'000'000, Time{0});
  auto by = net.start_flow(b, y, 1'000'000, Time{0});
  EXPECT_NEAR(net.rate_bps(ax), 1.5 * kMbit, 1);
  EXPECT_NEAR(net.rate_bps(ay), 1.5 * kMbit, 1);
  EXPECT_NEAR(net.rate_bps(by), 2.5 * kMbit, 1);
}

TEST(FluidNetwork, RatesRiseWhenAFlowEnds) {
  // Two flows share 8 Mbit/s: the 1 MB one ends at 2 s, then the 3 MB one runs alone at 8 Mbit/s:
  // it has 2 MB left at 2 s, so it ends at 4 s.
  FluidNetwork net;
  auto s = net.add_node(8 * kMbit, kInf);
  auto d1 = net.add_node(kInf, kInf);
  auto d2 = net.add_node(kInf, kInf);
  auto small = net.start_flow(s, d1, 1'000'000, Time{0});
  auto large = net.start_flow(s, d2, 3'000'000, Time{0});
  Time reached{};
  auto done = net.advance(at_s(100), reached);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0], small);
  EXPECT_NEAR(static_cast<double>(reached.count()), 2e6, 2);
  EXPECT_NEAR(net.rate_bps(large), 8 * kMbit, 1);
  done = net.advance(at_s(100), reached);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0], large);
  EXPECT_NEAR(static_cast<double>(reached.count()), 4e6, 2);
}

TEST(FluidNetwork, CancelFreesCapacityAndAdvanceStopsAtTheLimit) {
  FluidNetwork net;
  auto s = net.add_node(8 * kMbit, kInf);
  auto d = net.add_node(kInf, kInf);
  auto f1 = net.start_flow(s, d, 1'000'000, Time{0});
  auto f2 = net.start_flow(s, d, 1'000'000, Time{0});
  EXPECT_NEAR(net.rate_bps(f2), 4 * kMbit, 1);
  Time reached{};
  EXPECT_TRUE(net.advance(at_s(0.5), reached).empty());
  EXPECT_EQ(reached, at_s(0.5));
  net.cancel_flow(f1, at_s(0.5));
  EXPECT_NEAR(net.rate_bps(f2), 8 * kMbit, 1);
  auto done = net.advance(at_s(100), reached);
  ASSERT_EQ(done.size(), 1u);
  // 0.25 MB moved by 0.5 s, 0.75 MB left at 1 MB/s.
  EXPECT_NEAR(static_cast<double>(reached.count()), 1.25e6, 2);
  EXPECT_EQ(net.active_flows(), 0u);
}

TEST(FluidNetwork, CompletionsOnTheSameMicrosecondAsAStartAreCollected) {
  // Three equal flows started at 38,048 µs end together 1 s later; the fourth, started at that very
  // microsecond, must not hide them behind rounding (a regression: they were never delivered).
  FluidNetwork net;
  auto s = net.add_node(100 * kMbit, kInf);
  auto d = net.add_node(0, 6 * kMbit);
  for (int i = 0; i < 3; ++i) net.start_flow(s, d, 250'000, Time(38'048));
  net.start_flow(s, d, 250'000, Time(1'038'048));
  Time reached{};
  auto done = net.advance(Time(2'000'000), reached);
  EXPECT_EQ(done.size(), 3u);
  EXPECT_LE(reached, Time(1'038'049));
}

TEST(FluidNetwork, BusyLinkCatchesUpAfterItsPeriod) {
  // 100 flows on one 100 Mbit/s uplink (busy_link = 64): within the 10 ms period the late flows take
  // the stale level, after it everyone has the fair 1 Mbit/s and completions follow exactly.
  FluidNetwork net;
  auto s = net.add_node(100 * kMbit, kInf);
  std::vector<FlowId> flows;
  for (int i = 0; i < 100; ++i) flows.push_back(net.start_flow(s, net.add_node(kInf, kInf), 1'000'000, Time{0}));
  Time reached{};
  EXPECT_TRUE(net.advance(Time(20'000), reached).empty());
  for (auto f : flows) EXPECT_NEAR(net.rate_bps(f), 1 * kMbit, 1);
  auto done = net.advance(at_s(100), reached);
  EXPECT_EQ(done.size(), 100u);
  EXPECT_NEAR(static_cast<double>(reached.count()), 8e6, 2e5);  // 8 Mbit each at 1 Mbit/s, ± the period
}

TEST(FluidNetwork, ZeroUplinkNeverDelivers) {
  FluidNetwork net;
  auto s = net.add_node(0, kInf);
  auto d = net.add_node(kInf, kInf);
  net.start_flow(s, d, 1000, Time{0});
  Time reached{};
  EXPECT_TRUE(net.advance(at_s(3600), reached).empty());
  EXPECT_EQ(net.active_flows(), 1u);
}

}  // namespace
}  // namespace shoal::sim
