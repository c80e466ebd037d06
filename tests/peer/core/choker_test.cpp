// The Choker on its own: regular slots, optimistic unchoke, free-riders, newcomers, seed mode and
// rate-based slot opening, as functions of neighbor rates and time.
#include "choking/choker.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <set>

namespace shoal::peer {
namespace {

using namespace std::chrono_literals;

/// Neighbors with rate meters the Choker reads.
struct Swarm {
  PeerConfig config;
  std::deque<RateMeter> meters;
  std::vector<ChokeCandidate> candidates;
  std::mt19937_64 rng{7};

  Swarm() {
    config.unchoke_slots = 2;
    config.max_neighbors = 8;
    config.newcomer_slots = 1;
  }
  /// An interested neighbor connected at 0 that uploaded `to_us` and received `from_us` bytes by `at`.
  ChokeCandidate& add(std::uint64_t to_us, std::uint64_t from_us = 0, Time at = 0s) {
    ChokeCandidate c;
    c.conn = static_cast<ConnectionId>(candidates.size() + 1);
    c.interested = true;
    c.received = &meters.emplace_back();
    c.sent = &meters.emplace_back();
    if (to_us > 0) c.received->add(to_us, at, config.rate_window);
    if (from_us > 0) c.sent->add(from_us, at, config.rate_window);
    return candidates.emplace_back(c);
  }
  /// Ticks the choker at `now` and records its decision in the candidates, as PeerCore would.
  std::set<ConnectionId> tick(Choker& choker, Time now, ChokeSituation self = {}, double utilisation = 1.0) {
    auto unchoke = choker.tick(now, candidates, self, utilisation, rng);
    for (std::size_t i = 0; i < unchoke.size(); ++i) candidates[i].unchoked = unchoke[i];
    return unchoked();
  }
  std::set<ConnectionId> unchoked() const {
    std::set<ConnectionId> out;
    for (auto& c : candidates)
      if (c.unchoked) out.insert(c.conn);
    return out;
  }
};

TEST(Choker, RegularSlotsGoToWhoUploadedMostAndOneMoreIsOptimistic) {
  Swarm s;
  s.add(100'000);
  s.add(900'000);
  s.add(500'000);
  s.add(10'000);
  Choker choker(s.config);
  auto set = s.tick(choker, 1s);
  ASSERT_EQ(set.size(), 3u);
  EXPECT_TRUE(set.count(2) && set.count(3)) << "the two best uploaders";
  EXPECT_TRUE(set.count(choker.optimistic()));
  EXPECT_NE(choker.optimistic(), 2u);
  EXPECT_NE(choker.optimistic(), 3u);
}

TEST(Choker, APeerWithNothingToDownloadRanksByWhatItSends) {
  Swarm s;
  s.add(900'000, 1'000);
  s.add(0, 800'000);
  s.add(0, 700'000);
  s.add(800'000, 0);
  Choker choker(s.config);
  auto set = s.tick(choker, 1s, {.nothing_to_download = true});
  EXPECT_TRUE(set.count(2) && set.count(3)) << "the fastest to receive from us";
}

TEST(Choker, FreeRidersGetOnlyTheOptimisticSlot) {
  Swarm s;
  s.config.unchoke_slots = 3;
  s.add(500'000);
  s.add(0);  // connected a whole rate window and never gave us a chunk
  s.add(0);
  Choker choker(s.config);
  const Time judged = s.config.rate_window + 1s;
  auto set = s.tick(choker, judged);
  EXPECT_EQ(set.size(), 2u) << "the giver, and one free-rider as the optimistic unchoke";
  EXPECT_TRUE(set.count(1));
  // Too new to judge, they compete for regular slots like anyone.
  Swarm fresh;
  fresh.config.unchoke_slots = 3;
  fresh.add(500'000);
  fresh.add(0);
  fresh.add(0);
  Choker young(fresh.config);
  EXPECT_EQ(fresh.tick(young, 1s).size(), 3u);
}

TEST(Choker, TheOptimisticSlotPrefersANeighborHoldingNothing) {
  Swarm s;
  s.config.unchoke_slots = 0;
  for (int i = 0; i < 5; ++i) s.add(0);
  s.candidates[3].holds_nothing = true;
  Choker choker(s.config);
  EXPECT_EQ(s.tick(choker, 1s), (std::set<ConnectionId>{4}));
}

TEST(Choker, TheOptimisticSlotRotatesEveryOptimisticInterval) {
  Swarm s;
  s.config.unchoke_slots = 0;
  for (int i = 0; i < 6; ++i) s.add(0);
  Choker choker(s.config);
  std::vector<ConnectionId> picks;
  // Rechokes every rechoke_interval (10 s); rotation every optimistic_interval (30 s).
  for (Time t = 0s; t <= 60s; t += s.config.rechoke_interval) {
    s.tick(choker, t);
    picks.push_back(choker.optimistic());
  }
  EXPECT_EQ(picks[0], picks[1]);
  EXPECT_EQ(picks[1], picks[2]);
  EXPECT_NE(picks[2], picks[3]) << "rotated at 30 s";
  EXPECT_EQ(picks[3], picks[5]);
  EXPECT_NE(picks[5], picks[6]) << "rotated at 60 s";
}

TEST(Choker, ASlowReaderGetsNoSlot) {
  Swarm s;
  s.add(900'000).stuck = true;
  s.add(100'000);
  Choker choker(s.config);
  auto set = s.tick(choker, 1s);
  EXPECT_FALSE(set.count(1));
  EXPECT_EQ(choker.admit(s.candidates[0], s.candidates, {}), Choker::Admission::wait);
}

TEST(Choker, APeerThatWantsNothingBackUnchokesEveryoneWhoAsks) {
  Swarm s;
  for (int i = 0; i < 6; ++i) s.add(0);
  s.candidates[2].interested = false;
  s.candidates[4].stuck = true;
  Choker choker(s.config);
  EXPECT_EQ(s.tick(choker, 1s, {.wants_nothing_back = true}), (std::set<ConnectionId>{1, 2, 4, 6}));
}

TEST(Choker, ANewcomerKeepsItsSlotUntilItHoldsAStartupBuffer) {
  Swarm s;
  s.config.unchoke_slots = 1;
  for (int i = 0; i < 4; ++i) s.add(100'000 * (4 - i));
  s.candidates[3].unchoked = true;
  s.candidates[3].starting_up = true;
  Choker choker(s.config);
  EXPECT_TRUE(s.tick(choker, 1s).count(4));
  s.candidates[3].starting_up = false;  // it holds a start-up buffer now
  auto set = s.tick(choker, 11s);
  EXPECT_EQ(set.count(4), choker.optimistic() == 4u ? 1u : 0u);
}

TEST(Choker, AnInterestedNeighborTakesAFreeSlotAtOnceAndANewcomerSlotWhenFull) {
  Swarm s;
  s.config.unchoke_slots = 1;
  s.add(0).unchoked = true;
  s.add(0).unchoked = true;
  ChokeCandidate& asker = s.add(0);
  Choker choker(s.config);
  EXPECT_EQ(choker.admit(asker, s.candidates, {}), Choker::Admission::wait) << "slots + optimistic in use";
  asker.holds_nothing = true;
  EXPECT_EQ(choker.admit(asker, s.candidates, {}), Choker::Admission::newcomer);
  s.candidates[0].starting_up = true;  // the one newcomer slot is taken
  EXPECT_EQ(choker.admit(asker, s.candidates, {}), Choker::Admission::wait);
  EXPECT_EQ(choker.admit(asker, s.candidates, {.wants_nothing_back = true}), Choker::Admission::unchoke);
  s.candidates[1].unchoked = false;
  EXPECT_EQ(choker.admit(asker, s.candidates, {}), Choker::Admission::unchoke) << "a slot is free";
}

TEST(Choker, AnUnderusedUplinkOpensOneSlotPerTickAndASaturatedOneGivesThemBack) {
  Swarm s;
  s.config.unchoke_slots = 1;
  for (int i = 0; i < 6; ++i) s.add(100'000 * (i + 1));
  Choker choker(s.config);
  EXPECT_EQ(s.tick(choker, 0s).size(), 2u);
  EXPECT_EQ(s.tick(choker, 1s, {}, 0.5).size(), 3u) << "underused: one more";
  EXPECT_EQ(choker.slots(), 2);
  EXPECT_EQ(s.tick(choker, 2s, {}, 0.9).size(), 3u) << "used enough: no more";
  EXPECT_EQ(s.tick(choker, 3s, {}, 0.5).size(), 4u);
  EXPECT_EQ(choker.slots(), 3);
  s.tick(choker, 10s, {}, 0.99);  // the next rechoke, saturated
  EXPECT_EQ(choker.slots(), 2);
}

TEST(Choker, TheOptimisticSlotMovesToANewcomerOnceItsHolderCanPassSomethingOn) {
  Swarm s;
  s.config.unchoke_slots = 0;
  for (int i = 0; i < 3; ++i) s.add(0).holds_nothing = true;
  Choker choker(s.config);
  s.tick(choker, 0s);
  const ConnectionId first = choker.optimistic();
  s.candidates[first - 1].holds_nothing = false;  // it received a chunk
  s.tick(choker, 1s);
  EXPECT_NE(choker.optimistic(), first) << "a neighbor still holding nothing gets the slot at once";
  EXPECT_TRUE(s.candidates[choker.optimistic() - 1].holds_nothing);
  // Complete, there is no rotation to run between rechokes.
  const ConnectionId second = choker.optimistic();
  s.candidates[second - 1].holds_nothing = false;
  s.tick(choker, 2s, {.complete = true});
  EXPECT_EQ(choker.optimistic(), second);
}

}  // namespace
}  // namespace shoal::peer
