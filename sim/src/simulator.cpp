#include "simulator.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

namespace shoal::sim {
namespace {

// The origin's seeder paces itself to this share of the origin uplink; HTTP fallback has the rest.
constexpr double kSeedUplinkShare = 0.5;

double seconds(Time t) { return static_cast<double>(t.count()) * 1e-6; }

std::string fixed_id(const char* prefix, std::uint64_t n, std::size_t size) {
  std::string id = prefix + std::to_string(n);
  id.resize(size, '.');
  return id;
}

}  // namespace

Simulator::Simulator(const Scenario& scenario, Network& network, SimOptions options)
    : sc_(scenario),
      net_(network),
      options_(std::move(options)),
      policy_(options_.policy.value_or(scenario.policy)),
      rng_(scenario.seed * 0x9e3779b97f4a7c15ull + 7) {}

Simulator::~Simulator() = default;

namespace {
// A message for --trace: its name and, for those about one chunk, the chunk (and a busy refusal).
std::string trace_message(const protocol::Message& message) {
  std::string out = protocol::message_name(message);
  std::visit(
      [&](const auto& m) {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, protocol::Reject>) {
          out.append(" ").append(std::to_string(m.seq)).append(m.busy ? " busy" : "");
        } else if constexpr (std::is_same_v<M, protocol::Request> || std::is_same_v<M, protocol::Cancel> ||
                             std::is_same_v<M, protocol::Have> || std::is_same_v<M, protocol::ChunkData>) {
          out.append(" ").append(std::to_string(m.seq));
        }
      },
      message);
  return out;
}
}  // namespace

std::uint32_t Simulator::conn_remote(peer::ConnectionId conn) const {
  const ConnEnd* end = conns_.find(conn);
  return end ? end->remote : std::numeric_limits<std::uint32_t>::max();
}

peer::PeerConfig Simulator::core_config(std::uint32_t p, bool seed) {
  peer::PeerConfig c;
  c.peer_id = peers_[p].address.peer_id;
  c.swarm_id = fixed_id("shoal-sim/", sc_.seed, 32);
  c.listen_port = peers_[p].address.port;
  c.rng_seed = sc_.seed * 1000003ull + p;
  c.seed = seed;
  c.policy = policy_;
  c.neighbor_policy = sc_.neighbor_policy;
  c.buffer_target = sc_.buffer_target;
  c.live_hold_back = sc_.hold_back;
  c.vod_window = sc_.vod_window;
  c.min_neighbors = sc_.neighbor_count;
  c.max_neighbors = 2 * sc_.neighbor_count;
  // The core paces its uploads to its uplink (as `shoal-peer --max-upload` does): unpaced, every queued
  // chunk would start at once and share the uplink, so each arrives late and the core's delivery-rate
  // estimates, on which its deadline rule rests, collapse. A zero uplink (a free-rider) is 1 bit/s.
  // A file download never falls back to HTTP (nothing is due), so its seeder has the whole origin uplink.
  const double up = seed ? sc_.origin_up_bps * (sc_.file_download ? 1.0 : kSeedUplinkShare) : sc_.peers[p].up_bps;
  // Super-seeding (each chunk given out once) keeps a live seeder's uplink for new chunks; a file's server
  // has no new chunks and idles once each is out, where d_p2p has it upload at u_s to the end.
  if (seed && sc_.file_download) c.seed_copies_per_chunk = 0;
  c.max_upload_bps = std::isinf(up) ? 0 : static_cast<std::uint64_t>(std::max(1.0, up));
  // As shoal-peer run with no --max-upload: the core finds its uplink's rate itself (core/uplink.hpp).
  // A free-rider uploads nothing by choice: it keeps its 1 bit/s.
  if (!seed && sc_.viewers_measure_upload && up >= 1.0) c.max_upload_bps = 0;
  // Hashing every copy of every chunk would dominate a 10,000-peer run; every payload in the
  // simulation is the origin's own buffer, so identity is the integrity check.
  c.verify_chunk = [payloads = &payloads_](const peer::ChunkMeta& meta, const std::string& bytes) {
    return meta.seq < payloads->size() && (*payloads)[meta.seq].get() == &bytes;
  };
  return c;
}

