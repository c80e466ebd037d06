// shoalsrc feeding tsdemux and a real decoder with MPEG-TS chunks cut by
// ffmpeg at test time (scripted peer behind the seam): the element's own
// timestamps must let the demuxer and sinks play the whole clip, and a seek
// must land on the chunk containing its target. The pipeline runs on a
// GstTestClock that the test advances, so a 4 s clip plays in the time it
// takes to decode and a live channel's chunks arrive at exact clock times.
#include <gst/check/gsttestclock.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "scripted_peer.hpp"

namespace shoal::player::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr GstClockTime kGuard = 5 * GST_SECOND;  // only a failing test waits this long
// How long (wall time) a step of the clock waits for the sink to hold a frame; see advance().
constexpr GstClockTime kDecodeWait = 200 * GST_MSECOND;

struct Clip {
  peer::ChannelInfo info;
  std::vector<std::string> payloads;
};

// A 4 s, 320x240, 25 fps H.264 clip in 1 s MPEG-TS chunks.
Clip make_clip(const fs::path& dir) {
  const std::string cmd =
      "ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=320x240:rate=25 -t 4 -c:v libx264 "
      "-preset ultrafast -g 25 -keyint_min 25 -sc_threshold 0 -pix_fmt yuv420p -f segment "
      "-segment_time 1 -segment_format mpegts -segment_list '" +
      (dir / "list.csv").string() + "' -segment_list_type csv '" + (dir / "c%03d.ts").string() + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  Clip clip;
  std::ifstream list(dir / "list.csv");
  std::string line;
  peer::Seq seq = 0;
  while (std::getline(list, line)) {
    std::stringstream fields(line);
    std::string name, start, end;
    std::getline(fields, name, ',');
    std::getline(fields, start, ',');
    std::getline(fields, end, ',');
    std::ifstream file(dir / name, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    peer::ChunkMeta meta;
    meta.seq = seq++;
    meta.pts_us = 1'400'000 + static_cast<std::int64_t>(std::stod(start) * 1e6);
    meta.duration_us = static_cast<std::uint32_t>((std::stod(end) - std::stod(start)) * 1e6);
    meta.size = bytes.size();
    clip.info.chunks.push_back(meta);
    clip.payloads.push_back(std::move(bytes));
  }
  clip.info.duration = 4s;
  return clip;
}

class ShoalSrcTsDemux : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("shoalsrc-ts-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    clip_ = make_clip(dir_);
    ASSERT_EQ(clip_.info.chunks.size(), 4u);
    peer_ = std::make_shared<ScriptedPeer>();
    peer_->info = clip_.info;
    install(peer_);
    pipeline_ = gst_parse_launch(
        "shoalsrc location=shoal://127.0.0.1:9/clip ! tsdemux ! h264parse ! avdec_h264 ! fakesink name=sink sync=true "
        "max-lateness=200000000 qos=false",
        nullptr);
    ASSERT_NE(pipeline_, nullptr);
    clock_ = GST_TEST_CLOCK(gst_test_clock_new());
    // Set on the elements now, not only at PLAYING: the join and the start-up delay run on it too.
    gst_pipeline_use_clock(GST_PIPELINE(pipeline_), GST_CLOCK(clock_));
    gst_element_set_clock(pipeline_, GST_CLOCK(clock_));
    GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline_), "sink");
    GstPad* pad = gst_element_get_static_pad(sink, "sink");
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_frame, this, nullptr);
    gst_object_unref(pad);
    gst_object_unref(sink);
  }
  void TearDown() override {
    if (pipeline_ != nullptr) {
      gst_element_set_state(pipeline_, GST_STATE_NULL);
      gst_object_unref(pipeline_);
    }
    if (clock_ != nullptr) gst_object_unref(clock_);
    fs::remove_all(dir_);
  }
  static GstPadProbeReturn on_frame(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
    auto* self = static_cast<ShoalSrcTsDemux*>(data);
    GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    GstEvent* seg_event = gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0);
    const GstSegment* segment = nullptr;
    gst_event_parse_segment(seg_event, &segment);
    const guint64 stream_time = gst_segment_to_stream_time(segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
    if (self->frames++ == 0 || self->first_after_seek < 0) self->first_after_seek = static_cast<gint64>(stream_time);
    gst_event_unref(seg_event);
    self->last_stream_time = static_cast<gint64>(stream_time);
    return GST_PAD_PROBE_OK;
  }
  void deliver_from(peer::Seq first) {
    for (peer::Seq s = first; s < clip_.payloads.size(); ++s) peer_->deliver(clip_.info.chunks[s], clip_.payloads[s]);
  }
  // A message of `types` (or an ERROR, which fails the test) within `timeout` of wall time, or null; for what
  // happens without the clock moving (prerolling, a state change).
  GstMessage* wait(GstMessageType types, GstClockTime timeout = kGuard) {
    GstBus* bus = gst_element_get_bus(pipeline_);
    GstMessage* m = gst_bus_timed_pop_filtered(bus, timeout, static_cast<GstMessageType>(types | GST_MESSAGE_ERROR));
    gst_object_unref(bus);
    if (m != nullptr && GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
      GError* error = nullptr;
      gst_message_parse_error(m, &error, nullptr);
      ADD_FAILURE() << "error: " << error->message;
      g_error_free(error);
    }
    return m;
  }
  void await_playing() {
    const GstStateChangeReturn ret = gst_element_get_state(pipeline_, nullptr, nullptr, kGuard);
    ASSERT_TRUE(ret == GST_STATE_CHANGE_SUCCESS || ret == GST_STATE_CHANGE_NO_PREROLL) << ret;
  }
  // One step of the clock: releases the earliest clock wait (shoalsrc's 100 ms tick or the sink's next frame),
  // or only moves the clock to `limit` when that wait lies beyond it. Returns false once the clock is at `limit`.
  //
  // The decoder runs in real time on the streaming thread, which also carries the sink's wait for each frame.
  // Once media flows (`flowing`), the test waits before a step (up to kDecodeWait of wall time) until two waits
  // are pending, i.e. the sink holds its next frame beside shoalsrc's tick, so the clock does not run past a
  // frame still being decoded. Only a starved pipeline (waiting for a chunk not yet delivered, or after its
  // last frame) lets that wait expire; a step then moves the clock one tick, never a frame past the sink's
  // 200 ms max-lateness.
  bool advance(GstClockTime limit, bool flowing = true) {
    if (gst_clock_get_time(GST_CLOCK(clock_)) >= limit) return false;
    if (!flowing ||
        !gst_test_clock_timed_wait_for_multiple_pending_ids(clock_, 2, kDecodeWait / GST_MSECOND, nullptr)) {
      EXPECT_TRUE(gst_test_clock_timed_wait_for_multiple_pending_ids(clock_, 1, kGuard / GST_MSECOND, nullptr))
          << "nothing waits on the pipeline clock";
    }
    GstClockID next = nullptr;
    if (!gst_test_clock_peek_next_pending_id(clock_, &next)) return false;
    const GstClockTime at = gst_clock_id_get_time(next);
    gst_clock_id_unref(next);
    if (at > limit) {
      gst_test_clock_set_time(clock_, limit);
      return false;
    }
    return gst_test_clock_crank(clock_);
  }
  // Runs the pipeline's clock to running time `rt` (`flowing`: see advance()).
  void run_until(GstClockTime rt, bool flowing = true) {
    const GstClockTime limit = gst_element_get_base_time(pipeline_) + rt;
    for (int i = 0; i < 10000 && advance(limit, flowing); ++i) {
    }
    ASSERT_EQ(gst_clock_get_time(GST_CLOCK(clock_)), limit);
  }
  // Runs the pipeline's clock until a message of `types` (or an ERROR, which fails the test) is on the bus, for
  // at most `most` of running time; null if none came.
  GstMessage* run_until_message(GstMessageType types, GstClockTime most = 15 * GST_SECOND) {
    const GstClockTime limit = gst_element_get_base_time(pipeline_) + most;
    for (int i = 0; i < 10000; ++i) {
      if (GstMessage* m = wait(types, 0)) return m;
      if (!advance(limit)) break;
    }
    return wait(types, 0);
  }

  fs::path dir_;
  Clip clip_;
  std::shared_ptr<ScriptedPeer> peer_;
  GstElement* pipeline_ = nullptr;
  GstTestClock* clock_ = nullptr;
  std::atomic<int> frames{0};
  std::atomic<gint64> first_after_seek{-1};
  std::atomic<gint64> last_stream_time{-1};
};

