// The peer set: announce, dial candidates, refill, peer exchange, timeouts.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace shoal::peer::test {
namespace {

std::vector<std::string> dialled(const std::vector<Action>& acts) {
  std::vector<std::string> out;
  for (auto& a : acts)
    if (auto* c = std::get_if<ConnectTo>(&a)) out.push_back(c->address.host);
  return out;
}
int announces(const std::vector<Action>& acts) {
  int n = 0;
  for (auto& a : acts) n += std::holds_alternative<AnnounceToTracker>(a) ? 1 : 0;
  return n;
}

TEST(PeerSet, AnnouncesAtJoinAndDialsUpToMinNeighbors) {
  PeerConfig c = base_config();
  c.min_neighbors = 3;
  c.neighbor_policy = NeighborPolicy::position;  // keeps the tracker's order (nearest first)
  Bench b(c);
  auto m = b.mark();
  b.make_channel(4);
  EXPECT_EQ(announces(b.since(m)), 1);
  std::vector<protocol::PeerAddress> peers;
  for (int i = 10; i < 15; ++i) peers.push_back(b.address(static_cast<ConnectionId>(i)));
  m = b.mark();
  b.feed([&](PeerCore& core) { core.on_tracker_peers(peers, b.now); });
  b.take();
  EXPECT_EQ(dialled(b.since(m)), (std::vector<std::string>{"10.0.0.10", "10.0.0.11", "10.0.0.12"}));
  // One fails: the next candidate replaces it.
  m = b.mark();
  b.feed([&](PeerCore& core) { core.on_connect_failed(peers[1], b.now); });
  b.take();
  b.run_until(1s);
  EXPECT_EQ(dialled(b.since(m)), (std::vector<std::string>{"10.0.0.13"}));
}

TEST(PeerSet, ReannouncesWhenNeighborsRunLowButNotTooOften) {
  PeerConfig c = base_config();
  c.min_neighbors = 2;
  c.announce_interval = 15s;
  Bench b(c);
  auto m = b.mark();
  b.make_channel(4);
  b.run_until(14s);
  EXPECT_EQ(announces(b.since(m)), 1);
  b.run_until(16s);
  EXPECT_EQ(announces(b.since(m)), 2);
  b.connect("");
  b.connect("");
  b.run_until(60s);
  EXPECT_EQ(announces(b.since(m)), 2) << "enough neighbors: no more announces";
}

TEST(PeerSet, PeerExchangeSpreadsNeighbors) {
  PeerConfig c = base_config();
  c.pex_interval = 5s;
  Bench b(c);
  b.make_channel(4);
  auto a = b.connect("");
  auto other = b.connect("");
  auto m = b.mark();
  b.run_until(6s);
  auto pex = Bench::sent<protocol::PeerExchange>(b.since(m));
  ASSERT_FALSE(pex.empty());
  for (auto& [conn, msg] : pex) {
    ASSERT_EQ(msg.added.size(), 1u) << "everyone but the receiver itself";
    EXPECT_EQ(msg.added[0].peer_id, Bench::peer_id(conn == a ? other : a));
  }
  // Candidates learnt by peer exchange are dialled.
  m = b.mark();
  b.message(a, protocol::PeerExchange{{b.address(30)}, {}});
  EXPECT_EQ(dialled(b.since(m)), (std::vector<std::string>{"10.0.0.30"}));
}

TEST(PeerSet, SilentNeighborsTimeOutAndIdleOnesGetKeepalives) {
  PeerConfig c = base_config();
  c.keepalive_interval = 10s;
  c.peer_timeout = 30s;
  Bench b(c);
  b.make_channel(4);
  auto a = b.connect("");
  auto m = b.mark();
  b.run_until(12s);
  EXPECT_EQ(Bench::sent<protocol::KeepAlive>(b.since(m)).size(), 1u);
  b.run_until(29s);
  EXPECT_TRUE(Bench::disconnects(b.since(m)).empty());
  b.run_until(32s);
  EXPECT_EQ(Bench::disconnects(b.since(m)), (std::vector<ConnectionId>{a}));
  EXPECT_EQ(b.core->stats().neighbors, 0u);
}

TEST(PeerSet, SimultaneousDialsKeepTheConnectionTheSmallerIdOpened) {
  // Both ends dialled each other: each end must drop the same one of the two connections, or both go.
  for (const std::string& theirs : {std::string(20, 'z'), std::string(20, 'a')}) {  // ours is 20 x 'm'
    for (bool outbound_first : {true, false}) {
      Bench b;
      b.make_channel(2);
      const protocol::PeerAddress addr{"10.0.0.9", 7000, theirs};
      const ConnectionId first = 101, second = 102;
      b.feed([&](PeerCore& c) { c.on_connected(first, addr, outbound_first, b.now); });
      b.feed([&](PeerCore& c) { c.on_connected(second, addr, !outbound_first, b.now); });
      b.take();
      auto m = b.mark();
      for (ConnectionId conn : {first, second})
        b.message(conn, protocol::Handshake{protocol::kProtocolVersion, kSwarm, theirs, 7000});
      const ConnectionId ours = outbound_first ? first : second;
      const ConnectionId keep = theirs > std::string(20, 'm') ? ours : (ours == first ? second : first);
      auto gone = Bench::disconnects(b.since(m));
      ASSERT_EQ(gone.size(), 1u) << theirs[0] << outbound_first;
      EXPECT_NE(gone[0], keep) << theirs[0] << outbound_first;
    }
  }
}

}  // namespace
}  // namespace shoal::peer::test
