// Uploading: requests from unchoked neighbors are queued and served within
// the token bucket; the choker decides who is unchoked.
#include <algorithm>
#include <limits>

#include "core_state.hpp"

namespace shoal::peer {

void PeerCore::State::on_request(Neighbor& n, Seq seq) {
  ChunkSlot* slot = window.find(seq);
  // A seed that already gave this chunk out enough, to neighbors that still hold it, lets them spread it.
  bool spread = cfg.seed && cfg.seed_copies_per_chunk > 0 && slot && slot->copies_served >= cfg.seed_copies_per_chunk &&
                slot->availability > 0;
  if (n.am_choking || !slot || !slot->held() || spread) {
    send(n, protocol::Reject{seq});
    return;
  }
  if (n.upload_queued >= cfg.max_upload_queue_per_neighbor || upload_queue_full()) {
    send(n, protocol::Reject{seq, /*busy=*/true});
    return;
  }
  if (slot->copies_served < std::numeric_limits<std::uint16_t>::max()) ++slot->copies_served;
  // From now on they count as a holder: requests racing in before this copy is sent must not
  // each get a copy from a seed.
  note_have(n, seq);
  upload_queue.push_back({n.conn, seq});
  ++n.upload_queued;
}

bool PeerCore::State::upload_queue_full() const {
  if (cfg.max_upload_bps == 0 || upload_queue.empty()) return false;
  const double chunk = typical_chunk_bytes > 0 ? typical_chunk_bytes : 250'000.0;
  const double queued_s =
      static_cast<double>(upload_queue.size()) * chunk / (static_cast<double>(cfg.max_upload_bps) / 8.0);
  return queued_s >= static_cast<double>(cfg.max_upload_queue_time.count()) / 1e6;
}

void PeerCore::State::on_cancel(Neighbor& n, Seq seq) {
  auto it = std::find_if(upload_queue.begin(), upload_queue.end(),
                         [&](const UploadJob& j) { return j.conn == n.conn && j.seq == seq; });
  if (it == upload_queue.end()) return;
  upload_queue.erase(it);
  --n.upload_queued;
}

void PeerCore::State::pump_uploads() {
  upload_wake = Time::max();
  while (!upload_queue.empty()) {
    if (!bucket.ready(now_)) {
      upload_wake = bucket.ready_at(now_);
      return;
    }
    UploadJob job = upload_queue.front();
    upload_queue.pop_front();
    Neighbor* n = find(job.conn);
    if (!n) continue;
    --n->upload_queued;
    const ChunkSlot* slot = window.find(job.seq);
    if (!slot || !slot->held()) {
      send(*n, protocol::Reject{job.seq});
      continue;
    }
    const std::uint64_t size = slot->payload->size();
    bucket.consume(size, now_);
    stats.bytes_uploaded += size;
    n->sent.add(size, now_, cfg.rate_window);
    uploaded.add(size, now_, cfg.rechoke_interval);
    n->last_useful = now_;
    send(*n, protocol::ChunkData{job.seq, slot->payload});
  }
}

void PeerCore::State::set_choke(Neighbor& n, bool choke) {
  if (n.am_choking == choke) return;
  n.am_choking = choke;
  if (!choke) {
    send(n, protocol::Unchoke{});
    return;
  }
  send(n, protocol::Choke{});
  // Their queued requests will not be served: say so, so they can ask elsewhere at once.
  for (auto it = upload_queue.begin(); it != upload_queue.end();) {
    if (it->conn != n.conn) {
      ++it;
      continue;
    }
    send(n, protocol::Reject{it->seq});
    it = upload_queue.erase(it);
  }
  n.upload_queued = 0;
}

bool PeerCore::State::is_free_rider(Neighbor& n) {
  // Connected for a whole rate window and never gave us a chunk.
  return now_ - n.connected_at >= cfg.rate_window && n.received.bytes(now_, cfg.rate_window) < 1.0;
}

double PeerCore::State::upload_utilisation() {
  if (cfg.max_upload_bps == 0) return 1.0;  // unknown capacity: behave like a fixed-slot choker
  return uploaded.rate(now_, cfg.rechoke_interval) / (static_cast<double>(cfg.max_upload_bps) / 8.0);
}

// libtorrent's rate-based choker, simplified: four slots rarely fill a capped uplink while a swarm
// ramps up (everyone asks the first peers that answered, and those peers hold few chunks), so while
// ours is underused one more interested, non-free-riding neighbor is unchoked each housekeeping tick.
void PeerCore::State::open_slot_if_idle() {
  if (upload_utilisation() >= 0.8 || choker.slots() >= cfg.max_neighbors) return;
  Neighbor* best = nullptr;
  double best_rate = -1;
  for (auto& [id, n] : neighbors) {
    if (!n.handshaken || !n.am_choking || !n.peer_interested) continue;
    if (is_free_rider(n) && !nothing_to_download()) continue;
    double rate = n.received.rate(now_, cfg.rate_window);
    if (rate > best_rate) {
      best = &n;
      best_rate = rate;
    }
  }
  if (!best) return;
  choker.set_slots(choker.slots() + 1);
  set_choke(*best, false);
}

void PeerCore::State::rechoke(bool rotate) {
  // A saturated uplink gives back the slots it opened: fewer, faster transfers.
  if (upload_utilisation() > 0.95 && choker.slots() > cfg.unchoke_slots) choker.set_slots(choker.slots() - 1);
  const Time window_len = cfg.rate_window;
  std::vector<ChokeCandidate> candidates;
  candidates.reserve(neighbors.size());
  for (auto& [id, n] : neighbors) {
    if (!n.handshaken) continue;
    ChokeCandidate c;
    c.conn = id;
    c.interested = n.peer_interested;
    c.received_rate = n.received.rate(now_, window_len);
    c.sent_rate = n.sent.rate(now_, window_len);
    c.free_rider = is_free_rider(n);
    candidates.push_back(c);
  }
  std::vector<ConnectionId> unchoke = choker.rechoke(candidates, nothing_to_download(), rotate, rng_);
  for (auto& [id, n] : neighbors) {
    if (!n.handshaken) continue;
    bool keep = std::find(unchoke.begin(), unchoke.end(), id) != unchoke.end();
    n.optimistic = keep && id == choker.optimistic();
    set_choke(n, !keep);
  }
}

}  // namespace shoal::peer
