#include "selection_pass.hpp"

#include <algorithm>
#include <cmath>

#include "../outbox.hpp"

namespace shoal::peer {

namespace {
// Bounds one pass however far the window reaches (a long VoD window of short chunks).
constexpr Seq kMaxScan = 4096;

Time from_seconds(double s) { return Time(static_cast<std::int64_t>(s * 1e6)); }
double bytes_per_second(std::uint64_t bps) { return static_cast<double>(bps) / 8.0; }
}  // namespace

SelectionPass::SelectionPass(const Parts& parts, Scratch& scratch) : p_(parts), s_(scratch) {
  s_.missing.clear();
  s_.sources.clear();
  find_missing();
}

// The sources point into the neighbor table, good only until it changes.
SelectionPass::~SelectionPass() { s_.sources.clear(); }

void SelectionPass::find_missing() {
  const Window& window = p_.window;
  Playhead& playhead = p_.playhead;
  const PeerConfig& cfg = p_.cfg;
  if (playhead.mode() == Playhead::Mode::downloading) {
    // Nothing is due: every chunk goes to the mesh, rarest first, and the origin is never the fallback.
    Seq s = std::max(playhead.contiguous_end(p_.window), window.begin());
    const Seq end = std::min(window.known_end(), s + kMaxScan);
    for (; s < end; ++s) {
      ChunkSlot* slot = p_.window.find(s);
      if (slot && slot->known && !slot->held()) s_.missing.push_back({s, Time::max(), slot});
    }
    return;
  }
  const Seq pos = playhead.position();
  Seq s = playhead.contiguous_end(p_.window);
  const Time start = playhead.position_start(p_.now, p_.window);
  // One slot lookup per chunk: this runs at every selection pass, over the whole hold-back.
  auto duration = [&](const ChunkSlot* slot) {
    return slot && slot->known && slot->meta.duration_us > 0 ? Time(slot->meta.duration_us) : window.target_duration;
  };
  Time d = start;
  for (Seq k = pos; k < s; ++k) d += duration(p_.window.find(k));
  if (s < window.begin()) {
    d += window.target_duration * static_cast<std::int64_t>(window.begin() - s);
    s = window.begin();
  }
  // Before playback (re)starts, every chunk of the start-up buffer is needed at the start instant.
  const bool starting = playhead.mode() != Playhead::Mode::playing;
  const Time end_of_start_buffer = start + cfg.buffer_target;
  const Seq end = std::min(window.known_end(), s + kMaxScan);
  for (; s < end; ++s) {
    if (!window.live && d - start > cfg.vod_window) break;
    ChunkSlot* slot = p_.window.find(s);
    const bool blocking = starting && d < end_of_start_buffer;
    Time deadline = blocking ? start : d;
    if (slot && slot->known && !slot->held())
      s_.missing.push_back({s, deadline, slot, blocking, blocking ? playhead.waiting_since() : d});
    d += duration(slot);
  }
}

double SelectionPass::expected_rate(const Neighbor& n) const {
  if (n.delivery_rate > 0) return n.delivery_rate;
  // Not measured yet: the upload cap its handshake named, if lower than our guess (a newcomer choosing
  // where to ask for its start-up buffer should not take a 1 Mbit/s uplink for a 4 Mbit/s one).
  const std::uint64_t guess =
      n.upload_bps > 0 ? std::min(n.upload_bps, p_.cfg.assumed_peer_rate_bps) : p_.cfg.assumed_peer_rate_bps;
  return bytes_per_second(guess);
}

std::size_t SelectionPass::capacity(const Neighbor& n) const {
  double rate = expected_rate(n);
  double seconds = static_cast<double>(p_.cfg.request_queue_time.count()) / 1e6;
  auto slots = static_cast<std::size_t>(std::ceil(rate * seconds / p_.chunk_bytes));
  slots = std::min(slots, n.request_limit);
  return std::clamp<std::size_t>(slots, 1, static_cast<std::size_t>(std::max(1, p_.cfg.max_outstanding_per_neighbor)));
}

void SelectionPass::ensure_sources() const {
  // Built on the selector's first question, not before every pass: a pass whose chunks are all prefetches
  // while the live prefetch cap is full asks none, and the walk costs a cache miss per unchoking
  // neighbor, a large share of a big simulation's time. No request
  // is made before the first question, so the figures are those an eager build would give.
  if (sources_ready_) return;
  sources_ready_ = true;
  free_slots_ = 0;
  s_.sources.clear();
  for (Neighbor* n : p_.unchoking_us) __builtin_prefetch(n);  // their misses overlap, not one after another
  for (Neighbor* n : p_.unchoking_us) {
    s_.sources.push_back({n, capacity(*n), expected_rate(*n)});
    free_slots_ += static_cast<long>(s_.sources.back().capacity) - static_cast<long>(n->requests.size());
  }
  // Urgent chunks are asked for regardless (handle_urgent); this caps the prefetches.
  if (prefetch_capped()) free_slots_ = std::min(free_slots_, prefetch_room());
}

bool SelectionPass::prefetch_capped() const { return p_.window.live && p_.cfg.live_prefetch_requests > 0; }

long SelectionPass::prefetch_room() const {
  return static_cast<long>(p_.cfg.live_prefetch_requests) - p_.fetches.to_neighbors;
}

PeerOffer SelectionPass::best_peer(const MissingChunk& chunk) {
  ensure_sources();
  PeerOffer best;
  const double size = static_cast<double>(chunk.slot->meta.size);
  for (const Source& source : s_.sources) {
    Neighbor& n = *source.n;
    if (!n.have.test(chunk.seq)) continue;
    if (n.requests.size() >= source.capacity || n.find_request(chunk.seq)) continue;
    if (n.busy_until > p_.now) {
      wake_at(n.busy_until);  // worth another look once it may have room
      continue;
    }
    Time eta =
        p_.now + p_.cfg.assumed_rtt + from_seconds((static_cast<double>(n.requested_bytes) + size) / source.rate);
    if (eta < best.eta) best = {n.conn, eta};
  }
  return best;
}

void SelectionPass::request_peer(const MissingChunk& chunk, const PeerOffer& offer) {
  // Offers come from best_peer, so the neighbor is one of this pass's sources.
  auto it =
      std::find_if(s_.sources.begin(), s_.sources.end(), [&](const Source& s) { return s.n->conn == offer.conn; });
  if (it == s_.sources.end()) return;
  Neighbor& n = *it->n;
  n.requests.push_back({chunk.seq, p_.now, offer.eta, chunk.slot->meta.size});
  ++p_.fetches.to_neighbors;
  n.requested_bytes += chunk.slot->meta.size;
  ++chunk.slot->peer_requests;
  --free_slots_;
  // Urgent for the holder too (it serves these first): playback waits for it, or it is in the urgent zone.
  const bool urgent = chunk.blocking || chunk.deadline - p_.now <= p_.cfg.urgent_window;
  send_message(p_.actions, n, protocol::Request{chunk.seq, urgent}, p_.now);
}

Time SelectionPass::pending_eta(const MissingChunk& chunk) const {
  // Requests go only to unchoked neighbors and a choke drops them, so the sources hold them all.
  ensure_sources();
  Time best = Time::max();
  for (const Source& source : s_.sources)
    if (auto* r = source.n->find_request(chunk.seq)) best = std::min(best, r->expected_at);
  return best;
}

Time SelectionPass::origin_eta(const MissingChunk& chunk) const {
  double rate = p_.fetches.origin_rate > 0 ? p_.fetches.origin_rate : bytes_per_second(p_.cfg.assumed_origin_rate_bps);
  return p_.now + p_.cfg.assumed_origin_rtt + from_seconds(static_cast<double>(chunk.slot->meta.size) / rate);
}

bool SelectionPass::origin_available() const {
  // A download has no deadline for a parallel fetch to delay: one more in flight hides the round trip
  // between fetches (with one, a client-server download ran well over N·F/u_s).
  const int limit = p_.cfg.max_origin_fetches + (p_.playhead.mode() == Playhead::Mode::downloading ? 1 : 0);
  return static_cast<int>(p_.fetches.from_origin.size()) < limit && p_.now >= p_.fetches.origin_retry_at;
}

void SelectionPass::request_origin(const MissingChunk& chunk) {
  chunk.slot->origin_pending = true;
  p_.fetches.from_origin[chunk.seq] = p_.now;
  p_.actions.push_back(FetchFromOrigin{chunk.seq});
}

bool SelectionPass::peer_capacity() const {
  if (!sources_ready_ && prefetch_capped() && prefetch_room() <= 0) return false;  // the cap alone says no
  ensure_sources();
  return free_slots_ > 0;
}

void SelectionPass::wake_at(Time t) {
  if (t > p_.now && t < wake_) wake_ = t;
}

}  // namespace shoal::peer
