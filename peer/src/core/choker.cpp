#include "choker.hpp"

#include <algorithm>

namespace shoal::peer {

std::vector<ConnectionId> Choker::rechoke(const std::vector<ChokeCandidate>& candidates, bool nothing_to_download,
                                          bool rotate, std::mt19937_64& rng) {
  std::vector<const ChokeCandidate*> ranked;
  for (auto& c : candidates) {
    // While we download, free-riders are left to the optimistic slot; a peer with nothing to
    // download has no reciprocity to ask for.
    if (c.interested && (nothing_to_download || !c.free_rider)) ranked.push_back(&c);
  }
  auto key = [nothing_to_download](const ChokeCandidate* c) {
    return nothing_to_download ? c->sent_rate : c->received_rate;
  };
  std::stable_sort(ranked.begin(), ranked.end(),
                   [&](const ChokeCandidate* a, const ChokeCandidate* b) { return key(a) > key(b); });
  std::vector<ConnectionId> unchoked;
  for (auto* c : ranked) {
    if (static_cast<int>(unchoked.size()) >= slots_) break;
    unchoked.push_back(c->conn);
  }
  auto is_regular = [&](ConnectionId conn) {
    return std::find(unchoked.begin(), unchoked.end(), conn) != unchoked.end();
  };
  bool keep = !rotate && optimistic_ != 0 && !is_regular(optimistic_) &&
              std::any_of(candidates.begin(), candidates.end(),
                          [&](const ChokeCandidate& c) { return c.conn == optimistic_ && c.interested; });
  if (!keep) {
    std::vector<ConnectionId> pool;
    for (auto& c : candidates)
      if (c.interested && c.holds_nothing && !is_regular(c.conn) && c.conn != optimistic_) pool.push_back(c.conn);
    if (pool.empty()) {
      for (auto& c : candidates)
        if (c.interested && !is_regular(c.conn) && (c.conn != optimistic_ || candidates.size() == 1)) {
          pool.push_back(c.conn);
        }
    }
    if (pool.empty()) {
      for (auto& c : candidates)
        if (c.interested && !is_regular(c.conn)) pool.push_back(c.conn);
    }
    optimistic_ = pool.empty() ? 0 : pool[std::uniform_int_distribution<std::size_t>(0, pool.size() - 1)(rng)];
  }
  if (optimistic_ != 0) unchoked.push_back(optimistic_);
  return unchoked;
}

}  // namespace shoal::peer
