// Piece selection on hand-built situations. "XX.X" = a neighbor holding chunks 0, 1 and 3.
#include <gtest/gtest.h>

#include <algorithm>

#include "harness.hpp"

namespace shoal::peer::test {
namespace {

std::vector<Seq> seqs(const std::vector<std::pair<ConnectionId, Seq>>& requests) {
  std::vector<Seq> out;
  for (auto& [conn, seq] : requests) out.push_back(seq);
  return out;
}

TEST(Selector, UrgentZoneGoesInDeadlineOrderWhateverTheRarity) {
  PeerConfig c = base_config();
  c.urgent_window = 20s;  // every chunk is urgent
  Bench b(c);
  b.make_channel(8);
  b.connect("XXXXXXXX");
  b.connect("XXXX....");  // chunks 4..7 are rarer, but deadlines come first
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  b.take();
  EXPECT_EQ(seqs(Bench::requests(b.since(m))), (std::vector<Seq>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(Selector, PrefetchZoneIsRarestFirst) {
  PeerConfig c = base_config();
  c.urgent_window = 1s;  // the first deadline is 3 s away: everything is prefetch
  Bench b(c);
  b.make_channel(6);
  b.connect("XXXXXX");
  b.connect("XXX...");
  b.connect("X.....");
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  b.take();
  auto order = seqs(Bench::requests(b.since(m)));
  ASSERT_EQ(order.size(), 6u);
  std::vector<Seq> singles(order.begin(), order.begin() + 3), doubles(order.begin() + 3, order.begin() + 5);
  std::sort(singles.begin(), singles.end());
  std::sort(doubles.begin(), doubles.end());
  EXPECT_EQ(singles, (std::vector<Seq>{3, 4, 5}));
  EXPECT_EQ(doubles, (std::vector<Seq>{1, 2}));
  EXPECT_EQ(order[5], 0u);
}

TEST(Selector, RequestsGoToTheNeighborExpectedFirst) {
  Bench b;
  b.make_channel(4);
  auto a = b.connect("XXXX");
  auto c2 = b.connect("XXXX");
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  b.take();
  auto reqs = Bench::requests(b.since(m));
  ASSERT_GE(reqs.size(), 2u);
  // Equal estimates at first: the second chunk goes to the neighbor with the shorter queue.
  EXPECT_EQ(reqs[0], (std::pair<ConnectionId, Seq>{a, 0}));
  EXPECT_EQ(reqs[1], (std::pair<ConnectionId, Seq>{c2, 1}));
}

TEST(Selector, BusyHolderIsLeftForAnotherAndAskedAgainAfterItsBackoff) {
  PeerConfig c = base_config();
  c.busy_backoff = 1s;
  Bench b(c);
  b.make_channel(1);
  auto first = b.connect("X");
  auto second = b.connect("X");
  b.run_until(10ms);
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  b.take();
  auto reqs = Bench::requests(b.since(m));
  ASSERT_EQ(reqs.size(), 1u);
  const ConnectionId asked = reqs[0].first, other = asked == first ? second : first;
  m = b.mark();
  b.message(asked, protocol::Reject{0, /*busy=*/true});
  EXPECT_EQ(Bench::requests(b.since(m)), (std::vector<std::pair<ConnectionId, Seq>>{{other, 0}}));
  m = b.mark();
  b.message(other, protocol::Reject{0, /*busy=*/true});
  b.run_until(b.now + 990ms);
  EXPECT_TRUE(Bench::requests(b.since(m)).empty()) << "both are backing off";
  b.run_until(b.now + 20ms);
  // Both still count as holders: a busy refusal is not "I do not have it".
  EXPECT_EQ(Bench::requests(b.since(m)), (std::vector<std::pair<ConnectionId, Seq>>{{asked, 0}}));
}

TEST(Selector, BusyRefusalCapsRequestsAtWhatTheHolderQueuedAndDeliveriesRaiseIt) {
  Bench b;
  b.make_channel(20);
  auto holder = b.connect(std::string(20, 'X'));
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.start_download(0, b.now); });
  b.take();
  auto first = Bench::requests(b.since(m));
  ASSERT_GT(first.size(), 2u) << "an unmeasured neighbor gets several requests at once";
  // It keeps the first and refuses the rest as busy.
  m = b.mark();
  for (std::size_t i = 1; i < first.size(); ++i) b.message(holder, protocol::Reject{first[i].second, true});
  b.run_until(b.now + 100ms);
  EXPECT_TRUE(Bench::requests(b.since(m)).empty()) << "one queued there: no more than one outstanding";
  // It delivers that one (quickly: the measured rate allows many): one more than before may be outstanding.
  m = b.mark();
  b.send_chunk(holder, first[0].second);
  EXPECT_EQ(Bench::requests(b.since(m)).size(), 2u);
}

TEST(Selector, ARefusalAfterAChokeDoesNotHideTheChunk) {
  Bench b;
  b.make_channel(1);
  auto holder = b.connect("X");
  b.feed([&](PeerCore& core) { core.start_download(0, b.now); });
  b.take();
  ASSERT_EQ(Bench::requests(b.log).size(), 1u);
  // It chokes us and, as a choke does, refuses what we had asked for.
  b.message(holder, protocol::Choke{});
  b.message(holder, protocol::Reject{0});
  auto m = b.mark();
  b.message(holder, protocol::Unchoke{});
  EXPECT_EQ(Bench::requests(b.since(m)), (std::vector<std::pair<ConnectionId, Seq>>{{holder, 0}}))
      << "still a holder of chunk 0";
}

TEST(Fallback, OriginOnlyWhenTheMeshCanNoLongerMakeIt) {
  // Playback is expected to start at 3 s, once chunks 0..2 (3 s) are buffered, so all three are due
  // then. Nobody unchoked us, so the origin is asked at the last safe moment:
  // 3 s - (100 ms RTT + 1 ms transfer) - 500 ms margin = 2.399 s.
  PeerConfig c = base_config();
  c.max_origin_fetches = 3;  // this test is about when the origin is asked, not how many at once
  Bench b(c);
  b.make_channel(6);
  b.connect("XXXXXX", /*unchoke=*/false);
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  b.take();
  b.run_until(2390ms);
  EXPECT_TRUE(Bench::origin_fetches(b.since(m)).empty());
  EXPECT_LE(b.core->next_deadline(), 2400ms);
  b.run_until(2410ms);
  EXPECT_EQ(Bench::origin_fetches(b.since(m)), (std::vector<Seq>{0, 1, 2}));
  b.run_until(2500ms);
  for (Seq s : {0, 1, 2}) b.feed([&](PeerCore& core) { core.on_origin_chunk(s, b.payloads[s], b.now); });
  b.take();
  EXPECT_TRUE(b.core->stats().started);
  EXPECT_EQ(b.core->stats().startup_delay, 2500ms);
  // Chunk 3 plays at 5.5 s: its origin fetch is due at 5.5 - 0.1 (RTT; the measured transfer is fast)
  // - 0.5 = 4.9 s.
  b.run_until(4890ms);
  EXPECT_EQ(Bench::origin_fetches(b.since(m)).size(), 3u);
  b.run_until(4910ms);
  EXPECT_EQ(Bench::origin_fetches(b.since(m)), (std::vector<Seq>{0, 1, 2, 3}));
}

TEST(Fallback, SlowHolderLeavesTheChunkToTheOriginAtTheLastSafeMoment) {
  PeerConfig c = base_config();
  c.assumed_peer_rate_bps = 800;  // 100 B/s: a 1000-byte chunk needs 10 s
  c.max_origin_fetches = 3;
  Bench b(c);
  b.make_channel(4);
  auto slow = b.connect("XXXX");
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  b.take();
  auto acts = b.since(m);
  // 0..2 are needed to start at 3 s and cannot come from the mesh in time; 3 is still far and is
  // prefetched from the neighbor.
  EXPECT_TRUE(Bench::origin_fetches(acts).empty()) << "a faster holder may still turn up";
  auto reqs = Bench::requests(acts);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0], (std::pair<ConnectionId, Seq>{slow, 3}));
  b.run_until(2390ms);
  EXPECT_TRUE(Bench::origin_fetches(b.since(m)).empty());
  b.run_until(2410ms);
  EXPECT_EQ(Bench::origin_fetches(b.since(m)), (std::vector<Seq>{0, 1, 2}));
}

TEST(Fallback, AHolderThatCanMakeItWithinThePatienceIsAskedNotTheOrigin) {
  PeerConfig c = base_config();
  c.assumed_peer_rate_bps = 2000;  // 250 B/s: a 1000-byte chunk in 4 s, 1 s after the 3 s start
  c.origin_patience = 2s;
  Bench b(c);
  b.make_channel(1);
  auto holder = b.connect("X");
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  b.take();
  EXPECT_EQ(Bench::requests(b.since(m)), (std::vector<std::pair<ConnectionId, Seq>>{{holder, 0}}));
  b.run_until(4s);
  EXPECT_TRUE(Bench::origin_fetches(b.since(m)).empty()) << "a late start costs a moment; an origin copy, the bill";
}

TEST(Fallback, AnOverdueRequestGoesToTheOriginOnlyAfterAStallOfThePatience) {
  PeerConfig c = base_config();
  c.origin_patience = 2s;
  Bench b(c);
  b.make_channel(1);
  b.connect("X");  // asked, and never answers
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  b.take();
  ASSERT_EQ(Bench::requests(b.since(m)).size(), 1u);
  // Expected at 52 ms, overdue at 552 ms, with no second holder to ask. The origin's last safe moment for
  // the 3 s start is 2.4 s; the origin is asked only origin_patience later: a chunk on its way may still
  // come, and a late start costs less than an origin copy per viewer.
  b.run_until(4390ms);
  EXPECT_TRUE(Bench::origin_fetches(b.since(m)).empty());
  b.run_until(4410ms);
  EXPECT_EQ(Bench::origin_fetches(b.since(m)), (std::vector<Seq>{0}));
}

TEST(Selector, AnUnmeasuredNeighborIsRatedByItsUploadHint) {
  Bench b;
  b.make_channel(1);
  b.upload_hint = 1'000'000;
  b.connect("X");
  b.upload_hint = 3'000'000;
  auto faster = b.connect("X");
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  b.take();
  EXPECT_EQ(Bench::requests(b.since(m)), (std::vector<std::pair<ConnectionId, Seq>>{{faster, 0}}));
}

TEST(Selector, RequestsPlaybackWaitsForAreMarkedUrgent) {
  Bench b;  // buffer target 3 s, urgent window 4 s
  b.make_channel(10);
  b.connect("XXXXXXXXXX");
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  b.take();
  std::vector<Seq> urgent, other;
  for (auto& [conn, r] : Bench::sent<protocol::Request>(b.since(m))) (r.urgent ? urgent : other).push_back(r.seq);
  // 0..2 are the start-up buffer; 3 is due at 6 s, beyond the urgent window.
  EXPECT_EQ(urgent, (std::vector<Seq>{0, 1, 2}));
  EXPECT_FALSE(other.empty());
}

TEST(Selector, LivePrefetchesAreCappedButUrgentChunksAreNot) {
  // Requests sent at the start of playback at chunk 10 of a live channel whose neighbors hold it all.
  auto first_pass = [](int cap) {
    PeerConfig c = base_config();
    c.live_prefetch_requests = cap;
    Bench b(c);
    b.make_channel(30, /*live=*/true);
    b.announce_chunks(30);
    b.connect(std::string(30, 'X'));
    b.connect(std::string(30, 'X'));
    b.feed([&](PeerCore& core) { core.start_playback(10, b.now); });
    b.take();
    std::vector<Seq> urgent, other;
    for (auto& [conn, r] : Bench::sent<protocol::Request>(b.log)) (r.urgent ? urgent : other).push_back(r.seq);
    return std::pair{urgent, other};
  };
  auto [urgent, prefetch] = first_pass(2);
  EXPECT_EQ(urgent, (std::vector<Seq>{10, 11, 12})) << "asked for whatever the cap";
  EXPECT_TRUE(prefetch.empty()) << "three requests in flight already fill the two";
  auto [urgent_uncapped, prefetch_uncapped] = first_pass(0);
  EXPECT_EQ(urgent_uncapped, urgent);
  EXPECT_GT(prefetch_uncapped.size(), 2u);
}

TEST(Fallback, OriginFetchesAreCapped) {
  PeerConfig c = base_config();
  c.max_origin_fetches = 2;
  c.policy = Policy::cs;
  Bench b(c);
  b.make_channel(10);
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  b.take();
  EXPECT_EQ(Bench::origin_fetches(b.since(m)), (std::vector<Seq>{0, 1}));
  b.feed([&](PeerCore& core) { core.on_origin_chunk(0, b.payloads[0], b.now); });
  b.take();
  EXPECT_EQ(Bench::origin_fetches(b.since(m)), (std::vector<Seq>{0, 1, 2}));
  EXPECT_EQ(b.core->stats().bytes_from_origin, 1000u);
}

TEST(Endgame, LateRequestIsDuplicatedAndTheLoserCancelled) {
  Bench b;
  b.make_channel(1);
  auto first = b.connect("X");
  auto second = b.connect("X");
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  b.take();
  EXPECT_EQ(Bench::requests(b.since(m)), (std::vector<std::pair<ConnectionId, Seq>>{{first, 0}}));
  // Expected after 50 ms RTT + 2 ms transfer; once that is fallback_margin (500 ms) past, the chunk goes
  // to the other neighbor too (an estimate passed by a moment is usually a copy about to arrive).
  b.run_until(540ms);
  EXPECT_EQ(Bench::requests(b.since(m)).size(), 1u);
  b.run_until(560ms);
  EXPECT_EQ(Bench::requests(b.since(m)), (std::vector<std::pair<ConnectionId, Seq>>{{first, 0}, {second, 0}}));
  auto before_arrival = b.mark();
  b.send_chunk(second, 0);
  auto acts = b.since(before_arrival);
  auto cancels = Bench::sent<protocol::Cancel>(acts);
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0].first, first);
  EXPECT_EQ(Bench::delivered(acts), (std::vector<Seq>{0}));
  // The loser's copy arriving anyway is not delivered twice.
  auto late = b.mark();
  b.send_chunk(first, 0);
  EXPECT_TRUE(Bench::delivered(b.since(late)).empty());
}

