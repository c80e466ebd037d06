#include "src_state.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>
#include <vector>

#include "debug.hpp"
#include "handle_factory.hpp"
#include "src_errors.hpp"

#define GST_CAT_DEFAULT shoal_src_debug

namespace shoal::player {
namespace {

using peer::Time;
using protocol::ErrorCode;

// Longer than a loopback join by orders of magnitude, short enough that an
// unreachable origin is reported within 5 s.
constexpr auto kJoinTimeout = std::chrono::milliseconds(4000);
constexpr auto kTick = std::chrono::milliseconds(100);
constexpr gint64 kQoeIntervalUs = 5 * G_USEC_PER_SEC;
// The runtime fetches only inside its window (60 s by default); this bound
// catches a broken window long before memory does.
constexpr std::uint64_t kQueueBytes = 512ull << 20;

Time now_wall() { return Time(g_get_monotonic_time()); }

}  // namespace

struct SrcState::Timeline {
  explicit Timeline(Time buffer_target) : stalls(buffer_target) { gst_segment_init(&segment, GST_FORMAT_TIME); }

  GstSegment segment;                       // basesrc's segment as of the last do_seek
  std::optional<std::int64_t> pts_base_us;  // media time at buffer time 0
  // The runtime counts media time from the first chunk of the first manifest
  // it saw (PlaybackPosition); seeks and playheads are given in that frame.
  std::int64_t runtime_base_us = 0;
  GstClockTimeDiff shift_ns = 0;  // live: buffer time of pts_base (running time at the first push)
  bool live_anchored = false;
  std::vector<peer::ChunkMeta> vod_chunks;  // VoD: the whole, fixed chunk list
  Time duration{0};
  std::optional<peer::Seq> expected_seq;
  bool expect_exact = false;  // after a seek only the target chunk may come first
  std::int64_t received_end_us = 0;
  bool end_received = false;
  std::int64_t start_media_us = 0;  // the playhead until the first buffer of a (re)start is pushed
  std::int64_t playhead_us = 0;
  bool flowing = false;  // a buffer was pushed since start or the last seek
  bool discont = true;
  bool any_pushed = false;
  GstClockTime stall_rt_begin = 0;
  StallDetector stalls;
  Time open_time{0};
  std::optional<Time> startup_delay;
  std::uint64_t chunks_played = 0;
  gint64 last_qoe_us = 0;
};

SrcState::SrcState(GstBaseSrc* element)
    : element_(element), queue_(kQueueBytes), timeline_(std::make_unique<Timeline>(std::chrono::seconds(3))) {}

SrcState::~SrcState() {
  stop();
  close();
}

void SrcState::post_error(ErrorCode code, const std::string& message) {
  if (error_posted_.exchange(true)) return;
  std::string location;
  {
    std::lock_guard lock(settings_mutex);
    location = settings.location;
  }
  post_element_error(GST_ELEMENT_CAST(element_), code, message, location);
}

bool SrcState::open() {
  SrcSettings s;
  std::string uri_error;
  {
    std::lock_guard lock(settings_mutex);
    s = settings;
  }
  error_posted_ = false;
  joined_ = false;
  queue_.reset();
  {
    std::lock_guard lock(join_mutex_);
    join_error_.reset();
  }
  if (!s.uri) {
    post_error(ErrorCode::bad_uri, s.location.empty()
                                       ? "no shoal://host:port/channel URI set (property location)"
                                       : "invalid location '" + s.location + "': expected shoal://host:port/channel");
    return false;
  }
  const Time target = std::chrono::milliseconds(s.buffer_target_ms);
  {
    std::lock_guard lock(timeline_mutex_);
    timeline_ = std::make_unique<Timeline>(target);
    timeline_->open_time = now_wall();
  }
  const HandleFactory factory = handle_factory();
  if (!factory) {
    post_error(ErrorCode::runtime_unavailable, "shoalsrc was built without the peer runtime");
    return false;
  }
  peer::PeerOptions options;
  options.uri = *s.uri;
  options.core.buffer_target = target;
  options.core.max_upload_bps = s.max_upload_bps;
  options.core.listen_port = static_cast<std::uint16_t>(s.listen_port);
  options.listen_host = s.listen_host;
  options.core.policy = s.policy;
  options.external_playhead = true;
  peer::PeerCallbacks callbacks;
  callbacks.on_chunk = [this](const peer::ChunkMeta& meta, const protocol::ChunkPayload& payload) {
    on_chunk(meta, payload);
  };
  callbacks.on_end = [this] { on_end(); };
  callbacks.on_error = [this](ErrorCode code, const std::string& message) { on_error(code, message); };

  std::unique_ptr<peer::PeerHandle> handle;
  try {
    handle = factory(std::move(options), std::move(callbacks));
  } catch (const std::exception& e) {
    post_error(ErrorCode::runtime_unavailable, std::string("cannot start the peer: ") + e.what());
    return false;
  }
  if (!handle) {
    post_error(ErrorCode::runtime_unavailable, "cannot start the peer");
    return false;
  }
  peer::PeerHandle* raw = handle.get();
  {
    std::lock_guard lock(handle_mutex_);
    handle_ = std::move(handle);
  }

  // Liveness must be known before basesrc decides between preroll and
  // NO_PREROLL, so the state change waits (bounded) for the manifest.
  std::optional<peer::ChannelInfo> info;
  std::optional<JoinError> failure;
  const auto deadline = std::chrono::steady_clock::now() + kJoinTimeout;
  for (;;) {
    {
      std::unique_lock lock(join_mutex_);
      if (join_error_) {
        failure = *join_error_;
        break;
      }
    }
    info = raw->channel();
    if (info) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      failure =
          JoinError{ErrorCode::join_timeout, "origin " + s.uri->origin_host + ":" + std::to_string(s.uri->origin_port) +
                                                 " did not answer within " +
                                                 std::to_string(kJoinTimeout.count() / 1000) + " s (unreachable?)"};
      break;
    }
    std::unique_lock lock(join_mutex_);
    join_cv_.wait_for(lock, std::chrono::milliseconds(10));
  }
  if (failure) {
    post_error(failure->code, failure->message);
    close();
    return false;
  }
  live_ = info->live;
  {
    std::lock_guard lock(timeline_mutex_);
    Timeline& tl = *timeline_;
    tl.duration = info->duration;
    if (!info->chunks.empty()) tl.runtime_base_us = info->chunks.front().pts_us;
    if (!info->live && !info->chunks.empty()) {
      tl.vod_chunks = info->chunks;
      tl.pts_base_us = info->chunks.front().pts_us;
      tl.start_media_us = info->chunks.front().pts_us;
      tl.playhead_us = tl.start_media_us;
      tl.received_end_us = tl.start_media_us;
    }
  }
  joined_ = true;
  GST_INFO_OBJECT(element_, "joined %s channel '%s' (%zu chunks, duration %" G_GINT64_FORMAT " us)",
                  info->live ? "live" : "VoD", s.uri->channel.c_str(), info->chunks.size(),
                  static_cast<gint64>(info->duration.count()));
  return true;
}

