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

// A bench whose core holds chunks 0..9 of 1000 bytes and lets 2500 unsent bytes wait for one neighbor.
struct Backpressure {
  Bench b{[] {
    PeerConfig c = base_config();
    c.max_unsent_bytes_per_neighbor = 2500;
    c.slow_reader_timeout = 10s;
    return c;
  }()};
  ConnectionId reader = 0;
  Backpressure() {
    b.writes_complete = false;  // the tests say when bytes are written
    b.make_channel(10);
    for (Seq s = 0; s < 10; ++s) b.feed([&](PeerCore& core) { core.add_chunk(s, b.payloads[s], b.now); });
    b.take();
    reader = b.connect("");
  }
  void written(ConnectionId conn, std::uint64_t bytes) {
    b.feed([&](PeerCore& core) { core.on_sent(conn, bytes, b.now); });
    b.take();
  }
};

TEST(Upload, NoChunkStartsTowardsANeighborHoldingTheUnsentCap) {
  Backpressure t;
  auto m = t.b.mark();
  for (Seq s = 0; s < 6; ++s) t.b.message(t.reader, protocol::Request{s});
  auto chunks = Bench::sent<protocol::ChunkData>(t.b.since(m));
  ASSERT_EQ(chunks.size(), 3u) << "1000 + 1000 + 1000 bytes: the third passes the 2500-byte cap";
  EXPECT_EQ(chunks[2].second.seq, 2u);
  t.written(t.reader, 1000);
  chunks = Bench::sent<protocol::ChunkData>(t.b.since(m));
  ASSERT_EQ(chunks.size(), 4u) << "a written chunk makes room for the next queued request";
  EXPECT_EQ(chunks[3].second.seq, 3u);
}

TEST(Upload, ARepeatedRequestIsNotQueuedTwice) {
  // The attack that took a shoal-peer to 810 MB: one Request repeated thousands of times on a socket
  // that never reads. Each copy would have been a whole chunk in the write queue.
  Backpressure t;
  auto m = t.b.mark();
  for (int i = 0; i < 3000; ++i) t.b.message(t.reader, protocol::Request{4});
  EXPECT_EQ(Bench::sent<protocol::ChunkData>(t.b.since(m)).size(), 3u);
  EXPECT_EQ(t.b.core->stats().bytes_uploaded, 3000u);
  EXPECT_TRUE(Bench::sent<protocol::Reject>(t.b.since(m)).empty()) << "the repeats are one queued job, not refusals";
}

TEST(Upload, ASlowReaderIsChokedThenDropped) {
  Backpressure t;
  auto other = t.b.connect("");
  for (Seq s = 0; s < 4; ++s) t.b.message(t.reader, protocol::Request{s});
  auto m = t.b.mark();
  t.b.run_until(9s);
  EXPECT_TRUE(Bench::sent<protocol::Choke>(t.b.since(m)).empty());
  t.b.run_until(11s);
  auto chokes = Bench::sent<protocol::Choke>(t.b.since(m));
  ASSERT_EQ(chokes.size(), 1u);
  EXPECT_EQ(chokes[0].first, t.reader);
  auto rejects = Bench::sent<protocol::Reject>(t.b.since(m));
  ASSERT_EQ(rejects.size(), 1u) << "its queued request is refused, so it can ask elsewhere";
  EXPECT_EQ(rejects[0].second.seq, 3u);
  EXPECT_TRUE(Bench::disconnects(t.b.since(m)).empty());
  t.b.run_until(19s);
  EXPECT_EQ(Bench::sent<protocol::Unchoke>(t.b.since(m)).size(), 0u) << "no rechoke gives a stuck reader its slot back";
  t.b.run_until(21s);
  EXPECT_EQ(Bench::disconnects(t.b.since(m)), std::vector<ConnectionId>{t.reader});
  // A neighbor that reads is served on as before.
  m = t.b.mark();
  t.b.message(other, protocol::Request{5});
  EXPECT_EQ(Bench::sent<protocol::ChunkData>(t.b.since(m)).size(), 1u);
}

TEST(Upload, WritesInProgressKeepANeighborServed) {
  Backpressure t;
  for (Seq s = 0; s < 4; ++s) t.b.message(t.reader, protocol::Request{s});
  auto m = t.b.mark();
  for (int second = 1; second <= 40; ++second) {
    t.b.run_until(std::chrono::seconds(second));
    if (second % 8 == 0) t.written(t.reader, 100);  // slow, but moving
  }
  EXPECT_TRUE(Bench::sent<protocol::Choke>(t.b.since(m)).empty());
  EXPECT_TRUE(Bench::disconnects(t.b.since(m)).empty());
}

