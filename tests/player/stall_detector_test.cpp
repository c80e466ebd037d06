#include "stall_detector.hpp"

#include <gtest/gtest.h>

namespace shoal::player {
namespace {

using namespace std::chrono_literals;
using Kind = StallUpdate::Kind;

TEST(StallDetector, NoStallWhileMediaIsAhead) {
  StallDetector d(2s);
  EXPECT_EQ(d.update(1s, 3s, false, 0s).kind, Kind::none);
  EXPECT_EQ(d.count(), 0u);
}

TEST(StallDetector, StallsWhenThePlayheadReachesMissingMediaAndResumesAtTheTarget) {
  StallDetector d(2s);
  auto u = d.update(3s, 3s, false, 10s);
  EXPECT_EQ(u.kind, Kind::began);
  EXPECT_EQ(u.percent, 0);
  EXPECT_TRUE(d.stalled());
  u = d.update(3s, 4s, false, 11s);
  EXPECT_EQ(u.kind, Kind::progress);
  EXPECT_EQ(u.percent, 50);
  EXPECT_EQ(d.update(3s, 4s, false, 11500ms).kind, Kind::none) << "same fill, no new message";
  u = d.update(3s, 5s, false, 12s);
  EXPECT_EQ(u.kind, Kind::ended);
  EXPECT_EQ(u.percent, 100);
  EXPECT_EQ(u.duration, 2s);
  EXPECT_EQ(d.count(), 1u);
  EXPECT_EQ(d.total(20s), 2s);
}

TEST(StallDetector, EndOfStreamEndsAStall) {
  StallDetector d(5s);
  d.update(3s, 3s, false, 0s);
  EXPECT_EQ(d.update(3s, 4s, true, 1s).kind, Kind::ended);
  EXPECT_EQ(d.update(9s, 4s, true, 2s).kind, Kind::none) << "no stall after the end";
}

TEST(StallDetector, ProgressStaysBelowHundredUntilTheTarget) {
  StallDetector d(1s);
  d.update(0s, 0s, false, 0s);
  const auto u = d.update(0s, 999'999us, false, 1s);
  EXPECT_EQ(u.kind, Kind::progress);
  EXPECT_EQ(u.percent, 99);
}

TEST(StallDetector, CancelCountsTimeButEndsTheStall) {
  StallDetector d(1s);
  d.update(0s, 0s, false, 0s);
  d.cancel(3s);
  EXPECT_FALSE(d.stalled());
  EXPECT_EQ(d.count(), 1u);
  EXPECT_EQ(d.total(10s), 3s);
}

}  // namespace
}  // namespace shoal::player
