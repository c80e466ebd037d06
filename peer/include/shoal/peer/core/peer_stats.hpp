// Counters a peer keeps about its playback and transfers. The ones that leave
// the peer (exit JSON, QoE report, shoalsrc's stats) are the fields of
// protocol/stats_fields.hpp, mapped from these members in stats_values.hpp;
// started, neighbors and buffered_ahead are not in that table (started is folded
// into startup_delay_ms; shoalsrc reports the other two itself).
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