void SrcState::close() {
  std::unique_ptr<peer::PeerHandle> handle;
  {
    std::lock_guard lock(handle_mutex_);
    handle = std::move(handle_);
  }
  if (!handle) return;
  handle->stop();
  const peer::PeerStats last = handle->stats();
  handle.reset();
  std::lock_guard lock(handle_mutex_);
  final_stats_ = last;
}

GstClockTime SrcState::duration() const {
  if (live_) return GST_CLOCK_TIME_NONE;
  std::lock_guard lock(timeline_mutex_);
  if (timeline_->duration.count() <= 0) return GST_CLOCK_TIME_NONE;
  return static_cast<GstClockTime>(timeline_->duration.count()) * GST_USECOND;
}

void SrcState::on_chunk(const peer::ChunkMeta& meta, const protocol::ChunkPayload& payload) {
  std::lock_guard lock(timeline_mutex_);
  Timeline& tl = *timeline_;
  if (tl.expect_exact) {
    if (meta.seq != tl.expected_seq) {
      GST_DEBUG_OBJECT(element_, "dropping chunk %" G_GUINT64_FORMAT " from before the seek", meta.seq);
      return;
    }
    tl.expect_exact = false;
  } else if (tl.expected_seq && meta.seq < *tl.expected_seq) {
    GST_DEBUG_OBJECT(element_, "dropping chunk %" G_GUINT64_FORMAT " (already delivered)", meta.seq);
    return;
  }
  const bool gap = tl.expected_seq && meta.seq > *tl.expected_seq;
  if (gap) {
    GST_WARNING_OBJECT(element_, "chunks %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT " skipped", *tl.expected_seq,
                       meta.seq - 1);
  }
  tl.expected_seq = meta.seq + 1;
  tl.received_end_us = std::max(tl.received_end_us, meta.pts_us + static_cast<std::int64_t>(meta.duration_us));
  if (!queue_.push(QueuedChunk{meta, payload, gap})) {
    GST_ERROR_OBJECT(element_, "queue over %" G_GUINT64_FORMAT " bytes", kQueueBytes);
    post_error(ErrorCode::queue_overflow, "shoalsrc queue overflow: the peer delivered far beyond its window");
    queue_.fail();
    return;
  }
  if (!tl.vod_chunks.empty() && meta.seq == tl.vod_chunks.back().seq) {
    tl.end_received = true;
    queue_.finish();
  }
}

