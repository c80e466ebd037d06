// The counters a viewer reports about its playback, defined once (issue 20). shoal-peer's and shoal-play's exit
// JSON, the QoeReport to the origin, the origin's /metrics, shoalsrc's `stats` structure, the --help texts and the
// table in docs/peer.md are all written from this table or checked against it by a test, so a field added here
// fails the build or a test until every one of them carries it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace shoal::protocol {

/// One per row of kStatsFields, in the same order: code that maps a field to a value switches on it, so a new
/// field is a compile error (-Wswitch) wherever it is not handled yet.
enum class StatsFieldId : std::uint8_t {
  startup_delay_ms,
  stalls,
  stall_ms,
  chunks_played,
  chunks_late,
  bytes_from_peers,
  bytes_from_origin,
  bytes_uploaded,
  hash_failures,
  peers_banned,
};

/// The enum's last value: a new field goes after it and this moves to it, which sizes kStatsFields.
inline constexpr StatsFieldId kLastStatsField = StatsFieldId::peers_banned;

enum class StatsUnit : std::uint8_t { ms, count, chunks, bytes };

/// What the origin makes of the field's reports in /metrics, in base units (ms become seconds; the family names
/// follow the Prometheus conventions: a `_seconds`/`_bytes` unit suffix, `_total` on counters).
enum class OriginMetric : std::uint8_t {
  none,       // not exported
  counter,    // the sum over sessions of each session's latest report
  histogram,  // one observation per session, when it first reports a value > 0 (a value settled once known:
              // the start-up delay)
};

/// The buckets (upper bounds, seconds) of every histogram of /metrics: from a tenth of a second (a short stall)
/// to about a minute (a start-up that failed in all but name), doubling.
inline constexpr std::array<double, 10> kSecondsBuckets{0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64};

struct StatsField {
  StatsFieldId id;
  std::string_view name;  // the exit JSON key, and the QoeReport field when `reported`
  StatsUnit unit;
  int bits;               // 32 or 64: the width of the QoeReport field and of shoalsrc's structure field
  std::string_view help;  // one line, for the docs table
  // shoalsrc's `stats`/`shoal-qoe` field, named the GStreamer way; a field in ms is a guint64 in ns there
  // (GstClockTime), others are guint (32 bits) or guint64 (64 bits).
  std::string_view element_field;
  bool reported;  // sent to the origin in the QoeReport
  OriginMetric metric_kind;
  std::string_view metric;       // the /metrics family (see OriginMetric)
  std::string_view metric_help;  // its HELP
  // A histogram of each ended session's value (its final report, or its last one when the origin stops keeping
  // it open), for values that grow while a session lasts (stalled time); empty: none. Its HELP is metric_help's
  // followed by " per ended session".
  std::string_view ended_histogram;
};

/// The factor from the field's unit to the base unit of its /metrics families (ms: seconds).
constexpr double base_unit_scale(StatsUnit unit) { return unit == StatsUnit::ms ? 1e-3 : 1.0; }

// clang-format off
inline constexpr std::array<StatsField, static_cast<std::size_t>(kLastStatsField) + 1> kStatsFields{{
    {StatsFieldId::startup_delay_ms, "startup_delay_ms", StatsUnit::ms, 64,
     "asking to play to the start of playback; -1 if it never started (0 in the QoeReport)",
     "startup-delay", true, OriginMetric::histogram, "shoal_origin_startup_delay_seconds",
     "Start-up delay viewers reported", ""},
    {StatsFieldId::stalls, "stalls", StatsUnit::count, 32,
     "times the playhead reached media that had not arrived",
     "stall-count", true, OriginMetric::counter, "shoal_origin_stalls_total", "Stalls viewers reported", ""},
    {StatsFieldId::stall_ms, "stall_ms", StatsUnit::ms, 64,
     "playback time spent stalled",
     "stall-duration", true, OriginMetric::counter, "shoal_origin_stall_seconds_total",
     "Stalled playback time viewers reported", "shoal_origin_session_stall_seconds"},
    {StatsFieldId::chunks_played, "chunks_played", StatsUnit::chunks, 64,
     "chunks the playhead has passed (shoalsrc: pushed downstream)",
     "chunks-played", true, OriginMetric::none, "", "", ""},
    {StatsFieldId::chunks_late, "chunks_late", StatsUnit::chunks, 64,
     "chunks the playhead reached before they had arrived",
     "chunks-late", false, OriginMetric::none, "", "", ""},
    {StatsFieldId::bytes_from_peers, "bytes_from_peers", StatsUnit::bytes, 64,
     "chunk bytes received from other peers",
     "bytes-from-peers", true, OriginMetric::counter, "shoal_origin_reported_peer_bytes_total",
     "Bytes viewers reported receiving from peers", ""},
    {StatsFieldId::bytes_from_origin, "bytes_from_origin", StatsUnit::bytes, 64,
     "chunk bytes fetched from the origin over HTTP",
     "bytes-from-origin", true, OriginMetric::counter, "shoal_origin_reported_origin_bytes_total",
     "Bytes viewers reported fetching from the origin over HTTP", ""},
    {StatsFieldId::bytes_uploaded, "bytes_uploaded", StatsUnit::bytes, 64,
     "chunk bytes uploaded to other peers",
     "bytes-uploaded", true, OriginMetric::none, "", "", ""},
    {StatsFieldId::hash_failures, "hash_failures", StatsUnit::count, 32,
     "chunks that failed their SHA-256 check",
     "hash-failures", true, OriginMetric::none, "", "", ""},
    {StatsFieldId::peers_banned, "peers_banned", StatsUnit::count, 32,
     "peers banned for sending chunks that failed the check",
     "peers-banned", true, OriginMetric::none, "", "", ""},
}};
// clang-format on

inline constexpr std::size_t kStatsFieldCount = kStatsFields.size();

/// A value per field in the field's unit, indexed by StatsFieldId: what a producer hands a writer.
using StatsValues = std::array<std::int64_t, kStatsFieldCount>;

constexpr const StatsField& stats_field(StatsFieldId id) { return kStatsFields[static_cast<std::size_t>(id)]; }

std::string_view to_string(StatsUnit unit);

/// "startup_delay_ms, stalls, ..., peers_banned": the field list the --help texts print.
std::string stats_field_names();

}  // namespace shoal::protocol
