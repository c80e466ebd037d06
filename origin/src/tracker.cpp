#include "shoal/origin/tracker.hpp"

#include <algorithm>
#include <vector>

namespace shoal::origin {

void Tracker::expire_locked(Clock::time_point now) {
  std::erase_if(peers_, [now](const auto& item) { return item.second.expires <= now; });
}

std::size_t Tracker::active(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  expire_locked(now);
  return peers_.size();
}

wire::AnnounceReply Tracker::announce(const wire::AnnounceRequest& request, const std::string& source_host,
                                      Clock::time_point now) {
  std::lock_guard lock(mutex_);
  expire_locked(now);
  const std::string& id = request.peer_id();
  if (request.event() == wire::AnnounceRequest::STOPPED) {
    peers_.erase(id);
  } else if (!id.empty()) {
    Peer& peer = peers_[id];
    peer.host = request.host().empty() ? source_host : request.host();
    peer.port = request.listen_port();
    peer.playhead = request.playhead_seq();
    peer.expires = now + ttl();
  }

  wire::AnnounceReply reply;
  reply.set_interval_s(static_cast<std::uint32_t>(interval_.count()));
  if (request.event() == wire::AnnounceRequest::STOPPED) return reply;
  const std::uint32_t want = request.want() == 0 ? kMaxPeers : std::min(request.want(), kMaxPeers);
  const std::uint64_t mine = request.playhead_seq();
  std::vector<std::pair<std::uint64_t, const std::pair<const std::string, Peer>*>> ranked;
  for (const auto& item : peers_) {
    // Peers accepting no connections are known (they count as viewers) but not listed.
    if (item.first == id || item.second.port == 0) continue;
    const std::uint64_t p = item.second.playhead;
    ranked.emplace_back(p > mine ? p - mine : mine - p, &item);
  }
  const std::size_t n = std::min<std::size_t>(want, ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(n), ranked.end(),
                    [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < n; ++i) {
    const auto& [peer_id, peer] = *ranked[i].second;
    wire::PeerAddress* out = reply.add_peers();
    out->set_host(peer.host);
    out->set_port(peer.port);
    out->set_peer_id(peer_id);
    out->set_playhead_seq(peer.playhead);
  }
  return reply;
}

}  // namespace shoal::origin
