// SrcState's timeline: where the stream is in media time, what has arrived,
// stalls and QoE timing. Private to the element's two source files.
#pragma once

#include <gst/gst.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "element_clock.hpp"
#include "src_state.hpp"
#include "stall_detector.hpp"

namespace shoal::player {

// The runtime fetches only inside its window (60 s by default); this bound
// catches a broken window long before memory does.
inline constexpr std::uint64_t kQueueBytes = 512ull << 20;

/// Clock time (ns) as the microseconds StallDetector counts in.
inline peer::Time to_time(GstClockTime t) { return peer::Time(static_cast<std::int64_t>(t / GST_USECOND)); }

struct SrcState::Timeline {
  explicit Timeline(peer::Time buffer_target) : stalls(buffer_target) { gst_segment_init(&segment, GST_FORMAT_TIME); }

  GstSegment segment;                       // basesrc's segment as of the last do_seek
  std::optional<std::int64_t> pts_base_us;  // media time at buffer time 0
  // The runtime counts media time from the first chunk of the first manifest
  // it saw (PlaybackPosition); seeks and playheads are given in that frame.
  std::int64_t runtime_base_us = 0;
  GstClockTimeDiff shift_ns = 0;  // live: buffer time of pts_base (running time at the first push)
  bool live_anchored = false;
  std::vector<peer::ChunkMeta> vod_chunks;  // VoD: the whole, fixed chunk list
  peer::Time duration{0};
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
  StallDetector stalls;  // counts in clock time of the monitor's ticks
  peer::Time last_tick{0};
  ClockPtr open_clock;  // start-up delay: from open_time on this clock to the first buffer
  GstClockTime open_time = 0;
  std::optional<peer::Time> startup_delay;
  std::uint64_t chunks_played = 0;
  std::optional<GstClockTime> last_qoe;  // clock time of the last report; unset: the next tick starts the interval
};

}  // namespace shoal::player