TEST(Policies, RarestFallsBackOnlyWhenThePlayheadReachesAMissingChunk) {
  PeerConfig c = base_config();
  c.policy = Policy::rarest;
  c.max_origin_fetches = 3;
  Bench b(c);
  b.make_channel(4);
  b.connect("XXXX", /*unchoke=*/false);
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  b.take();
  b.run_until(2999ms);
  EXPECT_TRUE(Bench::origin_fetches(b.since(m)).empty());
  b.run_until(3001ms);
  // The three chunks playback needs to start are due at 3 s.
  EXPECT_EQ(Bench::origin_fetches(b.since(m)), (std::vector<Seq>{0, 1, 2}));
}

TEST(Policies, InOrderRequestsSequentially) {
  PeerConfig c = base_config();
  c.policy = Policy::inorder;
  c.urgent_window = 1s;
  Bench b(c);
  b.make_channel(6);
  b.connect("XXXXXX");
  b.connect("XXX...");
  auto m = b.mark();
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  b.take();
  EXPECT_EQ(seqs(Bench::requests(b.since(m))), (std::vector<Seq>{0, 1, 2, 3, 4, 5}));
}

// bench_peer_transfer's hang at 255 of 256 chunks: playback started before any neighbor was connected,
// so chunk 0 was already late for the origin when the seed arrived, and with no origin every fetch
// failed. The in-order, BiToS and rarest-first policies then only ever retried the origin for it and
// never asked the seed that held it: playback never started.
class LateWhileTheOriginIsDown : public ::testing::TestWithParam<Policy> {};

