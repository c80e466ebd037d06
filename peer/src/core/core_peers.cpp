// Connections: handshake, message dispatch, bans, and housekeeping (peer set,
// keepalives, timeouts, rechoke timing, peer exchange, eviction).
#include <algorithm>
#include <type_traits>

#include "core_state.hpp"

namespace shoal::peer {

namespace {
constexpr std::size_t kMaxHaveRange = ChunkBitmap::kMaxSpan;
constexpr std::size_t kMaxPex = 50;

// Addresses arrive as text from the driver (IPv4-mapped IPv6 already written as IPv4, protocol/address_text.hpp).
bool loopback(const std::string& host) { return host.starts_with("127.") || host == "::1"; }
}  // namespace

void PeerCore::State::on_connected(ConnectionId conn, const protocol::PeerAddress& remote, bool outbound) {
  if (outbound) pending_connects.erase(PeerSet::key(remote));
  if (neighbors.count(conn)) return;
  if (outbound && peer_set.banned_address(remote)) {
    actions.push_back(Disconnect{conn, "too many connections"});
    return;
  }
  if (!outbound && !loopback(remote.host)) {
    const auto same = std::count_if(neighbors.begin(), neighbors.end(),
                                    [&](const auto& kv) { return kv.second.remote.host == remote.host; });
    if (same >= cfg.max_connections_per_address) {
      actions.push_back(Disconnect{conn, "too many connections from " + remote.host});
      return;
    }
  }
  if (static_cast<int>(neighbors.size()) >= cfg.max_neighbors && !(cfg.seed && make_room_for_newcomer())) {
    actions.push_back(Disconnect{conn, "too many connections"});
    return;
  }
  Neighbor& n = neighbors[conn];
  n.conn = conn;
  n.remote = remote;
  n.outbound = outbound;
  n.connected_at = n.last_heard = n.last_useful = now_;
  send(n,
       protocol::Handshake{protocol::kProtocolVersion, cfg.swarm_id, cfg.peer_id, cfg.listen_port, cfg.max_upload_bps});
}

void PeerCore::State::on_handshake(Neighbor& n, const protocol::Handshake& hs) {
  const ConnectionId conn = n.conn;
  if (hs.protocol_version != protocol::kProtocolVersion) return remove_neighbor(conn, "protocol version", true);
  if (hs.swarm_id != cfg.swarm_id) return remove_neighbor(conn, "swarm mismatch", true);
  if (hs.peer_id == cfg.peer_id) return remove_neighbor(conn, "connected to self", true);
  if (peer_set.banned_id(hs.peer_id)) return remove_neighbor(conn, "banned", true);
  for (auto& [id, other] : neighbors) {
    if (id == conn || !other.handshaken || other.peer_id != hs.peer_id) continue;
    // Both ends dialled each other at once. Each must drop the same one of the two, or both go: keep the
    // connection the smaller peer id opened (libtorrent's rule); the same direction twice keeps the first.
    const bool we_opened_new = n.outbound;
    const bool keep_new = we_opened_new != other.outbound && we_opened_new == (cfg.peer_id < hs.peer_id);
    if (!keep_new) return remove_neighbor(conn, "duplicate connection", true);
    const std::size_t dropped = pex_dropped.size();
    remove_neighbor(id, "duplicate connection", true);
    pex_dropped.resize(dropped);  // the peer stays a neighbor, over the other connection
    break;
  }
  n.handshaken = true;
  ++handshaken_count;
  n.peer_id = hs.peer_id;
  n.listen_port = hs.listen_port;
  n.upload_bps = hs.upload_bps;
  send_map(n);
  if (!cfg.seed && !complete()) send(n, protocol::Interested{});
  if (n.dial_address().port != 0) pex_added.push_back(n.dial_address());
}

void PeerCore::State::send_map(Neighbor& n) {
  // Availability relative to the window: from the first chunk we hold to the last. A super-seed shows only
  // what it would still serve (BitTorrent's super-seeding hides the rest): a newcomer asking for a chunk
  // already given out gets refused, and asking for each in turn is a round trip apiece.
  auto shown = [&](Seq s) {
    const ChunkSlot* slot = window.find(s);
    return slot && slot->held() && !(cfg.seed && spread_enough(*slot));
  };
  Seq first = window.end(), last = window.begin();
  for (Seq s = window.begin(); s < window.end(); ++s) {
    if (shown(s)) {
      first = std::min(first, s);
      last = s;
    }
  }
  if (first <= last && first < window.end()) {
    protocol::HaveRange range;
    range.first = first;
    range.held.resize(static_cast<std::size_t>(std::min<Seq>(last - first + 1, kMaxHaveRange)));
    for (std::size_t i = 0; i < range.held.size(); ++i) range.held[i] = shown(first + i);
    send(n, std::move(range));
  }
}

void PeerCore::State::on_message(Neighbor& n, protocol::Message message) {
  n.last_heard = now_;
  if (!n.handshaken) {
    if (auto* hs = std::get_if<protocol::Handshake>(&message)) return on_handshake(n, *hs);
    return remove_neighbor(n.conn, "message before handshake", true);
  }
  std::visit(
      [&](auto& m) {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, protocol::Have>) {
          note_have(n, m.seq);
        } else if constexpr (std::is_same_v<M, protocol::HaveRange>) {
          std::size_t count = std::min(m.held.size(), kMaxHaveRange);
          for (std::size_t i = 0; i < count; ++i)
            if (m.held[i]) note_have(n, m.first + i);
        } else if constexpr (std::is_same_v<M, protocol::Interested>) {
          on_interested(n);
        } else if constexpr (std::is_same_v<M, protocol::NotInterested>) {
          on_not_interested(n);
        } else if constexpr (std::is_same_v<M, protocol::Choke>) {
          set_peer_choking(n, true);
          while (!n.requests.empty()) drop_request(n, n.requests.front().seq);
          dirty = true;
        } else if constexpr (std::is_same_v<M, protocol::Unchoke>) {
          set_peer_choking(n, false);
          dirty = true;
        } else if constexpr (std::is_same_v<M, protocol::Request>) {
          on_request(n, m);
        } else if constexpr (std::is_same_v<M, protocol::Cancel>) {
          on_cancel(n, m.seq);
        } else if constexpr (std::is_same_v<M, protocol::ChunkData>) {
          on_chunk_data(n, std::move(m));
        } else if constexpr (std::is_same_v<M, protocol::Reject>) {
          // A request its Choke already cancelled is refused too (set_choke): that says nothing about
          // the chunk, and taking it for "not held" hid the chunk at that neighbor for good.
          const bool outstanding = n.find_request(m.seq) != nullptr;
          drop_request(n, m.seq);
          if (outstanding && m.busy) {
            // It holds the chunk but is saturated: ask no more of it than it has queued for us, and,
            // when that is nothing, others first and it again after a pause.
            n.request_limit = std::max<std::size_t>(1, n.requests.size());
            if (n.requests.empty()) n.busy_until = now_ + cfg.busy_backoff;
          } else if (outstanding && n.have.test(m.seq)) {
            // It no longer has the chunk (evicted) or will not serve it: look elsewhere.
            n.have.clear(m.seq);
            if (ChunkSlot* slot = window.find(m.seq); slot && slot->known && slot->availability > 0) {
              --slot->availability;
            }
          }
          dirty = true;
        } else if constexpr (std::is_same_v<M, protocol::PeerExchange>) {
          peer_set.add_candidates(m.added);
          fill_peer_set();
        }
        // Handshake (repeated) and KeepAlive need nothing beyond last_heard.
      },
      message);
}

