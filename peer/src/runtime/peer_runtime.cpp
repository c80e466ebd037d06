// PeerHandle's implementation: one io_context thread running a CoreDriver, an
// HTTP client for the origin and the manifest poll. Everything below touches
// its state on the io thread only; the public methods post there.
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <mutex>
#include <random>
#include <thread>

#include "shoal/peer/runtime/core_driver.hpp"
#include "shoal/peer/runtime/http_client.hpp"
#include "shoal/peer/runtime/manifest_trust.hpp"
#include "shoal/peer/runtime/origin_wire.hpp"
#include "shoal/peer/runtime/peer_handle.hpp"
#include "shoal/peer/runtime/playback_position.hpp"
#include "shoal/peer/runtime/trace_line.hpp"
#include "shoal/protocol/swarm_id.hpp"

namespace shoal::peer {

namespace asio = boost::asio;

namespace {

// The origin must answer the first manifest request within this time, else the join fails.
constexpr auto kJoinPatience = std::chrono::seconds(3);
constexpr auto kJoinRetryDelay = std::chrono::milliseconds(400);
constexpr auto kFinalReportTimeout = std::chrono::milliseconds(2000);

std::string random_peer_id() {
  std::random_device device;
  std::string id(20, '\0');
  for (auto& c : id) c = static_cast<char>(device() & 0xffu);
  return id;
}

class PeerRuntime final : public PeerHandle {
 public:
  PeerRuntime(PeerOptions options, PeerCallbacks callbacks)
      : options_(std::move(options)),
        callbacks_(std::move(callbacks)),
        work_(asio::make_work_guard(io_)),
        origin_(io_, options_.uri.origin_host, options_.uri.origin_port),
        cdn_(options_.cdn ? std::make_unique<HttpClient>(io_, options_.cdn->host, options_.cdn->port) : nullptr),
        driver_(io_, make_hooks()),
        poll_timer_(io_),
        trust_(options_.uri, KnownChannels(options_.known_channels)) {
    peer_id_ = options_.core.peer_id.empty() ? random_peer_id() : options_.core.peer_id;
    if (options_.uri.listen) {
      options_.listen_host = options_.uri.listen->host;
      options_.core.listen_port = options_.uri.listen->port;
    }
    // A wildcard or default listen address is no address to give out: the tracker lists our source address.
    boost::system::error_code ec;
    const auto named = asio::ip::make_address(options_.listen_host, ec);
    if (!ec && !named.is_unspecified()) announced_host_ = options_.listen_host;
  }

  ~PeerRuntime() override { stop(); }

  void run() {
    asio::post(io_, [this] { join(); });
    thread_ = std::thread([this] {
      io_thread_id_ = std::this_thread::get_id();
      io_.run();
    });
  }

  void seek(Time media_time) override {
    asio::post(io_, [this, media_time] {
      if (!driver_.attached()) return;
      auto seq = position_.seq_at(media_time);
      last_delivered_.reset();
      driver_.feed([&](PeerCore& core, Time now) { core.seek(seq, now); });
    });
  }

  void set_playhead(Time media_time) override {
    asio::post(io_, [this, media_time] {
      if (!driver_.attached()) return;
      auto [seq, offset] = position_.locate(media_time);
      driver_.feed([&, seq = seq, offset = offset](PeerCore& core, Time now) { core.on_playhead(seq, offset, now); });
    });
  }

  PeerStats stats() const override {
    std::lock_guard lock(mutex_);
    return stats_;
  }

  std::optional<ChannelInfo> channel() const override {
    std::lock_guard lock(mutex_);
    return channel_;
  }

  void stop() override {
    if (stopping_.exchange(true)) {
      if (thread_.joinable() && std::this_thread::get_id() != thread_.get_id()) thread_.join();
      return;
    }
    asio::post(io_, [this] { say_goodbye(); });
    if (!thread_.joinable()) return;
    if (std::this_thread::get_id() == thread_.get_id()) {
      thread_.detach();  // stop() from a callback: the thread winds down by itself
      return;
    }
    thread_.join();
  }

