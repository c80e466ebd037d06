#include "peer_set.hpp"

namespace shoal::peer {

namespace {
constexpr std::size_t kMaxCandidates = 500;
}

void PeerSet::add_candidates(const std::vector<protocol::PeerAddress>& peers) {
  // Peer exchange hands every neighbor's list to us every pex_interval: the full-list test comes first and
  // no key string is built unless addresses are banned, since this loop ran for half of a 100-peer
  // download's time.
  for (auto& p : peers) {
    if (candidates_.size() >= kMaxCandidates) break;
    if (p.port == 0 || (!p.peer_id.empty() && p.peer_id == own_id_) || banned_id(p.peer_id)) continue;
    if (!banned_addrs_.empty() && banned_addrs_.count(key(p))) continue;
    if (!queued_.insert(Queued{p.host, p.port}).second) continue;
    candidates_.push_back(p);
  }
}

std::optional<protocol::PeerAddress> PeerSet::next(NeighborPolicy policy,
                                                   const std::unordered_set<std::string>& connected,
                                                   std::mt19937_64& rng) {
  while (!candidates_.empty()) {
    std::size_t i = 0;
    if (policy == NeighborPolicy::random) {
      i = std::uniform_int_distribution<std::size_t>(0, candidates_.size() - 1)(rng);
    }
    protocol::PeerAddress p = candidates_[i];
    candidates_.erase(candidates_.begin() + static_cast<std::ptrdiff_t>(i));
    queued_.erase(Queued{p.host, p.port});
    if (connected.count(key(p)) || banned_id(p.peer_id) || banned_address(p)) continue;
    return p;
  }
  return std::nullopt;
}

void PeerSet::ban(const protocol::PeerAddress& address, const std::string& peer_id) {
  if (!peer_id.empty()) banned_ids_.insert(peer_id);
  if (address.port != 0) banned_addrs_.insert(key(address));
}

}  // namespace shoal::peer