Summary Simulator::run() {
  const auto wall_start = std::chrono::steady_clock::now();
  const std::uint32_t n = static_cast<std::uint32_t>(sc_.peers.size());
  const Time d = sc_.chunk_duration;
  const Time content = d * static_cast<std::int64_t>(sc_.chunk_count);
  // A file download runs until every peer holds the file (the cap only stops a swarm that never finishes).
  end_ = sc_.live ? sc_.length : (sc_.file_download ? 1000 * sc_.length : sc_.length + content);
  // Live: the broadcast began before the first viewer, so the hold-back's worth of chunks exists at t = 0.
  preroll_ = sc_.live ? static_cast<peer::Seq>(std::max(sc_.buffer_target, sc_.hold_back) / d) + 2 : sc_.chunk_count;

  origin_node_ = net_.add_node(sc_.origin_up_bps, std::numeric_limits<double>::infinity());
  add_peers(n);
  start_origin();
  run_events(n, wall_start);
  account_population();
  for (std::uint32_t p = 0; p < n; ++p) {
    if (peers_[p].alive) finish_row(p);
  }
  return summarise(n, wall_start);
}

void Simulator::add_peers(std::uint32_t n) {
  peers_.resize(n + 1);
  rows_.resize(n);
  alive_pos_.assign(n, 0);
  for (std::uint32_t p = 0; p <= n; ++p) {
    auto& st = peers_[p];
    const bool is_seed = p == n;
    st.node = is_seed ? origin_node_ : net_.add_node(sc_.peers[p].up_bps, sc_.peers[p].down_bps);
    st.latency = is_seed ? sc_.origin_latency : sc_.peers[p].latency;
    st.address.host =
        "10." + std::to_string(p >> 16 & 255) + "." + std::to_string(p >> 8 & 255) + "." + std::to_string(p & 255);
    st.address.port = 7000;
    // Short enough for std::string's inline buffer (15 bytes up to 100,000 peers), not the wire's 20: peer
    // exchange copies thousands of addresses a second, and a 20-byte id put every copy on the heap. The
    // order of ids (which of two duplicate connections survives) is that of the padded ones.
    st.address.peer_id = (is_seed ? "origin-" : "sim-peer-") + std::to_string(p);
    by_host_[st.address.host] = p;
    if (is_seed) break;
    rows_[p].index = p;
    rows_[p].upload_class = sc_.peers[p].upload_class;
    rows_[p].up_bps = sc_.peers[p].up_bps;
    rows_[p].join_s = seconds(sc_.peers[p].join);
    schedule(sc_.peers[p].join, Event{Kind::join, p});
    if (sc_.peers[p].leave < end_) schedule(sc_.peers[p].leave, Event{Kind::leave, p});
  }
  seed_ = n;
}

void Simulator::start_origin() {
  for (peer::Seq s = 0; s < preroll_; ++s) payload(s);
  produced_ = preroll_;
  if (sc_.origin_seeder) {
    auto& seed = peers_[seed_];
    seed.core.emplace(core_config(seed_, true));
    seed.alive = true;
    seed.core->on_channel(snapshot(), now_);
    for (peer::Seq s = 0; s < produced_; ++s) seed.core->add_chunk(s, payloads_[s], now_);
    settle(seed_);
  }
  if (sc_.live) schedule(sc_.chunk_duration, Event{Kind::produce, 0, produced_});
  schedule(std::chrono::seconds(1), Event{Kind::sample});
  if (sc_.warmup > Time{0} && sc_.warmup < end_) schedule(sc_.warmup, Event{Kind::warmup_over});
}

