// shoalsrc driven by GstHarness with a scripted peer behind the seam:
// create() ordering and timestamps, unlock on teardown, flushing seeks,
// queries, and the stats structure. The harness puts the element on a
// GstTestClock from the start, so its time moves only when a test moves it.
#include <gst/base/gstbasesrc.h>
#include <gst/check/gstharness.h>
#include <gst/check/gsttestclock.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <memory>

#include "scripted_peer.hpp"
#include "shoal_src.hpp"
#include "src_state.hpp"

namespace shoal::player::test {
namespace {

using namespace std::chrono_literals;

class ShoalSrcHarness : public testing::Test {
 protected:
  void SetUp() override {
    peer_ = std::make_shared<ScriptedPeer>();
    peer_->info = make_channel(false, 10, 1000ms);
    install(peer_);
  }
  void TearDown() override {
    if (h_ != nullptr) gst_harness_teardown(h_);
  }
  void start() {
    h_ = gst_harness_new_with_padnames("shoalsrc", nullptr, "src");
    g_object_set(h_->element, "location", "shoal://127.0.0.1:9/clip", nullptr);
    gst_harness_play(h_);
  }
  GstBuffer* pull() { return gst_harness_pull(h_); }
  // The next event of `type`, skipping others; null when none comes (gst_harness_pull_event gives up after 60 s).
  GstEvent* next_event(GstEventType type) {
    for (int i = 0; i < 100; ++i) {
      GstEvent* event = gst_harness_pull_event(h_);
      if (event == nullptr || GST_EVENT_TYPE(event) == type) return event;
      gst_event_unref(event);
    }
    return nullptr;
  }

  std::shared_ptr<ScriptedPeer> peer_;
  GstHarness* h_ = nullptr;
};

TEST_F(ShoalSrcHarness, PushesChunksInOrderWithTimestampsFromTheFirstChunk) {
  start();
  for (peer::Seq s = 0; s < 10; ++s) peer_->deliver(s);
  for (peer::Seq s = 0; s < 10; ++s) {
    GstBuffer* buffer = pull();
    ASSERT_NE(buffer, nullptr);
    EXPECT_EQ(GST_BUFFER_PTS(buffer), s * GST_SECOND);
    EXPECT_EQ(GST_BUFFER_DURATION(buffer), GST_SECOND);
    EXPECT_EQ(GST_BUFFER_OFFSET(buffer), s);
    EXPECT_EQ(GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DISCONT), s == 0);
    GstMapInfo map;
    ASSERT_TRUE(gst_buffer_map(buffer, &map, GST_MAP_READ));
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(map.data), map.size),
              ScriptedPeer::payload_of(peer_->info->chunks[s]));
    gst_buffer_unmap(buffer, &map);
    gst_buffer_unref(buffer);
  }
  GstEvent* eos = next_event(GST_EVENT_EOS);
  ASSERT_NE(eos, nullptr) << "no EOS after the last VoD chunk";
  gst_event_unref(eos);
  std::lock_guard lock(peer_->mutex);
  EXPECT_TRUE(peer_->options.external_playhead);
  EXPECT_EQ(peer_->options.uri.channel, "clip");
  EXPECT_EQ(peer_->options.uri.origin_port, 9);
}

TEST_F(ShoalSrcHarness, CapsAreFixedMpegTs) {
  start();
  peer_->deliver(0);
  gst_buffer_unref(pull());
  GstCaps* caps = gst_pad_get_current_caps(h_->sinkpad);
  ASSERT_NE(caps, nullptr);
  GstCaps* expected = gst_caps_from_string("video/mpegts, systemstream=(boolean)true");
  EXPECT_TRUE(gst_caps_is_equal(caps, expected));
  gst_caps_unref(expected);
  gst_caps_unref(caps);
}

TEST_F(ShoalSrcHarness, StaleAndDuplicateChunksAreDropped) {
  start();
  peer_->deliver(0);
  peer_->deliver(0);
  peer_->deliver(1);
  for (peer::Seq s = 0; s < 2; ++s) {
    GstBuffer* buffer = pull();
    EXPECT_EQ(GST_BUFFER_OFFSET(buffer), s);
    gst_buffer_unref(buffer);
  }
  EXPECT_EQ(gst_harness_try_pull(h_), nullptr);
}

