// Rarest first (BitTorrent's rule): the chunks fewest neighbors hold go first, so the mesh keeps many
// distinct chunks to trade; a per-chunk random tie-break keeps neighbors from all asking for the same one.
#pragma once

#include <vector>

#include "piece_selector.hpp"

namespace shoal::peer {

/// Fewer holders first, then the chunk's random tie-break, then the lower sequence number.
bool rarer(const MissingChunk* a, const MissingChunk* b);
/// Requests each chunk (peer_requests == 0) from its best neighbor, rarest first.
void request_rarest_first(SelectionContext& ctx, std::vector<const MissingChunk*>& chunks);

}  // namespace shoal::peer