void Simulator::run_events(std::uint32_t n, std::chrono::steady_clock::time_point wall_start) {
  auto last_progress = wall_start;
  while (true) {
    const Time limit = queue_.empty() ? end_ : std::min(queue_.next_time(), end_);
    Time reached{0};
    auto done = net_.advance(limit, reached);
    if (!done.empty()) {
      now_ = reached;
      for (FlowId f : done) flow_done(f);
      events_ += done.size();
      continue;
    }
    if (queue_.empty() || queue_.next_time() > end_) break;
    Event event = queue_.pop(now_);
    ++events_;
    prefetch_next();
    dispatch(event);
    if (sc_.file_download && finished_ == n) break;
    if (options_.progress && (events_ & 0xffff) == 0) {
      const auto wall = std::chrono::steady_clock::now();
      if (wall - last_progress > std::chrono::seconds(5)) {
        last_progress = wall;
        std::fprintf(stderr, "shoal-sim: %s t=%.0fs viewers=%zu flows=%zu events=%llu\n", peer::to_string(policy_),
                     seconds(now_), alive_.size(), net_.active_flows(), static_cast<unsigned long long>(events_));
      }
    }
  }
}

Summary Simulator::summarise(std::uint32_t n, std::chrono::steady_clock::time_point wall_start) {
  Summary s;
  s.scenario = sc_.name;
  s.policy = peer::to_string(policy_);
  s.network = options_.network_name;
  s.peers = n;
  // Offload and efficiency over a stretch: origin bytes against what client-server and the bound needed.
  auto bill = [](auto& f, std::uint64_t origin, std::uint64_t delivered, double bound) {
    f.origin_bytes = origin;
    f.cs_origin_bytes = delivered;
    f.bound_bytes = bound;
    const double cs = static_cast<double>(delivered);
    f.offload = cs > 0 ? 1.0 - static_cast<double>(origin) / cs : 0.0;
    f.offload_bound = cs > 0 ? 1.0 - bound / cs : 0.0;
    f.efficiency = origin > 0 ? bound / static_cast<double>(origin) : 0.0;
  };
  const bool warmed = sc_.warmup > Time{0} && sc_.warmup < end_;
  s.warmup_s = warmed ? seconds(sc_.warmup) : 0.0;
  s.origin_http_bytes = origin_http_bytes_ - warm_http_;
  s.origin_seed_bytes = origin_seed_bytes_ - warm_seed_;
  bill(s, s.origin_http_bytes + s.origin_seed_bytes, delivered_bytes_ - warm_delivered_, bound_bytes_ - warm_bound_);
  summarise_peers(rows_, sc_.class_names, s);
  bill(s.whole_run, origin_http_bytes_ + origin_seed_bytes_, delivered_bytes_, bound_bytes_);
  summarise_whole_run(rows_, s.whole_run);
  if (sc_.file_download) {
    for (const auto& r : rows_)
      s.distribution_s = std::max(s.distribution_s, r.completion_s < 0 ? seconds(now_) : r.join_s + r.completion_s);
  }
  s.sim_s = seconds(now_);
  s.events = events_;
  s.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  if (!options_.out_dir.empty()) {
    std::filesystem::create_directories(options_.out_dir);
    const std::string stem = options_.out_dir + "/" + sc_.name + "-" + s.policy;
    write_series_csv(stem + "-series.csv", series_);
    write_peers_csv(stem + "-peers.csv", rows_, sc_.class_names);
  }
  return s;
}

void Simulator::prefetch_next() const {
  // Each event starts with a chain of cache misses (its peer's entry, the core's state, the neighbor table,
  // a message's connection end) that nothing overlaps. A pipeline over the next three events loads each
  // link one event ahead of the one that reads it: the entry three events ahead, the state (reading the
  // entry loaded last round) two ahead, the neighbor table (reading that state) of the next. New events
  // rarely land before these three (they come a latency later), so the guesses are nearly always right.
  if (const Event* third = queue_.peek(2)) __builtin_prefetch(&peers_[third->peer]);
  if (const Event* second = queue_.peek(1)) {
    const PeerState& st = peers_[second->peer];
    if (st.core) st.core->prefetch();
    if (second->kind == Kind::message) conns_.prefetch(second->a);
  }
  if (const Event* next = queue_.peek(0); next && next->kind == Kind::message) {
    const PeerState& st = peers_[next->peer];
    if (st.core) st.core->prefetch_neighbors();
  }
}

