#include "src_state.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>

#include "debug.hpp"
#include "handle_factory.hpp"
#include "src_errors.hpp"
#include "src_timeline.hpp"

#define GST_CAT_DEFAULT shoal_src_debug

namespace shoal::player {
namespace {

using peer::Time;
using protocol::ErrorCode;

// Longer than a loopback join by orders of magnitude, short enough that an
// unreachable origin is reported within 5 s.
constexpr GstClockTime kJoinTimeout = 4 * GST_SECOND;

struct JoinTimer {
  SrcState* state;
  std::uint64_t run;
};

}  // namespace

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

void SrcState::reset_for_open(const SrcSettings& s) {
  error_posted_ = false;
  joined_ = false;
  queue_.reset();
  {
    std::lock_guard lock(join_mutex_);
    join_error_.reset();
    join_timed_out_ = false;
    ++join_run_;
  }
  std::lock_guard lock(timeline_mutex_);
  timeline_ = std::make_unique<Timeline>(std::chrono::milliseconds(s.buffer_target_ms));
  timeline_->open_clock = element_clock_or_system(GST_ELEMENT_CAST(element_));
  timeline_->open_time = gst_clock_get_time(timeline_->open_clock.get());
}

peer::PeerHandle* SrcState::start_peer(const SrcSettings& s) {
  const HandleFactory factory = handle_factory();
  if (!factory) {
    post_error(ErrorCode::runtime_unavailable, "shoalsrc was built without the peer runtime");
    return nullptr;
  }
  peer::PeerOptions options;
  options.uri = *s.uri;
  options.core.buffer_target = std::chrono::milliseconds(s.buffer_target_ms);
  options.core.max_upload_bps = s.max_upload_bps;
  options.core.listen_port = static_cast<std::uint16_t>(s.listen_port);
  options.listen_host = s.listen_host;
  options.core.policy = s.policy;
  options.cdn = s.cdn;
  options.external_playhead = true;
  peer::PeerCallbacks callbacks;
  callbacks.on_chunk = [this](const peer::ChunkMeta& meta, const protocol::ChunkPayload& payload) {
    on_chunk(meta, payload);
  };
  callbacks.on_end = [this] { on_end(); };
  callbacks.on_error = [this](ErrorCode code, const std::string& message) { on_error(code, message); };
  callbacks.on_channel = [this] {
    std::lock_guard lock(join_mutex_);
    join_cv_.notify_all();
  };
  std::unique_ptr<peer::PeerHandle> handle;
  try {
    handle = factory(std::move(options), std::move(callbacks));
  } catch (const std::exception& e) {
    post_error(ErrorCode::runtime_unavailable, std::string("cannot start the peer: ") + e.what());
    return nullptr;
  }
  if (!handle) {
    post_error(ErrorCode::runtime_unavailable, "cannot start the peer");
    return nullptr;
  }
  peer::PeerHandle* raw = handle.get();
  std::lock_guard lock(handle_mutex_);
  handle_ = std::move(handle);
  return raw;
}

void SrcState::on_join_timeout(std::uint64_t run) {
  std::lock_guard lock(join_mutex_);
  if (run != join_run_) return;
  join_timed_out_ = true;
  join_cv_.notify_all();
}

std::optional<peer::ChannelInfo> SrcState::wait_for_join(peer::PeerHandle& handle, const SrcSettings& s) {
  GstClock* clock = nullptr;
  GstClockTime deadline = 0;
  {
    std::lock_guard lock(timeline_mutex_);
    clock = timeline_->open_clock.get();
    deadline = timeline_->open_time + kJoinTimeout;
  }
  std::uint64_t run = 0;
  {
    std::lock_guard lock(join_mutex_);
    run = join_run_;
  }
  // The timeout is a clock id on the same clock as the start-up delay, so a test clock decides when it fires.
  ClockIdPtr timer(gst_clock_new_single_shot_id(clock, deadline));
  gst_clock_id_wait_async(
      timer.get(),
      [](GstClock*, GstClockTime, GstClockID, gpointer data) -> gboolean {
        const auto* t = static_cast<JoinTimer*>(data);
        t->state->on_join_timeout(t->run);
        return TRUE;
      },
      new JoinTimer{this, run}, [](gpointer data) { delete static_cast<JoinTimer*>(data); });
  std::optional<peer::ChannelInfo> info;
  std::optional<JoinError> failure;
  {
    std::unique_lock lock(join_mutex_);
    // Woken by on_channel, on_error and the timer; channel() is asked under the lock so no wake-up is lost.
    join_cv_.wait(lock, [&] { return join_error_ || join_timed_out_ || (info = handle.channel()).has_value(); });
    if (!info && join_error_) failure = *join_error_;
  }
  gst_clock_id_unschedule(timer.get());
  if (!info && !failure) {
    failure = JoinError{ErrorCode::join_timeout, "origin " + s.uri->origin_host + ":" +
                                                     std::to_string(s.uri->origin_port) + " did not answer within " +
                                                     std::to_string(kJoinTimeout / GST_SECOND) + " s (unreachable?)"};
  }
  if (failure) post_error(failure->code, failure->message);
  return info;
}

void SrcState::adopt_channel(const peer::ChannelInfo& info) {
  live_ = info.live;
  std::lock_guard lock(timeline_mutex_);
  Timeline& tl = *timeline_;
  tl.duration = info.duration;
  if (!info.chunks.empty()) tl.runtime_base_us = info.chunks.front().pts_us;
  if (!info.live && !info.chunks.empty()) {
    tl.vod_chunks = info.chunks;
    tl.pts_base_us = info.chunks.front().pts_us;
    tl.start_media_us = info.chunks.front().pts_us;
    tl.playhead_us = tl.start_media_us;
    tl.received_end_us = tl.start_media_us;
  }
}

bool SrcState::open() {
  SrcSettings s;
  {
    std::lock_guard lock(settings_mutex);
    s = settings;
  }
  reset_for_open(s);
  if (!s.uri) {
    post_error(ErrorCode::bad_uri, s.location.empty()
                                       ? "no shoal://host:port/channel URI set (property location)"
                                       : "invalid location '" + s.location + "': expected shoal://host:port/channel");
    return false;
  }
  peer::PeerHandle* handle = start_peer(s);
  if (handle == nullptr) return false;
  // Liveness must be known before basesrc decides between preroll and
  // NO_PREROLL, so the state change waits (bounded) for the manifest.
  const std::optional<peer::ChannelInfo> info = wait_for_join(*handle, s);
  if (!info) {
    close();
    return false;
  }
  adopt_channel(*info);
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
    if (monitor_id_ != nullptr) gst_clock_id_unschedule(monitor_id_);
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

// The buffer time of `chunk`, under timeline_mutex_ (waits out a live stall first); max() when flushing.
GstClockTime SrcState::stamp(const QueuedChunk& chunk, bool& discont, bool& first) {
  std::unique_lock lock(timeline_mutex_);
  Timeline& tl = *timeline_;
  // A live pipeline cannot pause: while stalled, hold the data back so it is
  // stamped after the stall instead of arriving already late.
  timeline_cv_.wait(lock, [&] { return flushing_ || !live_ || !tl.stalls.stalled(); });
  if (flushing_) return GST_CLOCK_TIME_NONE;
  if (!tl.pts_base_us) tl.pts_base_us = chunk.meta.pts_us;
  if (live_ && !tl.live_anchored) {
    lock.unlock();
    const GstClockTime rt = running_time(GST_ELEMENT_CAST(element_), false).value_or(0);
    lock.lock();
    tl.shift_ns = static_cast<GstClockTimeDiff>(rt);
    tl.live_anchored = true;
  }
  const GstClockTimeDiff at =
      (chunk.meta.pts_us - *tl.pts_base_us) * static_cast<GstClockTimeDiff>(GST_USECOND) + tl.shift_ns;
  discont = tl.discont || chunk.discont;
  tl.discont = false;
  tl.flowing = true;
  ++tl.chunks_played;
  if (!tl.any_pushed) {
    tl.any_pushed = true;
    const GstClockTime now = gst_clock_get_time(tl.open_clock.get());
    tl.startup_delay = to_time(now > tl.open_time ? now - tl.open_time : 0);
    tl.last_qoe.reset();
    first = true;
  }
  return at > 0 ? static_cast<GstClockTime>(at) : 0;
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
  bool discont = false;
  bool first = false;
  const GstClockTime pts = stamp(chunk, discont, first);
  if (!GST_CLOCK_TIME_IS_VALID(pts)) return GST_FLOW_FLUSHING;
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

}  // namespace shoal::player
