// The origin-fallback rule on its own, against a scripted SelectionContext: when an urgent chunk goes
// to a neighbor, when to the origin, and when it waits.
#include "selection/origin_fallback.hpp"

#include <gtest/gtest.h>

namespace shoal::peer {
namespace {

using namespace std::chrono_literals;

/// The facts the rule reads, set by each test, and the requests and wake-ups it makes.
class ScriptedContext final : public SelectionContext {
 public:
  PeerConfig cfg;
  Time clock{0};
  Time origin_transfer = 1s;
  bool origin_up = true;
  std::vector<PeerOffer> offers;  // best_peer's answers, in turn; not found once used up
  Time pending = Time::max();
  std::vector<ConnectionId> peer_requests;
  int origin_requests = 0;
  Time wake = Time::max();

  Time now() const override { return clock; }
  const PeerConfig& config() const override { return cfg; }
  const std::vector<MissingChunk>& missing() const override { return missing_; }
  PeerOffer best_peer(const MissingChunk&) override {
    if (offers.empty()) return {};
    PeerOffer offer = offers.front();
    offers.erase(offers.begin());
    return offer;
  }
  void request_peer(const MissingChunk& chunk, const PeerOffer& offer) override {
    peer_requests.push_back(offer.conn);
    ++chunk.slot->peer_requests;
  }
  Time pending_eta(const MissingChunk&) const override { return pending; }
  Time origin_eta(const MissingChunk&) const override { return clock + origin_transfer; }
  bool origin_available() const override { return origin_up; }
  void request_origin(const MissingChunk& chunk) override {
    ++origin_requests;
    chunk.slot->origin_pending = true;
  }
  bool peer_capacity() const override { return true; }
  void wake_at(Time t) override { wake = std::min(wake, t); }
  std::mt19937_64& rng() override { return rng_; }

 private:
  std::vector<MissingChunk> missing_;
  std::mt19937_64 rng_{1};
};

struct Urgent {
  ChunkSlot slot;
  MissingChunk chunk;
  /// A chunk due `deadline` from `now`, held by `holders` neighbors.
  Urgent(Time now, Time deadline, std::uint16_t holders = 1) {
    slot.known = true;
    slot.availability = holders;
    chunk.seq = 7;
    chunk.deadline = now + deadline;
    chunk.due = chunk.deadline;
    chunk.slot = &slot;
  }
};

TEST(OriginFallback, AHolderThatCanMakeItIsAskedNotTheOrigin) {
  ScriptedContext ctx;
  Urgent u(ctx.clock, 3s);
  ctx.offers = {{.conn = 4, .eta = 2s}};
  handle_urgent(ctx, u.chunk);
  EXPECT_EQ(ctx.peer_requests, (std::vector<ConnectionId>{4}));
  EXPECT_EQ(ctx.origin_requests, 0);
  EXPECT_EQ(ctx.wake, 2s + ctx.cfg.fallback_margin) << "checks the request is on time";
}

TEST(OriginFallback, AHolderLateByLessThanThePatienceIsStillAsked) {
  ScriptedContext ctx;
  Urgent u(ctx.clock, 3s);
  ctx.offers = {{.conn = 4, .eta = 3s + ctx.cfg.origin_patience}};
  handle_urgent(ctx, u.chunk);
  EXPECT_EQ(ctx.peer_requests.size(), 1u);
  EXPECT_EQ(ctx.origin_requests, 0);
}

TEST(OriginFallback, WithNoHolderInTimeTheOriginIsAskedOnlyAtTheLastSafeMoment) {
  ScriptedContext ctx;
  Urgent u(ctx.clock, 3s, /*holders=*/0);
  handle_urgent(ctx, u.chunk);
  const Time last_safe = u.chunk.deadline - ctx.origin_transfer - ctx.cfg.fallback_margin;
  EXPECT_EQ(ctx.origin_requests, 0) << "a holder may still appear";
  EXPECT_EQ(ctx.wake, last_safe);
  ctx.clock = last_safe;
  handle_urgent(ctx, u.chunk);
  EXPECT_EQ(ctx.origin_requests, 1);
  handle_urgent(ctx, u.chunk);
  EXPECT_EQ(ctx.origin_requests, 1) << "one origin fetch per chunk";
}

TEST(OriginFallback, ASlowHolderLeavesTheChunkToTheOrigin) {
  ScriptedContext ctx;
  Urgent u(ctx.clock, 3s);
  ctx.clock = u.chunk.deadline - ctx.origin_transfer - ctx.cfg.fallback_margin;
  ctx.offers = {{.conn = 4, .eta = u.chunk.deadline + ctx.cfg.origin_patience + 1s}};
  handle_urgent(ctx, u.chunk);
  EXPECT_TRUE(ctx.peer_requests.empty());
  EXPECT_EQ(ctx.origin_requests, 1);
}

TEST(OriginFallback, WhenTheOriginCannotTakeItAnyHolderIsAsked) {
  ScriptedContext ctx;
  ctx.origin_up = false;
  Urgent u(ctx.clock, 1s);
  ctx.offers = {{.conn = 4, .eta = 10s}};
  handle_urgent(ctx, u.chunk);
  EXPECT_EQ(ctx.peer_requests, (std::vector<ConnectionId>{4}));
}

TEST(OriginFallback, ARequestOnItsWayIsLeftToArrive) {
  ScriptedContext ctx;
  Urgent u(ctx.clock, 3s);
  u.slot.peer_requests = 1;
  ctx.pending = 2s;
  ctx.offers = {{.conn = 5, .eta = 1s}};
  handle_urgent(ctx, u.chunk);
  EXPECT_TRUE(ctx.peer_requests.empty());
  EXPECT_EQ(ctx.origin_requests, 0);
  EXPECT_EQ(ctx.wake, 2s + ctx.cfg.fallback_margin);
}

TEST(OriginFallback, AnOverdueRequestGetsASecondHolderThenTheOriginAfterAStallOfThePatience) {
  ScriptedContext ctx;
  Urgent u(ctx.clock, 3s);
  u.slot.peer_requests = 1;
  ctx.pending = 1s;
  ctx.clock = 2s;  // the request is overdue by more than the margin
  ctx.offers = {{.conn = 5, .eta = 2500ms}};
  handle_urgent(ctx, u.chunk);
  EXPECT_EQ(ctx.peer_requests, (std::vector<ConnectionId>{5})) << "endgame: a duplicate request";
  EXPECT_EQ(ctx.origin_requests, 0);
  // Both holders fail to deliver: the origin only once the chunk is overdue by origin_patience.
  ctx.wake = Time::max();
  handle_urgent(ctx, u.chunk);
  EXPECT_EQ(ctx.origin_requests, 0);
  // The last safe start (3 s - 1 s transfer - 500 ms margin) plus the 2 s patience.
  const Time origin_at = ctx.wake;
  EXPECT_EQ(origin_at, 3500ms);
  ctx.clock = origin_at;
  handle_urgent(ctx, u.chunk);
  EXPECT_EQ(ctx.origin_requests, 1);
}

TEST(OriginFallback, AChunkTheOriginIsSendingIsLeftAlone) {
  ScriptedContext ctx;
  Urgent u(ctx.clock, 0s);
  u.slot.origin_pending = true;
  ctx.offers = {{.conn = 4, .eta = 1s}};
  handle_urgent(ctx, u.chunk);
  EXPECT_TRUE(ctx.peer_requests.empty());
  EXPECT_EQ(ctx.wake, Time::max());
}

}  // namespace
}  // namespace shoal::peer