void Simulator::dispatch(Event& e) {
  auto& st = peers_[e.peer];
  switch (e.kind) {
    case Kind::join:
      return join(e.peer);
    case Kind::leave:
      return leave(e.peer);
    case Kind::produce:
      return produce(e.a);
    case Kind::sample:
      return sample();
    case Kind::warmup_over:
      return end_warmup();
    case Kind::origin_request:
      return origin_request(e.peer, e.a);
    default:
      break;
  }
  if (!st.alive) {
    if (e.kind == Kind::connect_failed) failed_dials_.erase(e.a);
    return;
  }
  switch (e.kind) {
    case Kind::timer:
      if (e.a != st.timer_version) return;
      st.timer_at = Time::max();
      st.core->on_timer(now_);
      break;
    case Kind::message:
      if (!deliver_message(e, st)) return;
      break;
    case Kind::connected: {
      ConnEnd* end = conns_.find(e.a);
      if (!end || !end->open) {
        // The initiator's dial (b = 1 + the acceptor's index) was closed before it learned of it.
        if (e.b) st.core->on_connect_failed(peers_[e.b - 1].address, now_);
        break;
      }
      end->announced = true;
      st.core->on_connected(e.a, peers_[end->remote].address, e.b != 0, now_);
      break;
    }
    case Kind::connect_failed: {
      auto node = failed_dials_.extract(e.a);
      st.core->on_connect_failed(node.mapped(), now_);
      break;
    }
    case Kind::disconnected: {
      const ConnEnd* end = conns_.find(e.a);
      if (!end || !end->open) return;
      const bool announced = end->announced;
      close_end(e.a, false);
      if (!announced) return;
      st.core->on_disconnected(e.a, now_);
      break;
    }
    case Kind::origin_reply:
      if (e.b && e.peer != seed_) rows_[e.peer].bytes_from_origin += sc_.chunk_bytes;
      st.core->on_origin_chunk(e.a, e.b ? payloads_[e.a] : nullptr, now_);
      break;
    case Kind::tracker_reply:
      st.core->on_tracker_peers(tracker_reply(e.peer, e.a, static_cast<int>(e.b)), now_);
      break;
    case Kind::sent:
      st.core->on_sent(e.a, e.b, now_);
      break;
    default:
      return;
  }
  settle(e.peer);
}

bool Simulator::deliver_message(Event& e, PeerState& st) {
  const ConnEnd* end = conns_.find(e.a);
  if (!end || !end->open || !end->announced) return false;
  if (const auto* data = std::get_if<protocol::ChunkData>(&e.message); data && e.peer != seed_) {
    rows_[e.peer].bytes_from_peers += sc_.chunk_bytes;
  }
  if (e.peer == options_.trace_peer) {
    std::fprintf(stderr, "trace %.6f peer %u recv %s from %u\n", seconds(now_), e.peer,
                 trace_message(e.message).c_str(), end->remote);
  }
  st.core->on_message(e.a, std::move(e.message), now_);
  return true;
}

void Simulator::settle(std::uint32_t p) {
  auto& st = peers_[p];
  if (!st.alive) return;
  auto& actions = actions_;
  st.core->take_actions(actions);
  // A verified chunk sends a Have to every neighbor: their connection ends' misses overlap, not queue up.
  if (actions.size() > 1) {
    for (const auto& action : actions)
      if (const auto* m = std::get_if<peer::SendMessage>(&action)) conns_.prefetch(m->conn);
  }
  for (auto& action : actions) {
    if (p == options_.trace_peer) {
      static const char* kNames[] = {"send", "connect", "disconnect", "fetch_origin", "announce", "deliver"};
      std::string detail;
      if (auto* m = std::get_if<peer::SendMessage>(&action))
        detail = trace_message(m->message).append(" to ").append(std::to_string(conn_remote(m->conn)));
      if (auto* f = std::get_if<peer::FetchFromOrigin>(&action)) detail = std::to_string(f->seq);
      if (auto* d = std::get_if<peer::DeliverChunk>(&action)) detail = std::to_string(d->seq);
      std::fprintf(stderr, "trace %.6f peer %u %s %s\n", seconds(now_), p, kNames[action.index()], detail.c_str());
    }
    perform(p, action);
    if (!st.alive) return;
  }
  const Time next = st.core->next_deadline();
  if (p == options_.trace_peer)
    std::fprintf(stderr, "trace %.6f peer %u next_deadline %.6f\n", seconds(now_), p, seconds(next));
  if (next == st.timer_at) return;
  st.timer_at = next;
  ++st.timer_version;
  if (next < end_ + std::chrono::seconds(1)) schedule(std::max(next, now_), Event{Kind::timer, p, st.timer_version});
}

