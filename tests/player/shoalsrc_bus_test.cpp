// shoalsrc in a pipeline, observed from the bus as an application sees it:
// errors with human messages (never a hang), BUFFERING with hysteresis, and
// the shoal-qoe element messages. The pipeline runs on a GstTestClock: the
// element's ticks, join timeout and QoE intervals happen when the test
// releases them, so every expectation is exact and nothing sleeps.
#include <gst/check/gsttestclock.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
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

constexpr GstClockTime kGuard = 5 * GST_SECOND;  // only a failing test waits this long

class ShoalSrcBus : public testing::Test {
 protected:
  void SetUp() override {
    peer_ = std::make_shared<ScriptedPeer>();
    peer_->info = make_channel(false, 10, 1000ms);
    install(peer_);
    clock_ = GST_TEST_CLOCK(gst_test_clock_new());
  }
  void TearDown() override {
    if (pipeline_ != nullptr) {
      gst_element_set_state(pipeline_, GST_STATE_NULL);
      gst_object_unref(bus_);
      gst_object_unref(pipeline_);
    }
    gst_object_unref(clock_);
  }
  void make(const char* extra = "") {
    const std::string description =
        std::string("shoalsrc name=src location=shoal://127.0.0.1:9/clip ") + extra + " ! fakesink sync=false";
    pipeline_ = gst_parse_launch(description.c_str(), nullptr);
    ASSERT_NE(pipeline_, nullptr);
    bus_ = gst_element_get_bus(pipeline_);
    // Set on the elements now, not only at PLAYING: the join and the start-up delay run on it too.
    gst_pipeline_use_clock(GST_PIPELINE(pipeline_), GST_CLOCK(clock_));
    gst_element_set_clock(pipeline_, GST_CLOCK(clock_));
  }
  GstElement* src() {
    GstElement* element = gst_bin_get_by_name(GST_BIN(pipeline_), "src");
    gst_object_unref(element);  // the pipeline keeps it alive
    return element;
  }
  void play() {
    gst_element_set_state(pipeline_, GST_STATE_PLAYING);
    peer_->deliver(0);
    const GstStateChangeReturn ret = gst_element_get_state(pipeline_, nullptr, nullptr, kGuard);
    ASSERT_TRUE(ret == GST_STATE_CHANGE_SUCCESS || ret == GST_STATE_CHANGE_NO_PREROLL) << ret;
    GstMessage* start = next_qoe("start");
    ASSERT_NE(start, nullptr);
    gst_message_unref(start);
  }
  // Blocks until something waits on the clock (only shoalsrc does: fakesink does not sync).
  void await_clock_wait() {
    ASSERT_TRUE(gst_test_clock_timed_wait_for_multiple_pending_ids(clock_, 1, kGuard / GST_MSECOND, nullptr))
        << "shoalsrc does not wait on the pipeline clock";
  }
  // Releases the element's 100 ms ticks up to running time `rt`; returns once the tick at `rt` is handled
  // (the element waits on the clock again), so everything it posted is on the bus.
  void run_until(GstClockTime rt) {
    const GstClockTime target = gst_element_get_base_time(pipeline_) + rt;
    for (int i = 0; i < 1000 && gst_clock_get_time(GST_CLOCK(clock_)) < target; ++i) {
      ASSERT_NO_FATAL_FAILURE(await_clock_wait());
      ASSERT_TRUE(gst_test_clock_crank(clock_));
    }
    ASSERT_EQ(gst_clock_get_time(GST_CLOCK(clock_)), target) << "ticks are not 100 ms of the pipeline clock";
    ASSERT_NO_FATAL_FAILURE(await_clock_wait());
  }
  // The first message of `types` within `timeout`, or null (messages of other types are dropped).
  GstMessage* wait_for(GstMessageType types, GstClockTime timeout = kGuard) {
    return gst_bus_timed_pop_filtered(bus_, timeout, types);
  }
  // What is on the bus now, of `types`; null when nothing is.
  GstMessage* pending(GstMessageType types) { return gst_bus_pop_filtered(bus_, types); }
  // The next shoal-qoe message with `reason`, or null; counts the BUFFERING messages passed on the way.
  GstMessage* next_qoe(const char* reason, int* buffering = nullptr, GstClockTime timeout = kGuard) {
    for (int i = 0; i < 1000; ++i) {
      GstMessage* m = gst_bus_timed_pop(bus_, timeout);
      if (m == nullptr) return nullptr;
      if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_BUFFERING && buffering != nullptr) ++*buffering;
      const GstStructure* s = gst_message_get_structure(m);
      if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ELEMENT && gst_structure_has_name(s, "shoal-qoe") &&
          g_strcmp0(gst_structure_get_string(s, "reason"), reason) == 0) {
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
    check_error(wait_for(GST_MESSAGE_ERROR), domain, code, words, shoal_code);
  }
  static void check_error(GstMessage* m, GQuark domain, gint code, const char* words, peer::ErrorCode shoal_code) {
    ASSERT_NE(m, nullptr) << "no error";
    GError* error = nullptr;
    gst_message_parse_error(m, &error, nullptr);
    EXPECT_STREQ(g_quark_to_string(error->domain), g_quark_to_string(domain));
    EXPECT_EQ(error->code, code);
    EXPECT_NE(std::string(error->message).find(words), std::string::npos) << error->message;
    const GstStructure* details = nullptr;
    gst_message_parse_error_details(m, &details);
    EXPECT_NE(details, nullptr);
    if (details != nullptr) {
      EXPECT_STREQ(gst_structure_get_string(details, "shoal-error"),
                   std::string(protocol::to_string(shoal_code)).c_str());
    }
    g_error_free(error);
    gst_message_unref(m);
  }

