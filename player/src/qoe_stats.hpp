// The numbers shoalsrc reports: its own QoE (start-up delay, stalls, what it
// has buffered) beside the runtime's transfer counters. One struct feeds the
// `stats` property and the `shoal-qoe` element message so they never disagree.
#pragma once

#include <gst/gst.h>

#include <array>
#include <cstdint>
#include <string_view>

#include "shoal/peer/core/peer_stats.hpp"
#include "shoal/protocol/stats_fields.hpp"

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

/// The structure's fields that are not in the stats table (protocol/stats_fields.hpp): the element's own
/// gauges. Every other field is a table field under its `element_field` name.
inline constexpr std::array<std::string_view, 4> kElementOnlyFields{"started", "buffered-ahead", "peers", "p2p-ratio"};

/// The GType of a table field in the structure: guint64 ns for a duration, else by the field's width.
GType element_type(const protocol::StatsField& field);

/// A new structure named `name` with the documented fields (docs/player.md).
GstStructure* make_qoe_structure(const char* name, const QoeSnapshot& qoe);

/// The table's values, in the table's units, of a structure make_qoe_structure made (what shoal-play prints
/// at exit); a missing field reads as 0.
protocol::StatsValues qoe_values(const GstStructure* structure);

}  // namespace shoal::player
