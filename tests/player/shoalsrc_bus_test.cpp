// shoalsrc in a pipeline, observed from the bus as an application sees it:
// errors with human messages (never a hang), BUFFERING with hysteresis, and
// the shoal-qoe element messages.
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "handle_factory.hpp"
#include "scripted_peer.hpp"

namespace shoal::player::test {
namespace {

using namespace std::chrono_literals;

class ShoalSrcBus : public testing::Test {
 protected:
  void SetUp() override {
    peer_ = std::make_shared<ScriptedPeer>();
    peer_->info = make_channel(false, 10, 1000ms);
    install(peer_);
  }
  void TearDown() override {
    if (pipeline_ != nullptr) {
      gst_element_set_state(pipeline_, GST_STATE_NULL);
      gst_object_unref(bus_);
      gst_object_unref(pipeline_);
    }
  }
  void make(const char* extra = "") {
    const std::string description =
        std::string("shoalsrc name=src location=shoal://127.0.0.1:9/clip ") + extra + " ! fakesink sync=false";
    pipeline_ = gst_parse_launch(description.c_str(), nullptr);
    ASSERT_NE(pipeline_, nullptr);
    bus_ = gst_element_get_bus(pipeline_);
  }
  // The first message of `types` within `timeout`, or null.
  GstMessage* wait_for(GstMessageType types, std::chrono::milliseconds timeout) {
    return gst_bus_timed_pop_filtered(bus_, static_cast<GstClockTime>(timeout.count()) * GST_MSECOND, types);
  }
  // The next shoal-qoe message with `reason`, or null.
  GstMessage* wait_qoe(const char* reason, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      GstMessage* m = wait_for(GST_MESSAGE_ELEMENT, 100ms);
      if (m == nullptr) continue;
      const GstStructure* s = gst_message_get_structure(m);
      if (gst_structure_has_name(s, "shoal-qoe") && g_strcmp0(gst_structure_get_string(s, "reason"), reason) == 0) {
        return m;
      }
      gst_message_unref(m);
    }
    return nullptr;
  }
  // The first ERROR on the bus after PLAYING; its GError must be `domain`/`code`, its text contain `words`
  // and its details name `shoal_code`.
  void expect_error(GQuark domain, gint code, const char* words, peer::ErrorCode shoal_code) {
    gst_element_set_state(pipeline_, GST_STATE_PLAYING);
    GstMessage* m = wait_for(GST_MESSAGE_ERROR, 5000ms);
    ASSERT_NE(m, nullptr) << "no error";
    GError* error = nullptr;
    gst_message_parse_error(m, &error, nullptr);
    EXPECT_STREQ(g_quark_to_string(error->domain), g_quark_to_string(domain));
    EXPECT_EQ(error->code, code);
    EXPECT_NE(std::string(error->message).find(words), std::string::npos) << error->message;
    const GstStructure* details = nullptr;
    gst_message_parse_error_details(m, &details);
    ASSERT_NE(details, nullptr);
    EXPECT_STREQ(gst_structure_get_string(details, "shoal-error"),
                 std::string(protocol::to_string(shoal_code)).c_str());
    g_error_free(error);
    gst_message_unref(m);
  }