TEST_F(ShoalSrcHarness, TeardownWakesABlockedCreate) {
  start();
  // Not a guess that create() got there by now: the queue says a pop() is blocked.
  ASSERT_TRUE(shoal_src_state(h_->element).queue().wait_for_blocked_pop(5 * G_USEC_PER_SEC));
  // Teardown returns only once the streaming thread has stopped: a create() that stayed blocked would hang it.
  auto teardown = std::async(std::launch::async, [h = h_] { gst_harness_teardown(h); });
  h_ = nullptr;
  if (teardown.wait_for(5s) != std::future_status::ready) {
    ADD_FAILURE() << "teardown hangs: unlock() did not wake create()";
    std::abort();  // the hung thread cannot be joined; a crash reports it better than a ctest timeout
  }
  std::lock_guard lock(peer_->mutex);
  EXPECT_TRUE(peer_->stopped);
}

TEST_F(ShoalSrcHarness, FlushingSeekLandsOnTheChunkContainingTheTarget) {
  start();
  for (peer::Seq s = 0; s < 3; ++s) peer_->deliver(s);
  for (peer::Seq s = 0; s < 3; ++s) gst_buffer_unref(pull());
  GstEvent* seek = gst_event_new_seek(1.0, GST_FORMAT_TIME, GST_SEEK_FLAG_FLUSH, GST_SEEK_TYPE_SET, 5500 * GST_MSECOND,
                                      GST_SEEK_TYPE_NONE, GST_CLOCK_TIME_NONE);
  ASSERT_TRUE(gst_harness_push_upstream_event(h_, seek));
  {
    std::lock_guard lock(peer_->mutex);
    ASSERT_EQ(peer_->seeks.size(), 1u);
    EXPECT_EQ(peer_->seeks[0], peer::Time(5'500'000)) << "media time counts from the first chunk";
  }
  GstEvent* flush_stop = next_event(GST_EVENT_FLUSH_STOP);
  ASSERT_NE(flush_stop, nullptr);
  gst_event_unref(flush_stop);
  peer_->deliver(3);  // in flight before the seek: must not be pushed
  peer_->deliver(5);
  peer_->deliver(6);
  GstBuffer* buffer = pull();
  // basesrc sends the new segment right before the first buffer after the seek.
  GstEvent* segment_event = next_event(GST_EVENT_SEGMENT);
  ASSERT_NE(segment_event, nullptr) << "no new segment after the flush";
  const GstSegment* segment = nullptr;
  gst_event_parse_segment(segment_event, &segment);
  EXPECT_EQ(segment->start, 5500 * GST_MSECOND);
  gst_event_unref(segment_event);

  EXPECT_EQ(GST_BUFFER_OFFSET(buffer), 5u);
  EXPECT_EQ(GST_BUFFER_PTS(buffer), 5 * GST_SECOND);
  EXPECT_TRUE(GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DISCONT));
  gst_buffer_unref(buffer);
  buffer = pull();
  EXPECT_EQ(GST_BUFFER_OFFSET(buffer), 6u);
  EXPECT_FALSE(GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DISCONT));
  gst_buffer_unref(buffer);
}

TEST_F(ShoalSrcHarness, VodAnswersDurationAndSeeking) {
  start();
  gint64 duration = 0;
  ASSERT_TRUE(gst_element_query_duration(h_->element, GST_FORMAT_TIME, &duration));
  EXPECT_EQ(duration, static_cast<gint64>(10 * GST_SECOND));
  GstQuery* query = gst_query_new_seeking(GST_FORMAT_TIME);
  ASSERT_TRUE(gst_element_query(h_->element, query));
  gboolean seekable = FALSE;
  gint64 start = -1;
  gint64 end = -1;
  gst_query_parse_seeking(query, nullptr, &seekable, &start, &end);
  EXPECT_TRUE(seekable);
  EXPECT_EQ(start, 0);
  EXPECT_EQ(end, static_cast<gint64>(10 * GST_SECOND));
  gst_query_unref(query);
}

TEST_F(ShoalSrcHarness, LiveIsLiveNotSeekableAndStampsFromTheFirstChunk) {
  peer_->info = make_channel(true, 4, 1000ms, 50'000'000us);
  start();
  EXPECT_TRUE(gst_base_src_is_live(GST_BASE_SRC(h_->element)));
  GstQuery* query = gst_query_new_seeking(GST_FORMAT_TIME);
  ASSERT_TRUE(gst_element_query(h_->element, query));
  gboolean seekable = TRUE;
  gst_query_parse_seeking(query, nullptr, &seekable, nullptr, nullptr);
  EXPECT_FALSE(seekable);
  gst_query_unref(query);
  peer_->deliver(2);
  peer_->deliver(3);
  GstBuffer* first = pull();
  GstBuffer* second = pull();
  EXPECT_EQ(GST_BUFFER_PTS(second) - GST_BUFFER_PTS(first), GST_SECOND);
  EXPECT_LT(GST_BUFFER_PTS(first), 5 * GST_SECOND) << "live buffers are stamped in running time";
  gst_buffer_unref(first);
  gst_buffer_unref(second);
  peer_->end();
  GstEvent* eos = next_event(GST_EVENT_EOS);
  ASSERT_NE(eos, nullptr);
  gst_event_unref(eos);
}

