// Uplink: the rate measured from write completions while our uploads waited, and what the core paces at.
#include "uplink.hpp"

#include <gtest/gtest.h>

#include "harness.hpp"

namespace shoal::peer::test {
namespace {

constexpr std::uint64_t kChunk = 250'000;

Uplink untold() { return Uplink(0, 1'000'000, 100ms, 20s); }

TEST(Uplink, AssumesARateUntilItMeasuresOne) {
  Uplink up = untold();
  EXPECT_FALSE(up.known());
  EXPECT_DOUBLE_EQ(up.bytes_per_second(0ms), 125'000.0);
  up.on_handoff(0, 0ms);
  up.on_written(kChunk, 0, 500ms);  // 250 kB in 0.5 s, the queue empty again
  EXPECT_TRUE(up.known());
  EXPECT_DOUBLE_EQ(up.bytes_per_second(500ms), 500'000.0);
}

TEST(Uplink, MeasuresOnlyWhileOurUploadsWait) {
  Uplink up = untold();
  up.on_handoff(0, 0ms);
  up.on_handoff(kChunk, 100ms);  // joins the busy period begun at 0
  up.on_written(kChunk, kChunk, 500ms);
  up.on_written(kChunk, 0, 1000ms);  // 500 kB in 1 s
  EXPECT_DOUBLE_EQ(up.measured(1s), 500'000.0);
  // Idle from 1 s to 5 s: that time is in no sample.
  up.on_handoff(0, 5000ms);
  up.on_written(kChunk, 0, 5250ms);
  EXPECT_DOUBLE_EQ(up.measured(5250ms), 1'000'000.0);
}

TEST(Uplink, ASlowReceiverDoesNotPullTheEstimateDownButTheWindowForgets) {
  Uplink up = untold();
  up.on_handoff(0, 0ms);
  up.on_written(kChunk, 0, 250ms);  // 1 MB/s
  up.on_handoff(0, 1s);
  up.on_written(kChunk, 0, 3500ms);  // 100 kB/s: that receiver's downlink, not our uplink
  EXPECT_DOUBLE_EQ(up.measured(3500ms), 1'000'000.0);
  // 20 s later only the slow samples are recent: the link itself may have slowed.
  up.on_handoff(0, 30s);
  up.on_written(kChunk, 0, 32500ms);
  EXPECT_DOUBLE_EQ(up.measured(32500ms), 100'000.0);
}

TEST(Uplink, IgnoresSamplesTooShortToMeanAnything) {
  Uplink up = untold();
  up.on_handoff(0, 0ms);
  up.on_written(16'000, 0, 1ms);  // a socket buffer swallowing it, not the link
  EXPECT_FALSE(up.known());
}

TEST(Uplink, MaxUploadIsTheRateWhenGivenAndHoldsNothingBack) {
  Uplink up(3'000'000, 1'000'000, 100ms, 20s);
  EXPECT_TRUE(up.known());
  EXPECT_DOUBLE_EQ(up.bytes_per_second(0ms), 375'000.0);
  EXPECT_TRUE(up.room(10 * kChunk, kChunk, 0ms)) << "the token bucket paces a told viewer";
}

TEST(Uplink, KeepsItsQueueUnderTheTargetDelayButAlwaysLetsOneChunkGo) {
  Uplink slow = untold();  // 125 kB/s assumed: 100 ms is 12.5 kB, less than a chunk
  EXPECT_TRUE(slow.room(0, kChunk, 0ms));
  EXPECT_FALSE(slow.room(kChunk, kChunk, 0ms)) << "one chunk at a time: each arrives in its own time, not all late";
  Uplink fast = untold();
  fast.on_handoff(0, 0ms);
  fast.on_written(2'500'000, 0, 250ms);  // 10 MB/s: 1 MB may wait
  EXPECT_TRUE(fast.room(3 * kChunk, kChunk, 250ms));
  EXPECT_FALSE(fast.room(4 * kChunk, kChunk, 250ms));
}

TEST(Uplink, ACoreThatWasNotToldItsRateServesRequestersOneChunkAtATime) {
  PeerConfig c = base_config();  // max_upload_bps 0
  Bench b(c);
  b.writes_complete = false;
  b.make_channel(4, false, kChunk);
  for (Seq s = 0; s < 4; ++s) b.feed([&](PeerCore& core) { core.add_chunk(s, b.payloads[s], b.now); });
  b.take();
  std::vector<ConnectionId> n;
  for (int i = 0; i < 3; ++i) n.push_back(b.connect(""));
  auto m = b.mark();
  b.message(n[0], protocol::Request{0});
  b.message(n[1], protocol::Request{1});
  auto chunks = Bench::sent<protocol::ChunkData>(b.since(m));
  ASSERT_EQ(chunks.size(), 1u);
  b.run_until(5s);
  EXPECT_EQ(Bench::sent<protocol::ChunkData>(b.since(m)).size(), 1u) << "nothing paces by the clock";
  b.feed([&](PeerCore& core) { core.on_sent(n[0], kChunk, b.now); });
  b.take();
  chunks = Bench::sent<protocol::ChunkData>(b.since(m));
  ASSERT_EQ(chunks.size(), 2u) << "the next starts when the first is written";
  EXPECT_EQ(chunks[1].first, n[1]);
}

}  // namespace
}  // namespace shoal::peer::test
