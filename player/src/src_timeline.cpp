// The pipeline's clock turned into the playhead, stalls and QoE timing. A
// monitor thread ticks every 100 ms of the element's clock (a periodic clock
// id: with a GstTestClock each tick is one crank) and, on each tick, maps the
// running time through the segment to media time, feeds it to the runtime,
// runs the stall detector and posts the periodic QoE message.
#include "src_timeline.hpp"

#include <algorithm>

#include "debug.hpp"
#include "src_state.hpp"

#define GST_CAT_DEFAULT shoal_src_debug

namespace shoal::player {
namespace {

using peer::Time;

constexpr GstClockTime kTick = 100 * GST_MSECOND;
constexpr GstClockTime kQoeInterval = 5 * GST_SECOND;

}  // namespace

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
    tl.stalls.cancel(tl.last_tick);
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
    // As of the last tick: a running stall is measured on the clock it began on.
    q.stall_duration = static_cast<GstClockTime>(tl.stalls.total(tl.last_tick).count()) * GST_USECOND;
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
  gst_element_post_message(GST_ELEMENT_CAST(element_), gst_message_new_element(GST_OBJECT_CAST(element_), s));
}

void SrcState::on_clock_changed(GstClock* clock) {
  std::lock_guard lock(monitor_mutex_);
  if (clock == monitor_clock_) return;
  // The monitor leaves its wait on the old clock and picks up the new one.
  if (monitor_id_ != nullptr) gst_clock_id_unschedule(monitor_id_);
  monitor_cv_.notify_all();
}

void SrcState::monitor_loop() {
  for (;;) {
    ClockPtr clock;
    {
      std::unique_lock lock(monitor_mutex_);
      // Until the pipeline hands out its clock (PAUSED->PLAYING) there is no running time to follow.
      monitor_cv_.wait(lock, [&] {
        clock = element_clock(GST_ELEMENT_CAST(element_));
        return monitor_stop_ || clock != nullptr;
      });
      if (monitor_stop_) return;
      monitor_clock_ = clock.get();
      monitor_id_ = gst_clock_new_periodic_id(clock.get(), gst_clock_get_time(clock.get()) + kTick, kTick);
    }
    run_ticks(clock.get());
    std::lock_guard lock(monitor_mutex_);
    gst_clock_id_unref(monitor_id_);
    monitor_id_ = nullptr;
    monitor_clock_ = nullptr;
  }
}

// Ticks until the periodic id is unscheduled (stop, or another clock).
void SrcState::run_ticks(GstClock* clock) {
  for (;;) {
    GstClockID id = nullptr;
    {
      std::lock_guard lock(monitor_mutex_);
      if (monitor_stop_) return;
      id = monitor_id_;
    }
    const GstClockReturn ret = gst_clock_id_wait(id, nullptr);
    if (ret != GST_CLOCK_OK && ret != GST_CLOCK_EARLY) return;
    tick(clock);
  }
}

// Under timeline_mutex_: the stall detector's verdict at the current playhead.
StallUpdate SrcState::update_stall(GstClockTime clock_now) {
  Timeline& tl = *timeline_;
  const std::int64_t ph = tl.playhead_us;
  const StallUpdate update = tl.stalls.update(Time(ph), Time(tl.received_end_us), tl.end_received, to_time(clock_now));
  if (update.kind == StallUpdate::Kind::began) {
    tl.stall_rt_begin = running_time(GST_ELEMENT_CAST(element_), false).value_or(0);
    GST_INFO_OBJECT(element_, "stall %u at media %" G_GINT64_FORMAT " us", tl.stalls.count(), ph);
  } else if (update.kind == StallUpdate::Kind::ended) {
    GST_INFO_OBJECT(element_, "stall over after %" G_GINT64_FORMAT " ms",
                    static_cast<gint64>(update.duration.count() / 1000));
    if (live_) {
      // Later chunks are stamped after the pause, so they are on time again.
      const GstClockTime rt_now = running_time(GST_ELEMENT_CAST(element_), false).value_or(tl.stall_rt_begin);
      tl.shift_ns += static_cast<GstClockTimeDiff>(rt_now - std::min(rt_now, tl.stall_rt_begin));
      tl.discont = true;
      timeline_cv_.notify_all();
    }
  }
  return update;
}

void SrcState::tick(GstClock* clock) {
  const GstClockTime now = gst_clock_get_time(clock);
  const std::optional<GstClockTime> rt = running_time(GST_ELEMENT_CAST(element_), true);
  StallUpdate update;
  std::optional<std::int64_t> playhead;
  bool qoe_due = false;
  {
    std::lock_guard lock(timeline_mutex_);
    Timeline& tl = *timeline_;
    tl.last_tick = to_time(now);
    if (!tl.pts_base_us) return;
    std::int64_t ph = tl.flowing ? tl.playhead_us : tl.start_media_us;
    guint64 position = 0;
    if (tl.flowing && rt &&
        gst_segment_position_from_running_time_full(&tl.segment, GST_FORMAT_TIME, *rt, &position) == 1) {
      const GstClockTimeDiff rel = static_cast<GstClockTimeDiff>(position) - tl.shift_ns;
      ph = *tl.pts_base_us + rel / static_cast<GstClockTimeDiff>(GST_USECOND);
    }
    if (tl.stalls.stalled()) ph = std::min<std::int64_t>(ph, tl.stalls.stalled_at().count());
    tl.playhead_us = ph;
    playhead = ph - tl.runtime_base_us;
    if (tl.flowing) update = update_stall(now);
    if (tl.any_pushed && !tl.last_qoe) tl.last_qoe = now;
    qoe_due = tl.last_qoe && now - *tl.last_qoe >= kQoeInterval;
    if (qoe_due || update.kind == StallUpdate::Kind::ended) tl.last_qoe = now;
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
