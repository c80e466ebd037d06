// What a run measured: per-peer rows, the origin's upload over time against
// the client-server line and the streaming-capacity bound, and the summary
// (one JSON line) that --compare prints per policy.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "network.hpp"

namespace shoal::sim {

/// What a session had counted by some instant (the end of the warm-up).
struct SessionCounters {
  std::uint64_t chunks_played = 0, chunks_late = 0;
  std::uint32_t stalls = 0;
  std::uint64_t bytes_up = 0, bytes_from_peers = 0, bytes_from_origin = 0;
};

struct PeerRow {
  std::uint32_t index = 0;
  int upload_class = 0;  // -1 = free-rider
  double up_bps = 0;
  double join_s = 0, leave_s = 0;
  bool started = false;
  double startup_ms = 0;
  std::uint32_t stalls = 0;
  double stall_ms = 0;
  std::uint64_t chunks_played = 0, chunks_late = 0, chunks_delivered = 0;
  std::uint64_t bytes_up = 0, bytes_from_peers = 0, bytes_from_origin = 0;
  double lag_ms = -1;        // live only
  double completion_s = -1;  // time from join to holding every chunk (VoD/file)
  std::uint32_t hash_failures = 0;
  SessionCounters at_warmup;  // its counts when the warm-up ended (zero for a session that joined after)
};

struct SeriesRow {
  double t_s = 0;
  std::uint32_t viewers = 0;
  double origin_bps = 0;  // HTTP fallback + seeder upload
  double cs_bps = 0;      // N(t)·r
  double bound_bps = 0;   // max(r, N(t)·r − Σu_i(t)), 0 without viewers
  double mesh_bps = 0;    // viewers' uploads to each other
};

/// The headline figures over one stretch of a run: the measured window (after the warm-up) or the whole run.
struct Figures {
  double offload = 0, offload_bound = 0, efficiency = 0;
  double continuity = 1, stalled_sessions = 0, stalls_per_hour = 0, started_sessions = 0;
  double startup_p50_ms = 0, startup_p95_ms = 0, lag_p50_ms = 0, lag_p95_ms = 0;
  std::uint64_t origin_bytes = 0, cs_origin_bytes = 0;
  double bound_bytes = 0;
};

struct Summary {
  std::string scenario, policy, network;
  std::uint64_t peers = 0;
  double warmup_s = 0;  // the figures below count from here; `whole_run` from 0
  Figures whole_run;
  double offload = 0, offload_bound = 0, efficiency = 0;
  double continuity = 1, stalled_sessions = 0, stalls_per_hour = 0, started_sessions = 0;
  double startup_p50_ms = 0, startup_p95_ms = 0, lag_p50_ms = 0, lag_p95_ms = 0;
  std::uint64_t origin_bytes = 0, origin_http_bytes = 0, origin_seed_bytes = 0, cs_origin_bytes = 0;
  double bound_bytes = 0;
  double distribution_s = 0;  // file download: the last peer's completion time
  double wall_s = 0, sim_s = 0;
  std::uint64_t events = 0;
  std::uint32_t hash_failures = 0;
  std::string per_class_json;  // [{"class":..,"peers":..,"bytes_up":..,"bytes_down":..}, ...]

  std::string to_json() const;
};

/// Fills the QoE and per-class fields of `summary` from the per-peer rows, counting from `summary.warmup_s`:
/// start-up and lag of the sessions that joined after it, chunks played and stalls after it.
void summarise_peers(const std::vector<PeerRow>& rows, const std::vector<std::string>& class_names, Summary& summary);
/// The QoE fields of `figures` over the whole run.
void summarise_whole_run(const std::vector<PeerRow>& rows, Figures& figures);
void write_peers_csv(const std::string& path, const std::vector<PeerRow>& rows,
                     const std::vector<std::string>& class_names);
void write_series_csv(const std::string& path, const std::vector<SeriesRow>& rows);
double percentile(std::vector<double> values, double p);

}  // namespace shoal::sim
