#include "shoal/origin/router.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "shoal/origin/hls_playlist.hpp"
#include "shoal/origin/manifest.hpp"
#include "shoal/origin/prometheus_text.hpp"
#include "shoal/origin/range.hpp"
#include "shoal/origin/sha256.hpp"
#include "shoal/protocol/json_line.hpp"

namespace shoal::origin {

HttpReply text_reply(int status, std::string body, std::string content_type) {
  HttpReply r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.length = body.size();
  r.body = std::make_shared<const std::string>(std::move(body));
  return r;
}

namespace {

// What caches (a CDN, nginx's proxy_cache, browsers) may do with an answer, by kind (docs/origin.md, "Caching").
constexpr const char* kNeverStore = "no-store";  // tracker, reports, figures, errors: always from the origin
constexpr const char* kImmutable = "public, max-age=31536000, immutable";  // a chunk's bytes never change

HttpReply error(int status, const std::string& why) {
  HttpReply r = text_reply(status, why + "\n");
  // A live chunk missing now exists a second later, a busy origin is free again: no cache keeps an error.
  r.headers.emplace_back("Cache-Control", kNeverStore);
  return r;
}

// Sets `etag` on `r`, and makes it a 304 without a body when the client already holds that version.
HttpReply with_validator(HttpReply r, const HttpRequest& request, const std::string& etag) {
  r.headers.emplace_back("ETag", etag);
  if (!request.if_none_match.empty() && request.if_none_match == etag) {
    r.status = 304;
    r.body = nullptr;
    r.length = 0;
  }
  return r;
}

// RFC 8216 6.2.2: a chunk leaving the playlist should stay fetchable a while.
// The playlist lists the newest chunks that fit in `listed` (the DVR window
// less three target durations), so a chunk leaves it before the store
// evicts it. The listed start only moves forward, so EXT-X-MEDIA-SEQUENCE
// never decreases.
void hide_oldest(PlaylistInput& in, std::chrono::microseconds listed) {
  if (listed < 3 * in.target) return;
  std::int64_t total = 0;
  for (const ChunkInfo& c : in.chunks) total += c.duration_us;
  std::size_t hidden = 0;
  while (hidden + 1 < in.chunks.size() && total - in.chunks[hidden].duration_us >= listed.count()) {
    total -= in.chunks[hidden].duration_us;
    if (in.chunks[hidden].discontinuity) ++in.discontinuity_sequence;
    ++hidden;
  }
  in.chunks.erase(in.chunks.begin(), in.chunks.begin() + static_cast<std::ptrdiff_t>(hidden));
}

}  // namespace

HttpReply Router::handle(const HttpRequest& request) {
  std::string path = request.target;
  std::string query;
  if (const auto q = path.find('?'); q != std::string::npos) {
    query = path.substr(q + 1);
    path.resize(q);
  }
  if (path == "/channels" || path == "/stats" || path == "/metrics") {
    if (request.method != "GET") return error(405, "method not allowed");
    if (path == "/channels") return channels_json();
    return path == "/stats" ? stats_json() : metrics();
  }
  if (path.rfind("/c/", 0) != 0) return error(404, "not found");
  const auto slash = path.find('/', 3);
  if (slash == std::string::npos) return error(404, "not found");
  const std::string name = path.substr(3, slash - 3);
  const auto it = channels_.find(name);
  if (it == channels_.end()) return error(404, "no such channel");
  return channel_route(request, *it->second, path.substr(slash + 1), query);
}

HttpReply Router::channel_route(const HttpRequest& request, Channel& channel, const std::string& rest,
                                const std::string& query) {
  const bool get = request.method == "GET";
  const bool post = request.method == "POST";
  if (rest == "manifest") {
    if (!get) return error(405, "method not allowed");
    return manifest(channel, query);
  }
  if (rest == "index.m3u8") {
    if (!get) return error(405, "method not allowed");
    PlaylistInput in;
    in.chunks = channel.store().chunks();
    in.live = channel.live();
    in.target = channel.target();
    in.discontinuity_sequence = channel.store().evicted_discontinuities();
    // RFC 8216 6.2.2: a chunk dropped from the playlist must stay fetchable for its duration plus the
    // playlist's, so the playlist lists at most the newest half of the DVR window (less a GOP's slack).
    if (channel.live()) hide_oldest(in, std::max(3 * channel.target(), (channel.dvr() - 2 * channel.target()) / 2));
    std::string text = hls_playlist(in);
    const std::string etag = "\"" + to_hex(sha256(text)).substr(0, 32) + "\"";
    HttpReply r = text_reply(200, std::move(text), "application/vnd.apple.mpegurl");
    r.headers.emplace_back("Cache-Control", playlist_cache_control(channel.live(), channel.target()));
    return with_validator(std::move(r), request, etag);
  }
  if (rest.rfind("chunk/", 0) == 0) {
    if (!get) return error(405, "method not allowed");
    return chunk(request, channel, rest.substr(6));
  }
  if (rest == "announce" || rest == "report") {
    if (!post) return error(405, "method not allowed");
    if (!posts_.allow(request.remote_host, std::chrono::steady_clock::now())) {
      HttpReply r = error(429, "too many announces and reports from this address");
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    if (rest == "announce") {
      wire::AnnounceRequest req;
      if (!req.ParseFromString(request.body)) return error(400, "body is not a wire::AnnounceRequest");
      if (req.listen_port() > 65535) return error(400, "listen_port out of range");
      // Nobody plays outside the chunks held: a claim past the newest (or before the DVR window) would only
      // place a stranger next to whichever viewers the tracker lists at the edge (or the window's start).
      req.set_playhead_seq(
          std::clamp<std::uint64_t>(req.playhead_seq(), channel.store().first_seq(), channel.store().next_seq()));
      const wire::AnnounceReply reply =
          channel.tracker().announce(req, request.remote_host, request.local_host, std::chrono::steady_clock::now());
      HttpReply r = text_reply(200, reply.SerializeAsString(), "application/x-protobuf");
      r.headers.emplace_back("Cache-Control", kNeverStore);
      return r;
    }
    wire::QoeReport report;
    if (!report.ParseFromString(request.body)) return error(400, "body is not a wire::QoeReport");
    if (!channel.stats().add_report(report)) return error(400, "a report needs a peer_id of 1-64 bytes");
    HttpReply r = text_reply(204, "");
    r.headers.emplace_back("Cache-Control", kNeverStore);
    return r;
  }
  return error(404, "not found");
}

HttpReply Router::chunk(const HttpRequest& request, Channel& channel, const std::string& seq_text) {
  // "{seq}.ts", seq in decimal.
  if (seq_text.size() < 4 || seq_text.size() > 23 || seq_text.compare(seq_text.size() - 3, 3, ".ts") != 0) {
    return error(404, "not found");
  }
  std::uint64_t seq = 0;
  const char* first = seq_text.data();
  const char* last = first + seq_text.size() - 3;
  const auto parsed = std::from_chars(first, last, seq);
  if (parsed.ec != std::errc() || parsed.ptr != last) return error(400, "bad chunk number");
  const auto info = channel.store().info(seq);
  protocol::ChunkPayload payload = info ? channel.store().payload(seq) : nullptr;
  if (!payload) return error(404, "no such chunk (unknown or evicted)");
  auto ticket = chunk_gate_.try_enter();
  if (!ticket) {
    // Built by appending: GCC 12 at -O3 reports a false -Wrestrict on a chain of + here (GCC PR 105329).
    std::string why = "origin busy: ";
    why += std::to_string(chunk_gate_.limit());
    why += " chunk transfers in flight";
    HttpReply busy = error(503, why);
    busy.headers.emplace_back("Retry-After", "1");
    return busy;
  }

  HttpReply r;
  r.content_type = "video/mp2t";
  r.headers.emplace_back("Cache-Control", kImmutable);
  r.headers.emplace_back("Accept-Ranges", "bytes");
  r = with_validator(std::move(r), request, "\"" + to_hex(info->sha256) + "\"");
  if (r.status == 304) return r;
  r.body = std::move(payload);
  r.ticket = std::move(ticket);
  r.length = r.body->size();
  if (!request.range.empty()) {
    const ByteRange range = parse_range(request.range, r.body->size());
    if (range.kind == ByteRange::Kind::unsatisfiable) {
      HttpReply bad = error(416, "range not satisfiable");
      bad.headers.emplace_back("Content-Range", "bytes */" + std::to_string(r.body->size()));
      return bad;
    }
    if (range.kind == ByteRange::Kind::range) {
      r.status = 206;
      r.offset = range.first;
      r.length = range.last - range.first + 1;
      r.headers.emplace_back("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                                  std::to_string(range.last) + "/" + std::to_string(r.body->size()));
    }
  }
  channel.stats().add_http_bytes(r.length);
  channel.stats().add_http_request();
  return r;
}

// Viewers refuse a manifest older than one they accepted (a replay), so the stamp never goes back, even when the
// wall clock does.
std::uint64_t Router::issue_time() {
  const auto now = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  std::uint64_t last = last_issued_ms_.load();
  while (last < now && !last_issued_ms_.compare_exchange_weak(last, now)) {
  }
  return std::max(last, now);
}

HttpReply Router::manifest(Channel& channel, const std::string& query) {
  wire::Manifest m = build_manifest(channel);
  m.set_issued_at_ms(issue_time());
  HttpReply r = query.find("format=json") != std::string::npos
                    ? text_reply(200, manifest_json(m, key_->fingerprint()) + "\n", "application/json")
                    : text_reply(200, sign_manifest(m, *key_).SerializeAsString(), "application/x-protobuf");
  r.headers.emplace_back("Cache-Control", channel.live() ? "no-cache" : "public, max-age=60");
  return r;
}

HttpReply Router::channels_json() {
  std::string list = "[";
  for (auto& [name, channel] : channels_) {
    if (list.size() > 1) list += ",";
    const auto chunks = channel->store().chunks();
    list += JsonLine()
                .add("name", name)
                .add("live", channel->live())
                .add("chunks", chunks.size())
                .add("live_edge", chunks.empty() ? 0 : chunks.back().seq)
                .add("manifest", "/c/" + name + "/manifest")
                .add("key", key_->fingerprint())
                .add("playlist", "/c/" + name + "/index.m3u8")
                .str();
  }
  list += "]";
  HttpReply r = text_reply(200, JsonLine().add_raw("channels", list).str() + "\n", "application/json");
  r.headers.emplace_back("Cache-Control", kNeverStore);
  return r;
}

HttpReply Router::stats_json() {
  const auto now = std::chrono::steady_clock::now();
  std::string list = "[";
  for (auto& [name, channel] : channels_) {
    if (list.size() > 1) list += ",";
    const QoeAggregate q = channel->stats().qoe();
    const std::string qoe = JsonLine()
                                .add("sessions", q.sessions)
                                .add("startup_reports", q.startup_count)
                                .add("startup_mean_ms", q.startup_mean_ms)
                                .add("startup_max_ms", q.startup_max_ms)
                                .add("stalls", q.stalls)
                                .add("stall_ms", q.stall_ms)
                                .add("sessions_with_stalls", q.sessions_with_stalls)
                                .add("hash_failures", q.hash_failures)
                                .str();
    list += JsonLine()
                .add("name", name)
                .add("live", channel->live())
                .add("viewers", channel->tracker().active(now))
                .add("viewers_unreachable", channel->tracker().unreachable(now))
                .add("chunks", channel->store().chunks().size())
                .add("http_requests", channel->stats().http_requests())
                .add("http_bytes", channel->stats().http_bytes())
                .add("mesh_bytes_seeded", channel->stats().mesh_bytes_seeded())
                .add("reported_bytes_from_peers", q.bytes_from_peers)
                .add("reported_bytes_from_origin", q.bytes_from_origin)
                .add("offload_ratio", channel->stats().offload_ratio())
                .add_raw("qoe", qoe)
                .str();
  }
  list += "]";
  HttpReply r = text_reply(200, JsonLine().add_raw("channels", list).str() + "\n", "application/json");
  r.headers.emplace_back("Cache-Control", kNeverStore);
  return r;
}

HttpReply Router::metrics() {
  const auto now = std::chrono::steady_clock::now();
  PrometheusText out;
  // One family: its HELP and TYPE lines, then one sample per channel.
  auto family = [&](std::string_view metric, std::string_view type, std::string_view help, auto value_of) {
    out.family(metric, type, help);
    for (auto& [name, channel] : channels_) out.sample(metric, name, static_cast<double>(value_of(*channel)));
  };
  family("shoal_origin_viewers", "gauge", "Peers that announced within the tracker TTL",
         [&](Channel& c) { return c.tracker().active(now); });
  family("shoal_origin_viewers_unreachable", "gauge", "Of those, viewers that accept no connections (NAT)",
         [&](Channel& c) { return c.tracker().unreachable(now); });
  family("shoal_origin_chunks", "gauge", "Chunks held (live: the DVR window)",
         [](Channel& c) { return c.store().chunks().size(); });
  family("shoal_origin_http_requests_total", "counter", "Chunk requests served over HTTP",
         [](Channel& c) { return c.stats().http_requests(); });
  family("shoal_origin_http_bytes_total", "counter", "Chunk bytes served over HTTP",
         [](Channel& c) { return c.stats().http_bytes(); });
  family("shoal_origin_mesh_seeded_bytes_total", "counter", "Chunk bytes the origin uploaded into the mesh",
         [](Channel& c) { return c.stats().mesh_bytes_seeded(); });
  family("shoal_origin_offload_ratio", "gauge", "1 - origin bytes / bytes viewers received",
         [](Channel& c) { return c.stats().offload_ratio(); });
  family("shoal_origin_qoe_sessions_total", "counter", "Playback sessions that reported",
         [](Channel& c) { return c.stats().qoe().sessions; });
  // What viewers report: the families the stats table names (protocol/stats_fields.hpp), in its order.
  auto histograms = [&](std::string_view metric, std::string_view help, auto of) {
    out.family(metric, "histogram", help);
    for (auto& [name, channel] : channels_) out.histogram(metric, name, of(channel->stats().histograms()));
  };
  for (const protocol::StatsField& f : protocol::kStatsFields) {
    const auto index = static_cast<std::size_t>(f.id);
    switch (f.metric_kind) {
      case protocol::OriginMetric::none:
        break;
      case protocol::OriginMetric::counter:
        family(f.metric, "counter", f.metric_help,
               [&f](Channel& c) { return reported_value(c.stats().qoe(), f.id) * protocol::base_unit_scale(f.unit); });
        break;
      case protocol::OriginMetric::histogram:
        histograms(f.metric, f.metric_help, [index](const QoeHistograms& h) { return h.settled[index]; });
        break;
    }
    if (!f.ended_histogram.empty())
      histograms(f.ended_histogram, std::string(f.metric_help) + " per ended session",
                 [index](const QoeHistograms& h) { return h.ended[index]; });
  }
  HttpReply r = text_reply(200, out.str(), "text/plain; version=0.0.4");
  r.headers.emplace_back("Cache-Control", kNeverStore);
  return r;
}

}  // namespace shoal::origin
