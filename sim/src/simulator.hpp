// The event loop: one unchanged PeerCore per viewer plus the origin's seed
// PeerCore, driven in simulated time. Actions become events: messages cross the
// network model (chunk data as flows, control messages as latency only, FIFO per
// connection direction like TCP), origin fetches are flows over the origin's
// uplink, the tracker answers announces, deliveries feed the accounting.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "conn_table.hpp"
#include "event_queue.hpp"
#include "metrics.hpp"
#include "network.hpp"
#include "scenario.hpp"
#include "shoal/peer/core/peer_core.hpp"

namespace shoal::sim {

struct SimOptions {
  std::optional<peer::Policy> policy;  // overrides the scenario's
  bool progress = false;               // progress lines on stderr
  std::string network_name = "fluid";
  std::string out_dir;                    // CSV files when not empty
  std::uint32_t trace_peer = UINT32_MAX;  // log this peer's actions on stderr (--trace)
};

class Simulator {
 public:
  Simulator(const Scenario& scenario, Network& network, SimOptions options);
  ~Simulator();
  /// Runs the scenario to its end and returns the summary.
  Summary run();

  const std::vector<PeerRow>& peer_rows() const { return rows_; }
  const std::vector<SeriesRow>& series() const { return series_; }

 private:
  enum class Kind : std::uint8_t {
    join,
    leave,
    timer,
    message,
    connected,
    connect_failed,
    disconnected,
    origin_request,
    origin_reply,
    tracker_reply,
    sent,  // a chunk's flow finished at its sender: a = its connection, b = bytes
    produce,
    sample,
    warmup_over
  };
  struct Event {
    Event() = default;
    Event(Kind k, std::uint32_t p = 0, std::uint64_t a_ = 0, std::uint64_t b_ = 0, protocol::Message m = {})
        : kind(k), peer(p), a(a_), b(b_), message(std::move(m)) {}
    Kind kind = Kind::timer;
    std::uint32_t peer = 0;
    std::uint64_t a = 0, b = 0;
    protocol::Message message;
  };
  struct Direction {
    // Waiting behind the chunk in flight, from `head` on (a vector: a deque allocated 600 bytes per end).
    std::vector<protocol::Message> queue;
    std::size_t head = 0;
    FlowId flow = 0;
    protocol::Message in_flight;
    bool idle() const { return flow == 0 && head == queue.size(); }
  };
  struct ConnEnd {
    std::uint32_t owner = 0, remote = 0;
    peer::ConnectionId remote_conn = 0;
    bool open = true;
    bool announced = false;  // the owner's core has seen on_connected
    bool outbound = false;
    // Fixed for the connection's life and kept here, so a send reads nothing of the remote peer's state
    // (a cache miss per message of a 10,000-peer run).
    Time one_way{0};
    NodeId owner_node = 0, remote_node = 0;
    Direction out;
  };
  struct FlowUse {
    bool http = false;
    peer::ConnectionId conn = 0;  // sender's end, for chunk data
    std::uint32_t peer = 0;       // receiver of an HTTP fetch
    peer::Seq seq = 0;
  };
  struct PeerState {
    // What every event reads first, in the entry's first cache line.
    std::optional<peer::PeerCore> core;  // inline, not a pointer: one cache miss less per event
    bool alive = false, watching = false, complete = false;
    NodeId node = 0;
    Time timer_at = Time::max();
    std::uint64_t timer_version = 0;
    Time latency{0};
    peer::Seq first = 0, next_expected = 0, announced_playhead = 0;
    std::vector<peer::ConnectionId> conns;
    std::vector<FlowId> http_flows;
    protocol::PeerAddress address;
  };

