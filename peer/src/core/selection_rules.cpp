#include <algorithm>

#include "piece_selector.hpp"

namespace shoal::peer {

Time origin_start_by(SelectionContext& ctx, const MissingChunk& chunk) {
  Time transfer = ctx.origin_eta(chunk) - ctx.now();
  return chunk.deadline - transfer - ctx.config().fallback_margin;
}

void request_rarest_first(SelectionContext& ctx, std::vector<const MissingChunk*>& chunks) {
  std::sort(chunks.begin(), chunks.end(), [](const MissingChunk* a, const MissingChunk* b) {
    if (a->slot->availability != b->slot->availability) return a->slot->availability < b->slot->availability;
    if (a->slot->tiebreak != b->slot->tiebreak) return a->slot->tiebreak < b->slot->tiebreak;
    return a->seq < b->seq;
  });
  for (const MissingChunk* chunk : chunks) {
    if (!ctx.peer_capacity()) return;
    if (chunk->slot->availability == 0 || chunk->slot->peer_requests > 0 || chunk->slot->origin_pending) continue;
    PeerOffer offer = ctx.best_peer(*chunk);
    if (offer.found()) ctx.request_peer(*chunk, offer);
  }
}

void handle_urgent(SelectionContext& ctx, const MissingChunk& chunk) {
  const ChunkSlot& slot = *chunk.slot;
  if (slot.origin_pending) return;
  const Time now = ctx.now();
  const Time margin = ctx.config().fallback_margin;
  const Time origin_by = origin_start_by(ctx, chunk);
  if (slot.peer_requests > 0) {
    Time pending = ctx.pending_eta(chunk);
    // On track, or late but still sooner than the origin could deliver (an overloaded origin is
    // measured slow): a duplicate to the origin would only add to its load.
    if (pending > now && (pending + margin <= chunk.deadline || pending <= ctx.origin_eta(chunk))) {
      // On track; look again when it should have arrived or when the origin would be the last resort.
      ctx.wake_at(pending);
      ctx.wake_at(origin_by);
      return;
    }
    // Late or overdue: endgame. A second neighbor that can still make it gets a duplicate request;
    // the loser is cancelled when the chunk arrives.
    if (slot.peer_requests < 2) {
      PeerOffer offer = ctx.best_peer(chunk);
      if (offer.found() && offer.eta + margin <= chunk.deadline) {
        ctx.request_peer(chunk, offer);
        ctx.wake_at(offer.eta);
        return;
      }
    }
    if (now >= origin_by && ctx.origin_available()) {
      ctx.request_origin(chunk);
      return;
    }
    ctx.wake_at(origin_by);
    return;
  }
  PeerOffer offer = ctx.best_peer(chunk);
  // A neighbor in time, or — once the deadline cannot be met (a stall, a late start-up) — one expected
  // no later than the origin: sending everyone who runs late to the origin is what overloads it.
  if (offer.found() &&
      (offer.eta + margin <= chunk.deadline || (now >= origin_by && offer.eta <= ctx.origin_eta(chunk)))) {
    ctx.request_peer(chunk, offer);
    ctx.wake_at(offer.eta);  // check it is on time, then
    return;
  }
  // No neighbor can deliver in time now: none holds it yet (a live chunk still spreading from the
  // seeder), or those that do are too slow. A faster holder may still appear, so the origin is asked
  // only at the last moment it can still make it: the origin is not over-fetched.
  if (now >= origin_by && ctx.origin_available()) {
    ctx.request_origin(chunk);
    return;
  }
  ctx.wake_at(origin_by);
}

}  // namespace shoal::peer
