// The origin-fallback rule: when a chunk whose deadline is near goes to a neighbor, and when to the origin.
// Every policy but client-server uses it for the chunks playback is about to need.
#pragma once

#include "piece_selector.hpp"

namespace shoal::peer {

/// The latest time an origin fetch can start and still arrive fallback_margin before the deadline.
Time origin_start_by(SelectionContext& ctx, const MissingChunk& chunk);
/// The deadline rule for one chunk, mesh first: a neighbor holding it (a second one when the first is
/// overdue: endgame); the origin only for a chunk no neighbor holds, at the last moment it can still make
/// the deadline, or one whose requests are overdue by origin_patience.
void handle_urgent(SelectionContext& ctx, const MissingChunk& chunk);

}  // namespace shoal::peer
