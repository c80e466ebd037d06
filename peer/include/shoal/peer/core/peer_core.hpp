// The sans-IO peer: window, piece selector, choker, peer set, origin fallback.
//
// It owns no socket, thread or clock. The driver feeds it events with the
// current time, then drains take_actions() and calls on_timer() no later than
// next_deadline(). Same config (incl. rng_seed) and same event sequence give
// the same actions, so a recorded run replays exactly (ngtcp2-style API).
//
// Where each policy lives (peer/src/core/):
//   piece selection     selection/piece_selector.hpp (interface), selection/policies.cpp (registry: names,
//                       selectors), selection/deadline_selector.* (ours), selection/baseline_selectors.*;
//                       what a selector sees: selection/selection_pass.hpp (built from window, playhead, fetches)
//   origin fallback     selection/origin_fallback.hpp (handle_urgent: when a late chunk goes to the origin)
//   tit-for-tat         choking/choker.hpp (Choker: every slot decision and its timing)
//   live join point     core_join.cpp;  seeding a live channel: core_seed.cpp;  uplink pacing: uplink.hpp
//   the glue            core_state.hpp (PeerCore::State), core_download/upload/peers/choking.cpp
#pragma once

#include <memory>
#include <vector>

#include "shoal/peer/core/action.hpp"
#include "shoal/peer/core/config.hpp"
#include "shoal/peer/core/peer_stats.hpp"
#include "shoal/peer/core/types.hpp"
#include "shoal/protocol/message.hpp"

namespace shoal::peer {

class PeerCore {
 public:
  explicit PeerCore(PeerConfig config);
  ~PeerCore();
  PeerCore(const PeerCore&) = delete;
  PeerCore& operator=(const PeerCore&) = delete;
  PeerCore(PeerCore&&) noexcept;
  PeerCore& operator=(PeerCore&&) noexcept;

  // ---- events
  void on_channel(const ChannelSnapshot& channel, Time now);
  /// Start playing at `first` (a VoD start position, or a live position the embedder chose).
  void start_playback(Seq first, Time now);
  /// Start playing a live channel where the neighbors are: once `join_neighbors` of them have sent their
  /// chunk maps (or `join_wait` has passed, or every peer the tracker named has sent its map), at the newest
  /// chunk no nearer the edge than `live_hold_back` from which `join_holder_share` of them hold the whole
  /// start-up buffer (failing that, the best-held start near the hold-back); with no map at all, at the
  /// hold-back. The first DeliverChunk names the chosen chunk; start-up delay counts from this call.
  void join_live(Time now);
  /// Fetch a VoD channel whole from `first` on, without playing it (a file download): no chunk has a
  /// deadline, so the mesh serves everything rarest first and the origin is never a fallback. Chunks are
  /// still delivered in order; start-up and stalls are not measured.
  void start_download(Seq first, Time now);
  /// A seek (VoD): the playhead jumps to `seq` and the selector re-prioritises from there.
  void seek(Seq seq, Time now);
  /// The embedding player's own playhead (e.g. a pipeline's running time), when it has one.
  void on_playhead(Seq seq, Time offset_in_chunk, Time now);
  void on_connected(ConnectionId conn, const protocol::PeerAddress& remote, bool outbound, Time now);
  void on_connect_failed(const protocol::PeerAddress& remote, Time now);
  void on_disconnected(ConnectionId conn, Time now);
  /// The driver wrote `chunk_bytes` of ChunkData payload to `conn` (counted once the frame has left its
  /// write queue). Every driver reports this: uploads to a neighbor pause while too much is unsent.
  void on_sent(ConnectionId conn, std::uint64_t chunk_bytes, Time now);
  void on_message(ConnectionId conn, protocol::Message message, Time now);
  /// A frame the codec refused: the connection is dropped and the peer penalised.
  void on_protocol_error(ConnectionId conn, Time now);
  /// `payload` is null when the fetch failed.
  void on_origin_chunk(Seq seq, protocol::ChunkPayload payload, Time now);
  void on_tracker_peers(std::vector<protocol::PeerAddress> peers, Time now);
  void on_timer(Time now);
  /// Seeds (and tests) inject chunks they already hold, e.g. the origin's new chunks.
  void add_chunk(Seq seq, protocol::ChunkPayload payload, Time now);

  // ---- outputs
  std::vector<Action> take_actions();
  /// The same into `out` (emptied first); the two buffers trade storage, so a driver that keeps `out`
  /// allocates nothing per event once both have grown.
  void take_actions(std::vector<Action>& out);
  Time next_deadline() const;
  const PeerStats& stats() const;
  /// A hint for a driver holding many cores: starts loading into cache the state that every event reads,
  /// so a simulator can overlap that miss with the event before. Changes nothing.
  void prefetch() const;
  /// The same for the neighbor table a message's lookup searches (call it an event after prefetch(): it
  /// reads the state that one loads).
  void prefetch_neighbors() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace shoal::peer
