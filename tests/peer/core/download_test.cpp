// Download mode (start_download): a VoD channel fetched whole, no deadlines, never the origin's HTTP;
// completion (NotInterested, redundant connections dropped); a seed of a finished channel.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace shoal::peer::test {
namespace {

/// Starts playback or a download at chunk 0.
void start(Bench& b, bool play) {
  b.feed([&](PeerCore& core) {
    if (play) {
      core.start_playback(0, b.now);
    } else {
      core.start_download(0, b.now);
    }
  });
  b.take();
}

TEST(Download, EverythingComesFromTheMeshInOrderAndNothingFromTheOrigin) {
  Bench b;
  b.make_channel(10);
  auto holder = b.connect(std::string(10, 'X'));
  b.servers.insert(holder);
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.start_download(0, b.now); });
  b.take();
  b.run_until(30s);
  const auto delivered = Bench::delivered(b.since(m));
  ASSERT_EQ(delivered.size(), 10u);
  for (std::size_t i = 0; i < delivered.size(); ++i) EXPECT_EQ(delivered[i], i);
  EXPECT_TRUE(Bench::origin_fetches(b.log).empty());
  EXPECT_FALSE(b.core->stats().started) << "a download does not play";
}

TEST(Download, ASlowHolderIsWaitedForWhereAPlayerWouldFallBack) {
  for (bool play : {true, false}) {
    Bench b;
    b.make_channel(10);
    b.connect(std::string(10, 'X'));  // holds everything, never answers
    start(b, play);
    b.run_until(60s);
    if (play) {
      EXPECT_FALSE(Bench::origin_fetches(b.log).empty()) << "playback falls back to the origin near deadlines";
    } else {
      EXPECT_TRUE(Bench::origin_fetches(b.log).empty()) << "nothing is due in a download";
      EXPECT_FALSE(Bench::requests(b.log).empty());
    }
  }
}

TEST(Download, ClientServerKeepsTwoOriginFetchesInFlight) {
  for (bool play : {true, false}) {
    PeerConfig c = base_config();
    c.policy = Policy::cs;
    Bench b(c);
    b.make_channel(10);
    start(b, play);
    EXPECT_EQ(Bench::origin_fetches(b.log).size(), play ? 1u : 2u);
  }
}

TEST(Download, ACompletePeerSaysNotInterestedAndDropsCompleteNeighbors) {
  Bench b;
  b.make_channel(3);
  auto holder = b.connect("XXX");
  b.servers.insert(holder);
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.start_download(0, b.now); });
  b.take();
  ASSERT_EQ(Bench::delivered(b.since(m)).size(), 3u);
  auto said = Bench::sent<protocol::NotInterested>(b.since(m));
  ASSERT_EQ(said.size(), 1u);
  EXPECT_EQ(said[0].first, holder);

  // The holder is complete too (not interested in us): after a housekeeping interval the connection goes.
  b.message(holder, protocol::NotInterested{});
  auto d = b.mark();
  b.run_until(b.now + 3s);
  auto gone = Bench::disconnects(b.since(d));
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0], holder);
}

TEST(Download, ASeedOfAFinishedChannelUnchokesEveryoneAndQueuesOnePerNeighbor) {
  PeerConfig c = base_config();
  c.seed = true;
  c.unchoke_slots = 1;
  c.max_upload_bps = 8000;        // 1000-byte chunks: one a second, so requests stay queued
  c.max_upload_queue_time = 10s;  // the per-neighbor rule, not a full queue
  Bench b(c);
  b.make_channel(4);
  for (Seq s = 0; s < 4; ++s) b.feed([&](PeerCore& core) { core.add_chunk(s, b.payloads[s], b.now); });
  b.take();
  std::vector<ConnectionId> n;
  for (int i = 0; i < 5; ++i) n.push_back(b.connect("", /*unchoke=*/false));
  EXPECT_EQ(Bench::sent<protocol::Unchoke>(b.log).size(), 5u) << "more than unchoke_slots + 1";

  auto m = b.mark();
  b.message(n[0], protocol::Request{0});  // goes out at once
  b.message(n[0], protocol::Request{1});  // queued
  b.message(n[0], protocol::Request{2});  // a second queued request of the same neighbor
  auto rejects = Bench::sent<protocol::Reject>(b.since(m));
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].second, (protocol::Reject{2, /*busy=*/true}));
  b.message(n[1], protocol::Request{2});  // another neighbor is queued
  EXPECT_EQ(Bench::sent<protocol::Reject>(b.since(m)).size(), 1u);
}

}  // namespace
}  // namespace shoal::peer::test
