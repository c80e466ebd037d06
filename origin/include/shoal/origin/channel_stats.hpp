// Per-channel accounting: what the origin sent (HTTP fallback vs mesh
// seeding, kept apart) and what viewers report (QoE). Thread-safe; the
// seeder adds to `mesh_bytes_seeded` from its own thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "shoal.pb.h"
#include "shoal/origin/histogram.hpp"
#include "shoal/protocol/stats_fields.hpp"

namespace shoal::origin {

struct QoeAggregate {
  std::uint64_t sessions = 0;       // distinct peer ids that reported
  std::uint64_t startup_count = 0;  // sessions that reported a start-up delay
  double startup_mean_ms = 0;
  std::uint64_t startup_max_ms = 0;
  std::uint64_t stalls = 0;
  std::uint64_t stall_ms = 0;
  std::uint64_t sessions_with_stalls = 0;
  std::uint64_t bytes_from_peers = 0;
  std::uint64_t bytes_from_origin = 0;
  std::uint64_t bytes_uploaded = 0;
  std::uint64_t hash_failures = 0;
};

/// The sum over sessions of a field of the stats table, in the field's unit (a /metrics counter, once scaled to
/// base units); for the start-up delay its mean; 0 for a field the origin does not add up.
double reported_value(const QoeAggregate& q, protocol::StatsFieldId id);

/// The histograms of /metrics, indexed by StatsFieldId, in base units: `settled` for the fields whose
/// metric_kind is histogram, `ended` for those with an ended_histogram (the others stay empty).
struct QoeHistograms {
  std::array<Histogram, protocol::kStatsFieldCount> settled;
  std::array<Histogram, protocol::kStatsFieldCount> ended;
};

class ChannelStats {
 public:
  void add_http_bytes(std::uint64_t n) { http_bytes_ += n; }
  void add_http_request() { http_requests_ += 1; }
  /// The mesh seeder calls this for every payload byte it uploads.
  void add_mesh_bytes_seeded(std::uint64_t n) { mesh_bytes_ += n; }
  /// A later report of the same peer supersedes its earlier one. A final report is folded into the totals
  /// and its session forgotten; at most kMaxOpenSessions unfinished sessions are kept (past that the oldest
  /// is folded in as it stands), so a flood of reports costs bounded memory and never shuts real ones out.
  /// False for a report with no peer id or one over 64 bytes (nothing is stored).
  bool add_report(const wire::QoeReport& report);
  static constexpr std::size_t kMaxOpenSessions = 100'000;

  std::uint64_t http_bytes() const { return http_bytes_; }
  std::uint64_t http_requests() const { return http_requests_; }
  std::uint64_t mesh_bytes_seeded() const { return mesh_bytes_; }
  QoeAggregate qoe() const;
  QoeHistograms histograms() const;
  /// Share of the bytes viewers received that did not leave the origin:
  /// 1 - (http + mesh seeded) / (bytes viewers report receiving), clamped to [0, 1]; 0 without reports.
  double offload_ratio() const;

 private:
  std::atomic<std::uint64_t> http_bytes_{0};
  std::atomic<std::uint64_t> http_requests_{0};
  std::atomic<std::uint64_t> mesh_bytes_{0};
  struct Totals {
    QoeAggregate sum;
    double startup_sum_ms = 0;
    void add(const wire::QoeReport& r);
  };
  // Observes `report` in the histograms, `previous` being the session's report before it (nullptr: none).
  void observe_locked(const wire::QoeReport& report, const wire::QoeReport* previous);
  void observe_ended_locked(const wire::QoeReport& report);

  mutable std::mutex mutex_;
  QoeHistograms histograms_;
  Totals finished_;                                  // sessions that sent their final report, or were evicted
  std::map<std::string, wire::QoeReport> open_;      // the latest report of each unfinished session
  std::map<std::uint64_t, std::string> open_order_;  // arrival order of open_, oldest first
  std::map<std::string, std::uint64_t> open_ticket_;
  std::uint64_t next_ticket_ = 0;
};

}  // namespace shoal::origin