void PeerCore::State::remove_neighbor(ConnectionId conn, const std::string& reason, bool tell_driver) {
  Neighbor* n = find(conn);
  if (!n) return;
  for (auto& r : n->requests) {
    if (ChunkSlot* slot = window.find(r.seq); slot && slot->peer_requests > 0) --slot->peer_requests;
    --fetches.to_neighbors;
  }
  if (n->have.any()) {
    for (Seq s = window.begin(); s < window.end(); ++s) {
      ChunkSlot* slot = window.find(s);
      if (slot->known && slot->availability > 0 && n->have.test(s)) --slot->availability;
    }
  }
  choker.forget(conn);
  unsent_total -= std::min(unsent_total, n->unsent_bytes);
  uplink.on_abandoned(unsent_total);
  set_peer_choking(*n, true);  // off the unchoking_us list before the map entry goes
  if (n->handshaken && n->dial_address().port != 0) pex_dropped.push_back(n->dial_address());
  if (!n->am_choking) choker.rechoke_soon(now_);  // refill the freed slot soon
  if (tell_driver) actions.push_back(Disconnect{conn, reason});
  if (n->handshaken) --handshaken_count;
  neighbors.erase(conn);
  dirty = true;
}

void PeerCore::State::set_peer_choking(Neighbor& n, bool choking) {
  if (n.peer_choking == choking) return;
  n.peer_choking = choking;
  auto by_conn = [](const Neighbor* a, const Neighbor* b) { return a->conn < b->conn; };
  auto it = std::lower_bound(unchoking_us.begin(), unchoking_us.end(), &n, by_conn);
  if (choking) {
    if (it != unchoking_us.end() && *it == &n) unchoking_us.erase(it);
  } else {
    unchoking_us.insert(it, &n);
  }
}