void SrcState::on_end() {
  std::lock_guard lock(timeline_mutex_);
  // A VoD stream ends when its last chunk is taken (on_chunk): an end reported
  // just before a seek must not end the stream after it.
  if (!live_ && !timeline_->vod_chunks.empty()) return;
  timeline_->end_received = true;
  queue_.finish();
}

void SrcState::on_error(ErrorCode code, const std::string& message) {
  GST_WARNING_OBJECT(element_, "peer error %s: %s", std::string(protocol::to_string(code)).c_str(), message.c_str());
  if (!joined_) {
    std::lock_guard lock(join_mutex_);
    if (!join_error_) join_error_ = JoinError{code, message};
    join_cv_.notify_all();
    return;
  }
  post_error(code, message);
  queue_.fail();
}

std::optional<GstClockTime> SrcState::running_time(bool require_playing) const {
  GstElement* element = GST_ELEMENT_CAST(element_);
  GST_OBJECT_LOCK(element);
  const bool playing = GST_STATE(element) == GST_STATE_PLAYING;
  GstClock* clock = element->clock != nullptr ? GST_CLOCK_CAST(gst_object_ref(element->clock)) : nullptr;
  const GstClockTime base = element->base_time;
  GST_OBJECT_UNLOCK(element);
  if (clock == nullptr) return std::nullopt;
  const GstClockTime now = gst_clock_get_time(clock);
  gst_object_unref(clock);
  if (require_playing && !playing) return std::nullopt;
  return now > base ? now - base : 0;
}

bool SrcState::start() {
  {
    std::lock_guard lock(monitor_mutex_);
    monitor_stop_ = false;
  }
  flushing_ = false;
  monitor_ = std::thread([this] { monitor_loop(); });
  return true;
}

void SrcState::stop() {
  {
    std::lock_guard lock(monitor_mutex_);
    monitor_stop_ = true;
  }
  monitor_cv_.notify_all();
  if (monitor_.joinable()) monitor_.join();
}

void SrcState::unlock() {
  flushing_ = true;
  queue_.set_flushing(true);
  std::lock_guard lock(timeline_mutex_);
  timeline_cv_.notify_all();
}

void SrcState::unlock_stop() {
  flushing_ = false;
  queue_.set_flushing(false);
}

