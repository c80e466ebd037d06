// A scenario resolved into numbers: the textproto (sim/scenario.proto) with
// its rates and durations parsed, --set overrides applied, and the audience
// drawn from the seed as a plan of who joins when, for how long, with which
// uplink, downlink and latency.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "network.hpp"
#include "scenario.pb.h"
#include "shoal/peer/core/config.hpp"

namespace shoal::sim {

struct PeerPlan {
  Time join{0};
  Time leave{0};  // Time::max() = stays to the end
  bool leave_after_watching = false;
  Time seed_residence{0};  // VoD/file: how long it stays after its last chunk
  double up_bps = 0;
  double down_bps = 0;   // +inf = unlimited
  int upload_class = 0;  // index into Scenario::class_names; -1 = free-rider
  Time latency{0};       // one way, to the network core
};

struct Scenario {
  pb::Scenario proto;
  std::string name;
  double bitrate_bps = 0;
  Time chunk_duration{0};
  std::uint64_t chunk_bytes = 0;
  bool live = true;
  bool file_download = false;
  Time length{0};
  std::uint64_t chunk_count = 0;  // VoD/file: content length in chunks; live: chunks produced over `length`
  double origin_up_bps = 0;
  bool origin_seeder = true;
  std::uint32_t origin_max_transfers = 0;  // 0 = unlimited
  Time origin_latency{0};
  peer::Policy policy = peer::Policy::deadline;
  peer::NeighborPolicy neighbor_policy = peer::NeighborPolicy::random;
  int neighbor_count = 20;
  Time buffer_target{0};
  Time hold_back{0};                    // live: the core's live_hold_back
  Time warmup{0};                       // the summary counts from here
  bool viewers_measure_upload = false;  // cores are not told their uplink (as shoal-peer by default)
  Time vod_window{0};
  std::uint64_t seed = 1;
  std::uint32_t manifest_window = 120;  // the origin's DVR window (120 s) in chunks; set from chunk_duration
  double nominal_peers = 0;             // audience the resource index refers to
  std::vector<std::string> class_names;
  std::vector<PeerPlan> peers;  // sorted by join time
};

/// Reads a textproto file; throws std::runtime_error with one clear line on bad input.
pb::Scenario read_scenario_file(const std::string& path);
/// Applies "key=value" (a field path like arrivals.flash_crowd.peers, or an alias: peers, rho,
/// policy, seed, bitrate, length, lambda, free_riders, origin_upload, neighbor_policy, buffer_target).
void apply_override(pb::Scenario& proto, const std::string& assignment);
/// Parses units, checks ranges and draws the audience plan.
Scenario resolve(const pb::Scenario& proto);

}  // namespace shoal::sim