void PeerCore::State::ban(Neighbor& n, const std::string& reason) {
  peer_set.ban(n.dial_address(), n.peer_id);
  if (n.outbound) peer_set.ban(n.remote, n.peer_id);
  ++stats.peers_banned;
  remove_neighbor(n.conn, reason, true);
}

void PeerCore::State::announce(int want) {
  joined = true;
  last_announce = now_;
  actions.push_back(AnnounceToTracker{playhead.position(), want});
}

void PeerCore::State::fill_peer_set() {
  // A seed does not announce (the origin lists it at the tracker) but dials peer-exchange candidates
  // when short of neighbors: once its neighbors have a whole file, the rest of the swarm needs it.
  if (static_cast<int>(connection_count()) >= cfg.min_neighbors) return;
  // Runs every housekeeping tick while short of neighbors: the key set is built only when there is
  // someone to dial (it was a tenth of a 3,000-peer simulation's time).
  if (peer_set.candidates() > 0) {
    std::unordered_set<std::string> connected = pending_connects;
    for (auto& [id, n] : neighbors) {
      connected.insert(PeerSet::key(n.remote));
      connected.insert(PeerSet::key(n.dial_address()));
    }
    while (static_cast<int>(connection_count()) < cfg.min_neighbors) {
      auto candidate = peer_set.next(cfg.neighbor_policy, connected, rng_);
      if (!candidate) break;
      std::string key = PeerSet::key(*candidate);
      pending_connects.insert(key);
      connected.insert(key);
      actions.push_back(ConnectTo{*candidate});
    }
  }
  if (cfg.seed || !joined) return;
  if (static_cast<int>(connection_count()) < cfg.min_neighbors && now_ - last_announce >= cfg.announce_interval) {
    announce();
  } else if (now_ - last_announce >= cfg.reannounce_interval) {
    announce(0);  // only to stay listed: asking for peers would churn a neighbor set that suffices
  }
}

void PeerCore::State::maintain() {
  next_tick = now_ + cfg.maintenance_interval;
  std::vector<std::pair<ConnectionId, const char*>> drop;
  for (auto& [id, n] : neighbors) {
    if (!n.handshaken && now_ - n.connected_at > cfg.handshake_timeout) {
      drop.emplace_back(id, "handshake timeout");
    } else if (now_ - n.last_heard > cfg.peer_timeout) {
      drop.emplace_back(id, "peer timeout");
    } else if (n.handshaken && now_ - n.last_sent >= cfg.keepalive_interval) {
      send(n, protocol::KeepAlive{});
    }
    check_slow_reader(n, drop);
    n.have.trim_below(window.begin());
  }
  // Make room for a better neighbor when one that exchanged nothing for long is holding a place.
  if (!cfg.seed && static_cast<int>(connection_count()) >= cfg.min_neighbors && peer_set.candidates() > 0) {
    ConnectionId worst = 0;
    Seq worst_distance = 0;
    for (auto& [id, n] : neighbors) {
      if (!n.handshaken || now_ - n.last_useful <= cfg.useless_timeout) continue;
      Seq pos = playhead.position();
      Seq distance = n.have.highest() > pos ? n.have.highest() - pos : pos - n.have.highest();
      if (worst == 0 || (cfg.neighbor_policy == NeighborPolicy::position && distance > worst_distance)) {
        worst = id;
        worst_distance = distance;
      }
    }
    if (worst != 0) drop.emplace_back(worst, "useless");
  }
  // Holding a whole finished channel, a neighbor that wants nothing from us is complete too: two seeds
  // have nothing to trade, and the place is worth more to a peer still downloading (libtorrent's
  // close_redundant_connections). Not before it had time to say it is interested.
  if (complete()) {
    for (auto& [id, n] : neighbors)
      if (n.handshaken && !n.peer_interested && now_ - n.connected_at > cfg.maintenance_interval)
        drop.emplace_back(id, "both complete");
  }
  for (auto& [id, reason] : drop) remove_neighbor(id, reason, true);

  run_choker();
  if (now_ >= next_pex && (!pex_added.empty() || !pex_dropped.empty())) {
    for (auto& [id, n] : neighbors) {
      if (!n.handshaken) continue;
      protocol::PeerExchange pex;
      for (auto& a : pex_added)
        if (a.peer_id != n.peer_id && pex.added.size() < kMaxPex) pex.added.push_back(a);
      for (auto& a : pex_dropped)
        if (pex.dropped.size() < kMaxPex) pex.dropped.push_back(a);
      if (!pex.added.empty() || !pex.dropped.empty()) send(n, std::move(pex));
    }
    pex_added.clear();
    pex_dropped.clear();
    next_pex = now_ + cfg.pex_interval;
  }
  fill_peer_set();
  evict_old();
  update_interest();
  if (injects()) reinject_stale();
}

}  // namespace shoal::peer
