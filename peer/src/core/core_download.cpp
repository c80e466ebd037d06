// Downloading: learning the channel into the window, running selection passes
// (selection/selection_pass.hpp), arrivals, integrity checks, availability and
// in-order delivery.
#include <algorithm>
#include <limits>

#include "core_state.hpp"
#include "sha256_verifier.hpp"

namespace shoal::peer {

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

void PeerCore::State::schedule() {
  dirty = false;
  selector_wake = Time::max();
  nothing_missing = true;
  if (cfg.seed || !playhead.active() || !have_channel) return;
  SelectionPass pass({.cfg = cfg,
                      .now = now_,
                      .window = window,
                      .playhead = playhead,
                      .unchoking_us = unchoking_us,
                      .fetches = fetches,
                      .chunk_bytes = chunk_bytes(),
                      .rng = rng_,
                      .actions = actions},
                     selection_scratch);
  nothing_missing = pass.missing().empty();
  // Nothing missing, no selector acts (nor draws from the RNG).
  if (nothing_missing) return;
  selector->select(pass);
  pass.wake_at(fetches.origin_retry_at);
  selector_wake = pass.wake();
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
  auto it = fetches.from_origin.find(seq);
  ChunkSlot* slot = window.find(seq);
  if (slot) slot->origin_pending = false;
  dirty = true;
  if (it == fetches.from_origin.end()) return;  // not ours (or a fetch from before a window reset)
  Time started = it->second;
  fetches.from_origin.erase(it);
  if (!payload) {
    fetches.origin_retry_at = now_ + cfg.origin_retry_delay;
    return;
  }
  stats.bytes_from_origin += payload->size();
  {
    // The estimate adds the RTT separately, so the rate is measured net of it.
    Time net = std::max<Time>(now_ - started - cfg.assumed_origin_rtt, std::chrono::milliseconds(1));
    double sample = static_cast<double>(payload->size()) / (static_cast<double>(net.count()) / 1e6);
    fetches.origin_rate = fetches.origin_rate > 0 ? 0.7 * fetches.origin_rate + 0.3 * sample : sample;
  }
  if (!slot || !slot->known || slot->held()) return;
  if (!verify(*slot, *payload)) {
    ++stats.hash_failures;
    fetches.origin_retry_at = now_ + cfg.origin_retry_delay;
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
    --fetches.to_neighbors;
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
  if (!window.live || cfg.live_prefetch_requests <= 0 || fetches.to_neighbors < cfg.live_prefetch_requests) {
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
  return nothing_missing;
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
