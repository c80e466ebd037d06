#include "metrics.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

#include "shoal/protocol/json_line.hpp"

namespace shoal::sim {

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const double rank = p * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(rank));
  const auto hi = std::min(values.size() - 1, lo + 1);
  return values[lo] + (values[hi] - values[lo]) * (rank - static_cast<double>(lo));
}

namespace {

struct PerClass {
  std::uint64_t peers = 0, up = 0, down_peers = 0, down_origin = 0;
  double startup_sum = 0;
  std::uint64_t started = 0, late = 0, played = 0;
};

// QoE over the stretch from `from_s` on: start-up and lag of the sessions that joined in it, chunks played,
// late and stalls counted in it (minus each session's counts at the warm-up's end when `from_s` > 0).
void qoe(const std::vector<PeerRow>& rows, double from_s, Figures& f, std::vector<PerClass>* classes,
         std::size_t free_rider_class) {
  const bool windowed = from_s > 0;
  std::vector<double> startup, lag;
  std::uint64_t played = 0, late = 0, stalls = 0, stalled = 0, playing = 0, joined = 0, started = 0;
  double watch_s = 0;
  for (const auto& r : rows) {
    const SessionCounters zero;
    const SessionCounters& base = windowed ? r.at_warmup : zero;
    const bool joined_in = r.join_s >= from_s;
    const std::uint64_t r_played = r.chunks_played - base.chunks_played, r_late = r.chunks_late - base.chunks_late;
    const std::uint32_t r_stalls = r.stalls - base.stalls;
    PerClass* c = nullptr;
    if (classes) {
      c = &(*classes)[r.upload_class < 0 ? free_rider_class : static_cast<std::size_t>(r.upload_class)];
      if (joined_in || r.leave_s > from_s) ++c->peers;
      c->up += r.bytes_up - base.bytes_up;
      c->down_peers += r.bytes_from_peers - base.bytes_from_peers;
      c->down_origin += r.bytes_from_origin - base.bytes_from_origin;
    }
    if (joined_in) ++joined;
    if (!r.started) continue;
    if (joined_in) {
      ++started;
      startup.push_back(r.startup_ms);
      if (r.lag_ms >= 0) lag.push_back(r.lag_ms);
      if (c) {
        ++c->started;
        c->startup_sum += r.startup_ms;
      }
    }
    if (windowed && r_played == 0 && r_stalls == 0) continue;  // over before the window
    ++playing;
    played += r_played;
    late += r_late;
    stalls += r_stalls;
    if (r_stalls > 0) ++stalled;
    watch_s += std::max(0.0, r.leave_s - std::max(r.join_s, from_s));
    if (c) {
      c->late += r_late;
      c->played += r_played;
    }
  }
  f.started_sessions = joined ? static_cast<double>(started) / static_cast<double>(joined) : 0.0;
  f.continuity = played > 0 ? 1.0 - static_cast<double>(late) / static_cast<double>(played) : (playing ? 1.0 : 0.0);
  f.stalled_sessions = playing ? static_cast<double>(stalled) / static_cast<double>(playing) : 0.0;
  f.stalls_per_hour = watch_s > 0 ? static_cast<double>(stalls) / (watch_s / 3600.0) : 0.0;
  f.startup_p50_ms = percentile(startup, 0.5);
  f.startup_p95_ms = percentile(startup, 0.95);
  f.lag_p50_ms = percentile(lag, 0.5);
  f.lag_p95_ms = percentile(lag, 0.95);
}

}  // namespace

void summarise_peers(const std::vector<PeerRow>& rows, const std::vector<std::string>& class_names, Summary& s) {
  std::vector<PerClass> classes(class_names.size() + 1);  // last = free-riders
  Figures f;
  qoe(rows, s.warmup_s, f, &classes, class_names.size());
  s.continuity = f.continuity;
  s.stalled_sessions = f.stalled_sessions;
  s.stalls_per_hour = f.stalls_per_hour;
  s.started_sessions = f.started_sessions;
  s.startup_p50_ms = f.startup_p50_ms;
  s.startup_p95_ms = f.startup_p95_ms;
  s.lag_p50_ms = f.lag_p50_ms;
  s.lag_p95_ms = f.lag_p95_ms;
  for (const auto& r : rows) s.hash_failures += r.hash_failures;
  std::string json = "[";
  for (std::size_t i = 0; i < classes.size(); ++i) {
    const auto& c = classes[i];
    if (c.peers == 0) continue;
    if (json.size() > 1) json += ",";
    JsonLine line;
    line.add("class", i < class_names.size() ? class_names[i] : std::string("free-rider"))
        .add("peers", c.peers)
        .add("bytes_up", c.up)
        .add("bytes_from_peers", c.down_peers)
        .add("bytes_from_origin", c.down_origin)
        .add("startup_mean_ms", c.started ? c.startup_sum / static_cast<double>(c.started) : 0.0)
        .add("continuity", c.played ? 1.0 - static_cast<double>(c.late) / static_cast<double>(c.played) : 0.0);
    json += line.str();
  }
  s.per_class_json = json + "]";
}

