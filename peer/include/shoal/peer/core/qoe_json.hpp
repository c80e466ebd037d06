// The QoE keys of the exit JSON line, written in one place so shoal-peer and
// shoal-play cannot drift apart (tests/e2e, tests/player/e2e and scripts/demo
// read them by name). Builds a string only: the caller decides where it goes.
#pragma once

#include "shoal/peer/core/peer_stats.hpp"
#include "shoal/protocol/json_line.hpp"

namespace shoal::peer {

/// {"event":"exit", startup_delay_ms (-1 if playback never started), stalls, stall_ms,
/// chunks_played, chunks_late, bytes_from_peers, bytes_from_origin, bytes_uploaded,
/// hash_failures, peers_banned}; the caller appends its own keys after these.
JsonLine qoe_exit_json(const PeerStats& stats);

}  // namespace shoal::peer
