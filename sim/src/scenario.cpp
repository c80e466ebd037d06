#include "scenario.hpp"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>

#include "shoal/protocol/units.hpp"

namespace shoal::sim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

Time duration_or(const std::string& text, Time fallback) {
  return text.empty() ? fallback : shoal::parse_duration(text);
}
double seconds(Time t) { return static_cast<double>(t.count()) * 1e-6; }
Time from_seconds(double s) { return Time(static_cast<std::int64_t>(std::llround(s * 1e6))); }

class ErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (first.empty()) first = "line " + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
  }
  std::string first;
};

bool merge_text(const std::string& text, pb::Scenario& proto, std::string* error) {
  google::protobuf::TextFormat::Parser parser;
  ErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  pb::Scenario copy = proto;
  if (!parser.MergeFromString(text, &copy)) {
    if (error) *error = errors.first;
    return false;
  }
  proto = std::move(copy);
  return true;
}

struct Arrival {
  double at;
  double session;  // seconds; <0 = draw from the scenario's session model
};

std::vector<Arrival> read_trace(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read arrival trace " + path);
  std::vector<Arrival> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Arrival a{0, -1};
    if (!(fields >> a.at)) throw std::runtime_error("bad line in arrival trace " + path + ": " + line);
    fields >> a.session;
    out.push_back(a);
  }
  return out;
}

// resolve()'s steps, in the order it takes them (the order of its checks and of its random draws).

void resolve_stream(const pb::Scenario& proto, Scenario& s) {
  s.name = proto.name().empty() ? "scenario" : proto.name();
  if (proto.bitrate().empty()) throw std::runtime_error("scenario needs a bitrate");
  s.bitrate_bps = static_cast<double>(shoal::parse_rate(proto.bitrate()));
  s.chunk_duration = duration_or(proto.chunk_duration(), std::chrono::seconds(1));
  s.live = proto.live() && !proto.file_download();
  s.file_download = proto.file_download();
  s.length = duration_or(proto.length(), std::chrono::minutes(10));
  if (s.bitrate_bps <= 0 || s.chunk_duration.count() <= 0 || s.length.count() <= 0)
    throw std::runtime_error("bitrate, chunk_duration and length must be positive");
  s.chunk_bytes = static_cast<std::uint64_t>(std::llround(s.bitrate_bps * seconds(s.chunk_duration) / 8.0));
  s.chunk_count = static_cast<std::uint64_t>(s.length / s.chunk_duration);
  if (s.chunk_count == 0) throw std::runtime_error("length is shorter than one chunk");
}

void resolve_origin(const pb::Scenario& proto, Scenario& s) {
  if (!proto.origin_upload().empty()) {
    s.origin_up_bps = static_cast<double>(shoal::parse_rate(proto.origin_upload()));
  } else if (proto.origin_upload_multiple() > 0) {
    s.origin_up_bps = proto.origin_upload_multiple() * s.bitrate_bps;
  } else {
    s.origin_up_bps = kInf;
  }
  s.origin_seeder = !proto.no_origin_seeder();
  s.origin_max_transfers = proto.origin_max_transfers();
  s.origin_latency = duration_or(proto.origin_latency(), std::chrono::milliseconds(10));
}

void resolve_viewer_settings(const pb::Scenario& proto, Scenario& s) {
  if (!proto.policy().empty()) {
    auto p = peer::parse_policy(proto.policy());
    if (!p) throw std::runtime_error("unknown policy '" + proto.policy() + "'");
    s.policy = *p;
  }
  if (!proto.neighbor_policy().empty()) {
    auto p = peer::parse_neighbor_policy(proto.neighbor_policy());
    if (!p) throw std::runtime_error("unknown neighbor_policy '" + proto.neighbor_policy() + "'");
    s.neighbor_policy = *p;
  }
  if (proto.neighbor_count() > 0) s.neighbor_count = static_cast<int>(proto.neighbor_count());
  s.buffer_target = duration_or(proto.buffer_target(), std::chrono::seconds(3));
  s.hold_back = duration_or(proto.hold_back(), peer::PeerConfig{}.live_hold_back);
  s.warmup = duration_or(proto.warmup(), Time{0});
  s.viewers_measure_upload = proto.viewers_measure_upload();
  if (s.warmup >= s.length && s.live) throw std::runtime_error("warmup must be shorter than length");
  s.vod_window = duration_or(proto.vod_window(), std::chrono::seconds(60));
  if (s.file_download) s.vod_window = s.length + s.chunk_duration;
  s.seed = proto.seed() == 0 ? 1 : proto.seed();
  // As shoal-origin's default DVR window: 120 s of chunks.
  s.manifest_window =
      proto.manifest_window() > 0
          ? proto.manifest_window()
          : static_cast<std::uint32_t>(std::max<std::int64_t>(1, std::chrono::seconds(120) / s.chunk_duration));
}

