// Downloading: the fetch window and its deadlines, the selector's requests,
// arrivals, integrity checks, availability and in-order delivery.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core_state.hpp"
#include "sha256_verifier.hpp"

namespace shoal::peer {

namespace {
// Bounds one scheduling pass however far the window reaches (a long VoD window of short chunks).
constexpr Seq kMaxScan = 4096;

Time from_seconds(double s) { return Time(static_cast<std::int64_t>(s * 1e6)); }
double bytes_per_second(std::uint64_t bps) { return static_cast<double>(bps) / 8.0; }
}  // namespace

void PeerCore::State::learn_channel(const ChannelSnapshot& channel) {
  window.live = channel.live;
  window.ended = channel.ended;
  window.target_duration = std::chrono::milliseconds(std::max<std::uint32_t>(1, channel.target_duration_ms));
  for (const ChunkMeta& meta : channel.chunks) {
    if (ChunkSlot* slot = window.learn(meta)) {
      init_slot(*slot);
      auto size = static_cast<double>(std::max<std::uint64_t>(meta.size, 1));
      typical_chunk_bytes = typical_chunk_bytes > 0 ? 0.9 * typical_chunk_bytes + 0.1 * size : size;
      dirty = true;
    }
  }
  have_channel = true;
}

void PeerCore::State::init_slot(ChunkSlot& slot) {
  slot.tiebreak = static_cast<std::uint32_t>(rng_());
  slot.availability = 0;
  for (auto& [id, n] : neighbors)
    if (n.have.test(slot.meta.seq)) ++slot.availability;
}

double PeerCore::State::expected_rate(const Neighbor& n) const {
  if (n.delivery_rate > 0) return n.delivery_rate;
  // Not measured yet: the upload cap its handshake named, if lower than our guess (a newcomer choosing
  // where to ask for its start-up buffer should not take a 1 Mbit/s uplink for a 4 Mbit/s one).
  const std::uint64_t guess =
      n.upload_bps > 0 ? std::min(n.upload_bps, cfg.assumed_peer_rate_bps) : cfg.assumed_peer_rate_bps;
  return bytes_per_second(guess);
}

std::size_t PeerCore::State::capacity(const Neighbor& n) const {
  double rate = expected_rate(n);
  double seconds = static_cast<double>(cfg.request_queue_time.count()) / 1e6;
  double chunk = typical_chunk_bytes > 0 ? typical_chunk_bytes : 250'000.0;
  auto slots = static_cast<std::size_t>(std::ceil(rate * seconds / chunk));
  slots = std::min(slots, n.request_limit);
  return std::clamp<std::size_t>(slots, 1, static_cast<std::size_t>(std::max(1, cfg.max_outstanding_per_neighbor)));
}

void PeerCore::State::schedule() {
  dirty = false;
  selector_wake = Time::max();
  missing_.clear();
  if (cfg.seed || !playhead.active() || !have_channel) return;
  build_missing();
  // Nothing missing, no selector acts (nor draws from the RNG).
  if (missing_.empty()) return;
  sources_ready_ = false;
  selector->select(*this);
  sources_.clear();  // the pointers are only good until the neighbor map changes
  sources_ready_ = false;
  if (origin_retry_at > now_) wake_at(origin_retry_at);
}

void PeerCore::State::ensure_sources() const {
  // Built on the selector's first question, not before every pass: a pass whose chunks are all prefetches
  // while the live prefetch cap is full asks none, and the walk costs a cache miss per unchoking
  // neighbor, a large share of a big simulation's time. No request
  // is made before the first question, so the figures are those an eager build would give.
  if (sources_ready_) return;
  sources_ready_ = true;
  free_slots_ = 0;
  sources_.clear();
  for (Neighbor* n : unchoking_us) __builtin_prefetch(n);  // their misses overlap, not one after another
  for (Neighbor* n : unchoking_us) {
    sources_.push_back({n, capacity(*n), expected_rate(*n)});
    free_slots_ += static_cast<long>(sources_.back().capacity) - static_cast<long>(n->requests.size());
  }
  // Urgent chunks are asked for regardless (handle_urgent); this caps the prefetches.
  if (prefetch_capped()) free_slots_ = std::min(free_slots_, prefetch_room());
}

bool PeerCore::State::prefetch_capped() const { return window.live && cfg.live_prefetch_requests > 0; }

long PeerCore::State::prefetch_room() const {
  return static_cast<long>(cfg.live_prefetch_requests) - requests_in_flight;
}

void PeerCore::State::build_missing() {
  if (playhead.mode() == Playhead::Mode::downloading) {
    // Nothing is due: every chunk goes to the mesh, rarest first, and the origin is never the fallback.
    Seq s = std::max(playhead.contiguous_end(window), window.begin());
    const Seq end = std::min(window.known_end(), s + kMaxScan);
    for (; s < end; ++s) {
      ChunkSlot* slot = window.find(s);
      if (slot && slot->known && !slot->held()) missing_.push_back({s, Time::max(), slot});
    }
    return;
  }
  const Seq pos = playhead.position();
  Seq s = playhead.contiguous_end(window);
  const Time start = playhead.position_start(now_, window);
  // One slot lookup per chunk: this runs at every selection pass, over the whole hold-back.
  auto duration = [&](const ChunkSlot* slot) {
    return slot && slot->known && slot->meta.duration_us > 0 ? Time(slot->meta.duration_us) : window.target_duration;
  };
  Time d = start;
  for (Seq k = pos; k < s; ++k) d += duration(window.find(k));
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
    ChunkSlot* slot = window.find(s);
    const bool blocking = starting && d < end_of_start_buffer;
    Time deadline = blocking ? start : d;
    if (slot && slot->known && !slot->held())
      missing_.push_back({s, deadline, slot, blocking, blocking ? playhead.waiting_since() : d});
    d += duration(slot);
  }
}

