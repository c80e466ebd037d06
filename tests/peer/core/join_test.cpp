// Joining a live channel (PeerCore::join_live): the start follows the neighbors' chunk maps.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace shoal::peer::test {
namespace {

/// A live channel of `chunks` chunks (the edge is `chunks`), and join_live() called at the bench's time.
void join_channel(Bench& b, int chunks = 30) {
  b.make_channel(chunks, /*live=*/true);
  b.announce_chunks(chunks);
  b.feed([&](PeerCore& core) { core.join_live(b.now); });
  b.take();
}

Seq first_delivered(const Bench& b) {
  auto delivered = Bench::delivered(b.log);
  return delivered.empty() ? Seq(-1) : delivered.front();
}

TEST(Join, StartsWhereMostNeighborsHoldTheStartUpBuffer) {
  PeerConfig c = base_config();
  c.join_neighbors = 4;
  c.join_holder_share = 0.75;  // 3 of 4
  Bench b(c);
  join_channel(b);
  b.servers = {1, 2, 3, 4};  // the connections below, which answer requests at once
  // Three neighbors play around chunk 10 (hold 8..15); one, ahead, holds 20..29.
  b.connect(std::string(8, '.') + std::string(8, 'X'));
  b.connect(std::string(8, '.') + std::string(8, 'X'));
  b.connect(std::string(8, '.') + std::string(8, 'X'));
  b.connect(std::string(20, '.') + std::string(10, 'X'));
  b.run_until(100ms);
  // Buffer target 3 s of 1 s chunks: the newest start with 13, 14, 15 held by three is 13, not the
  // hold-back's 15 (16 and 17 are held by none).
  EXPECT_EQ(first_delivered(b), 13u);
}

TEST(Join, NeverStartsNearerTheEdgeThanTheHoldBack) {
  PeerConfig c = base_config();
  c.join_neighbors = 2;
  c.live_hold_back = 10s;
  Bench b(c);
  join_channel(b);
  b.servers = {1, 2};
  b.connect(std::string(30, 'X'));  // everyone holds everything up to the edge (30)
  b.connect(std::string(30, 'X'));
  b.run_until(100ms);
  EXPECT_EQ(first_delivered(b), 20u) << "10 s behind the edge: the mesh spreads a new chunk in seconds";
}

TEST(Join, WhenNoStartIsHeldWidelyEnoughTheBestHeldNearTheHoldBack) {
  PeerConfig c = base_config();
  c.join_neighbors = 4;
  c.join_holder_share = 0.75;     // 3 of 4
  c.live_keep_behind_chunks = 5;  // neighbors keep 5 chunks behind where they play
  Bench b(c);
  join_channel(b);  // hold-back 15 s: at chunk 15
  b.servers = {1, 2, 3, 4};
  b.connect(std::string(11, '.') + "XXX");  // 11..13
  b.connect(std::string(11, '.') + "XXX");  // 11..13
  b.connect(std::string(5, '.') + "XXX");   // 5..7: too far back, evicted soon
  b.connect(std::string(5, '.') + "XXX");
  b.run_until(100ms);
  // No start has three holders; 11 has two for each start-up chunk, the hold-back's 15 none.
  EXPECT_EQ(first_delivered(b), 11u);
}

TEST(Join, WaitsUpToJoinWaitForMapsThenGoesByTheMapsItHas) {
  PeerConfig c = base_config();
  c.join_wait = 1s;
  Bench b(c);
  join_channel(b);
  b.run_until(500ms);
  // One map of the join_neighbors arrives after the call: the start is still open, and at join_wait
  // that one map decides it (a start before it came would have been the hold-back's 15).
  b.servers = {1};
  b.connect(std::string(10, '.') + std::string(6, 'X'));
  b.run_until(900ms);
  EXPECT_TRUE(Bench::delivered(b.log).empty());
  b.run_until(1100ms);
  EXPECT_EQ(first_delivered(b), 13u);
}

TEST(Join, WithNoMapStartsTheHoldBackBehindTheEdge) {
  Bench b;
  b.serve_origin = true;
  join_channel(b);
  b.run_until(10s);
  // live_hold_back (15 s) of 1 s chunks behind the edge (30), from the origin.
  EXPECT_EQ(first_delivered(b), 15u);
  EXPECT_TRUE(b.core->stats().started);
  // Start-up delay counts from join_live(), join_wait included.
  EXPECT_GE(b.core->stats().startup_delay, b.config.join_wait);
}

TEST(Join, StartsAtOnceWhenEveryPeerTheTrackerNamedHasSentItsMap) {
  Bench b;  // join_neighbors 4, join_wait 1 s
  join_channel(b);
  b.feed([&](PeerCore& core) { core.on_tracker_peers({}, b.now); });  // nobody else to dial
  b.take();
  b.run_until(100ms);
  b.servers = {1};
  b.connect(std::string(10, '.') + std::string(6, 'X'));  // the only neighbor, holding 10..15
  b.run_until(200ms);
  EXPECT_EQ(first_delivered(b), 13u);  // at 200 ms, not at join_wait
}

TEST(Join, ASeekWhileWaitingForMapsNamesTheStart) {
  Bench b;
  b.serve_origin = true;
  join_channel(b);
  b.run_until(200ms);
  b.feed([&](PeerCore& core) { core.seek(5, b.now); });
  b.take();
  b.run_until(10s);
  EXPECT_EQ(first_delivered(b), 5u);
}

TEST(Join, AShortChannelStartsAtItsFirstChunk) {
  Bench b;
  b.serve_origin = true;
  join_channel(b, 2);
  b.run_until(10s);
  EXPECT_EQ(first_delivered(b), 0u);
}

}  // namespace
}  // namespace shoal::peer::test
