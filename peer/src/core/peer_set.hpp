// Candidates to connect to (from the tracker and peer exchange) and the ban
// list. The `position` policy keeps the tracker's order (it returns peers
// nearest our playhead first, peer-exchange entries after them);
// `random` draws uniformly.
#pragma once

#include <deque>
#include <optional>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "shoal/peer/core/config.hpp"
#include "shoal/protocol/message.hpp"

namespace shoal::peer {

class PeerSet {
 public:
  explicit PeerSet(std::string own_peer_id) : own_id_(std::move(own_peer_id)) {}

  void add_candidates(const std::vector<protocol::PeerAddress>& peers);
  /// Next candidate not in `connected` (address keys) and not banned.
  std::optional<protocol::PeerAddress> next(NeighborPolicy policy, const std::unordered_set<std::string>& connected,
                                            std::mt19937_64& rng);
  std::size_t candidates() const { return candidates_.size(); }

  void ban(const protocol::PeerAddress& address, const std::string& peer_id);
  bool banned_id(const std::string& peer_id) const { return !peer_id.empty() && banned_ids_.count(peer_id) > 0; }
  bool banned_address(const protocol::PeerAddress& address) const { return banned_addrs_.count(key(address)) > 0; }

  static std::string key(const protocol::PeerAddress& address) {
    return address.host + ":" + std::to_string(address.port);
  }

 private:
  std::string own_id_;
  std::deque<protocol::PeerAddress> candidates_;
  // Host and port of candidates_, so a peer is not queued twice. Not key()'s string: peer exchange brings
  // every neighbor's list each pex_interval, and building a string per entry was most of its cost.
  struct Queued {
    std::string host;
    std::uint16_t port = 0;
    bool operator==(const Queued&) const = default;
  };
  struct QueuedHash {
    std::size_t operator()(const Queued& q) const noexcept { return std::hash<std::string>{}(q.host) * 31 + q.port; }
  };
  std::unordered_set<Queued, QueuedHash> queued_;
  std::unordered_set<std::string> banned_ids_;
  std::unordered_set<std::string> banned_addrs_;
};

}  // namespace shoal::peer