PeerOffer PeerCore::State::best_peer(const MissingChunk& chunk) {
  ensure_sources();
  PeerOffer best;
  const double size = static_cast<double>(chunk.slot->meta.size);
  for (const Source& source : sources_) {
    Neighbor& n = *source.n;
    const ConnectionId id = n.conn;
    if (!n.have.test(chunk.seq)) continue;
    if (n.requests.size() >= source.capacity || n.find_request(chunk.seq)) continue;
    if (n.busy_until > now_) {
      wake_at(n.busy_until);  // worth another look once it may have room
      continue;
    }
    Time eta = now_ + cfg.assumed_rtt + from_seconds((static_cast<double>(n.requested_bytes) + size) / source.rate);
    if (eta < best.eta) best = {id, eta};
  }
  return best;
}

void PeerCore::State::request_peer(const MissingChunk& chunk, const PeerOffer& offer) {
  Neighbor* n = find(offer.conn);
  if (!n) return;
  n->requests.push_back({chunk.seq, now_, offer.eta, chunk.slot->meta.size});
  ++requests_in_flight;
  n->requested_bytes += chunk.slot->meta.size;
  ++chunk.slot->peer_requests;
  --free_slots_;
  // Urgent for the holder too (it serves these first): playback waits for it, or it is in the urgent zone.
  const bool urgent = chunk.blocking || chunk.deadline - now_ <= cfg.urgent_window;
  send(*n, protocol::Request{chunk.seq, urgent});
}

Time PeerCore::State::pending_eta(const MissingChunk& chunk) const {
  // Requests go only to unchoked neighbors and a choke drops them, so the sources hold them all.
  ensure_sources();
  Time best = Time::max();
  for (const Source& source : sources_)
    if (auto* r = source.n->find_request(chunk.seq)) best = std::min(best, r->expected_at);
  return best;
}

Time PeerCore::State::origin_eta(const MissingChunk& chunk) const {
  double rate = origin_rate > 0 ? origin_rate : bytes_per_second(cfg.assumed_origin_rate_bps);
  return now_ + cfg.assumed_origin_rtt + from_seconds(static_cast<double>(chunk.slot->meta.size) / rate);
}

bool PeerCore::State::origin_available() const {
  // A download has no deadline for a parallel fetch to delay: one more in flight hides the round trip
  // between fetches (with one, a client-server download of 400 kbit chunks ran 15% over N·F/u_s).
  const int limit = cfg.max_origin_fetches + (playhead.mode() == Playhead::Mode::downloading ? 1 : 0);
  return static_cast<int>(origin_fetches.size()) < limit && now_ >= origin_retry_at;
}

