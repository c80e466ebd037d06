#include "rarest_first.hpp"

#include <algorithm>

namespace shoal::peer {

bool rarer(const MissingChunk* a, const MissingChunk* b) {
  if (a->slot->availability != b->slot->availability) return a->slot->availability < b->slot->availability;
  if (a->slot->tiebreak != b->slot->tiebreak) return a->slot->tiebreak < b->slot->tiebreak;
  return a->seq < b->seq;
}

void request_rarest_first(SelectionContext& ctx, std::vector<const MissingChunk*>& chunks) {
  std::sort(chunks.begin(), chunks.end(), rarer);
  for (const MissingChunk* chunk : chunks) {
    if (!ctx.peer_capacity()) return;
    if (chunk->slot->availability == 0 || chunk->slot->peer_requests > 0 || chunk->slot->origin_pending) continue;
    PeerOffer offer = ctx.best_peer(*chunk);
    if (offer.found()) ctx.request_peer(*chunk, offer);
  }
}

}  // namespace shoal::peer
