// Tracker: nearest playback positions first, at most 50, expiry, STOPPED.
#include "shoal/origin/tracker.hpp"

#include <gtest/gtest.h>

namespace shoal::origin::test {
namespace {

wire::AnnounceRequest announce(const std::string& id, std::uint64_t playhead, std::uint32_t port = 7000) {
  wire::AnnounceRequest r;
  r.set_peer_id(id);
  r.set_playhead_seq(playhead);
  r.set_listen_port(port);
  return r;
}

TEST(Tracker, PrefersPeersPlayingNearTheCaller) {
  Tracker tracker;
  const auto now = Tracker::Clock::now();
  for (std::uint64_t p : {0, 100, 48, 55, 200, 51}) tracker.announce(announce("p" + std::to_string(p), p), "h", now);
  wire::AnnounceRequest me = announce("me", 50);
  me.set_want(3);
  const auto reply = tracker.announce(me, "h", now);
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
  for (int i = 0; i < 80; ++i) tracker.announce(announce("p" + std::to_string(i), 10), "h", now);
  wire::AnnounceRequest me = announce("me", 10);
  me.set_want(500);
  EXPECT_EQ(tracker.announce(me, "h", now).peers_size(), 50);
  EXPECT_EQ(tracker.active(now), 81u);
}

TEST(Tracker, ForgetsPeersThatStopOrDoNotReannounce) {
  Tracker tracker(std::chrono::seconds(10));
  const auto t0 = Tracker::Clock::now();
  tracker.announce(announce("old", 1), "h", t0);
  tracker.announce(announce("leaving", 1), "h", t0);
  wire::AnnounceRequest stop = announce("leaving", 1);
  stop.set_event(wire::AnnounceRequest::STOPPED);
  tracker.announce(stop, "h", t0);
  EXPECT_EQ(tracker.active(t0), 1u);
  const auto later = t0 + tracker.ttl() + std::chrono::seconds(1);
  EXPECT_EQ(tracker.announce(announce("new", 1), "h", later).peers_size(), 0);
  EXPECT_EQ(tracker.active(later), 1u);
}

TEST(Tracker, UsesTheConnectionAddressWhenNoHostIsGivenAndHidesUnreachablePeers) {
  Tracker tracker;
  const auto now = Tracker::Clock::now();
  tracker.announce(announce("a", 1), "10.0.0.7", now);
  tracker.announce(announce("hidden", 1, 0), "10.0.0.8", now);
  const auto reply = tracker.announce(announce("b", 1), "10.0.0.9", now);
  ASSERT_EQ(reply.peers_size(), 1);
  EXPECT_EQ(reply.peers(0).host(), "10.0.0.7");
  EXPECT_EQ(reply.peers(0).port(), 7000u);
}

}  // namespace
}  // namespace shoal::origin::test
