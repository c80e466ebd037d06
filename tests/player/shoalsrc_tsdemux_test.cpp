// shoalsrc feeding tsdemux and a real decoder with MPEG-TS chunks cut by
// ffmpeg at test time (scripted peer behind the seam): the element's own
// timestamps must let the demuxer and sinks play the whole clip, and a seek
// must land on the chunk containing its target.
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
#include <thread>
#include <vector>

#include "scripted_peer.hpp"

namespace shoal::player::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

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
  GstMessage* wait(GstMessageType types, std::chrono::seconds timeout) {
    GstBus* bus = gst_element_get_bus(pipeline_);
    GstMessage* m = gst_bus_timed_pop_filtered(bus, static_cast<GstClockTime>(timeout.count()) * GST_SECOND,
                                               static_cast<GstMessageType>(types | GST_MESSAGE_ERROR));
    gst_object_unref(bus);
    if (m != nullptr && GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
      GError* error = nullptr;
      gst_message_parse_error(m, &error, nullptr);
      ADD_FAILURE() << "error: " << error->message;
      g_error_free(error);
    }
    return m;
  }

  fs::path dir_;
  Clip clip_;
  std::shared_ptr<ScriptedPeer> peer_;
  GstElement* pipeline_ = nullptr;
  std::atomic<int> frames{0};
  std::atomic<gint64> first_after_seek{-1};
  std::atomic<gint64> last_stream_time{-1};
};

TEST_F(ShoalSrcTsDemux, PlaysTheWholeClipToEos) {
  gst_element_set_state(pipeline_, GST_STATE_PLAYING);
  deliver_from(0);
  GstMessage* m = wait(GST_MESSAGE_EOS, 15s);
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
  GstMessage* m = wait(GST_MESSAGE_ASYNC_DONE, 10s);
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
  m = wait(GST_MESSAGE_EOS, 15s);
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
  // Joined one chunk behind the edge: chunk 0 is there at once, the rest as they are "produced".
  for (peer::Seq s = 0; s < clip_.payloads.size(); ++s) {
    if (s > 1) std::this_thread::sleep_for(1s);
    peer_->deliver(clip_.info.chunks[s], clip_.payloads[s]);
  }
  peer_->end();
  GstMessage* m = wait(GST_MESSAGE_EOS, 15s);
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