struct UploadClass {
  std::string name;
  double multiple, share;
};
struct UploadClasses {
  std::vector<UploadClass> classes;
  double share_sum = 0;
};

UploadClasses read_upload_classes(const pb::Scenario& proto) {
  UploadClasses out;
  for (const auto& c : proto.upload_classes()) {
    if (c.multiple() < 0 || c.share() < 0) throw std::runtime_error("upload class with negative multiple or share");
    out.classes.push_back({c.name(), c.multiple(), c.share()});
    out.share_sum += c.share();
  }
  if (out.classes.empty()) {
    out.classes.push_back({"", 1.0, 1.0});
    out.share_sum = 1.0;
  }
  if (out.share_sum <= 0) throw std::runtime_error("upload class shares sum to zero");
  return out;
}

// The arrival process; sets s.nominal_peers for a flash crowd or a trace.
std::vector<Arrival> draw_arrivals(const pb::Arrivals& arr, Scenario& s, std::mt19937_64& rng) {
  std::vector<Arrival> arrivals;
  switch (arr.kind_case()) {
    case pb::Arrivals::kFlashCrowd: {
      const double over = seconds(duration_or(arr.flash_crowd().over(), Time{0}));
      const auto n = arr.flash_crowd().peers();
      for (std::uint32_t i = 0; i < n; ++i) arrivals.push_back({over * i / std::max<std::uint32_t>(1, n), -1});
      s.nominal_peers = n;
      break;
    }
    case pb::Arrivals::kPoisson: {
      const double rate = arr.poisson().rate_per_s();
      if (rate <= 0) throw std::runtime_error("poisson rate_per_s must be positive");
      const double until = seconds(duration_or(arr.poisson().until(), s.length));
      std::exponential_distribution<double> gap(rate);
      for (double t = gap(rng); t < until; t += gap(rng)) {
        if (arr.poisson().max_peers() > 0 && arrivals.size() >= arr.poisson().max_peers()) break;
        arrivals.push_back({t, -1});
      }
      break;
    }
    case pb::Arrivals::kTraceFile:
      arrivals = read_trace(arr.trace_file());
      s.nominal_peers = static_cast<double>(arrivals.size());
      break;
    default:
      throw std::runtime_error("scenario needs arrivals (flash_crowd, poisson or trace_file)");
  }
  return arrivals;
}

struct SessionModel {
  double mean_session = 0;    // seconds; 0 = no exponential sessions
  double residence_mean = 0;  // seconds a finished VoD/file viewer stays on average
};

// Session lengths and seed residence; sets s.nominal_peers for Poisson arrivals (the arrival rate times the stay).
SessionModel read_session_model(const pb::Scenario& proto, Scenario& s) {
  const auto& ses = proto.sessions();
  const auto& arr = proto.arrivals();
  const double length_s = seconds(s.length);
  const double content_s = static_cast<double>(s.chunk_count) * seconds(s.chunk_duration);
  SessionModel m;
  m.mean_session =
      ses.kind_case() == pb::Sessions::kExponentialMean ? seconds(shoal::parse_duration(ses.exponential_mean())) : 0;
  if (ses.kind_case() == pb::Sessions::kExponentialMean && m.mean_session <= 0)
    throw std::runtime_error("exponential_mean must be positive");
  if (arr.kind_case() == pb::Arrivals::kPoisson) {
    const double stay = m.mean_session > 0 ? std::min(m.mean_session, length_s) : std::min(content_s, length_s);
    s.nominal_peers = arr.poisson().rate_per_s() * stay;
  }
  m.residence_mean = seconds(duration_or(ses.seed_residence(), Time{0}));
  return m;
}