GstFlowReturn SrcState::create(GstBuffer** out) {
  QueuedChunk chunk;
  switch (queue_.pop(chunk)) {
    case ChunkQueue::Pop::chunk:
      break;
    case ChunkQueue::Pop::flushing:
      return GST_FLOW_FLUSHING;
    case ChunkQueue::Pop::end:
      GST_INFO_OBJECT(element_, "end of stream");
      return GST_FLOW_EOS;
    case ChunkQueue::Pop::error:
      return GST_FLOW_ERROR;
  }
  GstClockTime pts = 0;
  bool discont = false;
  bool first = false;
  {
    std::unique_lock lock(timeline_mutex_);
    Timeline& tl = *timeline_;
    // A live pipeline cannot pause: while stalled, hold the data back so it is
    // stamped after the stall instead of arriving already late.
    timeline_cv_.wait(lock, [&] { return flushing_ || !live_ || !tl.stalls.stalled(); });
    if (flushing_) return GST_FLOW_FLUSHING;
    if (!tl.pts_base_us) tl.pts_base_us = chunk.meta.pts_us;
    if (live_ && !tl.live_anchored) {
      lock.unlock();
      const GstClockTime rt = running_time(false).value_or(0);
      lock.lock();
      tl.shift_ns = static_cast<GstClockTimeDiff>(rt);
      tl.live_anchored = true;
    }
    const GstClockTimeDiff at =
        (chunk.meta.pts_us - *tl.pts_base_us) * static_cast<GstClockTimeDiff>(GST_USECOND) + tl.shift_ns;
    pts = at > 0 ? static_cast<GstClockTime>(at) : 0;
    discont = tl.discont || chunk.discont;
    tl.discont = false;
    tl.flowing = true;
    ++tl.chunks_played;
    if (!tl.any_pushed) {
      tl.any_pushed = true;
      tl.startup_delay = now_wall() - tl.open_time;
      first = true;
    }
  }
  auto* holder = new protocol::ChunkPayload(chunk.payload);
  GstBuffer* buffer = gst_buffer_new_wrapped_full(
      GST_MEMORY_FLAG_READONLY, const_cast<char*>((*holder)->data()), (*holder)->size(), 0, (*holder)->size(), holder,
      [](gpointer data) { delete static_cast<protocol::ChunkPayload*>(data); });
  GST_BUFFER_PTS(buffer) = pts;
  GST_BUFFER_DTS(buffer) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION(buffer) = static_cast<GstClockTime>(chunk.meta.duration_us) * GST_USECOND;
  GST_BUFFER_OFFSET(buffer) = chunk.meta.seq;
  if (discont) GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DISCONT);
  GST_LOG_OBJECT(element_, "chunk %" G_GUINT64_FORMAT " pts %" GST_TIME_FORMAT " (%zu bytes)", chunk.meta.seq,
                 GST_TIME_ARGS(pts), static_cast<std::size_t>(gst_buffer_get_size(buffer)));
  *out = buffer;
  if (first) post_qoe("start");
  return GST_FLOW_OK;
}

bool SrcState::do_seek(const GstSegment& segment) {
  if (live_) {
    std::lock_guard lock(timeline_mutex_);
    timeline_->segment = segment;
    return true;
  }
  std::int64_t media = 0;
  {
    std::lock_guard lock(timeline_mutex_);
    Timeline& tl = *timeline_;
    tl.segment = segment;
    if (tl.vod_chunks.empty()) return !tl.any_pushed;
    const std::int64_t base = *tl.pts_base_us;
    const GstClockTime target = segment.rate >= 0 ? segment.start : segment.stop;
    media = base + static_cast<std::int64_t>(GST_CLOCK_TIME_IS_VALID(target) ? target / GST_USECOND : 0);
    // basesrc performs an initial seek to the segment start before streaming.
    if (!tl.any_pushed && media == tl.start_media_us) return true;
    // The chunk containing the target (clamped to the channel's ends).
    auto it = std::upper_bound(tl.vod_chunks.begin(), tl.vod_chunks.end(), media,
                               [](std::int64_t t, const peer::ChunkMeta& c) { return t < c.pts_us; });
    const peer::ChunkMeta& landing = it == tl.vod_chunks.begin() ? tl.vod_chunks.front() : *std::prev(it);
    tl.expected_seq = landing.seq;
    tl.expect_exact = true;
    tl.received_end_us = landing.pts_us;
    tl.end_received = false;
    tl.start_media_us = media;
    tl.playhead_us = media;
    tl.flowing = false;
    tl.discont = true;
    tl.stalls.cancel(now_wall());
    queue_.clear();
    media -= tl.runtime_base_us;
    GST_INFO_OBJECT(element_, "seek to %" GST_TIME_FORMAT ": chunk %" G_GUINT64_FORMAT, GST_TIME_ARGS(target),
                    landing.seq);
  }
  std::lock_guard lock(handle_mutex_);
  if (handle_) handle_->seek(Time(media));
  return true;
}

