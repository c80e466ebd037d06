// The summary's figures over the measured window (after the warm-up) and over the whole run, from
// hand-built session rows.
#include "metrics.hpp"

#include <gtest/gtest.h>

namespace shoal::sim {
namespace {

std::vector<PeerRow> two_sessions() {
  PeerRow early;  // joined before the warm-up ended, watched across it
  early.join_s = 0;
  early.leave_s = 100;
  early.started = true;
  early.startup_ms = 5000;
  early.chunks_played = 100;
  early.chunks_late = 10;
  early.stalls = 3;
  early.at_warmup = {50, 8, 2, 0, 0, 0};
  PeerRow late;  // joined after it
  late.join_s = 30;
  late.leave_s = 70;
  late.started = true;
  late.startup_ms = 1000;
  late.chunks_played = 40;
  return {early, late};
}

TEST(Figures, CountFromTheWarmupOn) {
  Summary s;
  s.warmup_s = 20;
  summarise_peers(two_sessions(), {"1x"}, s);
  // Played after 20 s: 50 + 40 chunks, of which 2 late (the early session's 10 minus the 8 before).
  EXPECT_NEAR(s.continuity, 1.0 - 2.0 / 90.0, 1e-9);
  EXPECT_DOUBLE_EQ(s.startup_p50_ms, 1000) << "only the session that joined after the warm-up";
  EXPECT_DOUBLE_EQ(s.started_sessions, 1.0);
  EXPECT_DOUBLE_EQ(s.stalled_sessions, 0.5) << "one stall after 20 s, in one of the two sessions";
  // One stall in 80 + 40 s of watching after the warm-up.
  EXPECT_NEAR(s.stalls_per_hour, 1.0 / (120.0 / 3600.0), 1e-6);
}

TEST(Figures, WholeRunCountsEverything) {
  Figures f;
  summarise_whole_run(two_sessions(), f);
  EXPECT_NEAR(f.continuity, 1.0 - 10.0 / 140.0, 1e-9);
  EXPECT_DOUBLE_EQ(f.startup_p50_ms, 3000);
  EXPECT_DOUBLE_EQ(f.stalled_sessions, 0.5);
}

TEST(Figures, WithoutAWarmupTheWindowIsTheWholeRun) {
  Summary s;
  summarise_peers(two_sessions(), {"1x"}, s);
  Figures f;
  summarise_whole_run(two_sessions(), f);
  EXPECT_DOUBLE_EQ(s.continuity, f.continuity);
  EXPECT_DOUBLE_EQ(s.startup_p95_ms, f.startup_p95_ms);
  EXPECT_EQ(s.to_json().find("whole_run"), std::string::npos);
}

}  // namespace
}  // namespace shoal::sim