  std::shared_ptr<ScriptedPeer> peer_;
  GstElement* pipeline_ = nullptr;
  GstBus* bus_ = nullptr;
};

// One case per code the runtime raises: the element maps each to its GStreamer error by the code alone.
struct RuntimeError {
  peer::ErrorCode code;
  GQuark (*domain)();
  gint gst_code;
};

void PrintTo(const RuntimeError& c, std::ostream* os) { *os << protocol::to_string(c.code); }

class ShoalSrcRuntimeError : public ShoalSrcBus, public testing::WithParamInterface<RuntimeError> {};

TEST_P(ShoalSrcRuntimeError, IsPostedAsItsGstErrorWithTheRuntimeMessage) {
  const RuntimeError& c = GetParam();
  // The message names no error on purpose: the element must not read it to choose the GError.
  peer_->start_error =
      ScriptedPeer::StartError{c.code, "something went wrong (case " + std::to_string(static_cast<int>(c.code)) + ")"};
  make();
  expect_error(c.domain(), c.gst_code, "something went wrong", c.code);
}

INSTANTIATE_TEST_SUITE_P(
    Codes, ShoalSrcRuntimeError,
    testing::Values(
        RuntimeError{peer::ErrorCode::channel_not_found, gst_resource_error_quark, GST_RESOURCE_ERROR_NOT_FOUND},
        RuntimeError{peer::ErrorCode::origin_unreachable, gst_resource_error_quark, GST_RESOURCE_ERROR_OPEN_READ},
        RuntimeError{peer::ErrorCode::origin_error, gst_resource_error_quark, GST_RESOURCE_ERROR_OPEN_READ},
        RuntimeError{peer::ErrorCode::bad_manifest, gst_stream_error_quark, GST_STREAM_ERROR_DECODE},
        RuntimeError{peer::ErrorCode::listen_failed, gst_resource_error_quark, GST_RESOURCE_ERROR_SETTINGS}),
    [](const testing::TestParamInfo<RuntimeError>& param) {
      return std::string(protocol::to_string(param.param.code));
    });

TEST_F(ShoalSrcBus, NoRuntimeIsALibraryError) {
  set_handle_factory(nullptr);
  make();
  expect_error(GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_INIT, "without the peer runtime",
               peer::ErrorCode::runtime_unavailable);
}

TEST_F(ShoalSrcBus, SilentOriginTimesOutWithinFiveSeconds) {
  peer_->info.reset();  // the manifest never comes
  make();
  expect_error(GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ, "did not answer", peer::ErrorCode::join_timeout);
}

TEST_F(ShoalSrcBus, MissingLocationIsAnError) {
  pipeline_ = gst_parse_launch("shoalsrc ! fakesink", nullptr);
  bus_ = gst_element_get_bus(pipeline_);
  expect_error(GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND, "no shoal://", peer::ErrorCode::bad_uri);
}

TEST_F(ShoalSrcBus, InvalidLocationIsABadUri) {
  make();
  GstElement* src = gst_bin_get_by_name(GST_BIN(pipeline_), "src");
  g_object_set(src, "location", "http://127.0.0.1:9/clip", nullptr);
  gst_object_unref(src);
  expect_error(GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND, "invalid location", peer::ErrorCode::bad_uri);
}

TEST_F(ShoalSrcBus, ErrorDuringPlaybackEndsTheStream) {
  make();
  gst_element_set_state(pipeline_, GST_STATE_PLAYING);
  peer_->deliver(0);
  GstMessage* start = wait_qoe("start", 3000ms);
  ASSERT_NE(start, nullptr);
  gst_message_unref(start);
  peer_->callbacks.on_error(peer::ErrorCode::origin_unreachable, "origin 127.0.0.1:9: Connection reset");
  GstMessage* m = wait_for(GST_MESSAGE_ERROR, 3000ms);
  ASSERT_NE(m, nullptr);
  gst_message_unref(m);
}

TEST_F(ShoalSrcBus, StartMessageCarriesTheStartupDelay) {
  make();
  gst_element_set_state(pipeline_, GST_STATE_PLAYING);
  std::this_thread::sleep_for(50ms);
  peer_->deliver(0);
  GstMessage* m = wait_qoe("start", 3000ms);
  ASSERT_NE(m, nullptr);
  guint64 startup = 0;
  ASSERT_TRUE(gst_structure_get_uint64(gst_message_get_structure(m), "startup-delay", &startup));
  EXPECT_GE(startup, 50 * GST_MSECOND);
  EXPECT_LT(startup, 3 * GST_SECOND);
  gst_message_unref(m);
}

TEST_F(ShoalSrcBus, StallPostsBufferingWithHysteresisAndIsCounted) {
  make("buffer-target=2000");
  GstElement* src = gst_bin_get_by_name(GST_BIN(pipeline_), "src");
  gst_element_set_state(pipeline_, GST_STATE_PLAYING);
  peer_->deliver(0);  // one second of media, then nothing
  GstMessage* m = wait_for(GST_MESSAGE_BUFFERING, 4000ms);
  ASSERT_NE(m, nullptr) << "no BUFFERING when the playhead ran out of media";
  gint percent = -1;
  gst_message_parse_buffering(m, &percent);
  EXPECT_EQ(percent, 0);
  gst_message_unref(m);
  // The playhead stays where media ran out (1 s in): filling to 1 s ahead is not enough.
  peer_->deliver(1);
  m = wait_for(GST_MESSAGE_BUFFERING, 2000ms);
  ASSERT_NE(m, nullptr);
  gst_message_parse_buffering(m, &percent);
  EXPECT_GT(percent, 0);
  EXPECT_LT(percent, 100);
  gst_message_unref(m);
  // The stall began a little past 1 s (the monitor ticks every 100 ms), so
  // two more seconds of media refill the 2 s target.
  peer_->deliver(2);
  peer_->deliver(3);
  percent = -1;
  while (percent != 100) {
    m = wait_for(GST_MESSAGE_BUFFERING, 2000ms);
    ASSERT_NE(m, nullptr) << "no BUFFERING 100 once the target was refilled";
    gst_message_parse_buffering(m, &percent);
    gst_message_unref(m);
  }
  GstMessage* qoe = wait_qoe("stall-end", 2000ms);
  ASSERT_NE(qoe, nullptr);
  guint stalls = 0;
  guint64 stall_ns = 0;
  const GstStructure* s = gst_message_get_structure(qoe);
  ASSERT_TRUE(gst_structure_get_uint(s, "stall-count", &stalls));
  ASSERT_TRUE(gst_structure_get_uint64(s, "stall-duration", &stall_ns));
  EXPECT_EQ(stalls, 1u);
  EXPECT_GT(stall_ns, 0u);
  gst_message_unref(qoe);
  std::lock_guard lock(peer_->mutex);
  ASSERT_TRUE(peer_->playhead.has_value()) << "the element feeds its playhead to the peer";
  EXPECT_GE(peer_->playhead->count(), 900'000) << "media time counts from the first chunk";
  EXPECT_LE(peer_->playhead->count(), 1'500'000) << "the playhead stays where media ran out";
  gst_object_unref(src);
}

TEST_F(ShoalSrcBus, LiveStallHoldsDataBackAndRestampsItAfterwards) {
  peer_->info = make_channel(true, 10, 1000ms, 50'000'000us);
  make("buffer-target=1000");
  GstElement* src = gst_bin_get_by_name(GST_BIN(pipeline_), "src");
  struct Seen {
    std::mutex mutex;
    std::vector<std::pair<GstClockTime, bool>> buffers;  // PTS, DISCONT
  } seen;
  GstPad* pad = gst_element_get_static_pad(src, "src");
  gst_pad_add_probe(
      pad, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo* info, gpointer data) {
        auto* s = static_cast<Seen*>(data);
        GstBuffer* b = GST_PAD_PROBE_INFO_BUFFER(info);
        std::lock_guard lock(s->mutex);
        s->buffers.emplace_back(GST_BUFFER_PTS(b), GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_DISCONT));
        return GST_PAD_PROBE_OK;
      },
      &seen, nullptr);
  gst_object_unref(pad);
  EXPECT_EQ(gst_element_set_state(pipeline_, GST_STATE_PAUSED), GST_STATE_CHANGE_NO_PREROLL);
  gst_element_set_state(pipeline_, GST_STATE_PLAYING);
  peer_->deliver(0);
  // The playhead runs out of media after 1 s; stay stalled a while longer.
  guint stalls = 0;
  for (int i = 0; i < 40 && stalls == 0; ++i) {
    std::this_thread::sleep_for(100ms);
    GstStructure* stats = nullptr;
    g_object_get(src, "stats", &stats, nullptr);
    gst_structure_get_uint(stats, "stall-count", &stalls);
    gst_structure_free(stats);
  }
  ASSERT_EQ(stalls, 1u);
  peer_->deliver(1);  // arrives during the stall: must be held back, not pushed late
  std::this_thread::sleep_for(500ms);
  {
    std::lock_guard lock(seen.mutex);
    EXPECT_EQ(seen.buffers.size(), 1u) << "a live stall holds data back";
  }
  peer_->deliver(2);
  GstMessage* qoe = wait_qoe("stall-end", 2000ms);
  ASSERT_NE(qoe, nullptr);
  gst_message_unref(qoe);
  EXPECT_EQ(wait_for(GST_MESSAGE_BUFFERING, 100ms), nullptr) << "live pipelines get no BUFFERING";
  for (int i = 0; i < 20; ++i) {
    std::this_thread::sleep_for(50ms);
    std::lock_guard lock(seen.mutex);
    if (seen.buffers.size() >= 3) break;
  }
  std::lock_guard lock(seen.mutex);
  ASSERT_GE(seen.buffers.size(), 3u);
  EXPECT_TRUE(seen.buffers[1].second) << "the first buffer after a stall is a discontinuity";
  EXPECT_GE(seen.buffers[1].first - seen.buffers[0].first, GST_SECOND + 400 * GST_MSECOND)
      << "stamped after the stall, not where it would have been";
  EXPECT_EQ(seen.buffers[2].first - seen.buffers[1].first, GST_SECOND);
  gst_object_unref(src);
}

}  // namespace
}  // namespace shoal::player::test
