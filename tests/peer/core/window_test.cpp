// The sliding window: live follows the edge and evicts behind, VoD keeps a bounded cache.
#include <gtest/gtest.h>

#include <algorithm>

#include "harness.hpp"

namespace shoal::peer::test {
namespace {

TEST(Window, LiveSlidesWithTheEdgeAndEvictsBehind) {
  PeerConfig c = base_config();
  c.buffer_target = 2s;
  c.live_keep_behind_chunks = 2;
  Bench b(c);
  b.make_channel(40, /*live=*/true);
  b.announce_chunks(5);  // live edge: chunk 4
  auto giver = b.connect(std::string(40, 'X'));
  b.servers.insert(giver);
  auto viewer = b.connect("", /*unchoke=*/false);  // behind us, asks us for chunks
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.start_playback(3, b.now); });
  b.take();
  for (int edge = 6; edge <= 20; ++edge) {
    b.run_until(Time(std::chrono::seconds(edge - 5)));
    b.announce_chunks(edge);
  }
  auto reqs = Bench::requests(b.since(m));
  std::vector<Seq> asked;
  for (auto& [conn, seq] : reqs) asked.push_back(seq);
  EXPECT_EQ(*std::min_element(asked.begin(), asked.end()), 3u) << "nothing before the start position";
  EXPECT_EQ(*std::max_element(asked.begin(), asked.end()), 19u) << "up to the live edge";
  EXPECT_EQ(b.core->stats().stalls, 0u);
  // At 15 s the playhead is near chunk 16: chunk 5 is gone, the last two behind it are still served.
  Seq pos = 3 + b.core->stats().chunks_played;
  auto before = b.mark();
  b.message(viewer, protocol::Request{5});
  b.message(viewer, protocol::Request{pos - 1});
  auto acts = b.since(before);
  auto rejects = Bench::sent<protocol::Reject>(acts);
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].second.seq, 5u);
  auto data = Bench::sent<protocol::ChunkData>(acts);
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0].second.seq, pos - 1);
}

TEST(Window, VodLooksAheadOnlyW) {
  PeerConfig c = base_config();
  c.vod_window = 5s;
  Bench b(c);
  b.make_channel(30);
  auto giver = b.connect(std::string(30, 'X'));
  b.servers.insert(giver);
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  b.take();
  EXPECT_EQ(b.core->stats().buffered_ahead, 6s) << "chunks 0..5: [playhead, playhead + W]";
  b.run_until(10s);
  EXPECT_GE(b.core->stats().buffered_ahead, 5s);
  EXPECT_LE(b.core->stats().buffered_ahead, 6s);
}

TEST(Window, VodKeepsPlayedChunksInABoundedCache) {
  PeerConfig c = base_config();
  c.vod_window = 3s;
  c.vod_cache_bytes = 8000;  // 8 chunks of 1000 bytes
  Bench b(c);
  b.make_channel(30);
  auto giver = b.connect(std::string(30, 'X'));
  b.servers.insert(giver);
  auto later = b.connect("", false);
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  b.take();
  b.run_until(15s);  // playing chunk ~15, window up to ~18
  auto m = b.mark();
  b.message(later, protocol::Request{0});   // long evicted
  b.message(later, protocol::Request{12});  // played, still cached
  auto acts = b.since(m);
  auto rejects = Bench::sent<protocol::Reject>(acts);
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].second.seq, 0u);
  auto data = Bench::sent<protocol::ChunkData>(acts);
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0].second.seq, 12u);
}

}  // namespace
}  // namespace shoal::peer::test