// Scales the upload classes to the requested resource index (rho) and names them.
void scale_upload_classes(const pb::Scenario& proto, Scenario& s, double free_riders, UploadClasses& upload) {
  double mean_multiple = 0;
  for (const auto& c : upload.classes) mean_multiple += c.multiple * c.share / upload.share_sum;
  mean_multiple *= (1.0 - free_riders);
  double scale = 1.0;
  if (proto.rho() > 0) {
    if (mean_multiple <= 0) throw std::runtime_error("rho needs an upload class with a positive multiple");
    const double us = std::isinf(s.origin_up_bps) ? 0.0 : s.origin_up_bps;
    const double nr = std::max(1.0, s.nominal_peers) * s.bitrate_bps;
    scale = std::max(0.0, (proto.rho() * nr - us) / (nr * mean_multiple));
  }
  for (auto& c : upload.classes) {
    c.multiple *= scale;
    if (c.name.empty()) {
      std::ostringstream n;
      n.precision(3);
      n << c.multiple << "x";
      c.name = n.str();
    }
    s.class_names.push_back(c.name);
  }
}

// Draws one viewer's plan: its upload class, links, latency and session.
class PeerDraw {
 public:
  PeerDraw(const pb::Scenario& proto, const Scenario& s, const UploadClasses& upload, double free_riders,
           const SessionModel& sessions, std::mt19937_64& rng)
      : proto_(proto),
        s_(s),
        upload_(upload),
        free_riders_(free_riders),
        sessions_(sessions),
        rng_(rng),
        lat_min_(duration_or(proto.latency_min(), std::chrono::milliseconds(20))),
        lat_max_(std::max(lat_min_, duration_or(proto.latency_max(), lat_min_))),
        down_cap_(proto.download_cap().empty() ? kInf : static_cast<double>(shoal::parse_rate(proto.download_cap()))),
        session_draw_(sessions.mean_session > 0 ? 1.0 / sessions.mean_session : 1.0),
        residence_draw_(sessions.residence_mean > 0 ? 1.0 / sessions.residence_mean : 1.0) {}

  PeerPlan operator()(double at, double session) {
    const auto& classes = upload_.classes;
    const auto& ses = proto_.sessions();
    PeerPlan p;
    p.join = from_seconds(at);
    double pick = unit_(rng_) * upload_.share_sum;
    std::size_t k = 0;
    while (k + 1 < classes.size() && pick >= classes[k].share) pick -= classes[k++].share;
    const double nominal_up = classes[k].multiple * s_.bitrate_bps;
    const bool free_rider = unit_(rng_) < free_riders_;
    p.upload_class = free_rider ? -1 : static_cast<int>(k);
    p.up_bps = free_rider ? 0.0 : nominal_up;
    p.down_bps =
        proto_.download_multiple() > 0 ? proto_.download_multiple() * std::max(nominal_up, s_.bitrate_bps) : down_cap_;
    p.latency =
        lat_min_ + Time(static_cast<std::int64_t>(unit_(rng_) * static_cast<double>((lat_max_ - lat_min_).count())));
    if (session < 0) {
      if (ses.kind_case() == pb::Sessions::kExponentialMean) session = session_draw_(rng_);
      if (ses.kind_case() == pb::Sessions::kLeaveAfterWatching || s_.file_download) p.leave_after_watching = true;
    }
    p.leave = session >= 0 ? p.join + from_seconds(session) : Time::max();
    p.seed_residence = sessions_.residence_mean > 0 ? from_seconds(residence_draw_(rng_)) : Time{0};
    return p;
  }

