// The comparison policies (docs/peer.md): BitTorrent rarest-first, sequential,
// BiToS, and client-server.
#pragma once

#include "piece_selector.hpp"

namespace shoal::peer {

/// BitTorrent: rarest-first over the whole window; the origin only once the playhead has reached
/// a missing chunk (a naive fallback at the deadline).
class RarestSelector final : public PieceSelector {
 public:
  void select(SelectionContext& ctx) override;

 private:
  std::vector<const MissingChunk*> chunks_;
};

/// Sequential (WebTorrent's default): lowest missing chunk first, origin by the deadline rule.
class InOrderSelector final : public PieceSelector {
 public:
  void select(SelectionContext& ctx) override;
};

/// BiToS: the next chunk comes from the high-priority set (deadline within urgent_window) with
/// probability p, else from the remaining set; rarest-first inside each; origin by the deadline rule.
class BitosSelector final : public PieceSelector {
 public:
  explicit BitosSelector(double p) : p_(p) {}
  void select(SelectionContext& ctx) override;

 private:
  double p_;
  std::vector<const MissingChunk*> high_, rest_;
};

/// Client-server: every chunk from the origin, in order, max_origin_fetches at a time.
class OriginOnlySelector final : public PieceSelector {
 public:
  void select(SelectionContext& ctx) override;
};

}  // namespace shoal::peer
