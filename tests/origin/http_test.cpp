// The HTTP endpoints over a real socket against an in-process server:
// Range and cache headers, manifest, playlists, tracker and reports, stats,
// and 4xx (never a crash) for malformed requests.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <thread>
#include <tuple>
#include <vector>

#include "shoal/origin/hls_playlist.hpp"
#include "shoal/origin/http_server.hpp"
#include "shoal/origin/sha256.hpp"
#include "shoal/protocol/channel_key.hpp"
#include "shoal/protocol/swarm_id.hpp"
#include "support.hpp"

namespace shoal::origin::test {
namespace {

class OriginHttp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    channels_ = new ChannelMap;
    ChannelConfig c;
    c.name = "vod";
    c.input = clip_path(Clip::h264_aac_30).string();
    c.data_root = dir_->path;
    auto channel = std::make_unique<Channel>(c, shoal::protocol::swarm_id("127.0.0.1", 0, "vod"));
    channel->start();
    channels_->emplace("vod", std::move(channel));
    router_ = new Router(*channels_);
    io_ = new boost::asio::io_context;
    server_ = new HttpServer(*io_, {boost::asio::ip::make_address("127.0.0.1"), 0}, *router_);
    server_->start();
    port_ = server_->local_endpoint().port();
    thread_ = new std::thread([] { io_->run(); });
  }
  static void TearDownTestSuite() {
    io_->stop();
    thread_->join();
    delete thread_;
    delete server_;
    delete io_;
    delete router_;
    delete channels_;
    delete dir_;
  }
  Channel& channel() { return *channels_->at("vod"); }

  static inline TempDir* dir_;
  static inline ChannelMap* channels_;
  static inline Router* router_;
  static inline boost::asio::io_context* io_;
  static inline HttpServer* server_;
  static inline std::thread* thread_;
  static inline std::uint16_t port_;
};

TEST_F(OriginHttp, ServesChunksWithEtagAndImmutableCaching) {
  const Response r = http(port_, "GET", "/c/vod/chunk/1.ts");
  ASSERT_EQ(r.status, 200);
  const auto info = channel().store().info(1);
  EXPECT_EQ(r.body.size(), info->size);
  EXPECT_EQ(sha256(r.body), info->sha256);
  EXPECT_EQ(r.headers.at("etag"), "\"" + to_hex(info->sha256) + "\"");
  EXPECT_NE(r.headers.at("cache-control").find("immutable"), std::string::npos);
  EXPECT_EQ(r.headers.at("content-type"), "video/mp2t");
  EXPECT_EQ(http(port_, "GET", "/c/vod/chunk/1.ts", {}, {{"If-None-Match", r.headers.at("etag")}}).status, 304);
}

// What a CDN in front may keep (docs/origin.md, "Caching"): chunks for good, playlists briefly and revalidated with
// their ETag, and nothing of the tracker, the reports, the figures or an error.
TEST_F(OriginHttp, EveryAnswerSaysWhatACacheMayKeep) {
  const Response playlist = http(port_, "GET", "/c/vod/index.m3u8");
  ASSERT_EQ(playlist.status, 200);
  EXPECT_EQ(playlist.headers.at("cache-control"), "public, max-age=60");
  ASSERT_EQ(playlist.headers.count("etag"), 1u);
  const Response again = http(port_, "GET", "/c/vod/index.m3u8", {}, {{"If-None-Match", playlist.headers.at("etag")}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(http(port_, "GET", "/c/vod/index.m3u8", {}, {{"If-None-Match", "\"other\""}}).status, 200);
  wire::AnnounceRequest a;
  a.set_peer_id("cache-check");
  wire::QoeReport report;
  report.set_peer_id("cache-check");
  for (const auto& [method, target, body] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"POST", "/c/vod/announce", a.SerializeAsString()},
           {"POST", "/c/vod/report", report.SerializeAsString()},
           {"GET", "/stats", ""},
           {"GET", "/metrics", ""},
           {"GET", "/channels", ""},
           {"GET", "/c/vod/chunk/99999.ts", ""},
           {"GET", "/c/nope/index.m3u8", ""}}) {
    const Response r = http(port_, method, target, body);
    EXPECT_EQ(r.headers.count("cache-control") ? r.headers.at("cache-control") : "", "no-store") << target;
  }
}

