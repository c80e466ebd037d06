// Pins the exit JSON keys shared by shoal-peer and shoal-play: e2e tests,
// scripts/demo and docs read them by name, so a rename or a lost key must fail here.
// The keys are the stats table's (protocol/stats_fields.hpp); the last tests make a
// member added to PeerStats, or a table field mapped to the wrong member, fail.
#include "shoal/peer/core/qoe_json.hpp"

#include <gtest/gtest.h>

#include <set>

#include "shoal/peer/core/stats_values.hpp"

namespace shoal::peer {
namespace {

TEST(QoeJson, KeysOrderAndFormat) {
  PeerStats s;
  s.started = true;
  s.startup_delay = Time(1'234'999);  // truncated to whole ms
  s.stalls = 2;
  s.stall_time = Time(700'500);
  s.chunks_played = 60;
  s.chunks_late = 3;
  s.bytes_from_peers = 5'000'000;
  s.bytes_from_origin = 1'000'000;
  s.bytes_uploaded = 4'000'000;
  s.hash_failures = 1;
  s.peers_banned = 4;
  s.neighbors = 7;             // not part of the exit line
  s.buffered_ahead = Time(9);  // nor this
  EXPECT_EQ(qoe_exit_json(s).str(),
            R"({"event":"exit","startup_delay_ms":1234,"stalls":2,"stall_ms":700,"chunks_played":60,)"
            R"("chunks_late":3,"bytes_from_peers":5000000,"bytes_from_origin":1000000,"bytes_uploaded":4000000,)"
            R"("hash_failures":1,"peers_banned":4})");
}

TEST(QoeJson, NotStartedIsMinusOneAndCallerKeysFollow) {
  PeerStats s;
  s.startup_delay = Time(5'000);  // ignored: playback never started
  EXPECT_EQ(qoe_exit_json(s).add("first_frame_ms", -1).str(),
            R"({"event":"exit","startup_delay_ms":-1,"stalls":0,"stall_ms":0,"chunks_played":0,"chunks_late":0,)"
            R"("bytes_from_peers":0,"bytes_from_origin":0,"bytes_uploaded":0,"hash_failures":0,"peers_banned":0,)"
            R"("first_frame_ms":-1})");
}

// Counts an aggregate's members: the most initializers `T{...}` accepts.
struct AnyMember {
  template <typename T>
  constexpr operator T() const {
    return T{};
  }
};
template <typename T, typename... Init>
constexpr std::size_t member_count() {
  if constexpr (requires { T{Init{}..., AnyMember{}}; })
    return member_count<T, Init..., AnyMember>();
  else
    return sizeof...(Init);
}

// Every member of PeerStats is a table field or one of the three the table leaves out on purpose (started is
// folded into startup_delay_ms; neighbors and buffered_ahead are gauges shoalsrc reports itself). A new member
// fails here until it is added to protocol/stats_fields.hpp (and so to every consumer) or to this list.
TEST(QoeJson, PeerStatsMembersAreTheTablesFields) {
  constexpr std::size_t kNotInTable = 3;  // started, neighbors, buffered_ahead
  EXPECT_EQ(member_count<PeerStats>(), protocol::kStatsFieldCount + kNotInTable);
}

// With a distinct value in every member, every field reads a distinct value: no field maps to another's member.
TEST(QoeJson, EveryFieldReadsItsOwnMember) {
  PeerStats s;
  s.started = true;
  s.startup_delay = std::chrono::milliseconds(1);
  s.stalls = 2;
  s.stall_time = std::chrono::milliseconds(3);
  s.chunks_played = 4;
  s.chunks_late = 5;
  s.bytes_from_peers = 6;
  s.bytes_from_origin = 7;
  s.bytes_uploaded = 8;
  s.hash_failures = 9;
  s.peers_banned = 10;
  const protocol::StatsValues values = stats_values(s);
  EXPECT_EQ(std::set<std::int64_t>(values.begin(), values.end()).size(), protocol::kStatsFieldCount);
  std::string expected = R"({"event":"exit")";
  for (const protocol::StatsField& f : protocol::kStatsFields)
    expected += ",\"" + std::string(f.name) + "\":" + std::to_string(values[static_cast<std::size_t>(f.id)]);
  EXPECT_EQ(qoe_exit_json(s).str(), expected + "}");
}

}  // namespace
}  // namespace shoal::peer