  std::shared_ptr<ScriptedPeer> peer_;
  GstTestClock* clock_ = nullptr;
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

TEST_F(ShoalSrcBus, SilentOriginTimesOutAfterFourSecondsOfThePipelineClock) {
  peer_->info.reset();  // the manifest never comes
  make();
  // READY->PAUSED waits for the join, so the state change runs beside the test.
  std::thread starter([this] { gst_element_set_state(pipeline_, GST_STATE_PLAYING); });
  ASSERT_NO_FATAL_FAILURE(await_clock_wait());
  GstClockID timer = nullptr;
  ASSERT_TRUE(gst_test_clock_peek_next_pending_id(clock_, &timer));
  EXPECT_EQ(gst_clock_id_get_time(timer), 4 * GST_SECOND) << "the join timeout counts from READY->PAUSED";
  gst_clock_id_unref(timer);
  EXPECT_EQ(pending(GST_MESSAGE_ERROR), nullptr) << "the timeout fired before the pipeline clock reached it";
  ASSERT_TRUE(gst_test_clock_crank(clock_));
  check_error(wait_for(GST_MESSAGE_ERROR), GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ, "did not answer",
              peer::ErrorCode::join_timeout);
  starter.join();
}

TEST_F(ShoalSrcBus, MissingLocationIsAnError) {
  pipeline_ = gst_parse_launch("shoalsrc ! fakesink", nullptr);
  bus_ = gst_element_get_bus(pipeline_);
  expect_error(GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND, "no shoal://", peer::ErrorCode::bad_uri);
}

TEST_F(ShoalSrcBus, InvalidLocationIsABadUri) {
  make();
  g_object_set(src(), "location", "http://127.0.0.1:9/clip", nullptr);
  expect_error(GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND, "invalid location", peer::ErrorCode::bad_uri);
}

TEST_F(ShoalSrcBus, ErrorDuringPlaybackIsPostedWithItsCode) {
  make();
  ASSERT_NO_FATAL_FAILURE(play());
  peer_->callbacks.on_error(peer::ErrorCode::origin_unreachable, "origin 127.0.0.1:9: Connection reset");
  check_error(wait_for(GST_MESSAGE_ERROR), GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ, "Connection reset",
              peer::ErrorCode::origin_unreachable);
}

TEST_F(ShoalSrcBus, StartMessageCarriesTheStartupDelayOnThePipelineClock) {
  make();
  gst_element_set_state(pipeline_, GST_STATE_PLAYING);
  gst_test_clock_set_time(clock_, 250 * GST_MSECOND);
  peer_->deliver(0);
  GstMessage* m = next_qoe("start");
  ASSERT_NE(m, nullptr);
  guint64 startup = 0;
  ASSERT_TRUE(gst_structure_get_uint64(gst_message_get_structure(m), "startup-delay", &startup));
  EXPECT_EQ(startup, 250 * GST_MSECOND) << "READY->PAUSED to the first buffer, on the pipeline clock";
  gst_message_unref(m);
}

TEST_F(ShoalSrcBus, PeriodicQoeEveryFiveSecondsOfThePipelineClock) {
  make();
  ASSERT_NO_FATAL_FAILURE(play());
  for (peer::Seq s = 1; s < 10; ++s) peer_->deliver(s);  // no stall in the way
  // The interval starts at the first tick after the start message (100 ms).
  ASSERT_NO_FATAL_FAILURE(run_until(5000 * GST_MSECOND));
  EXPECT_EQ(next_qoe("periodic", nullptr, 0), nullptr) << "a periodic report before 5 s had passed";
  ASSERT_NO_FATAL_FAILURE(run_until(5100 * GST_MSECOND));
  GstMessage* m = next_qoe("periodic", nullptr, 0);
  ASSERT_NE(m, nullptr) << "no periodic report after 5 s";
  gst_message_unref(m);
}

TEST_F(ShoalSrcBus, StallPostsBufferingWithHysteresisAndIsCounted) {
  make("buffer-target=2000");
  ASSERT_NO_FATAL_FAILURE(play());  // chunk 0: one second of media, then nothing
  ASSERT_NO_FATAL_FAILURE(run_until(900 * GST_MSECOND));
  EXPECT_EQ(pending(GST_MESSAGE_BUFFERING), nullptr) << "BUFFERING while media was still ahead";
  // At 1 s of running time the playhead reaches the end of chunk 0.
  ASSERT_NO_FATAL_FAILURE(run_until(1000 * GST_MSECOND));
  GstMessage* m = pending(GST_MESSAGE_BUFFERING);
  ASSERT_NE(m, nullptr) << "no BUFFERING when the playhead ran out of media";
  gint percent = -1;
  gst_message_parse_buffering(m, &percent);
  EXPECT_EQ(percent, 0);
  gst_message_unref(m);
  // The playhead stays where media ran out: one second ahead of it is half the 2 s target.
  peer_->deliver(1);
  ASSERT_NO_FATAL_FAILURE(run_until(1100 * GST_MSECOND));
  m = pending(GST_MESSAGE_BUFFERING);
  ASSERT_NE(m, nullptr);
  gst_message_parse_buffering(m, &percent);
  EXPECT_EQ(percent, 50);
  gst_message_unref(m);
  peer_->deliver(2);
  ASSERT_NO_FATAL_FAILURE(run_until(1200 * GST_MSECOND));
  m = pending(GST_MESSAGE_BUFFERING);
  ASSERT_NE(m, nullptr) << "no BUFFERING 100 once the target was refilled";
  gst_message_parse_buffering(m, &percent);
  EXPECT_EQ(percent, 100);
  gst_message_unref(m);
  GstMessage* qoe = next_qoe("stall-end", nullptr, 0);
  ASSERT_NE(qoe, nullptr);
  guint stalls = 0;
  guint64 stall_ns = 0;
  const GstStructure* s = gst_message_get_structure(qoe);
  ASSERT_TRUE(gst_structure_get_uint(s, "stall-count", &stalls));
  ASSERT_TRUE(gst_structure_get_uint64(s, "stall-duration", &stall_ns));
  EXPECT_EQ(stalls, 1u);
  EXPECT_EQ(stall_ns, 200 * GST_MSECOND) << "from the tick at 1.0 s to the tick at 1.2 s of the pipeline clock";
  gst_message_unref(qoe);
  std::lock_guard lock(peer_->mutex);
  ASSERT_TRUE(peer_->playhead.has_value()) << "the element feeds its playhead to the peer";
  EXPECT_EQ(peer_->playhead->count(), 1'000'000) << "media time from the first chunk, held where media ran out";
}

TEST_F(ShoalSrcBus, LiveStallHoldsDataBackAndRestampsItAfterwards) {
  peer_->info = make_channel(true, 10, 1000ms, 50'000'000us);
  make("buffer-target=2000");
  struct Seen {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::pair<GstClockTime, bool>> buffers;  // PTS, DISCONT
  } seen;
  GstPad* pad = gst_element_get_static_pad(src(), "src");
  gst_pad_add_probe(
      pad, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo* info, gpointer data) {
        auto* s = static_cast<Seen*>(data);
        GstBuffer* b = GST_PAD_PROBE_INFO_BUFFER(info);
        std::lock_guard lock(s->mutex);
        s->buffers.emplace_back(GST_BUFFER_PTS(b), GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_DISCONT));
        s->cv.notify_all();
        return GST_PAD_PROBE_OK;
      },
      &seen, nullptr);
  gst_object_unref(pad);
  EXPECT_EQ(gst_element_set_state(pipeline_, GST_STATE_PAUSED), GST_STATE_CHANGE_NO_PREROLL);
  ASSERT_NO_FATAL_FAILURE(play());  // chunk 0 is stamped at running time 0
  ASSERT_NO_FATAL_FAILURE(run_until(1000 * GST_MSECOND));
  GstStructure* stats = nullptr;
  g_object_get(src(), "stats", &stats, nullptr);
  guint stalls = 0;
  gst_structure_get_uint(stats, "stall-count", &stalls);
  gst_structure_free(stats);
  ASSERT_EQ(stalls, 1u) << "the playhead reached the end of chunk 0";
  // Chunk 1 arrives during the stall, chunk 2 later refills the 2 s target: the stall lasts 1.0..1.6 s.
  peer_->deliver(1);
  ASSERT_NO_FATAL_FAILURE(run_until(1500 * GST_MSECOND));
  peer_->deliver(2);
  ASSERT_NO_FATAL_FAILURE(run_until(1600 * GST_MSECOND));
  int buffering = 0;
  GstMessage* qoe = next_qoe("stall-end", &buffering, 0);
  ASSERT_NE(qoe, nullptr);
  gst_message_unref(qoe);
  EXPECT_EQ(buffering, 0) << "live pipelines get no BUFFERING";
  std::unique_lock lock(seen.mutex);
  ASSERT_TRUE(seen.cv.wait_for(lock, 5s, [&] { return seen.buffers.size() >= 3; }));
  EXPECT_EQ(seen.buffers[0].first, 0u);
  // Had chunk 1 gone out during the stall it would carry 1 s, already late.
  EXPECT_EQ(seen.buffers[1].first, 1600 * GST_MSECOND) << "held back and stamped 0.6 s later, after the stall";
  EXPECT_TRUE(seen.buffers[1].second) << "the first buffer after a stall is a discontinuity";
  EXPECT_EQ(seen.buffers[2].first, 2600 * GST_MSECOND);
  EXPECT_FALSE(seen.buffers[2].second);
}

}  // namespace
}  // namespace shoal::player::test