void summarise_whole_run(const std::vector<PeerRow>& rows, Figures& figures) { qoe(rows, 0.0, figures, nullptr, 0); }

std::string Summary::to_json() const {
  JsonLine j;
  j.add("scenario", scenario)
      .add("policy", policy)
      .add("network", network)
      .add("peers", peers)
      .add("warmup_s", warmup_s)
      .add("offload", offload)
      .add("offload_bound", offload_bound)
      .add("efficiency", efficiency)
      .add("continuity", continuity)
      .add("stalled_sessions", stalled_sessions)
      .add("stalls_per_hour", stalls_per_hour)
      .add("started_sessions", started_sessions)
      .add("startup_p50_ms", startup_p50_ms)
      .add("startup_p95_ms", startup_p95_ms)
      .add("lag_p50_ms", lag_p50_ms)
      .add("lag_p95_ms", lag_p95_ms)
      .add("origin_bytes", origin_bytes)
      .add("origin_http_bytes", origin_http_bytes)
      .add("origin_seed_bytes", origin_seed_bytes)
      .add("cs_origin_bytes", cs_origin_bytes)
      .add("bound_bytes", bound_bytes)
      .add("distribution_s", distribution_s)
      .add("hash_failures", hash_failures)
      .add("sim_s", sim_s)
      .add("wall_s", wall_s)
      .add("events", events)
      .add("events_per_s", wall_s > 0 ? static_cast<double>(events) / wall_s : 0.0)
      .add_raw("classes", per_class_json.empty() ? "[]" : per_class_json);
  if (warmup_s > 0) {
    JsonLine w;
    w.add("offload", whole_run.offload)
        .add("offload_bound", whole_run.offload_bound)
        .add("efficiency", whole_run.efficiency)
        .add("continuity", whole_run.continuity)
        .add("stalled_sessions", whole_run.stalled_sessions)
        .add("started_sessions", whole_run.started_sessions)
        .add("startup_p50_ms", whole_run.startup_p50_ms)
        .add("startup_p95_ms", whole_run.startup_p95_ms)
        .add("lag_p95_ms", whole_run.lag_p95_ms)
        .add("origin_bytes", whole_run.origin_bytes)
        .add("cs_origin_bytes", whole_run.cs_origin_bytes)
        .add("bound_bytes", whole_run.bound_bytes);
    j.add_raw("whole_run", w.str());
  }
  return j.str();
}

void write_peers_csv(const std::string& path, const std::vector<PeerRow>& rows, const std::vector<std::string>& names) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path);
  out << "peer,class,up_bps,join_s,leave_s,started,startup_ms,stalls,stall_ms,chunks_played,chunks_late,"
         "chunks_delivered,bytes_up,bytes_from_peers,bytes_from_origin,lag_ms,completion_s\n";
  for (const auto& r : rows) {
    out << r.index << ','
        << (r.upload_class < 0 ? std::string("free-rider") : names.at(static_cast<std::size_t>(r.upload_class))) << ','
        << r.up_bps << ',' << r.join_s << ',' << r.leave_s << ',' << r.started << ',' << r.startup_ms << ',' << r.stalls
        << ',' << r.stall_ms << ',' << r.chunks_played << ',' << r.chunks_late << ',' << r.chunks_delivered << ','
        << r.bytes_up << ',' << r.bytes_from_peers << ',' << r.bytes_from_origin << ',' << r.lag_ms << ','
        << r.completion_s << '\n';
  }
}

void write_series_csv(const std::string& path, const std::vector<SeriesRow>& rows) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path);
  out << "t_s,viewers,origin_bps,cs_bps,bound_bps,mesh_bps\n";
  for (const auto& r : rows)
    out << r.t_s << ',' << r.viewers << ',' << r.origin_bps << ',' << r.cs_bps << ',' << r.bound_bps << ','
        << r.mesh_bps << '\n';
}

}  // namespace shoal::sim
