// Tracker: nearest playback positions first, at most 50, expiry, STOPPED, whose address is listed, and who
// may change an entry.
#include "shoal/origin/tracker.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

namespace shoal::origin::test {
namespace {

wire::AnnounceRequest announce(const std::string& id, std::uint64_t playhead, std::uint32_t port = 7000) {
  wire::AnnounceRequest r;
  r.set_peer_id(id);
  r.set_playhead_seq(playhead);
  r.set_listen_port(port);
  r.set_want(50);
  return r;
}

// Viewers that send back the secret their first reply gave them, as the runtime does.
class Sessions {
 public:
  explicit Sessions(Tracker& tracker) : tracker_(tracker) {}
  wire::AnnounceReply announce(wire::AnnounceRequest r, const std::string& source, Tracker::Clock::time_point now) {
    r.set_secret(secrets_[r.peer_id()]);
    wire::AnnounceReply reply = tracker_.announce(r, source, "192.0.2.1", now);
    if (!reply.secret().empty()) secrets_[r.peer_id()] = reply.secret();
    return reply;
  }
  const std::string& secret(const std::string& id) { return secrets_[id]; }

 private:
  Tracker& tracker_;
  std::map<std::string, std::string> secrets_;
};

wire::AnnounceRequest stopped(const std::string& id) {
  wire::AnnounceRequest stop = announce(id, 1);
  stop.set_event(wire::AnnounceRequest::STOPPED);
  return stop;
}

TEST(Tracker, PrefersPeersPlayingNearTheCaller) {
  Tracker tracker;
  const auto now = Tracker::Clock::now();
  for (std::uint64_t p : {0, 100, 48, 55, 200, 51})
    tracker.announce(announce("p" + std::to_string(p), p), "h", "192.0.2.1", now);
  wire::AnnounceRequest me = announce("me", 50);
  me.set_want(3);
  const auto reply = tracker.announce(me, "h", "192.0.2.1", now);
  ASSERT_EQ(reply.peers_size(), 3);
  EXPECT_EQ(reply.peers(0).playhead_seq(), 51u);
  EXPECT_EQ(reply.peers(1).playhead_seq(), 48u);
  EXPECT_EQ(reply.peers(2).playhead_seq(), 55u);
  for (const auto& p : reply.peers()) EXPECT_NE(p.peer_id(), "me");
  EXPECT_GT(reply.interval_s(), 0u);
}

TEST(Tracker, ReturnsAtMostFiftyPeers) {
  Tracker tracker;
  const auto now = Tracker::Clock::now();
  for (int i = 0; i < 80; ++i)
    tracker.announce(announce("p" + std::to_string(i), 10), "10.1.0." + std::to_string(i), "192.0.2.1", now);
  wire::AnnounceRequest me = announce("me", 10);
  me.set_want(500);
  EXPECT_EQ(tracker.announce(me, "h", "192.0.2.1", now).peers_size(), 50);
  EXPECT_EQ(tracker.active(now), 81u);
}

TEST(Tracker, ForgetsPeersThatStopOrDoNotReannounce) {
  Tracker tracker(std::chrono::seconds(10));
  const auto t0 = Tracker::Clock::now();
  Sessions viewers(tracker);
  viewers.announce(announce("old", 1), "h", t0);
  viewers.announce(announce("leaving", 1), "h", t0);
  viewers.announce(stopped("leaving"), "h", t0);
  EXPECT_EQ(tracker.active(t0), 1u);
  const auto later = t0 + tracker.ttl() + std::chrono::seconds(1);
  EXPECT_EQ(tracker.announce(announce("new", 1), "h", "192.0.2.1", later).peers_size(), 0);
  EXPECT_EQ(tracker.active(later), 1u);
}

TEST(Tracker, UsesTheConnectionAddressWhenNoHostIsGivenAndHidesUnreachablePeers) {
  Tracker tracker;
  const auto now = Tracker::Clock::now();
  tracker.announce(announce("a", 1), "10.0.0.7", "192.0.2.1", now);
  tracker.announce(announce("hidden", 1, 0), "10.0.0.8", "192.0.2.1", now);
  const auto reply = tracker.announce(announce("b", 1), "10.0.0.9", "192.0.2.1", now);
  ASSERT_EQ(reply.peers_size(), 1);
  EXPECT_EQ(reply.peers(0).host(), "10.0.0.7");
  EXPECT_EQ(reply.peers(0).port(), 7000u);
}

TEST(Tracker, ListsTheSourceAddressNotTheOneClaimed) {
  // Anyone could otherwise make the swarm dial a third party (reflection).
  Tracker tracker;
  const auto now = Tracker::Clock::now();
  wire::AnnounceRequest liar = announce("liar", 1);
  liar.set_host("203.0.113.5");
  tracker.announce(liar, "10.0.0.7", "192.0.2.1", now);
  wire::AnnounceRequest honest = announce("honest", 1);
  honest.set_host("10.0.0.8");
  tracker.announce(honest, "10.0.0.8", "192.0.2.1", now);
  // On one machine (tests, a local proxy) a peer may name which loopback address it listens on.
  wire::AnnounceRequest local = announce("local", 1);
  local.set_host("127.0.0.2");
  tracker.announce(local, "127.0.0.1", "127.0.0.1", now);
  const auto reply = tracker.announce(announce("me", 1), "10.0.0.9", "192.0.2.1", now);
  std::map<std::string, std::string> hosts;
  for (const auto& p : reply.peers()) hosts[p.peer_id()] = p.host();
  EXPECT_EQ(hosts["liar"], "10.0.0.7");
  EXPECT_EQ(hosts["honest"], "10.0.0.8");
  EXPECT_EQ(hosts["local"], "127.0.0.2");
}

TEST(Tracker, GivesOutTheSeederAtTheAddressEachCallerReachedUsAt) {
  Tracker tracker;
  const auto now = Tracker::Clock::now();
  tracker.list_seeder("seed", 9000, 5, now);
  for (const char* local : {"10.213.0.1", "127.0.0.1"}) {
    const auto reply = tracker.announce(announce("me", 5), "10.213.0.9", local, now);
    ASSERT_EQ(reply.peers_size(), 1);
    EXPECT_EQ(reply.peers(0).host(), local);
    EXPECT_EQ(reply.peers(0).port(), 9000u);
  }
}

TEST(Tracker, WantZeroKeepsTheEntryAliveAndListsNobody) {
  Tracker tracker(std::chrono::seconds(10));
  Sessions viewers(tracker);
  const auto t0 = Tracker::Clock::now();
  viewers.announce(announce("other", 1), "10.0.0.7", t0);
  wire::AnnounceRequest keepalive = announce("me", 1);
  keepalive.set_want(0);
  EXPECT_EQ(viewers.announce(keepalive, "10.0.0.9", t0).peers_size(), 0);
  const auto later = t0 + tracker.ttl() - std::chrono::seconds(1);
  viewers.announce(keepalive, "10.0.0.9", later);
  EXPECT_EQ(tracker.active(later + std::chrono::seconds(2)), 1u) << "'other' expired, 'me' kept itself listed";
}

TEST(Tracker, ProbesEachNewAddressAndStopsGivingOutUnreachableOnes) {
  Tracker tracker;
  const auto now = Tracker::Clock::now();
  std::vector<std::string> probed;
  tracker.set_probe([&](const std::string& id, const std::string& host, std::uint32_t port) {
    probed.push_back(id + "@" + host + ":" + std::to_string(port));
  });
  Sessions viewers(tracker);
  viewers.announce(announce("natted", 1), "10.0.0.7", now);
  viewers.announce(announce("natted", 2), "10.0.0.7", now);  // same address: not probed again
  tracker.announce(announce("open", 1), "10.0.0.8", "192.0.2.1", now);
  tracker.announce(announce("closed", 1, 0), "10.0.0.9", "192.0.2.1", now);  // accepts nothing: nothing to probe
  EXPECT_EQ(probed, (std::vector<std::string>{"natted@10.0.0.7:7000", "open@10.0.0.8:7000"}));
  // Until a verdict, an entry is given out; a refused probe hides it, a stale verdict is ignored.
  EXPECT_EQ(tracker.announce(announce("me", 1), "10.0.0.10", "192.0.2.1", now).peers_size(), 2);
  tracker.mark_connectable("natted", "10.0.0.7", 7000, false, now);
  tracker.mark_connectable("open", "10.0.0.8", 6999, false, now);
  const auto reply = tracker.announce(announce("me", 1), "10.0.0.10", "192.0.2.1", now);
  ASSERT_EQ(reply.peers_size(), 1);
  EXPECT_EQ(reply.peers(0).peer_id(), "open");
  EXPECT_EQ(tracker.active(now), 4u) << "an unreachable viewer is still a viewer";
  EXPECT_EQ(tracker.unreachable(now), 1u);
}

TEST(Tracker, AnEntryAnswersOnlyToTheSecretOfItsFirstReply) {
  // Ids are in every reply: anyone could otherwise move or delete any peer's entry.
  Tracker tracker;
  Sessions viewers(tracker);
  const auto now = Tracker::Clock::now();
  const auto first = viewers.announce(announce("a", 1), "10.0.0.7", now);
  EXPECT_EQ(first.secret().size(), 16u) << "the announce that makes an entry gets its secret";
  EXPECT_TRUE(viewers.announce(announce("a", 2), "10.0.0.7", now).secret().empty()) << "and only that one";
  // A stranger reusing the id, from another address or from the owner's own (a shared NAT), with no secret
  // or a wrong one, neither removes nor moves the entry.
  for (const std::string& guess : {std::string(), std::string(16, 'x'), viewers.secret("a").substr(0, 15)}) {
    for (const char* from : {"10.0.0.66", "10.0.0.7"}) {
      wire::AnnounceRequest stop = stopped("a");
      stop.set_secret(guess);
      tracker.announce(stop, from, "192.0.2.1", now);
      wire::AnnounceRequest move = announce("a", 1, 9999);
      move.set_secret(guess);
      EXPECT_TRUE(tracker.announce(move, from, "192.0.2.1", now).secret().empty());
    }
  }
  auto reply = tracker.announce(announce("me", 1), "10.0.0.9", "192.0.2.1", now);
  ASSERT_EQ(reply.peers_size(), 1);
  EXPECT_EQ(reply.peers(0).host(), "10.0.0.7");
  EXPECT_EQ(reply.peers(0).port(), 7000u);
  EXPECT_EQ(reply.peers(0).playhead_seq(), 2u);
  // The owner keeps its entry when its address changes (a phone moving from Wi-Fi to mobile data).
  viewers.announce(announce("a", 3), "10.0.0.8", now);
  reply = tracker.announce(announce("me", 1), "10.0.0.9", "192.0.2.1", now);
  ASSERT_EQ(reply.peers_size(), 1);
  EXPECT_EQ(reply.peers(0).host(), "10.0.0.8");
  viewers.announce(stopped("a"), "10.0.0.8", now);
  EXPECT_EQ(tracker.announce(announce("me", 1), "10.0.0.9", "192.0.2.1", now).peers_size(), 0)
      << "its own secret removes it";
}

TEST(Tracker, NobodyChangesTheSeedersEntry) {
  Tracker tracker;
  const auto now = Tracker::Clock::now();
  tracker.list_seeder("seed", 9000, 5, now);
  for (const char* from : {"10.0.0.66", "127.0.0.1"}) {
    tracker.announce(stopped("seed"), from, "192.0.2.1", now);
    tracker.announce(announce("seed", 1, 9999), from, "192.0.2.1", now);
  }
  const auto reply = tracker.announce(announce("me", 5), "10.0.0.9", "192.0.2.1", now);
  ASSERT_EQ(reply.peers_size(), 1);
  EXPECT_EQ(reply.peers(0).host(), "192.0.2.1");
  EXPECT_EQ(reply.peers(0).port(), 9000u);
  EXPECT_EQ(reply.peers(0).playhead_seq(), 5u);
}

TEST(Tracker, AMovedEntryCountsAgainstItsNewAddress) {
  Tracker tracker;
  Sessions viewers(tracker);
  const auto now = Tracker::Clock::now();
  viewers.announce(announce("mover", 1), "203.0.113.9", now);
  viewers.announce(announce("mover", 1), "10.0.0.7", now);
  for (std::size_t i = 0; i < Tracker::kMaxPeersPerAddress; ++i)
    tracker.announce(announce("n" + std::to_string(i), 1), "203.0.113.9", "192.0.2.1", now);
  EXPECT_EQ(tracker.active(now), Tracker::kMaxPeersPerAddress + 1) << "the old address's slot was freed";
}

TEST(Tracker, OneAddressHoldsAtMostSixteenEntries) {
  Tracker tracker;
  const auto now = Tracker::Clock::now();
  for (int i = 0; i < 40; ++i)
    tracker.announce(announce("fake" + std::to_string(i), 1), "203.0.113.9", "192.0.2.1", now);
  tracker.announce(announce("honest", 1), "10.0.0.8", "192.0.2.1", now);
  const auto reply = tracker.announce(announce("me", 1), "10.0.0.9", "192.0.2.1", now);
  EXPECT_EQ(reply.peers_size(), static_cast<int>(Tracker::kMaxPeersPerAddress) + 1);
  EXPECT_EQ(tracker.active(now), Tracker::kMaxPeersPerAddress + 2);
}

TEST(Tracker, RepliesWithTheNearestPlayheadsOnBothSides) {
  // The reply walks outward from the caller's playhead in an index: check it against sorting everything.
  Tracker tracker;
  const auto now = Tracker::Clock::now();
  std::mt19937_64 rng(7);
  std::vector<std::uint64_t> playheads;
  for (int i = 0; i < 400; ++i) {
    const std::uint64_t p = rng() % 1000;
    playheads.push_back(p);
    tracker.announce(announce("p" + std::to_string(i), p),
                     "10.2." + std::to_string(i / 200) + "." + std::to_string(i % 200), "192.0.2.1", now);
  }
  for (std::uint64_t mine : {0u, 17u, 500u, 999u, 5000u}) {
    std::vector<std::uint64_t> want;
    for (std::uint64_t p : playheads) want.push_back(p > mine ? p - mine : mine - p);
    std::sort(want.begin(), want.end());
    want.resize(Tracker::kMaxPeers);
    const auto reply = tracker.announce(announce("me", mine), "10.9.9.9", "192.0.2.1", now);
    std::vector<std::uint64_t> got;
    for (const auto& p : reply.peers())
      got.push_back(p.playhead_seq() > mine ? p.playhead_seq() - mine : mine - p.playhead_seq());
    EXPECT_TRUE(std::is_sorted(got.begin(), got.end())) << "nearest first, around " << mine;
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want) << "around " << mine;
  }
}

TEST(Tracker, CountsStayExactThroughUpdatesExpiryAndTheSeeder) {
  Tracker tracker(std::chrono::seconds(10));
  Sessions viewers(tracker);
  const auto t0 = Tracker::Clock::now();
  tracker.list_seeder("seed", 9000, 1, t0);
  viewers.announce(announce("a", 1), "10.0.0.1", t0);
  viewers.announce(announce("b", 1), "10.0.0.2", t0);
  tracker.mark_connectable("a", "10.0.0.1", 7000, false, t0);
  EXPECT_EQ(tracker.active(t0), 2u) << "the seeder is not a viewer";
  EXPECT_EQ(tracker.unreachable(t0), 1u);
  viewers.announce(announce("a", 2, 7001), "10.0.0.1", t0);  // a new port: unknown again
  EXPECT_EQ(tracker.unreachable(t0), 0u);
  const auto t1 = t0 + tracker.ttl() - std::chrono::seconds(1);
  viewers.announce(announce("b", 3), "10.0.0.2", t1);
  tracker.list_seeder("seed", 9000, 3, t1);
  const auto t2 = t0 + tracker.ttl() + std::chrono::seconds(1);
  EXPECT_EQ(tracker.active(t2), 1u) << "'a' expired, 'b' re-announced";
  const auto reply = tracker.announce(announce("me", 3), "10.0.0.9", "192.0.2.1", t2);
  ASSERT_EQ(reply.peers_size(), 2);
  EXPECT_EQ(reply.peers(0).peer_id(), "b");
  EXPECT_EQ(reply.peers(1).peer_id(), "seed");
}

}  // namespace
}  // namespace shoal::origin::test
