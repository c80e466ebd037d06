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

// Every field the stats table gives a /metrics family is added up over sessions (its own field, not another's).
TEST(ChannelStats, EveryFieldWithAMetricIsAggregated) {
  ChannelStats stats;
  for (const char* id : {"a", "b"}) {
    wire::QoeReport r;
    r.set_peer_id(id);
    const auto* reflection = r.GetReflection();
    std::uint64_t value = 100;
    for (const protocol::StatsField& f : protocol::kStatsFields) {
      const auto* field = f.reported ? r.GetDescriptor()->FindFieldByName(std::string(f.name)) : nullptr;
      if (field == nullptr) continue;
      value += 100;  // a distinct value per field; session b reports twice session a's
      const std::uint64_t v = std::string(id) == "a" ? value : 2 * value;
      if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_UINT32)
        reflection->SetUInt32(&r, field, static_cast<std::uint32_t>(v));
      else
        reflection->SetUInt64(&r, field, v);
    }
    ASSERT_TRUE(stats.add_report(r));
  }
  const QoeAggregate q = stats.qoe();
  std::uint64_t value = 100;
  for (const protocol::StatsField& f : protocol::kStatsFields) {
    if (f.reported) value += 100;
    switch (f.metric_kind) {
      case protocol::OriginMetric::none:
        break;
      case protocol::OriginMetric::total:
        EXPECT_DOUBLE_EQ(reported_value(q, f.id), static_cast<double>(3 * value)) << f.name;
        break;
      case protocol::OriginMetric::mean_max:
        EXPECT_DOUBLE_EQ(reported_value(q, f.id, false), 1.5 * static_cast<double>(value)) << f.name;
        EXPECT_DOUBLE_EQ(reported_value(q, f.id, true), static_cast<double>(2 * value)) << f.name;
        break;
    }
  }
}

}  // namespace
}  // namespace shoal::origin::test
