// A selection pass and the deadline selector on their own: built from a window, a playhead, the neighbors
// that unchoked us and our fetches, with no PeerCore around them.
#include "selection/selection_pass.hpp"

#include <gtest/gtest.h>

#include <deque>

#include "selection/deadline_selector.hpp"

namespace shoal::peer {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kChunkBytes = 250'000;

/// A VoD window of `chunks` one-second chunks, playback started at chunk 0 at time 0, no neighbor yet.
struct Fixture {
  PeerConfig cfg;
  Time now{0};
  Window window;
  Playhead playhead{cfg.buffer_target};
  std::deque<Neighbor> neighbors;  // stable addresses
  std::vector<Neighbor*> unchoking_us;
  Fetches fetches;
  std::mt19937_64 rng{1};
  std::vector<Action> actions;
  SelectionPass::Scratch scratch;

  explicit Fixture(Seq chunks = 10) {
    for (Seq s = 0; s < chunks; ++s) {
      ChunkSlot* slot =
          window.learn({.seq = s, .pts_us = 0, .duration_us = 1'000'000, .size = kChunkBytes, .sha256 = {}});
      slot->tiebreak = static_cast<std::uint32_t>(s);
    }
    playhead.start(0, now);
  }
  /// A neighbor that unchoked us, holding `held`, delivering at `rate` bytes/s.
  Neighbor& holder(ConnectionId conn, std::vector<Seq> held, double rate) {
    Neighbor& n = neighbors.emplace_back();
    n.conn = conn;
    n.handshaken = true;
    n.peer_choking = false;
    n.delivery_rate = rate;
    for (Seq s : held) {
      n.have.set(s);
      ++window.find(s)->availability;
    }
    unchoking_us.push_back(&n);
    return n;
  }
  SelectionPass pass() {
    return SelectionPass({.cfg = cfg,
                          .now = now,
                          .window = window,
                          .playhead = playhead,
                          .unchoking_us = unchoking_us,
                          .fetches = fetches,
                          .chunk_bytes = static_cast<double>(kChunkBytes),
                          .rng = rng,
                          .actions = actions},
                         scratch);
  }
  std::vector<std::pair<ConnectionId, Seq>> requests() const {
    std::vector<std::pair<ConnectionId, Seq>> out;
    for (const Action& a : actions)
      if (auto* m = std::get_if<SendMessage>(&a))
        if (auto* r = std::get_if<protocol::Request>(&m->message)) out.emplace_back(m->conn, r->seq);
    return out;
  }
  std::vector<Seq> origin_fetches() const {
    std::vector<Seq> out;
    for (const Action& a : actions)
      if (auto* f = std::get_if<FetchFromOrigin>(&a)) out.push_back(f->seq);
    return out;
  }
};

TEST(SelectionPass, ListsTheMissingChunksWithTheStartUpBufferDueAtTheStart) {
  Fixture f;
  f.window.store(1, std::make_shared<const std::string>(kChunkBytes, 'x'));
  SelectionPass pass = f.pass();
  std::vector<Seq> seqs;
  for (const MissingChunk& c : pass.missing()) seqs.push_back(c.seq);
  EXPECT_EQ(seqs, (std::vector<Seq>{0, 2, 3, 4, 5, 6, 7, 8, 9})) << "a held chunk is not missing";
  const Time start = f.playhead.position_start(f.now, f.window);
  EXPECT_TRUE(pass.missing().front().blocking);
  EXPECT_EQ(pass.missing().front().deadline, start) << "playback cannot start without it";
  EXPECT_FALSE(pass.missing().back().blocking);
  EXPECT_EQ(pass.missing().back().deadline, start + 9s) << "later chunks follow at their media offset";
}

TEST(SelectionPass, BestPeerIsTheHolderExpectedFirst) {
  Fixture f;
  f.holder(1, {0, 1}, 100'000.0);
  f.holder(2, {0}, 1'000'000.0);
  f.holder(3, {1}, 5'000'000.0);
  SelectionPass pass = f.pass();
  const MissingChunk& zero = pass.missing().front();
  PeerOffer offer = pass.best_peer(zero);
  EXPECT_EQ(offer.conn, 2u) << "3 is faster but does not hold chunk 0";
  EXPECT_EQ(offer.eta, f.cfg.assumed_rtt + 250ms);
}

TEST(SelectionPass, ARequestIsSentCountedAndNotOfferedAgain) {
  Fixture f;
  Neighbor& n = f.holder(1, {0}, 1'000'000.0);
  SelectionPass pass = f.pass();
  const MissingChunk& zero = pass.missing().front();
  pass.request_peer(zero, pass.best_peer(zero));
  EXPECT_EQ(f.requests(), (std::vector<std::pair<ConnectionId, Seq>>{{1, 0}}));
  EXPECT_EQ(f.fetches.to_neighbors, 1);
  EXPECT_EQ(n.requests.size(), 1u);
  EXPECT_EQ(zero.slot->peer_requests, 1);
  EXPECT_FALSE(pass.best_peer(zero).found()) << "never the same chunk twice from one neighbor";
  EXPECT_EQ(pass.pending_eta(zero), n.requests.front().expected_at);
}

TEST(SelectionPass, TheOriginTakesMaxOriginFetchesAndNoneWhileBackingOff) {
  Fixture f;
  f.cfg.max_origin_fetches = 1;
  {
    SelectionPass pass = f.pass();
    ASSERT_TRUE(pass.origin_available());
    pass.request_origin(pass.missing().front());
    EXPECT_FALSE(pass.origin_available()) << "one fetch at a time";
  }
  EXPECT_EQ(f.origin_fetches(), (std::vector<Seq>{0}));
  f.fetches.from_origin.clear();
  f.fetches.origin_retry_at = f.now + 1s;
  SelectionPass pass = f.pass();
  EXPECT_FALSE(pass.origin_available()) << "backing off after a failure";
}

TEST(DeadlineSelector, UrgentChunksGoToHoldersAndTheRestRarestFirst) {
  Fixture f(6);  // the start-up buffer (0, 1, 2: due at 3 s) is urgent; 3, 4, 5 (6, 7, 8 s) are prefetches
  f.holder(1, {0, 1, 2, 3, 4, 5}, 2'000'000.0);
  f.holder(2, {4, 5}, 2'000'000.0);
  f.holder(3, {5}, 2'000'000.0);
  DeadlineSelector selector;
  SelectionPass pass = f.pass();
  selector.select(pass);
  std::vector<Seq> asked;
  for (auto [conn, seq] : f.requests()) asked.push_back(seq);
  ASSERT_GE(asked.size(), 4u);
  EXPECT_EQ(std::vector<Seq>(asked.begin(), asked.begin() + 3), (std::vector<Seq>{0, 1, 2})) << "deadline order first";
  EXPECT_EQ(asked[3], 3u) << "then the rarest prefetch (one holder)";
  EXPECT_TRUE(f.origin_fetches().empty()) << "holders can make every deadline";
  EXPECT_NE(pass.wake(), Time::max()) << "asks to look again when the requests should have arrived";
}

TEST(DeadlineSelector, AnUrgentChunkNoNeighborHoldsGoesToTheOriginAtTheLastSafeMoment) {
  Fixture f(3);
  DeadlineSelector selector;
  {
    SelectionPass pass = f.pass();
    selector.select(pass);
    EXPECT_TRUE(f.origin_fetches().empty()) << "a holder may still turn up";
    ASSERT_NE(pass.wake(), Time::max());
    f.now = pass.wake();
  }
  SelectionPass pass = f.pass();
  selector.select(pass);
  EXPECT_FALSE(f.origin_fetches().empty()) << "at the last moment the origin can still make the deadline";
}

}  // namespace
}  // namespace shoal::peer