TEST(HlsPlaylist, ALivePlaylistIsKeptAtMostHalfATargetDuration) {
  using std::chrono::milliseconds;
  EXPECT_EQ(playlist_cache_control(true, milliseconds(1000)), "no-cache") << "half a second is no whole second";
  EXPECT_EQ(playlist_cache_control(true, milliseconds(2000)), "public, max-age=1");
  EXPECT_EQ(playlist_cache_control(true, milliseconds(6000)), "public, max-age=3");
  EXPECT_EQ(playlist_cache_control(false, milliseconds(1000)), "public, max-age=60");
}

TEST_F(OriginHttp, ChunkTransfersBeyondTheLimitAreRefusedAtOnce) {
  Router gated(*channels_, 1);
  HttpRequest get;
  get.method = "GET";
  get.target = "/c/vod/chunk/1.ts";
  HttpReply first = gated.handle(get);  // held as if still being written
  ASSERT_EQ(first.status, 200);
  HttpReply refused = gated.handle(get);
  EXPECT_EQ(refused.status, 503);
  ASSERT_FALSE(refused.headers.empty());
  EXPECT_EQ(refused.headers.back(), (std::pair<std::string, std::string>{"Retry-After", "1"}));
  HttpRequest manifest = get;
  manifest.target = "/c/vod/manifest";
  EXPECT_EQ(gated.handle(manifest).status, 200) << "only chunks are gated";
  first = HttpReply{};  // written: the place is free again
  EXPECT_EQ(gated.handle(get).status, 200);
}

TEST_F(OriginHttp, AnAddressFloodingAnnouncesAndReportsGets429) {
  Router limited(*channels_, 0, {.per_second = 1, .burst = 3, .max_addresses = 16});
  wire::AnnounceRequest a;
  a.set_peer_id("flood");
  a.set_listen_port(7000);
  HttpRequest post;
  post.method = "POST";
  post.target = "/c/vod/announce";
  post.body = a.SerializeAsString();
  post.remote_host = "203.0.113.9";
  for (int i = 0; i < 3; ++i) ASSERT_EQ(limited.handle(post).status, 200) << "within the burst";
  HttpReply refused = limited.handle(post);
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.headers.back(), (std::pair<std::string, std::string>{"Retry-After", "1"}));
  post.target = "/c/vod/report";
  EXPECT_EQ(limited.handle(post).status, 429) << "reports share the budget";
  post.remote_host = "203.0.113.10";
  post.target = "/c/vod/announce";
  EXPECT_EQ(limited.handle(post).status, 200) << "another address has its own";
  post.remote_host = "127.0.0.1";
  for (int i = 0; i < 10; ++i) EXPECT_EQ(limited.handle(post).status, 200) << "loopback is not limited";
}

TEST_F(OriginHttp, APlayheadPastTheNewestChunkIsListedAtTheEdge) {
  wire::AnnounceRequest far;
  far.set_peer_id("far-ahead");
  far.set_listen_port(6100);
  far.set_playhead_seq(1'000'000'000'000);
  ASSERT_EQ(http(port_, "POST", "/c/vod/announce", far.SerializeAsString()).status, 200);
  wire::AnnounceRequest me;
  me.set_peer_id("asking");
  me.set_want(50);
  wire::AnnounceReply reply;
  ASSERT_TRUE(reply.ParseFromString(http(port_, "POST", "/c/vod/announce", me.SerializeAsString()).body));
  bool found = false;
  for (const auto& p : reply.peers()) {
    if (p.peer_id() != "far-ahead") continue;
    found = true;
    EXPECT_EQ(p.playhead_seq(), channel().store().next_seq());
  }
  EXPECT_TRUE(found);
}