void PeerCore::State::request_origin(const MissingChunk& chunk) {
  chunk.slot->origin_pending = true;
  origin_fetches[chunk.seq] = now_;
  actions.push_back(FetchFromOrigin{chunk.seq});
}

bool PeerCore::State::peer_capacity() const {
  if (!sources_ready_ && prefetch_capped() && prefetch_room() <= 0) return false;  // the cap alone says no
  ensure_sources();
  return free_slots_ > 0;
}

void PeerCore::State::wake_at(Time t) {
  if (t > now_ && t < selector_wake) selector_wake = t;
}

bool PeerCore::State::verify(const ChunkSlot& slot, const std::string& bytes) const {
  return cfg.verify_chunk ? cfg.verify_chunk(slot.meta, bytes) : sha256_matches(slot.meta, bytes);
}

void PeerCore::State::on_chunk_data(Neighbor& n, protocol::ChunkData data) {
  const Seq seq = data.seq;
  if (!data.payload) return;
  const std::uint64_t size = data.payload->size();
  stats.bytes_from_peers += size;
  for (auto& r : n.requests) {
    if (r.seq != seq) continue;
    Time service = now_ - std::max(r.sent_at, n.last_arrival);
    if (service.count() > 0) {
      double sample = static_cast<double>(size) / (static_cast<double>(service.count()) / 1e6);
      n.delivery_rate = n.delivery_rate > 0 ? 0.7 * n.delivery_rate + 0.3 * sample : sample;
    }
    n.last_arrival = now_;
    if (n.request_limit < std::numeric_limits<std::size_t>::max()) ++n.request_limit;
    drop_request(n, seq);
    dirty = true;
    break;
  }
  ChunkSlot* slot = window.find(seq);
  // Unrequested, unknown or already held (an endgame loser): the bytes were spent, nothing else to do.
  if (!slot || !slot->known || slot->held()) return;
  if (!verify(*slot, *data.payload)) {
    ++stats.hash_failures;
    ban(n, "chunk failed verification");
    dirty = true;
    return;
  }
  n.received.add(size, now_, cfg.rate_window);
  n.last_useful = now_;
  window.store(seq, std::move(data.payload));
  on_verified(seq, n.conn);
}

void PeerCore::State::on_origin(Seq seq, protocol::ChunkPayload payload) {
  auto it = origin_fetches.find(seq);
  ChunkSlot* slot = window.find(seq);
  if (slot) slot->origin_pending = false;
  dirty = true;
  if (it == origin_fetches.end()) return;  // not ours (or a fetch from before a window reset)
  Time started = it->second;
  origin_fetches.erase(it);
  if (!payload) {
    origin_retry_at = now_ + cfg.origin_retry_delay;
    return;
  }
  stats.bytes_from_origin += payload->size();
  {
    // The estimate adds the RTT separately, so the rate is measured net of it.
    Time net = std::max<Time>(now_ - started - cfg.assumed_origin_rtt, std::chrono::milliseconds(1));
    double sample = static_cast<double>(payload->size()) / (static_cast<double>(net.count()) / 1e6);
    origin_rate = origin_rate > 0 ? 0.7 * origin_rate + 0.3 * sample : sample;
  }
  if (!slot || !slot->known || slot->held()) return;
  if (!verify(*slot, *payload)) {
    ++stats.hash_failures;
    origin_retry_at = now_ + cfg.origin_retry_delay;
    return;
  }
  window.store(seq, std::move(payload));
  on_verified(seq, 0);
}

void PeerCore::State::on_verified(Seq seq, ConnectionId from) {
  if (ChunkSlot* slot = window.find(seq); slot && slot->peer_requests > 0) cancel_requests(seq, from);
  if (injects()) {
    if (ChunkSlot* slot = window.find(seq)) inject(*slot);
  } else {
    for (auto& [id, n] : neighbors) {
      if (id != from && n.handshaken && !n.have.test(seq)) send(n, protocol::Have{seq});
    }
  }
  update_interest();
  dirty = true;
}