 private:
  const pb::Scenario& proto_;
  const Scenario& s_;
  const UploadClasses& upload_;
  const double free_riders_;
  const SessionModel& sessions_;
  std::mt19937_64& rng_;
  std::uniform_real_distribution<double> unit_{0.0, 1.0};
  const Time lat_min_;
  const Time lat_max_;
  const double down_cap_;
  std::exponential_distribution<double> session_draw_;
  std::exponential_distribution<double> residence_draw_;
};

}  // namespace

pb::Scenario read_scenario_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read scenario " + path);
  std::stringstream text;
  text << in.rdbuf();
  pb::Scenario proto;
  std::string error;
  if (!merge_text(text.str(), proto, &error)) throw std::runtime_error(path + ": " + error);
  return proto;
}

void apply_override(pb::Scenario& proto, const std::string& assignment) {
  static const std::map<std::string, std::string> aliases = {
      {"peers", "arrivals.flash_crowd.peers"},
      {"lambda", "arrivals.poisson.rate_per_s"},
      {"free_riders", "free_rider_share"},
      {"origin", "origin_upload"},
  };
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) throw std::runtime_error("--set wants key=value, got '" + assignment + "'");
  std::string key = assignment.substr(0, eq);
  const std::string value = assignment.substr(eq + 1);
  // Repeated fields cannot be set by path (text format appends), so the two bandwidth sweeps get their own keys.
  if (key == "upload") {
    // Every viewer uploads this multiple of the bitrate (one upload class).
    char* end = nullptr;
    const double multiple = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || !(multiple >= 0) || std::isinf(multiple))
      throw std::runtime_error("--set upload wants a multiple of the bitrate (e.g. 1.5), got '" + value + "'");
    proto.clear_upload_classes();
    auto* c = proto.add_upload_classes();
    c->set_name(value + "x");
    c->set_multiple(multiple);
    c->set_share(1);
    return;
  }
  if (key == "download") {
    // Every viewer's download capacity, as a rate (instead of a multiple of its upload).
    try {
      shoal::parse_rate(value);
    } catch (const std::exception& e) {
      throw std::runtime_error("--set download wants a rate (e.g. 4M): " + std::string(e.what()));
    }
    proto.set_download_multiple(0);
    proto.set_download_cap(value);
    return;
  }
  if (auto it = aliases.find(key); it != aliases.end()) key = it->second;
  std::vector<std::string> path;
  std::stringstream parts(key);
  for (std::string part; std::getline(parts, part, '.');) path.push_back(part);
  auto build = [&](const std::string& literal) {
    std::string text;
    for (std::size_t i = 0; i + 1 < path.size(); ++i) text += path[i] + " { ";
    text += path.back() + ": " + literal;
    for (std::size_t i = 0; i + 1 < path.size(); ++i) text += " }";
    return text;
  };
  std::string error;
  if (merge_text(build(value), proto, &error)) return;
  if (merge_text(build("\"" + value + "\""), proto, nullptr)) return;
  throw std::runtime_error("--set " + assignment + ": " + error);
}

Scenario resolve(const pb::Scenario& proto) {
  Scenario s;
  s.proto = proto;
  resolve_stream(proto, s);
  resolve_origin(proto, s);
  resolve_viewer_settings(proto, s);
  UploadClasses classes = read_upload_classes(proto);
  const double free_riders = std::clamp(proto.free_rider_share(), 0.0, 1.0);

  std::mt19937_64 rng(s.seed);
  const std::vector<Arrival> arrivals = draw_arrivals(proto.arrivals(), s, rng);
  const SessionModel sessions = read_session_model(proto, s);
  scale_upload_classes(proto, s, free_riders, classes);
  PeerDraw draw(proto, s, classes, free_riders, sessions, rng);
  for (const auto& a : arrivals) {
    s.peers.push_back(draw(a.at, a.session));
    if (!proto.arrivals().replace_departures()) continue;
    while (s.peers.back().leave < s.length) {
      const double at = seconds(s.peers.back().leave);
      s.peers.push_back(draw(at, -1));
    }
  }
  std::stable_sort(s.peers.begin(), s.peers.end(),
                   [](const PeerPlan& a, const PeerPlan& b) { return a.join < b.join; });
  return s;
}

}  // namespace shoal::sim
