// Integrity and the handshake: bad chunks ban their sender, other swarms are refused.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace shoal::peer::test {
namespace {

TEST(Integrity, BadChunkBansTheSenderAndIsFetchedAgain) {
  Bench b;
  b.make_channel(3);
  auto a = b.connect("XXX");
  auto other = b.connect("XXX");
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  b.take();
  auto reqs = Bench::requests(b.since(m));
  ASSERT_FALSE(reqs.empty());
  ASSERT_EQ(reqs[0], (std::pair<ConnectionId, Seq>{a, 0}));

  auto before = b.mark();
  b.message(a, protocol::ChunkData{0, std::make_shared<const std::string>(std::string(1000, '!'))});
  auto acts = b.since(before);
  EXPECT_EQ(Bench::disconnects(acts), (std::vector<ConnectionId>{a}));
  EXPECT_TRUE(Bench::delivered(acts).empty()) << "nothing unverified reaches playback";
  EXPECT_EQ(b.core->stats().hash_failures, 1u);
  EXPECT_EQ(b.core->stats().peers_banned, 1u);
  // Chunk 0 is asked for again, from the remaining neighbor, and not announced to anyone.
  auto again = Bench::requests(acts);
  EXPECT_NE(std::find(again.begin(), again.end(), std::pair<ConnectionId, Seq>{other, 0}), again.end());
  EXPECT_TRUE(Bench::sent<protocol::Have>(acts).empty());

  // Never dialled again, and refused when it calls in under its peer id.
  before = b.mark();
  b.feed([&](PeerCore& core) { core.on_tracker_peers({b.address(a), b.address(9)}, b.now); });
  b.take();
  std::vector<std::string> dialled;
  for (auto& act : b.since(before))
    if (auto* c = std::get_if<ConnectTo>(&act)) dialled.push_back(c->address.host);
  EXPECT_EQ(dialled, (std::vector<std::string>{"10.0.0.9"}));
  before = b.mark();
  b.feed([&](PeerCore& core) { core.on_connected(50, {"10.9.9.9", 4242, ""}, false, b.now); });
  b.message(50, protocol::Handshake{protocol::kProtocolVersion, kSwarm, Bench::peer_id(a), 7000});
  EXPECT_EQ(Bench::disconnects(b.since(before)), (std::vector<ConnectionId>{50}));
}

TEST(Integrity, BadChunkFromTheOriginIsRefetched) {
  PeerConfig c = base_config();
  c.policy = Policy::cs;
  c.origin_retry_delay = 100ms;
  Bench b(c);
  b.make_channel(1);
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  b.take();
  auto m = b.mark();
  b.feed([&](PeerCore& core) {
    core.on_origin_chunk(0, std::make_shared<const std::string>(std::string(1000, '?')), b.now);
  });
  b.take();
  EXPECT_EQ(b.core->stats().hash_failures, 1u);
  EXPECT_TRUE(Bench::delivered(b.since(m)).empty());
  b.run_until(150ms);
  EXPECT_EQ(Bench::origin_fetches(b.since(m)), (std::vector<Seq>{0}));
}

TEST(Integrity, InjectedVerifierReplacesSha256) {
  PeerConfig c = base_config();
  int calls = 0;
  c.verify_chunk = [&calls](const ChunkMeta& meta, const std::string& bytes) {
    ++calls;
    return bytes.size() == meta.size;  // what a simulator might do
  };
  Bench b(c);
  b.make_channel(1);
  auto a = b.connect("X");
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  b.take();
  auto m = b.mark();
  b.message(a, protocol::ChunkData{0, std::make_shared<const std::string>(std::string(1000, '#'))});
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(Bench::delivered(b.since(m)), (std::vector<Seq>{0}));
}

TEST(Handshake, OtherSwarmIsDisconnected) {
  Bench b;
  b.make_channel(2);
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.on_connected(7, {"10.1.1.1", 7000, ""}, true, b.now); });
  b.message(7, protocol::Handshake{protocol::kProtocolVersion, std::string(32, 'x'), "someone-else-000000", 7000});
  auto acts = b.since(m);
  ASSERT_EQ(Bench::sent<protocol::Handshake>(acts).size(), 1u) << "we introduce ourselves first";
  auto* d = std::get_if<Disconnect>(&acts.back());
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->conn, 7u);
  EXPECT_EQ(d->reason, "swarm mismatch");
  EXPECT_EQ(b.core->stats().neighbors, 0u);
}

TEST(Handshake, MessagesBeforeTheHandshakeDropTheConnection) {
  Bench b;
  b.make_channel(2);
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.on_connected(8, {"10.1.1.2", 7000, ""}, false, b.now); });
  b.message(8, protocol::Request{0});
  EXPECT_EQ(Bench::disconnects(b.since(m)), (std::vector<ConnectionId>{8}));
}

TEST(Handshake, AnnouncesHoldingsAndLimitsConnections) {
  PeerConfig c = base_config();
  c.max_neighbors = 2;
  Bench b(c);
  b.make_channel(4);
  b.feed([&](PeerCore& core) { core.add_chunk(1, b.payloads[1], b.now); });
  b.take();
  auto m = b.mark();
  auto a = b.connect("");
  auto ranges = Bench::sent<protocol::HaveRange>(b.since(m));
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].first, a);
  EXPECT_EQ(ranges[0].second.first, 1u);
  EXPECT_EQ(ranges[0].second.held, (std::vector<bool>{true}));
  b.connect("");
  m = b.mark();
  b.feed([&](PeerCore& core) { core.on_connected(99, {"10.1.1.3", 7000, ""}, false, b.now); });
  b.take();
  EXPECT_EQ(Bench::disconnects(b.since(m)), (std::vector<ConnectionId>{99}));
}

}  // namespace
}  // namespace shoal::peer::test
