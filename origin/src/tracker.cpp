#include "shoal/origin/tracker.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <vector>

namespace shoal::origin {

void Tracker::expire_locked(Clock::time_point now) {
  for (auto it = peers_.begin(); it != peers_.end();) {
    if (it->second.expires <= now) {
      forget_locked(it++);
    } else {
      ++it;
    }
  }
}

void Tracker::forget_locked(std::map<std::string, Peer>::iterator it) {
  if (auto n = per_source_.find(it->second.source); n != per_source_.end() && --n->second == 0) per_source_.erase(n);
  peers_.erase(it);
}

std::size_t Tracker::active(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  expire_locked(now);
  // The origin's seeder is listed, not watching.
  return static_cast<std::size_t>(
      std::count_if(peers_.begin(), peers_.end(), [](const auto& item) { return !item.second.host.empty(); }));
}

namespace {
bool is_loopback(const std::string& host) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}
}  // namespace

void Tracker::list_seeder(const std::string& peer_id, std::uint32_t port, std::uint64_t playhead,
                          Clock::time_point now) {
  std::lock_guard lock(mutex_);
  peers_[peer_id] = Peer{"", port, playhead, now + ttl(), true, ""};
}

void Tracker::set_probe(Probe probe) {
  std::lock_guard lock(mutex_);
  probe_ = std::move(probe);
}

void Tracker::mark_connectable(const std::string& peer_id, const std::string& host, std::uint32_t port,
                               bool connectable, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  expire_locked(now);
  auto it = peers_.find(peer_id);
  if (it != peers_.end() && it->second.host == host && it->second.port == port) it->second.connectable = connectable;
}

std::size_t Tracker::per_source(const std::string& source) const {
  auto it = per_source_.find(source);
  return it == per_source_.end() ? 0 : it->second;
}

std::size_t Tracker::unreachable(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  expire_locked(now);
  return static_cast<std::size_t>(std::count_if(peers_.begin(), peers_.end(), [](const auto& item) {
    return item.second.port != 0 && item.second.connectable == false;
  }));
}

wire::AnnounceReply Tracker::announce(const wire::AnnounceRequest& request, const std::string& source_host,
                                      const std::string& local_host, Clock::time_point now) {
  Probe probe;
  std::string probe_host;
  std::uint32_t probe_port = 0;
  wire::AnnounceReply reply = announce_locked(request, source_host, local_host, now, probe, probe_host, probe_port);
  if (probe) probe(request.peer_id(), probe_host, probe_port);
  return reply;
}

wire::AnnounceReply Tracker::announce_locked(const wire::AnnounceRequest& request, const std::string& source_host,
                                             const std::string& local_host, Clock::time_point now, Probe& probe,
                                             std::string& probe_host, std::uint32_t& probe_port) {
  std::lock_guard lock(mutex_);
  expire_locked(now);
  const std::string& id = request.peer_id();
  auto found = peers_.find(id);
  // An entry answers only to the address that made it: nobody else can move or remove it by reusing its id.
  const bool owner = found == peers_.end() || found->second.source == source_host;
  const bool bounded = is_loopback(source_host) || per_source(source_host) < kMaxPeersPerAddress;
  if (!owner || id.empty() || id.size() > 64) {
    // Not stored; the caller still gets peers.
  } else if (request.event() == wire::AnnounceRequest::STOPPED) {
    if (found != peers_.end()) forget_locked(found);
  } else if (found != peers_.end() || (bounded && peers_.size() < kMaxEntries)) {
    if (found == peers_.end()) {
      found = peers_.emplace(id, Peer{}).first;
      found->second.source = source_host;
      ++per_source_[source_host];
    }
    Peer& peer = found->second;
    const std::string& claimed = request.host();
    std::string host = !claimed.empty() && (claimed == source_host || is_loopback(source_host)) ? claimed : source_host;
    if (host != peer.host || request.listen_port() != peer.port) {
      peer.host = std::move(host);
      peer.port = request.listen_port();
      peer.connectable.reset();
      if (peer.port != 0 && probe_) {
        probe = probe_;
        probe_host = peer.host;
        probe_port = peer.port;
      }
    }
    peer.playhead = request.playhead_seq();
    peer.expires = now + ttl();
  }

  wire::AnnounceReply reply;
  reply.set_interval_s(static_cast<std::uint32_t>(interval_.count()));
  if (request.event() == wire::AnnounceRequest::STOPPED) return reply;
  const std::uint32_t want = std::min(request.want(), kMaxPeers);
  if (want == 0) return reply;
  const std::uint64_t mine = request.playhead_seq();
  std::vector<std::pair<std::uint64_t, const std::pair<const std::string, Peer>*>> ranked;
  for (const auto& item : peers_) {
    // Peers accepting no connections are known (they count as viewers) but not listed.
    if (item.first == id || item.second.port == 0 || item.second.connectable == false) continue;
    const std::uint64_t p = item.second.playhead;
    ranked.emplace_back(p > mine ? p - mine : mine - p, &item);
  }
  const std::size_t n = std::min<std::size_t>(want, ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(n), ranked.end(),
                    [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < n; ++i) {
    const auto& [peer_id, peer] = *ranked[i].second;
    wire::PeerAddress* out = reply.add_peers();
    out->set_host(peer.host.empty() ? local_host : peer.host);
    out->set_port(peer.port);
    out->set_peer_id(peer_id);
    out->set_playhead_seq(peer.playhead);
  }
  return reply;
}

}  // namespace shoal::origin
