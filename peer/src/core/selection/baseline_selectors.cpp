#include "baseline_selectors.hpp"

#include <algorithm>

#include "origin_fallback.hpp"
#include "rarest_first.hpp"

namespace shoal::peer {

namespace {
bool requestable(const MissingChunk& chunk) {
  return chunk.slot->peer_requests == 0 && !chunk.slot->origin_pending && chunk.slot->availability > 0;
}
}  // namespace

void RarestSelector::select(SelectionContext& ctx) {
  chunks_.clear();
  for (const MissingChunk& chunk : ctx.missing()) {
    if (chunk.slot->origin_pending) continue;
    if (chunk.deadline <= ctx.now() && ctx.origin_available()) {
      ctx.request_origin(chunk);
      continue;
    }
    // Late and the origin cannot take it (failing, or at its fetch cap): a holder is the only source.
    ctx.wake_at(chunk.deadline);
    chunks_.push_back(&chunk);
  }
  request_rarest_first(ctx, chunks_);
}

void InOrderSelector::select(SelectionContext& ctx) {
  for (const MissingChunk& chunk : ctx.missing()) {
    if (chunk.slot->origin_pending) continue;
    Time origin_by = origin_start_by(ctx, chunk);
    if (ctx.now() >= origin_by && chunk.slot->peer_requests == 0 && ctx.origin_available()) {
      ctx.request_origin(chunk);
      continue;
    }
    // Late and the origin cannot take it (failing, or at its fetch cap): a holder is the only source;
    // waiting for the origin alone stalls playback for good while the origin is down.
    ctx.wake_at(origin_by);
    if (!requestable(chunk) || !ctx.peer_capacity()) continue;
    PeerOffer offer = ctx.best_peer(chunk);
    if (offer.found()) ctx.request_peer(chunk, offer);
  }
}

void BitosSelector::select(SelectionContext& ctx) {
  high_.clear();
  rest_.clear();
  const Time now = ctx.now();
  for (const MissingChunk& chunk : ctx.missing()) {
    if (chunk.slot->origin_pending) continue;
    Time origin_by = origin_start_by(ctx, chunk);
    if (now >= origin_by && chunk.slot->peer_requests == 0 && ctx.origin_available()) {
      ctx.request_origin(chunk);
      continue;
    }
    // Late and the origin cannot take it: a holder is the only source (see InOrderSelector).
    ctx.wake_at(origin_by);
    if (!requestable(chunk)) continue;
    bool high = chunk.deadline - now <= ctx.config().urgent_window;
    (high ? high_ : rest_).push_back(&chunk);
    if (!high) ctx.wake_at(chunk.deadline - ctx.config().urgent_window);
  }
  std::sort(high_.begin(), high_.end(), rarer);
  std::sort(rest_.begin(), rest_.end(), rarer);
  std::bernoulli_distribution pick_high(p_);
  std::size_t h = 0, r = 0;
  while ((h < high_.size() || r < rest_.size()) && ctx.peer_capacity()) {
    bool from_high = r >= rest_.size() || (h < high_.size() && pick_high(ctx.rng()));
    const MissingChunk& chunk = from_high ? *high_[h++] : *rest_[r++];
    PeerOffer offer = ctx.best_peer(chunk);
    if (offer.found()) ctx.request_peer(chunk, offer);
  }
}

void OriginOnlySelector::select(SelectionContext& ctx) {
  for (const MissingChunk& chunk : ctx.missing()) {
    if (!ctx.origin_available()) return;
    if (!chunk.slot->origin_pending) ctx.request_origin(chunk);
  }
}

}  // namespace shoal::peer
