// shoalsrc's stats structure against the stats table (protocol/stats_fields.hpp): it carries exactly the
// table's fields (by their element names and types) plus the element's own, each with its own value, and
// shoal-play reads back what the peer's exit line would print.
#include "qoe_stats.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "shoal/peer/core/stats_values.hpp"

namespace shoal::player {
namespace {

// Distinct values everywhere; the element's own start-up, stalls and chunks pushed agree with the peer's.
QoeSnapshot distinct_snapshot() {
  QoeSnapshot q;
  q.started = true;
  q.startup_delay = 1 * GST_MSECOND + 999;  // truncated to 1 ms on the way back
  q.stall_count = 2;
  q.stall_duration = 3 * GST_MSECOND;
  q.buffered_ahead = 4 * GST_SECOND;
  q.chunks_played = 5;
  q.peer.started = true;
  q.peer.startup_delay = std::chrono::milliseconds(1);
  q.peer.stalls = 2;
  q.peer.stall_time = std::chrono::milliseconds(3);
  q.peer.chunks_played = 5;
  q.peer.chunks_late = 6;
  q.peer.bytes_from_peers = 7;
  q.peer.bytes_from_origin = 8;
  q.peer.bytes_uploaded = 9;
  q.peer.hash_failures = 10;
  q.peer.peers_banned = 11;
  q.peer.neighbors = 12;
  return q;
}

TEST(ShoalsrcStats, StructureHasExactlyTheTablesFieldsAndTheElementsOwn) {
  GstStructure* s = make_qoe_structure("shoal-stats", distinct_snapshot());
  std::set<std::string> fields;
  for (int i = 0; i < gst_structure_n_fields(s); ++i)
    fields.insert(gst_structure_nth_field_name(s, static_cast<guint>(i)));
  std::set<std::string> expected(kElementOnlyFields.begin(), kElementOnlyFields.end());
  for (const protocol::StatsField& f : protocol::kStatsFields) {
    expected.insert(std::string(f.element_field));
    EXPECT_TRUE(gst_structure_has_field_typed(s, std::string(f.element_field).c_str(), element_type(f)))
        << f.element_field;
  }
  EXPECT_EQ(fields, expected);
  gst_structure_free(s);
}

TEST(ShoalsrcStats, ReadsBackAsThePeersValues) {
  const QoeSnapshot q = distinct_snapshot();
  GstStructure* s = make_qoe_structure("shoal-stats", q);
  const protocol::StatsValues values = qoe_values(s);
  EXPECT_EQ(values, peer::stats_values(q.peer));
  gst_structure_free(s);
}

TEST(ShoalsrcStats, NotStartedReadsBackAsMinusOne) {
  GstStructure* s = make_qoe_structure("shoal-stats", QoeSnapshot{});
  EXPECT_EQ(qoe_values(s)[static_cast<std::size_t>(protocol::StatsFieldId::startup_delay_ms)], -1);
  gst_structure_free(s);
}

}  // namespace
}  // namespace shoal::player