  // simulator.cpp: the loop, peers joining and leaving, timers, accounting.
  void schedule(Time at, Event event) { queue_.push(at, std::move(event)); }
  /// run()'s steps: the peers' nodes, addresses and join/leave events; the preroll and the origin's seeder;
  /// the event loop; the summary.
  void add_peers(std::uint32_t n);
  void start_origin();
  void run_events(std::uint32_t n, std::chrono::steady_clock::time_point wall_start);
  Summary summarise(std::uint32_t n, std::chrono::steady_clock::time_point wall_start);
  void dispatch(Event& event);
  /// A message event for a live peer: false if its connection is gone (nothing to settle).
  bool deliver_message(Event& event, PeerState& st);
  void prefetch_next() const;
  void join(std::uint32_t p);
  void leave(std::uint32_t p);
  void settle(std::uint32_t p);
  void account_population();
  /// Copies the core's QoE counters into the session's row.
  void fill_row(std::uint32_t p);
  void finish_row(std::uint32_t p);
  /// The warm-up is over: what every session and the origin counted so far is set aside.
  void end_warmup();
  peer::PeerConfig core_config(std::uint32_t p, bool seed);
  // transport.cpp: actions and the messages between cores.
  void perform(std::uint32_t p, peer::Action& action);
  void send(std::uint32_t p, peer::ConnectionId conn, protocol::Message message);
  void start_next(ConnEnd& end, peer::ConnectionId conn);
  void connect(std::uint32_t p, const protocol::PeerAddress& address);
  void close_end(peer::ConnectionId conn, bool tell_remote);
  void flow_done(FlowId flow);
  Time one_way(std::uint32_t a, std::uint32_t b) const;
  // origin.cpp: chunk production, HTTP fallback, tracker.
  void produce(peer::Seq seq);
  protocol::ChunkPayload payload(peer::Seq seq);
  /// The channel as the origin lists it: at most the newest `newest` chunks (capped by the DVR window).
  /// The peer at the other end of a connection (for --trace).
  std::uint32_t conn_remote(peer::ConnectionId conn) const;
  peer::ChannelSnapshot snapshot(std::uint32_t newest = std::numeric_limits<std::uint32_t>::max()) const;
  void origin_request(std::uint32_t p, peer::Seq seq);
  std::vector<protocol::PeerAddress> tracker_reply(std::uint32_t p, peer::Seq playhead, int want);
  void sample();

  const Scenario& sc_;
  Network& net_;
  SimOptions options_;
  peer::Policy policy_;
  EventQueue<Event> queue_;
  std::vector<peer::Action> actions_;  // settle()'s buffer: kept, so an event allocates none
  Time now_{0};
  std::uint64_t events_ = 0;

  std::vector<PeerState> peers_;  // plan peers, then the seed at index seed_
  std::uint32_t seed_ = 0;
  NodeId origin_node_ = 0;
  std::unordered_map<std::string, std::uint32_t> by_host_;
  std::vector<std::uint32_t> alive_;  // viewers present, for the tracker
  std::vector<std::uint32_t> alive_pos_;
  ConnTable<ConnEnd> conns_;
  // Dials that will fail, by number (an event's `a`): the core is told the address it dialled. Kept out of
  // every event, which they made 70 bytes larger.
  std::unordered_map<std::uint64_t, protocol::PeerAddress> failed_dials_;
  std::uint64_t next_failed_dial_ = 0;
  std::unordered_map<FlowId, FlowUse> flows_;
  std::mt19937_64 rng_;

  std::vector<protocol::ChunkPayload> payloads_;
  std::vector<peer::ChunkMeta> metas_;
  peer::Seq produced_ = 0;         // chunks [0, produced_) exist
  std::uint32_t http_active_ = 0;  // HTTP chunk flows in flight

  // accounting
  std::vector<PeerRow> rows_;
  std::vector<SeriesRow> series_;
  std::uint64_t origin_http_bytes_ = 0, origin_seed_bytes_ = 0, bin_origin_bytes_ = 0, delivered_bytes_ = 0;
  std::uint64_t bin_mesh_bytes_ = 0;  // viewers' uploads in the current one-second bin
  std::uint32_t watching_ = 0;
  double upload_present_bps_ = 0;
  double bound_bytes_ = 0;
  Time bound_since_{0};
  std::uint32_t finished_ = 0;
  // At the warm-up's end: origin bytes (HTTP, seeded), bytes delivered, the bound.
  std::uint64_t warm_http_ = 0, warm_seed_ = 0, warm_delivered_ = 0;
  double warm_bound_ = 0;
  Time end_{0};
  peer::Seq preroll_ = 0;  // live: chunks that exist at t = 0 (the broadcast started earlier)
};

}  // namespace shoal::sim