TEST_F(ShoalSrcHarness, StatsStructureCarriesQoeAndPeerCounters) {
  peer_->stats.bytes_from_peers = 3000;
  peer_->stats.bytes_from_origin = 1000;
  peer_->stats.bytes_uploaded = 500;
  peer_->stats.neighbors = 7;
  start();
  gst_harness_set_time(h_, 250 * GST_MSECOND);  // READY->PAUSED was at 0 on the harness's test clock
  peer_->deliver(0);
  peer_->deliver(1);
  gst_buffer_unref(pull());
  gst_buffer_unref(pull());
  GstStructure* stats = nullptr;
  g_object_get(h_->element, "stats", &stats, nullptr);
  ASSERT_NE(stats, nullptr);
  gboolean started = FALSE;
  guint64 startup = 0, stall_duration = 99, ahead = 0, from_peers = 0, from_origin = 0, uploaded = 0, played = 0;
  guint stalls = 99, peers = 0;
  gdouble ratio = 0;
  EXPECT_TRUE(gst_structure_get(stats, "started", G_TYPE_BOOLEAN, &started, "startup-delay", G_TYPE_UINT64, &startup,
                                "stall-count", G_TYPE_UINT, &stalls, "stall-duration", G_TYPE_UINT64, &stall_duration,
                                "buffered-ahead", G_TYPE_UINT64, &ahead, "bytes-from-peers", G_TYPE_UINT64, &from_peers,
                                "bytes-from-origin", G_TYPE_UINT64, &from_origin, "bytes-uploaded", G_TYPE_UINT64,
                                &uploaded, "peers", G_TYPE_UINT, &peers, "p2p-ratio", G_TYPE_DOUBLE, &ratio,
                                "chunks-played", G_TYPE_UINT64, &played, nullptr));
  EXPECT_TRUE(started);
  EXPECT_EQ(startup, 250 * GST_MSECOND);
  EXPECT_EQ(stalls, 0u);
  EXPECT_EQ(stall_duration, 0u);
  // Two seconds received; no tick was released, so the playhead is still at the first chunk.
  EXPECT_EQ(ahead, 2 * GST_SECOND);
  EXPECT_EQ(from_peers, 3000u);
  EXPECT_EQ(from_origin, 1000u);
  EXPECT_EQ(uploaded, 500u);
  EXPECT_EQ(peers, 7u);
  EXPECT_DOUBLE_EQ(ratio, 0.75);
  EXPECT_EQ(played, 2u);
  gst_structure_free(stats);
}

TEST_F(ShoalSrcHarness, PropertiesReachThePeerOptions) {
  h_ = gst_harness_new_with_padnames("shoalsrc", nullptr, "src");
  gst_util_set_object_arg(G_OBJECT(h_->element), "policy", "rarest");
  g_object_set(h_->element, "location", "shoal://127.0.0.1:9/clip", "buffer-target", 1500u, "max-upload",
               static_cast<guint64>(3'000'000), "listen-port", 4321u, "listen-address", "127.0.0.1", "cdn",
               "http://127.0.0.1:8081/edge/", nullptr);
  g_object_set(h_->element, "cdn", "ftp://not-a-cdn", nullptr);  // refused with a warning: the last one stays
  gchar* cdn = nullptr;
  g_object_get(h_->element, "cdn", &cdn, nullptr);
  EXPECT_STREQ(cdn, "http://127.0.0.1:8081/edge/");
  g_free(cdn);
  gst_harness_play(h_);
  std::lock_guard lock(peer_->mutex);
  EXPECT_EQ(peer_->options.core.buffer_target, std::chrono::milliseconds(1500));
  EXPECT_EQ(peer_->options.core.max_upload_bps, 3'000'000u);
  EXPECT_EQ(peer_->options.core.listen_port, 4321);
  EXPECT_EQ(peer_->options.listen_host, "127.0.0.1");
  EXPECT_EQ(peer_->options.core.policy, peer::Policy::rarest);
  ASSERT_TRUE(peer_->options.cdn.has_value());
  EXPECT_EQ(peer_->options.cdn->host, "127.0.0.1");
  EXPECT_EQ(peer_->options.cdn->port, 8081);
  EXPECT_EQ(peer_->options.cdn->path_prefix, "/edge");
  EXPECT_EQ(peer_->options.uri.origin_port, 9) << "the origin stays the URI's";
}

}  // namespace
}  // namespace shoal::player::test
