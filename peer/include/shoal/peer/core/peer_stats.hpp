// Counters a peer reports: the same fields as shoal-peer's JSON, the QoE
// report to the origin, shoalsrc's stats and shoal-sim's per-peer rows.
#pragma once

#include <cstdint>

#include "shoal/peer/core/types.hpp"

namespace shoal::peer {

struct PeerStats {
  bool started = false;   // playback has started
  Time startup_delay{0};  // start_playback() to playback start
  std::uint32_t stalls = 0;
  Time stall_time{0};
  std::uint64_t chunks_played = 0;
  std::uint64_t chunks_late = 0;  // reached by the playhead before they were there
  std::uint64_t bytes_from_peers = 0;
  std::uint64_t bytes_from_origin = 0;
  std::uint64_t bytes_uploaded = 0;
  std::uint32_t hash_failures = 0;
  std::uint32_t peers_banned = 0;
  std::uint32_t neighbors = 0;
  Time buffered_ahead{0};
};

}  // namespace shoal::peer