void Simulator::join(std::uint32_t p) {
  auto& st = peers_[p];
  account_population();
  st.alive = true;
  st.watching = true;
  ++watching_;
  upload_present_bps_ += sc_.peers[p].up_bps;
  alive_pos_[p] = static_cast<std::uint32_t>(alive_.size());
  alive_.push_back(p);
  st.core.emplace(core_config(p, false));
  st.core->on_channel(snapshot(), now_);
  st.first = 0;
  st.next_expected = 0;
  if (sc_.file_download) {
    st.core->start_download(st.first, now_);
  } else if (sc_.live) {
    st.core->join_live(now_);  // the core chooses the start; the first delivery tells us which
  } else {
    st.core->start_playback(st.first, now_);
  }
  settle(p);
}

void Simulator::leave(std::uint32_t p) {
  auto& st = peers_[p];
  if (!st.alive) return;
  account_population();
  finish_row(p);
  st.alive = false;
  if (st.watching) --watching_;
  st.watching = false;
  upload_present_bps_ -= sc_.peers[p].up_bps;
  const auto conns = std::move(st.conns);
  for (auto c : conns) close_end(c, true);
  for (FlowId f : st.http_flows) {
    net_.cancel_flow(f, now_);
    flows_.erase(f);
    --http_active_;
  }
  st.http_flows.clear();
  st.core.reset();
  const std::uint32_t pos = alive_pos_[p];
  alive_[pos] = alive_.back();
  alive_pos_[alive_[pos]] = pos;
  alive_.pop_back();
}

void Simulator::account_population() {
  if (watching_ > 0) {
    const double r = sc_.bitrate_bps;
    const double need = std::max(r, watching_ * r - upload_present_bps_);
    bound_bytes_ += need / 8.0 * seconds(now_ - bound_since_);
  }
  bound_since_ = now_;
}

void Simulator::end_warmup() {
  account_population();
  warm_http_ = origin_http_bytes_;
  warm_seed_ = origin_seed_bytes_;
  warm_delivered_ = delivered_bytes_;
  warm_bound_ = bound_bytes_;
  for (std::uint32_t p : alive_) {
    fill_row(p);
    auto& row = rows_[p];
    row.at_warmup = {row.chunks_played, row.chunks_late,      row.stalls,
                     row.bytes_up,      row.bytes_from_peers, row.bytes_from_origin};
  }
}

void Simulator::finish_row(std::uint32_t p) {
  fill_row(p);
  rows_[p].leave_s = seconds(now_);
}

void Simulator::fill_row(std::uint32_t p) {
  const auto& stats = peers_[p].core->stats();
  auto& row = rows_[p];
  row.started = stats.started;
  row.startup_ms = static_cast<double>(stats.startup_delay.count()) / 1000.0;
  row.stalls = stats.stalls;
  row.stall_ms = static_cast<double>(stats.stall_time.count()) / 1000.0;
  row.chunks_played = stats.chunks_played;
  row.chunks_late = stats.chunks_late;
  row.hash_failures = stats.hash_failures;
  if (sc_.live && stats.started) {
    // Chunk k is complete at (k + 1 - preroll)·d (negative: before the run began).
    const double produced_at =
        (static_cast<double>(peers_[p].first) + 1.0 - static_cast<double>(preroll_)) * seconds(sc_.chunk_duration);
    row.lag_ms = (row.join_s + row.startup_ms / 1000.0 + row.stall_ms / 1000.0 - produced_at) * 1000.0;
  }
}

}  // namespace shoal::sim
