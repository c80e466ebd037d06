// Start-up delay of shoalsrc on loopback, VoD and live: time to the first
// buffer pushed by the element (its startup-delay, from READY->PAUSED) and to
// the first frame at the video sink (set_state(PLAYING) -> pad probe), each run
// a fresh playbin and a fresh peer joining a real shoal-origin.
// Target: first frame <= 500 ms for VoD. Prints Google Benchmark's table; the
// manual time of an iteration is its time to first frame.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <gst/gst.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

extern char** environ;

namespace {

namespace fs = std::filesystem;

struct Origin {
  pid_t pid = -1;
  std::string address;
  fs::path dir;
};

Origin g_origin;

Origin start_origin() {
  Origin o;
  o.dir = fs::temp_directory_path() / ("shoal-bench-player-" + std::to_string(::getpid()));
  fs::create_directories(o.dir);
  const std::string clip = (o.dir / "clip.mp4").string();
  const std::string make =
      "ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i "
      "sine=frequency=440:sample_rate=48000 -t 20 -c:v libx264 -preset veryfast -g 25 "
      "-keyint_min 25 -sc_threshold 0 -pix_fmt yuv420p -c:a aac '" +
      clip + "'";
  if (std::system(make.c_str()) != 0) throw std::runtime_error("ffmpeg failed");
  const std::string out = (o.dir / "origin.out").string();
  const std::string vod = "clip=" + clip;
  const std::string live = "live=" + clip;
  const std::string data = (o.dir / "data").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, (o.dir / "origin.err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const char* argv[] = {SHOAL_ORIGIN_BIN, "--listen", "127.0.0.1:0", "--data", data.c_str(), "--vod",
                        vod.c_str(),      "--live",   live.c_str(),  "--loop", nullptr};
  if (posix_spawn(&o.pid, SHOAL_ORIGIN_BIN, &actions, nullptr, const_cast<char**>(argv), environ) != 0) {
    throw std::runtime_error("cannot start shoal-origin");
  }
  posix_spawn_file_actions_destroy(&actions);
  for (int i = 0; i < 300 && o.address.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    gchar* text = nullptr;
    if (g_file_get_contents(out.c_str(), &text, nullptr, nullptr)) {
      const std::string s = text;
      const auto at = s.find("\"address\":\"");
      if (at != std::string::npos) o.address = s.substr(at + 11, s.find('"', at + 11) - (at + 11));
      g_free(text);
    }
  }
  if (o.address.empty()) throw std::runtime_error("shoal-origin did not report its address");
  std::this_thread::sleep_for(std::chrono::seconds(4));  // a few live chunks exist to join behind the edge
  return o;
}

void stop_origin(Origin& o) {
  if (o.pid > 0) {
    kill(o.pid, SIGTERM);
    waitpid(o.pid, nullptr, 0);
  }
  fs::remove_all(o.dir);
}

struct Run {
  double first_buffer_ms = -1;
  double first_frame_ms = -1;
};

Run run_once(const std::string& uri) {
  GstElement* playbin = gst_element_factory_make("playbin", nullptr);
  GstElement* vsink = gst_element_factory_make("fakesink", nullptr);
  GstElement* asink = gst_element_factory_make("fakesink", nullptr);
  g_object_set(vsink, "sync", TRUE, nullptr);
  g_object_set(asink, "sync", TRUE, nullptr);
  g_object_set(playbin, "uri", uri.c_str(), "video-sink", vsink, "audio-sink", asink, nullptr);
  std::atomic<gint64> first_frame{-1};
  GstPad* pad = gst_element_get_static_pad(vsink, "sink");
  gst_pad_add_probe(
      pad, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo*, gpointer data) {
        static_cast<std::atomic<gint64>*>(data)->store(g_get_monotonic_time());
        return GST_PAD_PROBE_REMOVE;
      },
      &first_frame, nullptr);
  gst_object_unref(pad);
  GstBus* bus = gst_element_get_bus(playbin);
  Run run;
  const gint64 begin = g_get_monotonic_time();
  gst_element_set_state(playbin, GST_STATE_PLAYING);
  while (g_get_monotonic_time() - begin < 10 * G_USEC_PER_SEC && (first_frame < 0 || run.first_buffer_ms < 0)) {
    GstMessage* m = gst_bus_timed_pop_filtered(bus, 20 * GST_MSECOND,
                                               static_cast<GstMessageType>(GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR));
    if (m == nullptr) continue;
    if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
      gst_message_unref(m);
      break;
    }
    const GstStructure* s = gst_message_get_structure(m);
    guint64 delay = 0;
    if (gst_structure_has_name(s, "shoal-qoe") && gst_structure_get_uint64(s, "startup-delay", &delay)) {
      run.first_buffer_ms = static_cast<double>(delay) / 1e6;
    }
    gst_message_unref(m);
  }
  if (first_frame >= 0) run.first_frame_ms = static_cast<double>(first_frame - begin) / 1e3;
  gst_element_set_state(playbin, GST_STATE_NULL);
  gst_object_unref(bus);
  gst_object_unref(playbin);
  return run;
}

void startup(benchmark::State& state, const char* channel) {
  const std::string uri = "shoal://" + g_origin.address + "/" + channel + "?listen=127.0.0.1:0";
  double buffer_sum = 0, frame_sum = 0, frame_max = 0;
  int n = 0;
  for (auto _ : state) {
    const Run run = run_once(uri);
    if (run.first_frame_ms < 0 || run.first_buffer_ms < 0) {
      state.SkipWithError("no first frame within 10 s");
      return;
    }
    state.SetIterationTime(run.first_frame_ms / 1e3);
    buffer_sum += run.first_buffer_ms;
    frame_sum += run.first_frame_ms;
    frame_max = std::max(frame_max, run.first_frame_ms);
    ++n;
  }
  state.counters["first_buffer_ms"] = buffer_sum / n;
  state.counters["first_frame_ms"] = frame_sum / n;
  state.counters["first_frame_max_ms"] = frame_max;
  state.counters["target_ms"] = 500;
}

void BM_StartupVod(benchmark::State& state) { startup(state, "clip"); }
void BM_StartupLive(benchmark::State& state) { startup(state, "live"); }

BENCHMARK(BM_StartupVod)->UseManualTime()->Iterations(10)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StartupLive)->UseManualTime()->Iterations(10)->Unit(benchmark::kMillisecond);

}  // namespace

#ifdef __SANITIZE_ADDRESS__
// Measurement tool: GStreamer's process-lifetime caches are not leaks worth a report here.
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }
#endif

int main(int argc, char** argv) {
  g_setenv("GST_PLUGIN_PATH", SHOAL_PLUGIN_DIR, FALSE);
#ifdef __SANITIZE_ADDRESS__
  // The uninstrumented gst-plugin-scanner cannot load a sanitizer-built plugin: scan in-process.
  g_setenv("GST_REGISTRY_FORK", "no", TRUE);
#endif
  gst_init(&argc, &argv);
  benchmark::Initialize(&argc, argv);
  if (gst_element_factory_find("shoalsrc") == nullptr) {
    std::fprintf(stderr, "bench_player_startup: shoalsrc not found in %s\n", SHOAL_PLUGIN_DIR);
    return 1;
  }
  try {
    g_origin = start_origin();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_player_startup: %s\n", e.what());
    stop_origin(g_origin);
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  stop_origin(g_origin);
  return 0;
}