 private:
  CoreDriver::Hooks make_hooks() {
    CoreDriver::Hooks hooks;
    hooks.fetch_from_origin = [this](Seq seq) { fetch_chunk(seq); };
    hooks.announce = [this](Seq playhead, int want) { announce(playhead, want); };
    hooks.deliver = [this](Seq seq, const protocol::ChunkPayload& payload) { deliver(seq, payload); };
    // Anyone can connect and send a frame of another version first: that drops the connection, never the
    // session (the origin still serves a viewer that can talk to no peer).
    hooks.version_mismatch = [this](const std::string& message) { log(message); };
    hooks.after_pump = [this] {
      const auto stats = driver_.core().stats();
      if (callbacks_.on_trace && stats.stalls > stats_.stalls)
        callbacks_.on_trace(trace_event(driver_.now(), "stall",
                                        last_delivered_ ? std::optional<Seq>(*last_delivered_ + 1) : std::nullopt));
      std::lock_guard lock(mutex_);
      stats_ = stats;
    };
    hooks.trace = callbacks_.on_trace;
    return hooks;
  }

  void log(const std::string& line) {
    if (callbacks_.on_log) callbacks_.on_log(line);
  }

  void fatal(ErrorCode code, const std::string& message) {
    if (failed_) return;
    failed_ = true;
    poll_timer_.cancel();
    driver_.shutdown();
    origin_.cancel_all();
    if (cdn_) cdn_->cancel_all();
    if (callbacks_.on_error) callbacks_.on_error(code, message);
  }

  std::string origin_name() const { return options_.uri.origin_host + ":" + std::to_string(options_.uri.origin_port); }

  void join() {
    try {
      listen_port_ = driver_.mesh().listen(options_.listen_host, options_.core.listen_port);
    } catch (const std::exception& e) {
      return fatal(ErrorCode::listen_failed, "cannot listen on " +
                                                 (options_.listen_host.empty() ? "*" : options_.listen_host) + ":" +
                                                 std::to_string(options_.core.listen_port) + ": " + e.what());
    }
    join_started_ = std::chrono::steady_clock::now();
    poll_manifest();
  }

  void poll_manifest() {
    origin_.get(manifest_path(options_.uri.channel),
                [this](HttpResponse response) { on_manifest(std::move(response)); });
  }

  void on_manifest(HttpResponse response) {
    if (failed_ || stopping_) return;
    if (response.status == 404)
      return fatal(ErrorCode::channel_not_found,
                   "channel not found: '" + options_.uri.channel + "' at " + origin_name());
    ManifestVerdict verdict;
    std::string& problem = verdict.problem;
    ErrorCode& code = verdict.code;
    if (!response.transport_error.empty()) {
      code = ErrorCode::origin_unreachable;
      problem = "origin unreachable at " + origin_name() + " (" + response.transport_error + ")";
    } else if (!response.ok()) {
      code = ErrorCode::origin_error;
      problem = "origin " + origin_name() + " answered HTTP " + std::to_string(response.status) + " for the manifest";
    } else {
      // Nothing of a manifest is used before it is verified: a refused one leaves the last trusted one in force.
      verdict = trust_.check(response.body);
    }
    if (!verdict.manifest) {
      if (!driver_.attached()) {
        if (std::chrono::steady_clock::now() - join_started_ >= kJoinPatience) return fatal(code, problem);
        return schedule_poll(kJoinRetryDelay);
      }
      log(problem + "; keeping the last trusted manifest, retrying");
      return schedule_poll(std::chrono::milliseconds(snapshot_.target_duration_ms));
    }
    if (!verdict.note.empty()) log(verdict.note);
    apply_manifest(std::move(*verdict.manifest));
  }

