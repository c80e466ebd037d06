// PeerStats as the values of the stats table (protocol/stats_fields.hpp), each in its field's unit. The table
// cannot name PeerStats (protocol/ sits below peer/), so the one mapping from a field to its member lives here;
// the switch has no default, so a field added to the table does not compile until it is mapped.
#pragma once

#include <chrono>

#include "shoal/peer/core/peer_stats.hpp"
#include "shoal/protocol/stats_fields.hpp"

namespace shoal::peer {

/// `id`'s value in `s`: durations in whole ms (truncated), startup_delay_ms -1 while playback has not started.
constexpr std::int64_t stats_value(const PeerStats& s, protocol::StatsFieldId id) {
  using F = protocol::StatsFieldId;
  auto ms = [](Time t) { return std::chrono::duration_cast<std::chrono::milliseconds>(t).count(); };
  switch (id) {
    case F::startup_delay_ms:
      return s.started ? ms(s.startup_delay) : -1;
    case F::stalls:
      return s.stalls;
    case F::stall_ms:
      return ms(s.stall_time);
    case F::chunks_played:
      return static_cast<std::int64_t>(s.chunks_played);
    case F::chunks_late:
      return static_cast<std::int64_t>(s.chunks_late);
    case F::bytes_from_peers:
      return static_cast<std::int64_t>(s.bytes_from_peers);
    case F::bytes_from_origin:
      return static_cast<std::int64_t>(s.bytes_from_origin);
    case F::bytes_uploaded:
      return static_cast<std::int64_t>(s.bytes_uploaded);
    case F::hash_failures:
      return s.hash_failures;
    case F::peers_banned:
      return s.peers_banned;
  }
  return 0;
}

constexpr protocol::StatsValues stats_values(const PeerStats& s) {
  protocol::StatsValues values{};
  for (const protocol::StatsField& f : protocol::kStatsFields)
    values[static_cast<std::size_t>(f.id)] = stats_value(s, f.id);
  return values;
}

}  // namespace shoal::peer
