// PeerCore's public face: each event runs begin() (play up to now), the
// handler, then finish() (resume playback, deliver, select, upload, stats).
#include "shoal/peer/core/peer_core.hpp"

#include <algorithm>

#include "core_state.hpp"
#include "outbox.hpp"

namespace shoal::peer {

PeerCore::State::State(PeerConfig c)
    : cfg(std::move(c)),
      rng_(cfg.rng_seed),
      playhead(cfg.buffer_target),
      peer_set(cfg.peer_id),
      choker(cfg),
      bucket(cfg.max_upload_bps, std::chrono::milliseconds(100)),
      uplink(cfg.max_upload_bps, cfg.assumed_upload_bps, cfg.upload_queue_delay, cfg.upload_estimate_window),
      selector(make_selector(cfg)) {}

Neighbor* PeerCore::State::find(ConnectionId conn) {
  auto it = neighbors.find(conn);
  return it == neighbors.end() ? nullptr : &it->second;
}

void PeerCore::State::send(Neighbor& n, protocol::Message message) {
  send_message(actions, n, std::move(message), now_);
}

void PeerCore::State::begin(Time now) {
  // Time never runs backwards inside the core, whatever the driver says.
  now_ = std::max(now_, now);
  playhead.advance(now_, window, stats);
}

void PeerCore::State::finish(Time now) {
  (void)now;
  if (joining) try_join();
  // begin() played up to now; only a start or a resume can follow from what the handler did.
  if (playhead.mode() != Playhead::Mode::playing) playhead.advance(now_, window, stats);
  deliver_ready();
  if (now_ >= next_tick) maintain();
  // A moving playhead shifts the window: new chunks enter it.
  if (playhead.position() != scheduled_position) dirty = true;
  if (dirty || now_ >= selector_wake) {
    scheduled_position = playhead.position();
    schedule();
  }
  pump_uploads();
}

const PeerStats& PeerCore::State::current_stats() {
  // Derived on demand, not after every event: walking the buffer per message was a tenth of a large
  // simulation's time.
  stats.stall_time = playhead.stall_time(now_);
  stats.buffered_ahead = playhead.active() ? playhead.buffered_ahead(window) : Time{0};
  stats.neighbors = handshaken_count;
  return stats;
}

PeerCore::PeerCore(PeerConfig config) : state_(std::make_unique<State>(std::move(config))) {}
PeerCore::~PeerCore() = default;
PeerCore::PeerCore(PeerCore&&) noexcept = default;
PeerCore& PeerCore::operator=(PeerCore&&) noexcept = default;

void PeerCore::on_channel(const ChannelSnapshot& channel, Time now) {
  state_->begin(now);
  state_->learn_channel(channel);
  if (!state_->joined && !state_->cfg.seed) state_->announce();
  state_->finish(now);
}

void PeerCore::State::start_fetching(Seq first, bool play) {
  if (cfg.seed) return;
  joining = false;  // an explicit start overrides a join still waiting for maps
  join_by = Time::max();
  if (play) {
    playhead.start(first, now_);
  } else {
    playhead.download(first);
  }
  next_deliver = first;
  delivering = true;
  dirty = true;
  if (!joined) announce();
}

void PeerCore::start_playback(Seq first, Time now) {
  state_->begin(now);
  state_->start_fetching(first, true);
  state_->finish(now);
}

void PeerCore::join_live(Time now) {
  state_->begin(now);
  state_->start_join();
  state_->finish(now);
}

void PeerCore::start_download(Seq first, Time now) {
  state_->begin(now);
  state_->start_fetching(first, false);
  state_->finish(now);
}

void PeerCore::seek(Seq seq, Time now) {
  auto& s = *state_;
  s.begin(now);
  if (s.cfg.seed) return s.finish(now);
  s.joining = false;  // a seek names the position: a join still waiting for maps is over
  s.join_by = Time::max();
  s.playhead.seek(seq, s.now_);
  s.next_deliver = seq;
  s.delivering = true;
  s.dirty = true;
  s.finish(now);
}

void PeerCore::on_playhead(Seq seq, Time offset_in_chunk, Time now) {
  auto& s = *state_;
  s.begin(now);
  s.playhead.report(seq, offset_in_chunk, s.now_, s.stats);
  if (!s.delivering) {
    s.delivering = true;
    s.next_deliver = seq;
  }
  s.dirty = true;
  s.finish(now);
}

void PeerCore::on_connected(ConnectionId conn, const protocol::PeerAddress& remote, bool outbound, Time now) {
  state_->begin(now);
  state_->on_connected(conn, remote, outbound);
  state_->finish(now);
}

void PeerCore::on_connect_failed(const protocol::PeerAddress& remote, Time now) {
  state_->begin(now);
  state_->pending_connects.erase(PeerSet::key(remote));
  state_->finish(now);
}

void PeerCore::on_disconnected(ConnectionId conn, Time now) {
  state_->begin(now);
  state_->remove_neighbor(conn, "", false);
  state_->finish(now);
}

void PeerCore::on_sent(ConnectionId conn, std::uint64_t chunk_bytes, Time now) {
  auto& s = *state_;
  s.begin(now);
  if (Neighbor* n = s.find(conn)) s.on_sent(*n, chunk_bytes);
  s.finish(now);
}

void PeerCore::on_message(ConnectionId conn, protocol::Message message, Time now) {
  auto& s = *state_;
  s.begin(now);
  // Unknown connections: dropped earlier by us; the driver may still deliver queued frames.
  if (Neighbor* n = s.find(conn)) s.on_message(*n, std::move(message));
  s.finish(now);
}

void PeerCore::on_protocol_error(ConnectionId conn, Time now) {
  state_->begin(now);
  state_->remove_neighbor(conn, "protocol error", true);
  state_->finish(now);
}

void PeerCore::on_origin_chunk(Seq seq, protocol::ChunkPayload payload, Time now) {
  state_->begin(now);
  state_->on_origin(seq, std::move(payload));
  state_->finish(now);
}

void PeerCore::on_tracker_peers(std::vector<protocol::PeerAddress> peers, Time now) {
  state_->begin(now);
  state_->tracker_answered = true;
  state_->peer_set.add_candidates(peers);
  state_->fill_peer_set();
  state_->finish(now);
}

void PeerCore::on_timer(Time now) {
  state_->begin(now);
  state_->finish(now);
}

void PeerCore::add_chunk(Seq seq, protocol::ChunkPayload payload, Time now) {
  auto& s = *state_;
  s.begin(now);
  if (payload) {
    ChunkSlot* slot = s.window.find(seq);
    if (!slot || !slot->known) {
      ChunkMeta meta;
      meta.seq = seq;
      meta.size = payload->size();
      if (ChunkSlot* fresh = s.window.learn(meta)) s.init_slot(*fresh);
      slot = s.window.find(seq);
    }
    if (slot && !slot->held()) {
      s.window.store(seq, std::move(payload));
      s.on_verified(seq, 0);
    }
  }
  s.finish(now);
}

std::vector<Action> PeerCore::take_actions() {
  std::vector<Action> out;
  out.swap(state_->actions);
  return out;
}

void PeerCore::take_actions(std::vector<Action>& out) {
  out.clear();
  out.swap(state_->actions);
}

Time PeerCore::next_deadline() const {
  auto& s = *state_;
  Time t = std::min({s.next_tick, s.selector_wake, s.upload_wake, s.join_by, s.playhead.next_event(s.window)});
  return t;
}

const PeerStats& PeerCore::stats() const { return state_->current_stats(); }

void PeerCore::prefetch() const {
  const State& s = *state_;
  const char* from = reinterpret_cast<const char*>(&s.actions);
  const char* to = reinterpret_cast<const char*>(&s.unchoking_us);
  for (const char* p = from; p < to; p += 64) __builtin_prefetch(p);
}

void PeerCore::prefetch_neighbors() const { state_->neighbors.prefetch(); }

}  // namespace shoal::peer