  void apply_manifest(ParsedManifest manifest) {
    snapshot_ = manifest.snapshot;
    const bool first_manifest = !driver_.attached();
    if (first_manifest) {
      auto config = options_.core;
      config.peer_id = peer_id_;
      if (config.swarm_id.empty())
        config.swarm_id =
            manifest.swarm_id.size() == 32
                ? manifest.swarm_id
                : protocol::swarm_id(options_.uri.origin_host, options_.uri.origin_port, options_.uri.channel);
      config.listen_port = listen_port_;
      driver_.attach(std::make_unique<PeerCore>(config));
      driver_.mesh().start_accepting();
    }
    position_.update(snapshot_);
    publish_channel();
    if (first_manifest && callbacks_.on_channel) callbacks_.on_channel();
    driver_.feed([&](PeerCore& core, Time now) { core.on_channel(snapshot_, now); });
    if (!playback_started_ && !snapshot_.chunks.empty()) {
      playback_started_ = true;
      if (snapshot_.live) {
        // The core starts where its neighbors are (PeerCore::join_live); the first delivery names the chunk.
        log("joining live channel '" + options_.uri.channel + "'");
        driver_.feed([&](PeerCore& core, Time now) { core.join_live(now); });
      } else {
        auto first = position_.seq_at(options_.start.value_or(Time{0}));
        log("joined '" + options_.uri.channel + "' at seq " + std::to_string(first) + " (vod)");
        driver_.feed([&](PeerCore& core, Time now) { core.start_playback(first, now); });
      }
    }
    maybe_end();
    if (snapshot_.live && !snapshot_.ended) schedule_poll(std::chrono::milliseconds(snapshot_.target_duration_ms));
  }