TEST(Upload, ChokedNeighborsAreRejected) {
  PeerConfig c = base_config();
  c.unchoke_slots = 0;   // only the optimistic slot, which is taken first
  c.newcomer_slots = 0;  // (neighbors holding nothing would otherwise be unchoked as newcomers)
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

TEST(Upload, UrgentRequestsAreServedBeforeOthers) {
  PeerConfig c = base_config();
  c.max_upload_bps = 8000;  // a 1000-byte chunk a second
  c.max_upload_queue_time = 5s;
  Bench b(c);
  b.make_channel(4);
  for (Seq s : {0, 1, 2, 3}) b.feed([&](PeerCore& core) { core.add_chunk(s, b.payloads[s], b.now); });
  b.take();
  auto early = b.connect("");
  auto starting = b.connect("");
  auto m = b.mark();
  for (Seq s : {0, 1, 2}) b.message(early, protocol::Request{s});  // 0 goes out at once, 1 and 2 queue
  b.message(starting, protocol::Request{3, /*urgent=*/true});      // its playback waits for 3
  b.run_until(4s);
  std::vector<Seq> order;
  for (auto& [conn, data] : Bench::sent<protocol::ChunkData>(b.since(m))) order.push_back(data.seq);
  EXPECT_EQ(order, (std::vector<Seq>{0, 3, 1, 2}));
}

TEST(Upload, LiveServesTheChunkFewestNeighborsHoldFirst) {
  PeerConfig c = base_config();
  c.max_upload_bps = 8000;
  c.max_upload_queue_time = 5s;
  Bench b(c);
  b.make_channel(3, /*live=*/true);
  b.announce_chunks(3);
  for (Seq s : {0, 1, 2}) b.feed([&](PeerCore& core) { core.add_chunk(s, b.payloads[s], b.now); });
  b.take();
  b.connect(".XX");  // holds 1 and 2
  b.connect("..X");  // holds 2
  auto asker = b.connect("");
  auto m = b.mark();
  for (Seq s : {0, 2, 1}) b.message(asker, protocol::Request{s});  // 0 at once; 2 (two holders) and 1 (one) queue
  b.run_until(3s);
  std::vector<Seq> order;
  for (auto& [conn, data] : Bench::sent<protocol::ChunkData>(b.since(m))) order.push_back(data.seq);
  EXPECT_EQ(order, (std::vector<Seq>{0, 1, 2})) << "the rarer chunk spreads only through its few holders";
}

TEST(Upload, AFullQueueTakesAnUrgentRequestInPlaceOfItsLast) {
  PeerConfig c = base_config();
  c.max_upload_bps = 8000;  // one 1000-byte chunk a second: one queued request fills the 500 ms queue
  Bench b(c);
  b.make_channel(3);
  for (Seq s : {0, 1, 2}) b.feed([&](PeerCore& core) { core.add_chunk(s, b.payloads[s], b.now); });
  b.take();
  auto prefetching = b.connect("");
  auto stalled = b.connect("");
  auto m = b.mark();
  b.message(prefetching, protocol::Request{0});  // sent at once
  b.message(prefetching, protocol::Request{1});  // queued: the queue is full
  b.message(stalled, protocol::Request{2, /*urgent=*/true});
  EXPECT_EQ(Bench::sent<protocol::Reject>(b.since(m)),
            (std::vector<std::pair<ConnectionId, protocol::Reject>>{{prefetching, {1, /*busy=*/true}}}));
  b.run_until(1100ms);
  auto sent = Bench::sent<protocol::ChunkData>(b.since(m));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].first, stalled);
}

TEST(Upload, NewcomersAreUnchokedBeyondTheSlotsUntilTheyHoldAStartUpBuffer) {
  PeerConfig c = base_config();
  c.unchoke_slots = 0;  // only the optimistic slot, which the first neighbor takes
  c.newcomer_slots = 1;
  Bench b(c);
  b.make_channel(4);
  b.feed([&](PeerCore& core) { core.add_chunk(0, b.payloads[0], b.now); });
  b.take();
  auto unchoked = [&](ConnectionId conn) {
    bool open = false;
    for (auto& a : b.log)
      if (auto* s = std::get_if<SendMessage>(&a); s && s->conn == conn) {
        if (std::holds_alternative<protocol::Unchoke>(s->message)) open = true;
        if (std::holds_alternative<protocol::Choke>(s->message)) open = false;
      }
    return open;
  };
  auto regular = b.connect("XX");
  auto first = b.connect("");   // holds nothing: the newcomer slot
  auto second = b.connect("");  // the slot is taken
  EXPECT_TRUE(unchoked(regular));
  EXPECT_TRUE(unchoked(first));
  EXPECT_FALSE(unchoked(second));
  // With a start-up buffer (3 s of 1 s chunks) `first` no longer needs the slot: the next newcomer gets it.
  for (Seq s : {1, 2, 3}) b.message(first, protocol::Have{s});
  auto third = b.connect("");
  EXPECT_TRUE(unchoked(third));
}

}  // namespace
}  // namespace shoal::peer::test