TEST_F(ShoalSrcTsDemux, PlaysTheWholeClipToEos) {
  gst_element_set_state(pipeline_, GST_STATE_PLAYING);
  deliver_from(0);
  ASSERT_NO_FATAL_FAILURE(await_playing());
  GstMessage* m = run_until_message(GST_MESSAGE_EOS);
  ASSERT_NE(m, nullptr) << "no EOS";
  EXPECT_EQ(GST_MESSAGE_TYPE(m), GST_MESSAGE_EOS);
  gst_message_unref(m);
  EXPECT_EQ(frames.load(), 100) << "4 s at 25 fps";
  // tsdemux maps a chunk's first PCR to its buffer time; ffmpeg writes video
  // PTS 0.7 s (its mux delay) after the PCR, so the first frame shows then.
  EXPECT_LT(first_after_seek.load(), static_cast<gint64>(GST_SECOND));
  EXPECT_GE(last_stream_time.load(), static_cast<gint64>(3900 * GST_MSECOND));
}

TEST_F(ShoalSrcTsDemux, SeekToTheMiddleLandsWithinOneChunk) {
  gst_element_set_state(pipeline_, GST_STATE_PAUSED);
  peer_->deliver(clip_.info.chunks[0], clip_.payloads[0]);
  GstMessage* m = wait(GST_MESSAGE_ASYNC_DONE);
  ASSERT_NE(m, nullptr);
  gst_message_unref(m);
  const GstClockTime target = 2500 * GST_MSECOND;
  ASSERT_TRUE(gst_element_seek_simple(pipeline_, GST_FORMAT_TIME, GST_SEEK_FLAG_FLUSH, static_cast<gint64>(target)));
  {
    std::lock_guard lock(peer_->mutex);
    ASSERT_EQ(peer_->seeks.size(), 1u);
    EXPECT_EQ(peer_->seeks[0], std::chrono::microseconds(2'500'000));
  }
  first_after_seek = -1;
  deliver_from(2);
  gst_element_set_state(pipeline_, GST_STATE_PLAYING);
  ASSERT_NO_FATAL_FAILURE(await_playing());
  m = run_until_message(GST_MESSAGE_EOS);
  ASSERT_NE(m, nullptr) << "no EOS after the seek";
  gst_message_unref(m);
  const gint64 landed = first_after_seek.load();
  EXPECT_GE(landed, static_cast<gint64>(target - GST_SECOND));
  EXPECT_LE(landed, static_cast<gint64>(target + GST_SECOND));
  EXPECT_GE(last_stream_time.load(), static_cast<gint64>(3900 * GST_MSECOND));
}

