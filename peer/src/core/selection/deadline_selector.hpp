#pragma once

#include "piece_selector.hpp"

namespace shoal::peer {

class DeadlineSelector final : public PieceSelector {
 public:
  void select(SelectionContext& ctx) override;

 private:
  std::vector<const MissingChunk*> prefetch_;  // reused: no allocation per run
};

}  // namespace shoal::peer