TEST(OriginTracker, APlayheadOutsideTheChunksHeldIsListedAtTheirNearerEnd) {
  TempDir dir;
  ChannelMap channels;
  ChannelConfig c;
  c.name = "live";
  c.live = true;
  c.dvr = std::chrono::seconds(5);
  c.data_root = dir.path;
  Channel& channel =
      *channels.emplace("live", std::make_unique<Channel>(c, protocol::swarm_id("127.0.0.1", 0, "live"))).first->second;
  origin::ChunkInfo second;
  second.duration_us = 1'000'000;
  for (int i = 0; i < 10; ++i) channel.store().append(second, std::make_shared<const std::string>("chunk"));
  ASSERT_EQ(channel.store().first_seq(), 5u) << "the DVR window holds 5..9";
  Router router(channels);
  auto announce = [&](const std::string& id, std::uint64_t playhead) {
    wire::AnnounceRequest a;
    a.set_peer_id(id);
    a.set_listen_port(6100);
    a.set_playhead_seq(playhead);
    a.set_want(50);
    HttpRequest post;
    post.method = "POST";
    post.target = "/c/live/announce";
    post.body = a.SerializeAsString();
    post.remote_host = "127.0.0.1";
    wire::AnnounceReply reply;
    EXPECT_TRUE(reply.ParseFromString(*router.handle(post).body));
    return reply;
  };
  announce("behind", 0);
  announce("ahead", 1'000'000);
  std::map<std::string, std::uint64_t> listed;
  const wire::AnnounceReply reply = announce("asking", 7);
  for (const auto& p : reply.peers()) listed[p.peer_id()] = p.playhead_seq();
  EXPECT_EQ(listed, (std::map<std::string, std::uint64_t>{{"ahead", 10}, {"behind", 5}}));
}

