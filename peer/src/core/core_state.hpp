// PeerCore's private state and the operations its event handlers share.
// Split by concern: core_download.cpp (selection, arrivals, integrity,
// delivery), core_upload.cpp (serving requests, choking), core_peers.cpp
// (connections, handshake, peer set, housekeeping).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "choking/choker.hpp"
#include "fetches.hpp"
#include "neighbor.hpp"
#include "neighbor_table.hpp"
#include "peer_set.hpp"
#include "playhead.hpp"
#include "selection/piece_selector.hpp"
#include "selection/selection_pass.hpp"
#include "shoal/peer/core/peer_core.hpp"
#include "token_bucket.hpp"
#include "uplink.hpp"
#include "window.hpp"

namespace shoal::peer {

struct UploadJob {
  ConnectionId conn = 0;
  Seq seq = 0;
  std::uint16_t rarity = 0;  // neighbors holding the chunk when the request came: fewer goes first (live)
  bool urgent = false;       // the requester's playback waits for it: before everything else
};

struct PeerCore::State {
  explicit State(PeerConfig c);

  PeerConfig cfg;
  std::mt19937_64 rng_;
  // What every event reads (begin, finish, next_deadline) sits together: the state of 10,000 cores
  // does not stay in cache, so each line an event touches is a miss.
  std::vector<Action> actions;
  PeerStats stats;
  Time now_{0};
  Window window;
  Playhead playhead;
  bool dirty = false;
  Seq scheduled_position = 0;  // playhead position at the last schedule()
  Time selector_wake = Time::max();
  Time next_tick{0};
  Time upload_wake = Time::max();
  std::deque<UploadJob> upload_queue;
  bool have_channel = false;
  bool joined = false;  // first announce done
  Seq next_deliver = 0;
  bool delivering = false;
  // deliver_ready() found next_deliver missing with the window at this many stores: until another store
  // or a move of next_deliver, it would find the same (and reading the slot was a cache miss per event).
  Seq checked_deliver = 0;
  std::uint64_t checked_stores = ~std::uint64_t{0};
  bool told_not_interested = false;
  bool joining = false;           // join_live(): waiting for neighbors' maps to choose the start
  Time join_requested{0};         // when join_live() was called (start-up delay counts from here)
  Time join_by = Time::max();     // start then at the latest, whatever maps have arrived
  bool tracker_answered = false;  // a tracker reply came: the candidates we will get are known

  NeighborTable neighbors;
  std::vector<Neighbor*> unchoking_us;               // handshaken neighbors that unchoked us, in connection order
  std::unordered_set<std::string> pending_connects;  // address keys we dialled
  std::uint32_t handshaken_count = 0;
  PeerSet peer_set;
  Choker choker;
  RateMeter uploaded;  // all chunk bytes we sent, over rechoke_interval: is our uplink used?
  std::vector<protocol::PeerAddress> pex_added, pex_dropped;
  Time next_pex{0};
  Time last_announce{0};

  TokenBucket bucket;
  Uplink uplink;
  std::uint64_t unsent_total = 0;  // chunk bytes handed to the driver and not yet written, over all neighbors