QoeSnapshot SrcState::snapshot() const {
  QoeSnapshot q;
  {
    std::lock_guard lock(timeline_mutex_);
    const Timeline& tl = *timeline_;
    q.started = tl.any_pushed;
    q.startup_delay = tl.startup_delay ? static_cast<GstClockTime>(tl.startup_delay->count()) * GST_USECOND : 0;
    q.stall_count = tl.stalls.count();
    q.stall_duration = static_cast<GstClockTime>(tl.stalls.total(now_wall()).count()) * GST_USECOND;
    const std::int64_t ahead = tl.received_end_us - tl.playhead_us;
    q.buffered_ahead = tl.pts_base_us && ahead > 0 ? static_cast<GstClockTime>(ahead) * GST_USECOND : 0;
    q.chunks_played = tl.chunks_played;
  }
  std::lock_guard lock(handle_mutex_);
  q.peer = handle_ ? handle_->stats() : final_stats_;
  return q;
}

void SrcState::post_qoe(const char* reason) {
  GstStructure* s = make_qoe_structure("shoal-qoe", snapshot());
  gst_structure_set(s, "reason", G_TYPE_STRING, reason, nullptr);
  {
    std::lock_guard lock(timeline_mutex_);
    timeline_->last_qoe_us = g_get_monotonic_time();
  }
  gst_element_post_message(GST_ELEMENT_CAST(element_), gst_message_new_element(GST_OBJECT_CAST(element_), s));
}

void SrcState::monitor_loop() {
  std::unique_lock lock(monitor_mutex_);
  while (!monitor_stop_) {
    monitor_cv_.wait_for(lock, kTick);
    if (monitor_stop_) break;
    lock.unlock();
    tick();
    lock.lock();
  }
}

void SrcState::tick() {
  const std::optional<GstClockTime> rt = running_time(true);
  const Time now = now_wall();
  StallUpdate update;
  std::optional<std::int64_t> playhead;
  bool qoe_due = false;
  {
    std::lock_guard lock(timeline_mutex_);
    Timeline& tl = *timeline_;
    if (!tl.pts_base_us) return;
    std::int64_t ph = tl.flowing ? tl.playhead_us : tl.start_media_us;
    if (tl.flowing && rt) {
      guint64 position = 0;
      if (gst_segment_position_from_running_time_full(&tl.segment, GST_FORMAT_TIME, *rt, &position) == 1) {
        const GstClockTimeDiff rel = static_cast<GstClockTimeDiff>(position) - tl.shift_ns;
        ph = *tl.pts_base_us + rel / static_cast<GstClockTimeDiff>(GST_USECOND);
      }
    }
    if (tl.stalls.stalled()) ph = std::min<std::int64_t>(ph, tl.stalls.stalled_at().count());
    tl.playhead_us = ph;
    playhead = ph - tl.runtime_base_us;
    if (tl.flowing) {
      update = tl.stalls.update(Time(ph), Time(tl.received_end_us), tl.end_received, now);
      if (update.kind == StallUpdate::Kind::began) {
        tl.stall_rt_begin = rt.value_or(0);
        GST_INFO_OBJECT(element_, "stall %u at media %" G_GINT64_FORMAT " us", tl.stalls.count(), ph);
      } else if (update.kind == StallUpdate::Kind::ended) {
        GST_INFO_OBJECT(element_, "stall over after %" G_GINT64_FORMAT " ms",
                        static_cast<gint64>(update.duration.count() / 1000));
        if (live_) {
          // Later chunks are stamped after the pause, so they are on time again.
          const GstClockTime rt_now = running_time(false).value_or(tl.stall_rt_begin);
          tl.shift_ns += static_cast<GstClockTimeDiff>(rt_now - std::min(rt_now, tl.stall_rt_begin));
          tl.discont = true;
          timeline_cv_.notify_all();
        }
      }
    }
    qoe_due = tl.any_pushed && g_get_monotonic_time() - tl.last_qoe_us >= kQoeIntervalUs;
  }
  {
    std::lock_guard lock(handle_mutex_);
    if (handle_ && playhead) handle_->set_playhead(Time(*playhead));
  }
  // Live pipelines do not pause for buffering, so only VoD asks the application to.
  if (update.kind != StallUpdate::Kind::none && !live_) {
    GST_DEBUG_OBJECT(element_, "buffering %d%%", update.percent);
    gst_element_post_message(GST_ELEMENT_CAST(element_),
                             gst_message_new_buffering(GST_OBJECT_CAST(element_), update.percent));
  }
  if (update.kind == StallUpdate::Kind::ended) {
    post_qoe("stall-end");
  } else if (qoe_due) {
    post_qoe("periodic");
  }
}

}  // namespace shoal::player
