#include "shoal/origin/tracker.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <iterator>

#include "shoal/protocol/address_text.hpp"

namespace shoal::origin {
namespace {

// 128 bits from OpenSSL's CSPRNG: a stranger who sees every reply (ids, addresses, playheads) still cannot
// guess an entry's secret.
std::string new_secret() {
  std::string secret(16, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()), static_cast<int>(secret.size())) != 1)
    return {};  // no entropy: the entry is made but nobody can change it, and it expires
  return secret;
}

bool owns(const std::string& claimed, const std::string& secret) {
  return !secret.empty() && claimed.size() == secret.size() &&
         CRYPTO_memcmp(claimed.data(), secret.data(), secret.size()) == 0;
}

}  // namespace

void Tracker::index_locked(Entry it) {
  const Peer& p = it->second;
  by_expiry_.emplace(p.expires, std::string_view(it->first));
  if (p.listed()) by_playhead_.emplace(std::pair<std::uint64_t, std::string_view>(p.playhead, it->first), &p);
  if (p.viewer()) ++viewers_;
  if (p.unreachable()) ++unreachable_;
}

void Tracker::unindex_locked(Entry it) {
  const Peer& p = it->second;
  by_expiry_.erase({p.expires, std::string_view(it->first)});
  if (p.listed()) by_playhead_.erase({p.playhead, std::string_view(it->first)});
  if (p.viewer()) --viewers_;
  if (p.unreachable()) --unreachable_;
}

void Tracker::expire_locked(Clock::time_point now) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now)
    forget_locked(peers_.find(std::string(by_expiry_.begin()->second)));
}

void Tracker::forget_locked(Entry it) {
  unindex_locked(it);
  release_source_locked(it->second.source);
  peers_.erase(it);
}

void Tracker::release_source_locked(const std::string& source) {
  if (auto n = per_source_.find(source); n != per_source_.end() && --n->second == 0) per_source_.erase(n);
}

std::size_t Tracker::active(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  expire_locked(now);
  return viewers_;  // the origin's seeder is listed, not watching
}

void Tracker::list_seeder(const std::string& peer_id, std::uint32_t port, std::uint64_t playhead,
                          Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (auto it = peers_.find(peer_id); it != peers_.end()) forget_locked(it);
  index_locked(peers_.emplace(peer_id, Peer{"", port, playhead, now + ttl(), true, "", ""}).first);
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
  if (it == peers_.end() || it->second.host != host || it->second.port != port) return;
  unindex_locked(it);
  it->second.connectable = connectable;
  index_locked(it);
}

std::size_t Tracker::per_source(const std::string& source) const {
  auto it = per_source_.find(source);
  return it == per_source_.end() ? 0 : it->second;
}

std::size_t Tracker::unreachable(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  expire_locked(now);
  return unreachable_;
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
  // An entry answers only to whoever made it: nobody else can move or remove it by reusing its id.
  const bool owner = found == peers_.end() || owns(request.secret(), found->second.secret);
  const bool bounded = protocol::is_loopback_text(source_host) || per_source(source_host) < kMaxPeersPerAddress;
  wire::AnnounceReply reply;
  if (!owner || id.empty() || id.size() > 64) {
    // Not stored; the caller still gets peers.
  } else if (request.event() == wire::AnnounceRequest::STOPPED) {
    if (found != peers_.end()) forget_locked(found);
  } else if (found != peers_.end() || (bounded && peers_.size() < kMaxEntries)) {
    if (found == peers_.end()) {
      found = peers_.emplace(id, Peer{}).first;
      found->second.secret = new_secret();
      reply.set_secret(found->second.secret);
    } else {
      unindex_locked(found);
      release_source_locked(found->second.source);
    }
    found->second.source = source_host;
    ++per_source_[source_host];
    Peer& peer = found->second;
    const std::string& claimed = request.host();
    std::string host =
        !claimed.empty() && (claimed == source_host || protocol::is_loopback_text(source_host)) ? claimed : source_host;
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
    index_locked(found);
  }

  reply.set_interval_s(static_cast<std::uint32_t>(interval_.count()));
  if (request.event() == wire::AnnounceRequest::STOPPED) return reply;
  const std::uint32_t want = std::min(request.want(), kMaxPeers);
  if (want == 0) return reply;
  add_nearest_locked(reply, id, request.playhead_seq(), want, local_host);
  return reply;
}

void Tracker::add_nearest_locked(wire::AnnounceReply& reply, const std::string& caller, std::uint64_t mine,
                                 std::uint32_t want, const std::string& local_host) const {
  // Outward from the caller's playhead, the nearer side first (ahead on a tie): O(want), not O(entries).
  auto ahead = by_playhead_.lower_bound({mine, std::string_view()});
  auto behind = ahead;  // entries before it play behind the caller
  std::uint32_t added = 0;
  while (added < want && (ahead != by_playhead_.end() || behind != by_playhead_.begin())) {
    bool take_ahead = behind == by_playhead_.begin();
    if (!take_ahead && ahead != by_playhead_.end())
      take_ahead = ahead->first.first - mine <= mine - std::prev(behind)->first.first;
    const auto& [key, entry] = take_ahead ? *ahead++ : *--behind;
    const std::string_view peer_id = key.second;
    if (peer_id == caller) continue;
    const Peer& peer = *entry;
    wire::PeerAddress* out = reply.add_peers();
    out->set_host(peer.host.empty() ? local_host : peer.host);
    out->set_port(peer.port);
    out->set_peer_id(std::string(peer_id));
    out->set_playhead_seq(peer.playhead);
    ++added;
  }
}

}  // namespace shoal::origin
