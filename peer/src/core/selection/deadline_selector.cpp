// Shoal's policy. Urgent zone (deadline within urgent_window): deadline order,
// each chunk from the neighbor expected to deliver before its deadline, a
// duplicate request when that one runs late (endgame), else the origin.
// Prefetch zone: rarest-first among neighbors, random tie-break, so the mesh
// keeps many distinct chunks to trade.
#include "deadline_selector.hpp"

#include "origin_fallback.hpp"
#include "rarest_first.hpp"

namespace shoal::peer {

void DeadlineSelector::select(SelectionContext& ctx) {
  const Time now = ctx.now();
  const Time urgent = ctx.config().urgent_window;
  prefetch_.clear();
  for (const MissingChunk& chunk : ctx.missing()) {
    if (chunk.deadline - now <= urgent) {
      handle_urgent(ctx, chunk);
    } else {
      prefetch_.push_back(&chunk);
      ctx.wake_at(chunk.deadline - urgent);
    }
  }
  request_rarest_first(ctx, prefetch_);
}

}  // namespace shoal::peer
