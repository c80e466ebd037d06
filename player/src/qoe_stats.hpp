// The numbers shoalsrc reports: its own QoE (start-up delay, stalls, what it
// has buffered) beside the runtime's transfer counters. One struct feeds the
// `stats` property and the `shoal-qoe` element message so they never disagree.
#pragma once

#include <gst/gst.h>

#include <cstdint>

#include "shoal/peer/core/peer_stats.hpp"

namespace shoal::player {

struct QoeSnapshot {
  bool started = false;
  GstClockTime startup_delay = 0;  // ns, READY->PAUSED to the first buffer pushed
  std::uint32_t stall_count = 0;
  GstClockTime stall_duration = 0;  // ns
  GstClockTime buffered_ahead = 0;  // ns of media received beyond the playhead
  std::uint64_t chunks_played = 0;  // chunks pushed downstream
  peer::PeerStats peer;             // from the runtime (zeros before it runs)
};

/// A new structure named `name` with the documented fields (docs/player.md).
GstStructure* make_qoe_structure(const char* name, const QoeSnapshot& qoe);

}  // namespace shoal::player
