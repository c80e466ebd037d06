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

// The histograms of /metrics: a session's start-up delay is observed once, at the first report carrying it (later
// reports of the session add nothing, so no bucket ever shrinks); its stalled time once, when the session ends.
TEST(ChannelStats, HistogramsObserveEachSessionOnce) {
  using F = protocol::StatsFieldId;
  ChannelStats stats;
  wire::QoeReport a = report("a", 10, false);
  a.set_startup_delay_ms(0);  // not started yet: nothing to observe
  ASSERT_TRUE(stats.add_report(a));
  EXPECT_EQ(stats.histograms().settled[static_cast<std::size_t>(F::startup_delay_ms)].count, 0u);
  a.set_startup_delay_ms(1500);
  ASSERT_TRUE(stats.add_report(a));
  a.set_stall_ms(300);
  ASSERT_TRUE(stats.add_report(a));                       // the same session again: its start-up is already counted
  ASSERT_TRUE(stats.add_report(report("b", 10, false)));  // 500 ms
  QoeHistograms h = stats.histograms();
  const Histogram& startup = h.settled[static_cast<std::size_t>(F::startup_delay_ms)];
  EXPECT_EQ(startup.count, 2u);
  EXPECT_DOUBLE_EQ(startup.sum, 2.0);
  EXPECT_EQ(startup.cumulative[2], 1u) << "le=0.5 holds b's 0.5 s";
  EXPECT_EQ(startup.cumulative[4], 2u) << "le=2 holds a's 1.5 s too";
  EXPECT_EQ(h.ended[static_cast<std::size_t>(F::stall_ms)].count, 0u) << "no session has ended";
  a.set_stall_ms(2500);
  a.set_final(true);
  ASSERT_TRUE(stats.add_report(a));
  h = stats.histograms();
  const Histogram& stalled = h.ended[static_cast<std::size_t>(F::stall_ms)];
  EXPECT_EQ(stalled.count, 1u);
  EXPECT_DOUBLE_EQ(stalled.sum, 2.5);
  EXPECT_EQ(stalled.cumulative[4], 0u);
  EXPECT_EQ(stalled.cumulative[5], 1u) << "2.5 s falls in le=4";
  EXPECT_EQ(h.settled[static_cast<std::size_t>(F::startup_delay_ms)].count, 2u) << "a's end adds no start-up";
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
  const QoeHistograms histograms = stats.histograms();
  std::uint64_t value = 100;
  for (const protocol::StatsField& f : protocol::kStatsFields) {
    if (f.reported) value += 100;
    switch (f.metric_kind) {
      case protocol::OriginMetric::none:
        break;
      case protocol::OriginMetric::counter:
        EXPECT_DOUBLE_EQ(reported_value(q, f.id), static_cast<double>(3 * value)) << f.name;
        break;
      case protocol::OriginMetric::histogram: {
        const Histogram& h = histograms.settled[static_cast<std::size_t>(f.id)];
        EXPECT_EQ(h.count, 2u) << f.name;
        EXPECT_DOUBLE_EQ(h.sum, 3 * static_cast<double>(value) * protocol::base_unit_scale(f.unit)) << f.name;
        break;
      }
    }
  }
}

}  // namespace
}  // namespace shoal::origin::test
