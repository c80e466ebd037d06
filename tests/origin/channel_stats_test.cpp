// ChannelStats: a later report of a session supersedes its earlier one, final reports are folded into the totals,
// and a flood of reports costs bounded memory without shutting real reports out (issue 16).
#include "shoal/origin/channel_stats.hpp"

#include <gtest/gtest.h>

namespace shoal::origin::test {
namespace {

wire::QoeReport report(const std::string& id, std::uint64_t from_peers, bool final, std::uint32_t stalls = 0) {
  wire::QoeReport r;
  r.set_peer_id(id);
  r.set_bytes_from_peers(from_peers);
  r.set_startup_delay_ms(500);
  r.set_stalls(stalls);
  r.set_final(final);
  return r;
}

TEST(ChannelStats, ALaterReportSupersedesAndAFinalOneIsKeptInTheTotals) {
  ChannelStats stats;
  EXPECT_TRUE(stats.add_report(report("a", 10, false)));
  EXPECT_TRUE(stats.add_report(report("a", 30, false, 1)));
  EXPECT_TRUE(stats.add_report(report("b", 5, false)));
  EXPECT_EQ(stats.qoe().bytes_from_peers, 35u);
  EXPECT_TRUE(stats.add_report(report("a", 40, true, 1)));
  const QoeAggregate q = stats.qoe();
  EXPECT_EQ(q.sessions, 2u);
  EXPECT_EQ(q.bytes_from_peers, 45u);
  EXPECT_EQ(q.sessions_with_stalls, 1u);
  EXPECT_DOUBLE_EQ(q.startup_mean_ms, 500.0);
}

TEST(ChannelStats, AFloodOfReportsNeverShutsRealOnesOut) {
  ChannelStats stats;
  for (std::size_t i = 0; i < ChannelStats::kMaxOpenSessions + 10; ++i)
    ASSERT_TRUE(stats.add_report(report("flood-" + std::to_string(i), 1, false)));
  EXPECT_TRUE(stats.add_report(report("real", 1'000'000, true)));
  const QoeAggregate q = stats.qoe();
  EXPECT_EQ(q.sessions, ChannelStats::kMaxOpenSessions + 11) << "the oldest unfinished ones were folded in, not lost";
  EXPECT_EQ(q.bytes_from_peers, ChannelStats::kMaxOpenSessions + 10 + 1'000'000);
}

TEST(ChannelStats, RefusesAReportWithoutAUsablePeerId) {
  ChannelStats stats;
  EXPECT_FALSE(stats.add_report(report("", 1, true)));
  EXPECT_FALSE(stats.add_report(report(std::string(65, 'x'), 1, true)));
  EXPECT_EQ(stats.qoe().sessions, 0u);
}

}  // namespace
}  // namespace shoal::origin::test
