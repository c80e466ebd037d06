// Serving requests: only to unchoked neighbors, within the token bucket.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace shoal::peer::test {
namespace {

TEST(Upload, TokenBucketPacesChunks) {
  PeerConfig c = base_config();
  c.seed = true;
  c.max_upload_bps = 8000;        // 1000 bytes/s: one chunk a second
  c.max_upload_queue_time = 10s;  // this test is about pacing, not refusing
  Bench b(c);
  b.make_channel(3);
  for (Seq s : {0, 1, 2}) b.feed([&](PeerCore& core) { core.add_chunk(s, b.payloads[s], b.now); });
  b.take();
  // Three neighbors, one request each: a seed of a finished channel queues one request per neighbor.
  std::vector<ConnectionId> n;
  for (int i = 0; i < 3; ++i) n.push_back(b.connect("", false));  // a seed unchokes whoever is interested
  auto m = b.mark();
  for (Seq s : {0, 1, 2}) b.message(n[s], protocol::Request{s});
  EXPECT_EQ(Bench::sent<protocol::ChunkData>(b.since(m)).size(), 1u) << "the first goes out at once";
  // 100 ms of burst was saved up: the 1000-byte debt clears 900 ms later.
  EXPECT_GT(b.core->next_deadline(), 899ms);
  EXPECT_LE(b.core->next_deadline(), 901ms);
  b.run_until(890ms);
  EXPECT_EQ(Bench::sent<protocol::ChunkData>(b.since(m)).size(), 1u);
  b.run_until(910ms);
  EXPECT_EQ(Bench::sent<protocol::ChunkData>(b.since(m)).size(), 2u);
  b.run_until(1890ms);
  EXPECT_EQ(Bench::sent<protocol::ChunkData>(b.since(m)).size(), 2u);
  b.run_until(1910ms);
  EXPECT_EQ(Bench::sent<protocol::ChunkData>(b.since(m)).size(), 3u);
  EXPECT_EQ(b.core->stats().bytes_uploaded, 3000u);
}

TEST(Upload, ChokedNeighborsAreRejected) {
  PeerConfig c = base_config();
  c.unchoke_slots = 0;  // only the optimistic slot, which is taken first
  Bench b(c);
  b.make_channel(2);
  b.feed([&](PeerCore& core) { core.add_chunk(0, b.payloads[0], b.now); });
  b.take();
  b.connect("");  // takes the only slot
  auto choked = b.connect("");
  auto m = b.mark();
  b.message(choked, protocol::Request{0});
  auto rejects = Bench::sent<protocol::Reject>(b.since(m));
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].first, choked);
}

TEST(Upload, SeedAnnouncesNewChunksAndNeverDownloads) {
  PeerConfig c = base_config();
  c.seed = true;
  Bench b(c);
  b.make_channel(3, /*live=*/true);
  b.announce_chunks(3);
  auto n = b.connect("XXX");
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.add_chunk(0, b.payloads[0], b.now); });
  b.take();
  b.run_until(30s);
  auto acts = b.since(m);
  auto haves = Bench::sent<protocol::Have>(acts);
  EXPECT_TRUE(haves.empty()) << "the neighbor already holds chunk 0";
  EXPECT_TRUE(Bench::requests(acts).empty());
  EXPECT_TRUE(Bench::origin_fetches(acts).empty());
  auto other = b.connect("");
  m = b.mark();
  b.feed([&](PeerCore& core) { core.add_chunk(1, b.payloads[1], b.now); });
  b.take();
  haves = Bench::sent<protocol::Have>(b.since(m));
  ASSERT_EQ(haves.size(), 1u) << "only to the neighbor that lacks it";
  EXPECT_EQ(haves[0].first, other);
  EXPECT_NE(n, other);
}

