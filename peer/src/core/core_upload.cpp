// Uploading: requests from unchoked neighbors are queued and served within
// the token bucket; the choker decides who is unchoked (core_choking.cpp).
#include <algorithm>
#include <limits>

#include "core_state.hpp"

namespace shoal::peer {

namespace {
// How many chunks further behind a neighbor must be to displace a queued request (no churn between equals).
constexpr std::uint64_t kRoomMargin = 2;
}  // namespace

void PeerCore::State::on_request(Neighbor& n, const protocol::Request& request) {
  const Seq seq = request.seq;
  ChunkSlot* slot = window.find(seq);
  // A seed that already gave this chunk out enough, to neighbors that still hold it, lets them spread it.
  bool spread = cfg.seed && slot && spread_enough(*slot);
  if (n.am_choking || !slot || !slot->held() || spread) {
    send(n, protocol::Reject{seq});
    return;
  }
  // A request already waiting is not queued twice: one Request repeated thousands of times is one job.
  if (std::any_of(upload_queue.begin(), upload_queue.end(),
                  [&](const UploadJob& queued) { return queued.conn == n.conn && queued.seq == seq; }))
    return;
  // Holding a whole finished channel, we want nothing back: one queued chunk per neighbor shares the
  // uplink among all who ask, so copies spread to many peers that pass them on (super-seeding's aim),
  // instead of a few fast downloaders taking the lot.
  const int per_neighbor = complete() ? 1 : cfg.max_upload_queue_per_neighbor;
  if (n.upload_queued >= per_neighbor) {
    send(n, protocol::Reject{seq, /*busy=*/true});
    return;
  }
  // A live seed gives a neighbor one first copy at a time: the next once it has passed the last one on,
  // so the first copies go to the peers that spread them (see core_seed.cpp). The neighbor it told of the
  // chunk has seed_pass_on_wait to ask first: a newcomer reading our chunk map must not take the copy.
  if (injects() && slot->copies_served == 0) {
    if (first_copy_reserved(*slot, n) || (slot->injected_to != n.conn && !passed_on(n))) {
      send(n, protocol::Reject{seq, /*busy=*/true});
      return;
    }
    n.seeded_pending = true;
    n.seeded_seq = seq;
    n.seeded_at = now_;
  }
  const UploadJob job{n.conn, seq, slot->availability, request.urgent};
  const bool rare_first = window.live;
  if (upload_queue_full() && !((rare_first || job.urgent) ? make_room_for_rarer(job) : make_room_for(n))) {
    send(n, protocol::Reject{seq, /*busy=*/true});
    return;
  }
  if (slot->copies_served < std::numeric_limits<std::uint16_t>::max()) ++slot->copies_served;
  // From now on they count as a holder: requests racing in before this copy is sent must not
  // each get a copy from a seed.
  note_have(n, seq);
  auto at = std::find_if(upload_queue.begin(), upload_queue.end(),
                         [&](const UploadJob& queued) { return goes_before(job, queued, rare_first); });
  upload_queue.insert(at, job);
  ++n.upload_queued;
}

bool PeerCore::State::spread_enough(const ChunkSlot& slot) const {
  return cfg.seed_copies_per_chunk > 0 && slot.copies_served >= cfg.seed_copies_per_chunk && slot.availability > 0;
}

bool PeerCore::State::make_room_for(Neighbor& n) {
  // A full queue is first come, first served, so the neighbors that ask most often take the uplink and
  // finish early while the rest starve: the swarm's finish is its slowest peer's. A neighbor further
  // behind takes the place of the queued request from the one furthest ahead, which is refused as busy
  // and can ask another holder.
  // Live, how many chunks a neighbor holds says little about how urgently it needs the next one
  // (a viewer that has watched for an hour holds many and may be about to stall).
  if (window.live) return false;
  auto ahead = upload_queue.end();
  std::uint64_t most = 0;
  for (auto it = upload_queue.begin(); it != upload_queue.end(); ++it) {
    const Neighbor* q = find(it->conn);
    const std::uint64_t held = q ? q->have.announced() : 0;
    if (ahead == upload_queue.end() || held > most) {
      ahead = it;
      most = held;
    }
  }
  if (ahead == upload_queue.end() || n.have.announced() + kRoomMargin > most) return false;
  if (Neighbor* q = find(ahead->conn)) {
    --q->upload_queued;
    send(*q, protocol::Reject{ahead->seq, /*busy=*/true});
  }
  upload_queue.erase(ahead);
  return true;
}

bool PeerCore::State::goes_before(const UploadJob& a, const UploadJob& b, bool rare_first) {
  if (a.urgent != b.urgent) return a.urgent;
  return rare_first && !a.urgent && a.rarity < b.rarity;
}

bool PeerCore::State::make_room_for_rarer(const UploadJob& job) {
  // The queue is sorted urgent first, then rarest first: its last request is for the most widely held chunk,
  // which its requester can fetch elsewhere; a chunk few hold spreads only through its few holders.
  if (upload_queue.empty()) return false;
  const UploadJob& last = upload_queue.back();
  const bool displaces = job.urgent ? !last.urgent : (!last.urgent && last.rarity >= job.rarity + kRoomMargin);
  if (!displaces) return false;
  const UploadJob out = upload_queue.back();
  upload_queue.pop_back();
  if (Neighbor* q = find(out.conn)) {
    --q->upload_queued;
    send(*q, protocol::Reject{out.seq, /*busy=*/true});
  }
  return true;
}

bool PeerCore::State::upload_queue_full() const {
  if (upload_queue.empty()) return false;
  const double chunk = chunk_bytes();
  const double queued_s = static_cast<double>(upload_queue.size()) * chunk / uplink.bytes_per_second(now_);
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
  for (auto it = upload_queue.begin(); it != upload_queue.end();) {
    if (!bucket.ready(now_)) {
      upload_wake = bucket.ready_at(now_);
      return;
    }
    Neighbor* n = find(it->conn);
    // Its turn waits for on_sent; the requests of neighbors that read go ahead.
    if (n && saturated(*n)) {
      ++it;
      continue;
    }
    const ChunkSlot* slot = n ? window.find(it->seq) : nullptr;
    // Not told our rate, we keep our own queue on the uplink short (uplink.hpp): the next chunk starts
    // when one is written.
    if (slot && slot->held() && !uplink.room(unsent_total, slot->payload->size(), now_)) return;
    const UploadJob job = *it;
    it = upload_queue.erase(it);
    if (!n) continue;
    --n->upload_queued;
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
    if (n->unsent_bytes == 0) n->unsent_since = now_;
    n->unsent_bytes += size;
    uplink.on_handoff(unsent_total, now_);
    unsent_total += size;
    send(*n, protocol::ChunkData{job.seq, slot->payload});
  }
}

void PeerCore::State::on_sent(Neighbor& n, std::uint64_t chunk_bytes) {
  const std::uint64_t written = std::min(chunk_bytes, n.unsent_bytes);
  n.unsent_bytes -= written;
  n.unsent_since = now_;
  unsent_total -= std::min(unsent_total, written);
  uplink.on_written(written, unsent_total, now_);
}

void PeerCore::State::check_slow_reader(Neighbor& n, std::vector<std::pair<ConnectionId, const char*>>& drop) {
  if (!stuck_reader(n)) return;
  if (now_ - n.unsent_since >= 2 * cfg.slow_reader_timeout) {
    drop.emplace_back(n.conn, "slow reader");
  } else {
    set_choke(n, true);
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

}  // namespace shoal::peer
