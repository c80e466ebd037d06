// The QoE keys of the exit JSON line, written in one place so shoal-peer and
// shoal-play cannot drift apart (tests/e2e, tests/player/e2e and scripts/demo
// read them by name). Builds a string only: the caller decides where it goes.
#pragma once

#include "shoal/peer/core/peer_stats.hpp"
#include "shoal/protocol/json_line.hpp"
#include "shoal/protocol/stats_fields.hpp"

namespace shoal::peer {

/// {"event":"exit", then every field of protocol::kStatsFields in table order (docs/peer.md lists them)};
/// the caller appends its own keys after these.
JsonLine qoe_exit_json(const protocol::StatsValues& values);

/// The same for a peer core's counters (stats_values.hpp).
JsonLine qoe_exit_json(const PeerStats& stats);

}  // namespace shoal::peer
