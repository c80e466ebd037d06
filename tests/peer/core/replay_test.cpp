// Same config and the same event log give the same actions.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace shoal::peer::test {
namespace {

std::vector<std::string> descriptions(const std::vector<Action>& acts) {
  std::vector<std::string> out;
  for (auto& a : acts) out.push_back(describe(a));
  return out;
}

/// Events are recorded by value (they are replayed after the bench is gone). A busy session: random neighbor policy,
/// BiToS's random draws, tracker candidates, two serving neighbors, the origin answering, a stall or two, a seek.
std::vector<std::function<void(PeerCore&)>> record(PeerConfig c, std::vector<Action>& actions) {
  std::vector<std::function<void(PeerCore&)>> events;
  Bench b(c);
  b.recording = &events;
  b.serve_origin = true;
  b.make_channel(120);
  std::vector<protocol::PeerAddress> peers;
  for (int i = 20; i < 40; ++i) peers.push_back(b.address(static_cast<ConnectionId>(i)));
  b.feed([peers, t = b.now](PeerCore& core) { core.on_tracker_peers(peers, t); });
  b.take();
  auto x = b.connect("XX.XX.XX.XX.XXXXXX..XXXXXXXXXX.X.X.X.XXXXXXXXXXXXXXXXXXX");
  auto y = b.connect(".XXXXXXXX.XXXXXXX.XXXXXXXX");
  b.connect("X.X.X.X.X.X.X.X.X.X", false);
  b.servers.insert(x);
  b.servers.insert(y);
  b.feed([t = b.now](PeerCore& core) { core.start_playback(0, t); });
  b.take();
  b.run_until(20s);
  b.feed([t = b.now](PeerCore& core) { core.seek(60, t); });
  b.take();
  b.run_until(45s);
  actions = b.log;
  return events;
}

TEST(Replay, SameEventsSameActions) {
  PeerConfig c = base_config();
  c.policy = Policy::bitos;
  c.min_neighbors = 5;
  std::vector<Action> original;
  auto events = record(c, original);
  ASSERT_GT(original.size(), 200u);

  PeerCore replayed(c);
  std::vector<Action> again;
  for (auto& event : events) {
    event(replayed);
    for (auto& a : replayed.take_actions()) again.push_back(std::move(a));
  }
  EXPECT_EQ(descriptions(again), descriptions(original));
}

TEST(Replay, TheSeedMatters) {
  PeerConfig c = base_config();
  c.policy = Policy::bitos;
  c.min_neighbors = 5;
  std::vector<Action> first, second;
  record(c, first);
  c.rng_seed = 7;
  record(c, second);
  EXPECT_NE(descriptions(first), descriptions(second));
}

}  // namespace
}  // namespace shoal::peer::test
