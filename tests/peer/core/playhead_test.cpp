// The virtual player: start-up delay, stalls, in-order delivery.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace shoal::peer::test {
namespace {

TEST(Playhead, StartupThenStallThenResume) {
  Bench b;  // buffer_target 3 s, chunks of 1 s
  b.make_channel(10);
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  b.take();
  b.run_until(500ms);
  for (Seq s : {0, 1}) b.feed([&](PeerCore& core) { core.add_chunk(s, b.payloads[s], b.now); });
  b.take();
  EXPECT_FALSE(b.core->stats().started) << "2 s buffered, 3 s needed";
  b.feed([&](PeerCore& core) { core.add_chunk(2, b.payloads[2], b.now); });
  b.take();
  EXPECT_TRUE(b.core->stats().started);
  EXPECT_EQ(b.core->stats().startup_delay, 500ms);

  b.run_until(3400ms);
  EXPECT_EQ(b.core->stats().chunks_played, 2u);
  EXPECT_EQ(b.core->stats().stalls, 0u);
  b.run_until(5s);  // chunk 2 ran out at 3.5 s, chunk 3 is missing
  EXPECT_EQ(b.core->stats().stalls, 1u);
  EXPECT_EQ(b.core->stats().chunks_late, 1u);
  EXPECT_EQ(b.core->stats().stall_time, 1500ms);

  b.feed([&](PeerCore& core) { core.add_chunk(4, b.payloads[4], b.now); });
  b.feed([&](PeerCore& core) { core.add_chunk(3, b.payloads[3], b.now); });
  b.take();
  b.run_until(5200ms);
  EXPECT_EQ(b.core->stats().stall_time, 1700ms) << "2 s buffered is not enough to resume";
  b.feed([&](PeerCore& core) { core.add_chunk(5, b.payloads[5], b.now); });
  b.take();
  b.run_until(7700ms);
  EXPECT_EQ(b.core->stats().stall_time, 1700ms);
  EXPECT_EQ(b.core->stats().stalls, 1u);
  EXPECT_EQ(b.core->stats().chunks_played, 5u);  // 3 (5.2..6.2) and 4 (6.2..7.2)
  EXPECT_EQ(Bench::delivered(b.since(m)), (std::vector<Seq>{0, 1, 2, 3, 4, 5})) << "in order, once each";
}

TEST(Playhead, DeliversAsSoonAsContiguousNotWhenPlayed) {
  Bench b;
  b.make_channel(6);
  b.feed([&](PeerCore& core) { core.start_playback(2, b.now); });
  b.take();
  auto m = b.mark();
  for (Seq s : {4, 0, 3, 2, 5}) b.feed([&](PeerCore& core) { core.add_chunk(s, b.payloads[s], b.now); });
  b.take();
  EXPECT_EQ(Bench::delivered(b.since(m)), (std::vector<Seq>{2, 3, 4, 5}));
}

TEST(Playhead, EndOfVodIsNotAStall) {
  Bench b;
  b.make_channel(2);
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  for (Seq s : {0, 1}) b.feed([&](PeerCore& core) { core.add_chunk(s, b.payloads[s], b.now); });
  b.take();
  EXPECT_TRUE(b.core->stats().started) << "the whole rest of the stream is held";
  b.run_until(10s);
  EXPECT_EQ(b.core->stats().chunks_played, 2u);
  EXPECT_EQ(b.core->stats().stalls, 0u);
}

TEST(Playhead, SeekRebuffersWithoutCountingAStall) {
  Bench b;
  b.make_channel(20);
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  for (Seq s : {0, 1, 2}) b.feed([&](PeerCore& core) { core.add_chunk(s, b.payloads[s], b.now); });
  b.take();
  b.run_until(1500ms);
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.seek(10, b.now); });
  for (Seq s : {10, 11, 12}) b.feed([&](PeerCore& core) { core.add_chunk(s, b.payloads[s], b.now); });
  b.take();
  EXPECT_EQ(Bench::delivered(b.since(m)), (std::vector<Seq>{10, 11, 12}));
  b.run_until(3s);
  EXPECT_EQ(b.core->stats().stalls, 0u);
  EXPECT_EQ(b.core->stats().chunks_played, 2u);  // chunk 0, then chunk 10 (1.5..2.5 s)
}

TEST(Playhead, ExternalPositionsDriveDeadlines) {
  Bench b;
  b.make_channel(10);
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.on_playhead(4, 0s, b.now); });
  b.take();
  b.connect("XXXXXXXXXX");
  auto acts = b.since(m);
  auto reqs = Bench::requests(acts);
  ASSERT_FALSE(reqs.empty());
  for (auto& [conn, seq] : reqs) EXPECT_GT(seq, 4u) << "nothing behind the embedder's playhead is fetched";
  // The embedder is playing chunk 4 already: it is overdue, so it comes from the origin.
  EXPECT_EQ(Bench::origin_fetches(acts), (std::vector<Seq>{4}));
  EXPECT_TRUE(b.core->stats().started);
}

}  // namespace
}  // namespace shoal::peer::test
