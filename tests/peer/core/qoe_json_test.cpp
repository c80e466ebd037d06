// Pins the exit JSON keys shared by shoal-peer and shoal-play: e2e tests,
// scripts/demo and docs read them by name, so a rename or a lost key must fail here.
#include "shoal/peer/core/qoe_json.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace shoal::peer