TEST_F(OriginHttp, AnswersRangeRequests) {
  const std::string whole = http(port_, "GET", "/c/vod/chunk/0.ts").body;
  ASSERT_GT(whole.size(), 1000u);
  Response r = http(port_, "GET", "/c/vod/chunk/0.ts", {}, {{"Range", "bytes=100-299"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, whole.substr(100, 200));
  EXPECT_EQ(r.headers.at("content-range"), "bytes 100-299/" + std::to_string(whole.size()));
  r = http(port_, "GET", "/c/vod/chunk/0.ts", {}, {{"Range", "bytes=-10"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, whole.substr(whole.size() - 10));
  r = http(port_, "GET", "/c/vod/chunk/0.ts", {}, {{"Range", "bytes=500-"}});
  EXPECT_EQ(r.body, whole.substr(500));
  r = http(port_, "GET", "/c/vod/chunk/0.ts", {}, {{"Range", "bytes=99999999-"}});
  EXPECT_EQ(r.status, 416);
  EXPECT_EQ(r.headers.at("content-range"), "bytes */" + std::to_string(whole.size()));
  r = http(port_, "GET", "/c/vod/chunk/0.ts", {}, {{"Range", "lines=1-2"}});  // ignored: whole body
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), whole.size());
}

TEST_F(OriginHttp, ManifestListsEveryChunkWithItsHashSigned) {
  const Response r = http(port_, "GET", "/c/vod/manifest");
  ASSERT_EQ(r.status, 200);
  wire::SignedManifest envelope;
  ASSERT_TRUE(envelope.ParseFromString(r.body));
  EXPECT_TRUE(protocol::verify_signature(envelope.public_key(), envelope.manifest(), envelope.signature()))
      << "signed as exactly the bytes it carries";
  wire::Manifest m;
  ASSERT_TRUE(m.ParseFromString(envelope.manifest()));
  const std::uint64_t now_ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  EXPECT_LE(m.issued_at_ms(), now_ms);
  EXPECT_GT(m.issued_at_ms() + 60'000, now_ms) << "stamped with the time it was issued";
  EXPECT_EQ(m.channel(), "vod");
  EXPECT_FALSE(m.live());
  EXPECT_TRUE(m.ended());
  EXPECT_EQ(m.target_duration_ms(), 1000u);
  EXPECT_EQ(m.swarm_id(), sha256("127.0.0.1:0/vod"));
  const auto chunks = channel().store().chunks();
  ASSERT_EQ(static_cast<std::size_t>(m.chunks_size()), chunks.size());
  EXPECT_EQ(m.live_edge(), chunks.back().seq);
  for (int i = 0; i < m.chunks_size(); ++i) EXPECT_EQ(m.chunks(i).sha256(), chunks[static_cast<std::size_t>(i)].sha256);
  EXPECT_GT(m.bitrate_bps(), 0u);
  const Response json = http(port_, "GET", "/c/vod/manifest?format=json");
  EXPECT_EQ(json.headers.at("content-type"), "application/json");
  EXPECT_NE(json.body.find("\"sha256\":\"" + to_hex(chunks[0].sha256) + "\""), std::string::npos);
  const std::string key = protocol::key_fingerprint(envelope.public_key());
  EXPECT_NE(json.body.find("\"key\":\"" + key + "\""), std::string::npos) << json.body;
  EXPECT_NE(http(port_, "GET", "/channels").body.find("\"key\":\"" + key + "\""), std::string::npos);
}

TEST_F(OriginHttp, VodPlaylistIsCompleteWithEndlist) {
  const Response r = http(port_, "GET", "/c/vod/index.m3u8");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.rfind("#EXTM3U\n", 0), 0u);
  EXPECT_NE(r.body.find("#EXT-X-PLAYLIST-TYPE:VOD"), std::string::npos);
  EXPECT_NE(r.body.find("#EXT-X-ENDLIST"), std::string::npos);
  for (const ChunkInfo& c : channel().store().chunks()) {
    EXPECT_NE(r.body.find("chunk/" + std::to_string(c.seq) + ".ts\n"), std::string::npos);
  }
}

TEST_F(OriginHttp, UnknownThingsAre404AndWrongMethods405) {
  EXPECT_EQ(http(port_, "GET", "/c/vod/chunk/999.ts").status, 404);
  EXPECT_EQ(http(port_, "GET", "/c/nope/manifest").status, 404);
  EXPECT_EQ(http(port_, "GET", "/nothing").status, 404);
  EXPECT_EQ(http(port_, "GET", "/c/vod/chunk/abc.ts").status, 400);
  EXPECT_EQ(http(port_, "GET", "/c/vod/chunk/99999999999999999999999.ts").status, 404);
  EXPECT_EQ(http(port_, "GET", "/c/vod/chunk/-1.ts").status, 400);
  EXPECT_EQ(http(port_, "POST", "/c/vod/manifest", "x").status, 405);
  EXPECT_EQ(http(port_, "GET", "/c/vod/announce").status, 405);
  EXPECT_EQ(http(port_, "DELETE", "/stats").status, 405);
}

TEST_F(OriginHttp, MalformedRequestsGet4xxAndTheServerKeepsServing) {
  EXPECT_EQ(raw_exchange(port_, "HELLO THERE\r\n\r\n").rfind("HTTP/1.1 400", 0), 0u);
  EXPECT_EQ(raw_exchange(port_, "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n").rfind("HTTP/1.1 400", 0),
            0u);
  const std::string huge_header = "GET / HTTP/1.1\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n";
  EXPECT_EQ(raw_exchange(port_, huge_header).rfind("HTTP/1.1 4", 0), 0u);
  EXPECT_EQ(http(port_, "POST", "/c/vod/announce", std::string(200 * 1024, 'x')).status, 413);
  EXPECT_EQ(http(port_, "POST", "/c/vod/announce", "\xff\xff\xff garbage").status, 400);
  EXPECT_EQ(http(port_, "POST", "/c/vod/report", "\x0a\xff").status, 400);
  EXPECT_EQ(http(port_, "GET", "/stats").status, 200);
}

TEST_F(OriginHttp, AnnounceTakesTheCallersAddressFromTheConnection) {
  wire::AnnounceRequest a;
  a.set_peer_id("peer-a");
  a.set_listen_port(6001);
  a.set_playhead_seq(2);
  ASSERT_EQ(http(port_, "POST", "/c/vod/announce", a.SerializeAsString()).status, 200);
  wire::AnnounceRequest b;
  b.set_peer_id("peer-b");
  b.set_listen_port(6002);
  b.set_want(10);
  const Response r = http(port_, "POST", "/c/vod/announce", b.SerializeAsString());
  wire::AnnounceReply reply;
  ASSERT_TRUE(reply.ParseFromString(r.body));
  ASSERT_GE(reply.peers_size(), 1);
  bool found = false;
  for (const auto& p : reply.peers()) {
    if (p.peer_id() == "peer-a") {
      found = true;
      EXPECT_EQ(p.host(), "127.0.0.1");
      EXPECT_EQ(p.port(), 6001u);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(OriginHttp, ReportsFeedStatsAndMetrics) {
  const std::uint64_t before_http = channel().stats().http_bytes();
  const std::uint64_t before_sessions = channel().stats().qoe().sessions;  // other tests of the suite report too
  const std::string chunk = http(port_, "GET", "/c/vod/chunk/2.ts").body;
  EXPECT_EQ(channel().stats().http_bytes(), before_http + chunk.size());
  channel().stats().add_mesh_bytes_seeded(1000);
  wire::QoeReport report;
  report.set_peer_id("viewer-1");
  report.set_startup_delay_ms(800);
  report.set_stalls(2);
  report.set_stall_ms(300);
  report.set_bytes_from_peers(10'000'000);
  report.set_bytes_from_origin(100);
  EXPECT_EQ(http(port_, "POST", "/c/vod/report", report.SerializeAsString()).status, 204);
  report.set_stalls(3);  // supersedes the first report of the same peer
  EXPECT_EQ(http(port_, "POST", "/c/vod/report", report.SerializeAsString()).status, 204);
  const QoeAggregate q = channel().stats().qoe();
  EXPECT_EQ(q.sessions, before_sessions + 1);
  EXPECT_EQ(q.stalls, 3u);
  EXPECT_EQ(q.startup_max_ms, 800u);
  EXPECT_GT(channel().stats().offload_ratio(), 0.5);
  const Response stats = http(port_, "GET", "/stats");
  EXPECT_NE(stats.body.find("\"mesh_bytes_seeded\":"), std::string::npos);
  EXPECT_NE(stats.body.find("\"reported_bytes_from_peers\":10000000"), std::string::npos);
  const Response metrics = http(port_, "GET", "/metrics");
  EXPECT_NE(metrics.body.find("shoal_origin_stalls_total{channel=\"vod\"} 3\n"), std::string::npos);
  EXPECT_NE(metrics.body.find("# TYPE shoal_origin_http_bytes_total counter"), std::string::npos);
  EXPECT_NE(http(port_, "GET", "/channels").body.find("\"name\":\"vod\""), std::string::npos);
}

// /metrics has a family for each field the stats table gives one, of its type, with the aggregate's value in base
// units.
TEST_F(OriginHttp, MetricsHaveEveryFamilyOfTheStatsTable) {
  wire::QoeReport report;
  report.set_peer_id("viewer-metrics");
  report.set_startup_delay_ms(900);
  report.set_stall_ms(1200);
  report.set_final(true);
  EXPECT_EQ(http(port_, "POST", "/c/vod/report", report.SerializeAsString()).status, 204);
  const QoeAggregate q = channel().stats().qoe();
  const QoeHistograms histograms = channel().stats().histograms();
  const std::string metrics = http(port_, "GET", "/metrics").body;
  auto number = [](double value) {
    char text[64];
    std::snprintf(text, sizeof text, "%.17g", value);
    return std::string(text);
  };
  auto expect_sample = [&](const std::string& sample, double value) {
    EXPECT_NE(metrics.find(sample + " " + number(value) + "\n"), std::string::npos) << sample << " " << number(value);
  };
  auto expect_histogram = [&](const std::string& name, const Histogram& h) {
    EXPECT_NE(metrics.find("# TYPE " + name + " histogram\n"), std::string::npos) << name;
    EXPECT_GE(h.count, 1u) << name << ": the report above is observed";
    expect_sample(name + "_bucket{channel=\"vod\",le=\"0.5\"}", static_cast<double>(h.cumulative[2]));
    expect_sample(name + "_bucket{channel=\"vod\",le=\"+Inf\"}", static_cast<double>(h.count));
    expect_sample(name + "_sum{channel=\"vod\"}", h.sum);
    expect_sample(name + "_count{channel=\"vod\"}", static_cast<double>(h.count));
  };
  for (const protocol::StatsField& f : protocol::kStatsFields) {
    const std::string name(f.metric);
    const auto index = static_cast<std::size_t>(f.id);
    switch (f.metric_kind) {
      case protocol::OriginMetric::none:
        EXPECT_EQ(metrics.find("_" + std::string(f.name)), std::string::npos) << f.name << " has no family";
        break;
      case protocol::OriginMetric::counter:
        EXPECT_NE(metrics.find("# TYPE " + name + " counter\n"), std::string::npos) << name;
        expect_sample(name + "{channel=\"vod\"}", reported_value(q, f.id) * protocol::base_unit_scale(f.unit));
        break;
      case protocol::OriginMetric::histogram:
        expect_histogram(name, histograms.settled[index]);
        break;
    }
    if (!f.ended_histogram.empty()) expect_histogram(std::string(f.ended_histogram), histograms.ended[index]);
  }
  EXPECT_EQ(metrics.find("_ms"), std::string::npos) << "base units only: seconds, not milliseconds";
}

TEST(HlsPlaylist, LiveWindowHasSequenceDateTimeAndDiscontinuities) {
  PlaylistInput in;
  in.live = true;
  in.discontinuity_sequence = 2;
  for (std::uint64_t s = 40; s < 45; ++s) {
    ChunkInfo c;
    c.seq = s;
    c.duration_us = s == 42 ? 1'400'000 : 1'000'000;
    c.discontinuity = s == 43;
    c.wall_us = 1'700'000'000'000'000 + static_cast<std::int64_t>(s) * 1'000'000;
    in.chunks.push_back(c);
  }
  const std::string text = hls_playlist(in);
  EXPECT_NE(text.find("#EXT-X-MEDIA-SEQUENCE:40\n"), std::string::npos);
  EXPECT_NE(text.find("#EXT-X-TARGETDURATION:2\n"), std::string::npos);
  EXPECT_NE(text.find("#EXT-X-DISCONTINUITY-SEQUENCE:2\n"), std::string::npos);
  EXPECT_NE(text.find("#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:"), std::string::npos);
  EXPECT_NE(text.find("#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:14:"), std::string::npos);
  EXPECT_EQ(text.find("#EXT-X-ENDLIST"), std::string::npos);
  EXPECT_EQ(text.find("PLAYLIST-TYPE"), std::string::npos);
}

TEST(HlsPlaylist, DiscontinuitySequenceOfAChunkStaysTheSameWhenItScrollsOut) {
  PlaylistInput in;
  in.live = true;
  for (std::uint64_t s = 0; s < 4; ++s) {
    ChunkInfo c;
    c.seq = s;
    c.duration_us = 1'000'000;
    c.discontinuity = s == 1;
    in.chunks.push_back(c);
  }
  // Chunk 2 follows the discontinuity at 1: sequence 1, whether 1 is listed, first, or gone.
  EXPECT_NE(hls_playlist(in).find("#EXT-X-DISCONTINUITY\n#EXTINF:1.000,\nchunk/1.ts"), std::string::npos);
  in.chunks.erase(in.chunks.begin());
  const std::string first = hls_playlist(in);
  EXPECT_NE(first.find("#EXT-X-DISCONTINUITY-SEQUENCE:1\n"), std::string::npos);
  EXPECT_EQ(first.find("#EXT-X-DISCONTINUITY\n"), std::string::npos);
  in.chunks.erase(in.chunks.begin());
  in.discontinuity_sequence = 1;  // chunk 1 evicted
  EXPECT_NE(hls_playlist(in).find("#EXT-X-DISCONTINUITY-SEQUENCE:1\n"), std::string::npos);
}

TEST(HttpServerLimits, PastTheConnectionCapNewConnectionsAreClosedUntilOneEnds) {
  // Issue 16: the origin had no connection cap.
  ChannelMap channels;
  Router router(channels);
  boost::asio::io_context io;
  HttpLimits limits;
  limits.max_connections = 2;
  limits.accept_backoff = std::chrono::milliseconds(20);
  HttpServer server(io, {boost::asio::ip::make_address("127.0.0.1"), 0}, router, limits);
  server.start();
  const std::uint16_t port = server.local_endpoint().port();
  auto work = boost::asio::make_work_guard(io);
  std::thread thread([&] { io.run(); });
  struct Join {
    boost::asio::io_context& io;
    std::thread& thread;
    ~Join() {
      io.stop();
      thread.join();
    }
  } join{io, thread};
  auto open = [&] {
    auto s = std::make_unique<boost::asio::ip::tcp::socket>(io);
    s->connect({boost::asio::ip::make_address("127.0.0.1"), port});
    return s;
  };
  auto first = open();
  auto second = open();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // both admitted (bounded: the test's only wait)
  // A third is closed unanswered: its request reads end-of-stream, not a reply.
  auto third = open();
  boost::system::error_code ec;
  boost::asio::write(*third, boost::asio::buffer(std::string("GET /stats HTTP/1.1\r\nHost: x\r\n\r\n")), ec);
  char byte = 0;
  third->read_some(boost::asio::buffer(&byte, 1), ec);
  EXPECT_TRUE(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset) << ec.message();
  first->close();
  // The server notices the close on its own time: a few tries, 50 ms apart, bounded.
  int status = 0;
  for (int attempt = 0; attempt < 20 && status != 200; ++attempt) {
    try {
      status = http(port, "GET", "/stats").status;
    } catch (const std::exception&) {
      status = 0;  // still refused: closed unanswered
    }
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status, 200) << "a place freed is a place taken";
  server.stop();
}

}  // namespace
}  // namespace shoal::origin::test