  std::unique_ptr<PieceSelector> selector;
  SelectionPass::Scratch selection_scratch;
  bool nothing_missing = true;  // the last selection pass found no chunk to fetch
  Fetches fetches;
  double typical_chunk_bytes = 0;  // moving average of the chunks' sizes; 0 = no chunk seen yet
  /// A typical chunk's size, to size request and upload queues (a guess before any chunk is known).
  double chunk_bytes() const { return typical_chunk_bytes > 0 ? typical_chunk_bytes : 250'000.0; }

  // ---- event plumbing
  void begin(Time now);
  void finish(Time now);
  const PeerStats& current_stats();
  void send(Neighbor& n, protocol::Message message);
  Neighbor* find(ConnectionId conn);

  // ---- download (core_download.cpp)
  void start_fetching(Seq first, bool play);
  void learn_channel(const ChannelSnapshot& channel);
  void init_slot(ChunkSlot& slot);
  /// A selection pass: the selector chooses what to fetch from the missing chunks (selection/).
  void schedule();
  void on_chunk_data(Neighbor& n, protocol::ChunkData data);
  void on_origin(Seq seq, protocol::ChunkPayload payload);
  bool verify(const ChunkSlot& slot, const std::string& bytes) const;
  void on_verified(Seq seq, ConnectionId from);
  void cancel_requests(Seq seq, ConnectionId except);
  void drop_request(Neighbor& n, Seq seq);
  void deliver_ready();
  void note_have(Neighbor& n, Seq seq);
  void evict_old();
  bool nothing_to_download();
  /// Holds every chunk of a channel that has ended (a seed of a VoD channel, or a viewer that has it all).
  bool complete();
  /// Tells neighbors we are (not) interested when complete() changes.
  void update_interest();

  // ---- joining a live channel (core_join.cpp)
  void start_join();
  /// Starts playback once enough neighbors' maps are in or join_wait has passed.
  void try_join();
  /// The newest start, no nearer the edge than live_hold_back, whose start-up buffer `join_holder_share` of
  /// the `maps` neighbors with a map hold; failing that, the best-held start near the hold-back.
  Seq join_point(std::uint32_t maps) const;

  // ---- upload (core_upload.cpp)
  void on_request(Neighbor& n, const protocol::Request& request);
  void on_cancel(Neighbor& n, Seq seq);
  void pump_uploads();
  void on_sent(Neighbor& n, std::uint64_t chunk_bytes);
  /// Holds max_unsent_bytes_per_neighbor or more of our chunk bytes not yet written to it.
  bool saturated(const Neighbor& n) const { return n.unsent_bytes >= cfg.max_unsent_bytes_per_neighbor; }
  /// Has had chunk bytes unsent, without write progress, for slow_reader_timeout: choked, no slot for it.
  bool stuck_reader(const Neighbor& n) const {
    return n.unsent_bytes > 0 && now_ - n.unsent_since >= cfg.slow_reader_timeout;
  }
  /// Chokes, then drops, a neighbor whose unsent bytes have not moved for slow_reader_timeout.
  void check_slow_reader(Neighbor& n, std::vector<std::pair<ConnectionId, const char*>>& drop);
  bool upload_queue_full() const;
  bool make_room_for(Neighbor& n);
  /// Live: a full queue takes `job` in place of its last request when that one is less urgent or for a
  /// chunk more neighbors hold; the displaced request is refused as busy.
  bool make_room_for_rarer(const UploadJob& job);
  /// Queue order: urgent first, then (live) rarest first, else arrival.
  static bool goes_before(const UploadJob& a, const UploadJob& b, bool rare_first);
  /// A seed gave this chunk out seed_copies_per_chunk times and a neighbor still holds it: the mesh spreads it.
  bool spread_enough(const ChunkSlot& slot) const;
  void set_choke(Neighbor& n, bool choke);

  // ---- tit-for-tat: the Choker decides, these show it the neighbors and carry it out (core_choking.cpp)
  /// The housekeeping tick's rechoke, newcomer rotation or slot opening.
  void run_choker();
  void on_interested(Neighbor& n);
  void on_not_interested(Neighbor& n);
  ChokeCandidate choke_candidate(Neighbor& n) const;
  std::vector<ChokeCandidate> choke_candidates();
  ChokeSituation choke_situation();
  double upload_utilisation();
  /// Unchoked as a newcomer and still short of a start-up buffer.
  bool starting_up(const Neighbor& n) const;

  // ---- a live seed's injection of new chunks (core_seed.cpp)
  bool injects() const;
  /// Wants nothing back, so choking would only idle the uplink: a complete peer, or a live seed that
  /// hands out only first copies (it never serves anyone twice the same chunk anyway).
  bool unchokes_everyone() { return complete() || injects(); }
  bool passed_on(const Neighbor& n) const;
  /// Connected for a rechoke interval: past its join, unchoking the peers that would take a chunk from it.
  bool settled(const Neighbor& n) const;
  /// The chunk's first copy is kept for the neighbor told of it, which has not had seed_pass_on_wait yet.
  bool first_copy_reserved(const ChunkSlot& slot, const Neighbor& n) const;
  void inject(ChunkSlot& slot);
  /// A seed that is full drops the neighbor idle longest (useless_timeout) for a newcomer; false if none.
  bool make_room_for_newcomer();
  void reinject_stale();

  // ---- peers (core_peers.cpp)
  void on_connected(ConnectionId conn, const protocol::PeerAddress& remote, bool outbound);
  void on_handshake(Neighbor& n, const protocol::Handshake& hs);
  /// Our chunk map (HaveRange) to n: at the handshake, and when we unchoke n if only unchoked neighbors get Haves.
  void send_map(Neighbor& n);
  void on_message(Neighbor& n, protocol::Message message);
  void remove_neighbor(ConnectionId conn, const std::string& reason, bool tell_driver);
  void ban(Neighbor& n, const std::string& reason);
  void set_peer_choking(Neighbor& n, bool choking);
  void maintain();
  void fill_peer_set();
  /// Asks the tracker for `want` peers near our playhead (0: none, only keeps our entry alive).
  void announce(int want = kTrackerWant);
  static constexpr int kTrackerWant = 50;
  std::size_t connection_count() const { return neighbors.size() + pending_connects.size(); }
};

}  // namespace shoal::peer