TEST(Upload, SeedGivesEachChunkOutTwiceThenLetsTheMeshSpreadIt) {
  PeerConfig c = base_config();
  c.seed = true;
  c.seed_copies_per_chunk = 2;
  Bench b(c);
  b.make_channel(1);
  b.feed([&](PeerCore& core) { core.add_chunk(0, b.payloads[0], b.now); });
  b.take();
  std::vector<ConnectionId> peers;
  for (int i = 0; i < 4; ++i) peers.push_back(b.connect("", false));
  auto m = b.mark();
  for (auto p : peers) b.message(p, protocol::Request{0});
  auto acts = b.since(m);
  auto data = Bench::sent<protocol::ChunkData>(acts);
  auto rejects = Bench::sent<protocol::Reject>(acts);
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data[0].first, peers[0]);
  EXPECT_EQ(data[1].first, peers[1]);
  ASSERT_EQ(rejects.size(), 2u);
  // Once the holders are gone the seed serves it again.
  b.feed([&](PeerCore& core) { core.on_disconnected(peers[0], b.now); });
  b.feed([&](PeerCore& core) { core.on_disconnected(peers[1], b.now); });
  b.take();
  m = b.mark();
  b.message(peers[2], protocol::Request{0});
  EXPECT_EQ(Bench::sent<protocol::ChunkData>(b.since(m)).size(), 1u);
}

TEST(Upload, SaturatedUplinkRefusesAsBusyInsteadOfQueueing) {
  PeerConfig c = base_config();
  c.seed = true;
  c.seed_copies_per_chunk = 0;
  c.max_upload_bps = 8000;  // 1000 bytes/s: each 1000-byte chunk takes 1 s
  c.max_upload_queue_time = 500ms;
  Bench b(c);
  b.make_channel(3);
  for (Seq s : {0, 1, 2}) b.feed([&](PeerCore& core) { core.add_chunk(s, b.payloads[s], b.now); });
  b.take();
  auto n = b.connect("", false);
  auto m = b.mark();
  // 0 goes out at once, 1 waits behind nothing queued, 2 would wait behind 1 s of queued transfer.
  for (Seq s : {0, 1, 2}) b.message(n, protocol::Request{s});
  auto acts = b.since(m);
  EXPECT_EQ(Bench::sent<protocol::ChunkData>(acts).size(), 1u);
  auto rejects = Bench::sent<protocol::Reject>(acts);
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].second, (protocol::Reject{2, /*busy=*/true}));
  b.run_until(2500ms);
  EXPECT_EQ(Bench::sent<protocol::ChunkData>(b.since(m)).size(), 2u) << "the queued one is still served";
}

TEST(Upload, CancelRemovesAQueuedRequest) {
  PeerConfig c = base_config();
  c.seed = true;
  c.max_upload_bps = 8000;
  Bench b(c);
  b.make_channel(2);
  for (Seq s : {0, 1}) b.feed([&](PeerCore& core) { core.add_chunk(s, b.payloads[s], b.now); });
  b.take();
  auto n = b.connect("", false);
  auto m = b.mark();
  b.message(n, protocol::Request{0});
  b.message(n, protocol::Request{1});
  b.message(n, protocol::Cancel{1});
  b.run_until(3s);
  auto data = Bench::sent<protocol::ChunkData>(b.since(m));
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0].second.seq, 0u);
}

TEST(Upload, OnVoDAFullQueueLetsTheNeighborFurthestBehindGoFirst) {
  PeerConfig c = base_config();
  c.max_upload_bps = 8000;  // 1000-byte chunks, one a second: one queued request fills 500 ms of queue
  Bench b(c);
  b.make_channel(10);
  for (Seq s : {0, 1, 2}) b.feed([&](PeerCore& core) { core.add_chunk(s, b.payloads[s], b.now); });
  b.take();
  auto ahead = b.connect("...XXXXXX");  // holds 6 chunks
  auto behind = b.connect("");          // holds none
  auto m = b.mark();
  b.message(ahead, protocol::Request{0});   // sent at once
  b.message(ahead, protocol::Request{1});   // queued: the queue is full
  b.message(behind, protocol::Request{2});  // takes its place
  auto rejects = Bench::sent<protocol::Reject>(b.since(m));
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].first, ahead);
  EXPECT_EQ(rejects[0].second, (protocol::Reject{1, /*busy=*/true}));
  b.run_until(1100ms);
  auto sent = Bench::sent<protocol::ChunkData>(b.since(m));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].first, behind);
  EXPECT_EQ(sent[1].second.seq, 2u);
}

}  // namespace
}  // namespace shoal::peer::test
