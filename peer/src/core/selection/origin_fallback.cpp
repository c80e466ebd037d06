#include "origin_fallback.hpp"

#include <algorithm>

namespace shoal::peer {

Time origin_start_by(SelectionContext& ctx, const MissingChunk& chunk) {
  Time transfer = ctx.origin_eta(chunk) - ctx.now();
  return chunk.deadline - transfer - ctx.config().fallback_margin;
}

void handle_urgent(SelectionContext& ctx, const MissingChunk& chunk) {
  // Mesh first. A stall of a moment costs one viewer; the origin's copy of every late chunk of every viewer
  // of a large swarm is the origin's whole bill, and an origin shared by a late crowd is slow for all of it.
  // So a neighbor expected within origin_patience of the deadline is asked before the origin, a request on
  // its way is left to arrive (a second neighbor is asked once it is overdue: endgame), and the origin only
  // gets a chunk no such neighbor holds, or whose requests are overdue by origin_patience.
  const ChunkSlot& slot = *chunk.slot;
  if (slot.origin_pending) return;
  const Time now = ctx.now();
  const Time margin = ctx.config().fallback_margin;
  const Time patience = ctx.config().origin_patience;
  const Time origin_by = origin_start_by(ctx, chunk);
  if (slot.peer_requests > 0) {
    const Time pending = ctx.pending_eta(chunk);
    if (now < pending + margin) {
      ctx.wake_at(pending + margin);
      return;
    }
    // Overdue: endgame. A second neighbor gets a duplicate request; the loser is cancelled on arrival.
    if (slot.peer_requests < 2) {
      PeerOffer offer = ctx.best_peer(chunk);
      if (offer.found() && offer.eta <= chunk.deadline + patience) {
        ctx.request_peer(chunk, offer);
        ctx.wake_at(offer.eta + margin);
        return;
      }
    }
    // A chunk on its way is given until origin_patience past its deadline (a stall of that much) before the
    // origin sends it too: the estimates of a neighbor not yet measured are guesses, and an origin copy that
    // lands just after the neighbor's is the origin's bill for nothing. The allowance counts from the fixed
    // instant the chunk is due (a stall's or a late start's deadline is `now`, and moves).
    const Time origin_at = std::max(pending, chunk.due - (chunk.deadline - origin_by)) + patience;
    if (now >= origin_at && ctx.origin_available()) {
      ctx.request_origin(chunk);
      return;
    }
    ctx.wake_at(origin_at);
    return;
  }
  PeerOffer offer = ctx.best_peer(chunk);
  // A holder that can make it, or any holder when the origin cannot take the fetch (backing off after a
  // failure, or at max_origin_fetches): then it is the only source.
  if (offer.found() && (offer.eta <= chunk.deadline + patience || !ctx.origin_available())) {
    ctx.request_peer(chunk, offer);
    ctx.wake_at(offer.eta + margin);  // check it is on time
    return;
  }
  // No neighbor we may ask holds it in time: a live chunk still spreading from the seeder, one our
  // neighbors evicted, or only slow holders. A holder may still appear, so the origin is asked only at the
  // last moment it can still make the deadline.
  if (now >= origin_by && ctx.origin_available()) {
    ctx.request_origin(chunk);
    return;
  }
  ctx.wake_at(origin_by);
}

}  // namespace shoal::peer