  void schedule_poll(std::chrono::milliseconds delay) {
    poll_timer_.expires_after(delay);
    poll_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec && !failed_ && !stopping_) poll_manifest();
    });
  }

  void publish_channel() {
    ChannelInfo info;
    info.live = snapshot_.live;
    info.ended = snapshot_.ended;
    for (const auto& c : snapshot_.chunks) info.duration += std::chrono::microseconds(c.duration_us);
    info.chunks = snapshot_.chunks;
    std::lock_guard lock(mutex_);
    channel_ = std::move(info);
  }

  // Where chunk fetches go: the CDN in front of the origin when one was given, else the origin itself.
  HttpClient& chunk_source() { return cdn_ ? *cdn_ : origin_; }
  std::string chunk_target(Seq seq) const {
    return (options_.cdn ? options_.cdn->path_prefix : std::string()) + chunk_path(options_.uri.channel, seq);
  }

  void fetch_chunk(Seq seq) {
    chunk_source().get(chunk_target(seq), [this, seq](HttpResponse response) {
      if (failed_ || stopping_) return;
      if (callbacks_.on_trace)
        callbacks_.on_trace(
            trace_event(driver_.now(), "origin_arrival", seq, 0, response.ok() ? response.body.size() : 0));
      protocol::ChunkPayload payload;
      if (response.ok())
        payload = std::make_shared<const std::string>(std::move(response.body));
      else if (response.status != 503)  // 503: the origin is at its transfer limit, an expected refusal
        log("origin fetch of chunk " + std::to_string(seq) + " failed: " +
            (response.transport_error.empty() ? "HTTP " + std::to_string(response.status) : response.transport_error));
      driver_.feed([&](PeerCore& core, Time now) { core.on_origin_chunk(seq, payload, now); });
    });
  }

  Announce announce_fields(Seq playhead, int want, AnnounceEvent event) const {
    return Announce{peer_id_, listen_port_, announced_host_, tracker_secret_, playhead, want, event};
  }

  void announce(Seq playhead, int want) {
    auto body =
        announce_body(announce_fields(playhead, want, announced_ ? AnnounceEvent::update : AnnounceEvent::started));
    announced_ = true;
    origin_.post(announce_path(options_.uri.channel), std::move(body), [this](HttpResponse response) {
      if (failed_ || stopping_) return;
      std::optional<TrackerReply> reply;
      if (response.ok()) reply = parse_announce_reply(response.body, peer_id_);
      if (!reply) {
        log("tracker announce failed: " +
            (response.transport_error.empty() ? "HTTP " + std::to_string(response.status) : response.transport_error));
        reply.emplace();
      }
      // A new secret means the tracker made a new entry for us (first announce, or it forgot us: a restart).
      if (!reply->secret.empty()) tracker_secret_ = reply->secret;
      driver_.feed([&](PeerCore& core, Time now) { core.on_tracker_peers(std::move(reply->peers), now); });
    });
  }

  void deliver(Seq seq, const protocol::ChunkPayload& payload) {
    if (!last_delivered_ && snapshot_.live) log("playing live from seq " + std::to_string(seq));
    last_delivered_ = seq;
    if (callbacks_.on_chunk) {
      if (const auto* meta = position_.find(seq))
        callbacks_.on_chunk(*meta, payload);
      else
        callbacks_.on_chunk(ChunkMeta{seq, 0, 0, payload ? payload->size() : 0, {}}, payload);
    }
    maybe_end();
  }

  void maybe_end() {
    if (ended_ || !snapshot_.ended || snapshot_.chunks.empty() || !last_delivered_) return;
    if (*last_delivered_ < snapshot_.chunks.back().seq) return;
    ended_ = true;
    if (callbacks_.on_end) callbacks_.on_end();
  }

  // Runs on the io thread: final report, then everything closes and io_.run() returns.
  void say_goodbye() {
    poll_timer_.cancel();
    auto finish = [this] {
      driver_.shutdown();
      origin_.cancel_all();
      if (cdn_) cdn_->cancel_all();
      goodbye_timer_.reset();
      work_.reset();
    };
    if (!driver_.attached() || failed_) return finish();
    auto stats = driver_.core().stats();
    {
      std::lock_guard lock(mutex_);
      stats_ = stats;
    }
    driver_.shutdown();
    auto pending = std::make_shared<int>(2);
    auto one_done = [pending, finish](HttpResponse) {
      if (--*pending == 0) finish();
    };
    origin_.timeout = kFinalReportTimeout;
    origin_.post(report_path(options_.uri.channel), qoe_report_body(peer_id_, stats, true), one_done);
    origin_.post(announce_path(options_.uri.channel), announce_body(announce_fields(0, 0, AnnounceEvent::stopped)),
                 one_done);
    // Belt and braces: the HTTP timeout already bounds both requests.
    goodbye_timer_ = std::make_unique<asio::steady_timer>(io_, kFinalReportTimeout + std::chrono::milliseconds(500));
    goodbye_timer_->async_wait([finish](const boost::system::error_code& ec) {
      if (!ec) finish();
    });
  }

  PeerOptions options_;
  PeerCallbacks callbacks_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  HttpClient origin_;
  std::unique_ptr<HttpClient> cdn_;  // chunk fetches when PeerOptions::cdn is set
  CoreDriver driver_;
  asio::steady_timer poll_timer_;
  ManifestTrust trust_;
  std::unique_ptr<asio::steady_timer> goodbye_timer_;
  std::thread thread_;
  std::thread::id io_thread_id_;

  std::string peer_id_;
  std::uint16_t listen_port_ = 0;
  std::string announced_host_;  // empty: the tracker lists the address our announces come from
  std::string tracker_secret_;  // proves our tracker entry is ours (io thread only)
  std::chrono::steady_clock::time_point join_started_;
  ChannelSnapshot snapshot_;
  PlaybackPosition position_;
  bool playback_started_ = false;
  bool announced_ = false;
  bool failed_ = false;
  bool ended_ = false;
  std::optional<Seq> last_delivered_;
  std::atomic<bool> stopping_{false};

  mutable std::mutex mutex_;
  PeerStats stats_;
  std::optional<ChannelInfo> channel_;
};

}  // namespace

std::unique_ptr<PeerHandle> PeerHandle::start(PeerOptions options, PeerCallbacks callbacks) {
  auto runtime = std::make_unique<PeerRuntime>(std::move(options), std::move(callbacks));
  runtime->run();
  return runtime;
}

}  // namespace shoal::peer