TEST_P(LateWhileTheOriginIsDown, TheChunksComeFromAHolder) {
  PeerConfig c = base_config();
  c.policy = GetParam();
  Bench b(c);
  b.fail_origin = true;
  b.make_channel(4);
  b.feed([&](PeerCore& core) { core.start_playback(0, b.now); });
  b.take();
  // Chunks 0..2 are due at 3 s: the origin is asked for them (and fails) before any neighbor exists.
  b.run_until(3500ms);
  ASSERT_FALSE(Bench::origin_fetches(b.log).empty());
  auto m = b.mark();
  b.servers.insert(b.next_conn);
  auto holder = b.connect("XXXX");
  b.run_until(4s);
  auto reqs = Bench::requests(b.since(m));
  EXPECT_NE(std::find(reqs.begin(), reqs.end(), std::pair<ConnectionId, Seq>{holder, 0}), reqs.end());
  EXPECT_EQ(Bench::delivered(b.log), (std::vector<Seq>{0, 1, 2, 3}));
  EXPECT_TRUE(b.core->stats().started);
}

INSTANTIATE_TEST_SUITE_P(Policies, LateWhileTheOriginIsDown,
                         ::testing::Values(Policy::deadline, Policy::rarest, Policy::inorder, Policy::bitos),
                         [](const ::testing::TestParamInfo<Policy>& param) {
                           return std::string(to_string(param.param));
                         });

TEST(Policies, ParsesNames) {
  EXPECT_EQ(parse_policy("bitos"), Policy::bitos);
  EXPECT_EQ(parse_policy("nope"), std::nullopt);
  EXPECT_STREQ(to_string(Policy::deadline), "deadline");
  EXPECT_EQ(parse_neighbor_policy("position"), NeighborPolicy::position);
}

}  // namespace
}  // namespace shoal::peer::test