TEST_F(ShoalSrcTsDemux, LiveChunksArrivingInRealTimePlayOnTimeWithoutStalls) {
  peer_->info->live = true;
  gst_element_set_state(pipeline_, GST_STATE_PLAYING);
  // The first chunks come 3 s into the run, as after a slow join: the element must stamp live media from the
  // running time it arrives at, not from zero (its frames would be due before they arrive, more than the
  // pipeline's latency, tsdemux's 700 ms and the decoder's, and the sink drops them).
  const GstClockTime join = 3 * GST_SECOND;
  ASSERT_NO_FATAL_FAILURE(run_until(join, false));
  // Joined one chunk behind the edge: chunks 0 and 1 are there at once, chunk s is "produced" s - 1 seconds
  // after them.
  peer_->deliver(clip_.info.chunks[0], clip_.payloads[0]);
  peer_->deliver(clip_.info.chunks[1], clip_.payloads[1]);
  ASSERT_NO_FATAL_FAILURE(await_playing());
  for (peer::Seq s = 2; s < clip_.payloads.size(); ++s) {
    ASSERT_NO_FATAL_FAILURE(run_until(join + static_cast<GstClockTime>(s - 1) * GST_SECOND));
    peer_->deliver(clip_.info.chunks[s], clip_.payloads[s]);
  }
  peer_->end();
  GstMessage* m = run_until_message(GST_MESSAGE_EOS);
  ASSERT_NE(m, nullptr) << "no EOS after the live channel ended";
  gst_message_unref(m);
  // tsdemux may skip a frame or two while it locks onto a live stream's PCR.
  EXPECT_GE(frames.load(), 95);
  // The sink drops frames more than 200 ms late (a wrong live stamp is off by
  // a whole chunk or the mux delay); none may be.
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline_), "sink");
  GstStructure* sink_stats = nullptr;
  g_object_get(sink, "stats", &sink_stats, nullptr);
  guint64 rendered = 0, dropped = 99;
  ASSERT_TRUE(gst_structure_get_uint64(sink_stats, "rendered", &rendered));
  ASSERT_TRUE(gst_structure_get_uint64(sink_stats, "dropped", &dropped));
  EXPECT_EQ(dropped, 0u);
  EXPECT_EQ(rendered, static_cast<guint64>(frames.load()));
  gst_structure_free(sink_stats);
  gst_object_unref(sink);
  GstElement* src = gst_bin_get_by_interface(GST_BIN(pipeline_), GST_TYPE_URI_HANDLER);
  GstStructure* stats = nullptr;
  g_object_get(src, "stats", &stats, nullptr);
  guint stalls = 99;
  ASSERT_TRUE(gst_structure_get_uint(stats, "stall-count", &stalls));
  EXPECT_EQ(stalls, 0u);
  gst_structure_free(stats);
  gst_object_unref(src);
}

}  // namespace
}  // namespace shoal::player::test