void PeerCore::State::cancel_requests(Seq seq, ConnectionId except) {
  for (auto& [id, n] : neighbors) {
    if (id == except || !n.find_request(seq)) continue;
    drop_request(n, seq);
    send(n, protocol::Cancel{seq});
  }
}

void PeerCore::State::drop_request(Neighbor& n, Seq seq) {
  for (auto it = n.requests.begin(); it != n.requests.end(); ++it) {
    if (it->seq != seq) continue;
    n.requested_bytes -= it->size;
    n.requests.erase(it);
    --requests_in_flight;
    if (ChunkSlot* slot = window.find(seq); slot && slot->peer_requests > 0) --slot->peer_requests;
    return;
  }
}

void PeerCore::State::deliver_ready() {
  if (!delivering || (window.stores() == checked_stores && next_deliver == checked_deliver)) return;
  while (const ChunkSlot* slot = window.find(next_deliver)) {
    if (!slot->held()) break;
    actions.push_back(DeliverChunk{next_deliver, slot->payload});
    ++next_deliver;
  }
  checked_stores = window.stores();
  checked_deliver = next_deliver;
}

void PeerCore::State::note_have(Neighbor& n, Seq seq) {
  if (!n.have.set(seq)) return;
  ChunkSlot* slot = window.find(seq);
  if (!slot || !slot->known) return;
  ++slot->availability;
  // Only a chunk we could request now is worth another selection pass: one no request is out for, from a
  // neighbor that unchoked us, and either urgent (asked for whatever the prefetch cap) or with room under it.
  // Most Haves of a live swarm are for prefetches while the cap is full (11 passes a second per viewer,
  // 3 requests, in a 2,000-viewer simulation).
  if (slot->held() || slot->peer_requests > 0 || n.peer_choking || cfg.seed) return;
  if (!window.live || cfg.live_prefetch_requests <= 0 || requests_in_flight < cfg.live_prefetch_requests) {
    dirty = true;
    return;
  }
  const auto target_us = std::max<std::int64_t>(1, window.target_duration.count());
  const auto horizon = static_cast<Seq>((cfg.urgent_window.count() + target_us - 1) / target_us) + 1;
  if (seq < playhead.position() + horizon) dirty = true;
}

bool PeerCore::State::nothing_to_download() {
  if (cfg.seed || !playhead.active()) return true;
  // VoD: everything up to the end is held; live: everything up to the live edge.
  if (!window.live) return window.ended && playhead.contiguous_end(window) >= window.known_end();
  return missing_.empty();
}

bool PeerCore::State::complete() {
  if (window.live || !window.ended || !have_channel) return false;
  if (cfg.seed) return true;
  return playhead.active() && playhead.contiguous_end(window) >= window.known_end();
}

void PeerCore::State::update_interest() {
  if (cfg.seed || complete() == told_not_interested) return;
  told_not_interested = !told_not_interested;
  // Complete, we unchoke everyone who still wants something (core_upload.cpp): now, not at the next
  // rechoke, or the peers that finish last wait up to a rechoke interval for the idle uplinks.
  choker.rechoke_soon(now_);
  for (auto& [id, n] : neighbors) {
    if (!n.handshaken) continue;
    if (told_not_interested) {
      send(n, protocol::NotInterested{});
    } else {
      send(n, protocol::Interested{});
    }
  }
}

void PeerCore::State::evict_old() {
  if (cfg.seed) {
    if (window.live) window.evict_oldest_below(window.end(), cfg.vod_cache_bytes);
    if (window.live && window.end() - window.begin() > ChunkBitmap::kMaxSpan / 2) {
      window.drop_before(window.end() - ChunkBitmap::kMaxSpan / 2);
    }
    return;
  }
  if (!playhead.active() && !delivering) return;
  Seq behind = std::min(playhead.position(), delivering ? next_deliver : playhead.position());
  if (window.live) {
    auto keep = static_cast<Seq>(std::max(0, cfg.live_keep_behind_chunks));
    if (behind > keep) window.drop_before(behind - keep);
  } else {
    window.evict_oldest_below(behind, cfg.vod_cache_bytes);
  }
}

}  // namespace shoal::peer
