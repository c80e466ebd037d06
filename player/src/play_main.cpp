// shoal-play: playbin + shoalsrc, with the same exit JSON as shoal-peer plus
// the time to the first frame at the video sink.
#include <glib-unix.h>
#include <gst/gst.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "play_options.hpp"
#include "qoe_stats.hpp"
#include "shoal/peer/core/qoe_json.hpp"
#include "shoal/protocol/cli.hpp"
#include "shoal/protocol/json_line.hpp"

namespace {

using shoal::player::PlayOptions;

struct Player {
  PlayOptions options;
  GMainLoop* loop = nullptr;
  GstElement* playbin = nullptr;
  GstElement* source = nullptr;            // shoalsrc, once playbin created it
  gint64 started_us = 0;                   // just before set_state(PLAYING)
  std::atomic<gint64> first_frame_us{-1};  // written by the streaming thread
  bool live = false;
  bool buffering = false;
  bool start_seek_done = false;
  std::atomic<bool> start_seek_issued{false};
  std::atomic<gint64> landed_ns{-1};  // --start: stream time of the first frame after the seek
  std::optional<std::string> error;
};

void on_source_setup(GstElement*, GstElement* source, gpointer data) {
  auto* p = static_cast<Player*>(data);
  GstElementFactory* factory = gst_element_get_factory(source);
  if (factory == nullptr || g_strcmp0(GST_OBJECT_NAME(factory), "shoalsrc") != 0) return;
  p->source = GST_ELEMENT(gst_object_ref(source));
  const PlayOptions& o = p->options;
  if (o.buffer_target)
    g_object_set(source, "buffer-target", static_cast<guint>(o.buffer_target->count() / 1000), nullptr);
  if (o.max_upload_bps) g_object_set(source, "max-upload", static_cast<guint64>(*o.max_upload_bps), nullptr);
  if (o.listen_port) g_object_set(source, "listen-port", static_cast<guint>(*o.listen_port), nullptr);
  if (o.policy) gst_util_set_object_arg(G_OBJECT(source), "policy", o.policy->c_str());
  if (o.cdn) g_object_set(source, "cdn", o.cdn->c_str(), nullptr);
}

GstPadProbeReturn on_frame(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  auto* p = static_cast<Player*>(data);
  if (p->first_frame_us < 0) p->first_frame_us = g_get_monotonic_time();
  if (!p->options.start) return GST_PAD_PROBE_REMOVE;
  if (!p->start_seek_issued) return GST_PAD_PROBE_OK;
  GstEvent* event = gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0);
  if (event != nullptr) {
    const GstSegment* segment = nullptr;
    gst_event_parse_segment(event, &segment);
    const guint64 position =
        gst_segment_to_stream_time(segment, GST_FORMAT_TIME, GST_BUFFER_PTS(GST_PAD_PROBE_INFO_BUFFER(info)));
    if (position != GST_CLOCK_TIME_NONE) p->landed_ns = static_cast<gint64>(position);
    gst_event_unref(event);
  }
  return GST_PAD_PROBE_REMOVE;
}

void log_qoe(const GstStructure* s) {
  gchar* text = gst_structure_to_string(s);
  g_printerr("shoal-play: %s\n", text);
  g_free(text);
}

gboolean on_bus(GstBus*, GstMessage* message, gpointer data) {
  auto* p = static_cast<Player*>(data);
  switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_ERROR: {
      GError* err = nullptr;
      gchar* debug = nullptr;
      gst_message_parse_error(message, &err, &debug);
      g_printerr("shoal-play: error from %s: %s\n", GST_OBJECT_NAME(GST_MESSAGE_SRC(message)), err->message);
      if (!p->error) p->error = err->message;
      g_clear_error(&err);
      g_free(debug);
      g_main_loop_quit(p->loop);
      break;
    }
    case GST_MESSAGE_EOS:
      g_main_loop_quit(p->loop);
      break;
    case GST_MESSAGE_BUFFERING: {
      if (p->live) break;  // a live pipeline cannot pause
      gint percent = 0;
      gst_message_parse_buffering(message, &percent);
      if (percent < 100 && !p->buffering) {
        p->buffering = true;
        gst_element_set_state(p->playbin, GST_STATE_PAUSED);
      } else if (percent == 100 && p->buffering) {
        p->buffering = false;
        gst_element_set_state(p->playbin, GST_STATE_PLAYING);
      }
      break;
    }
    case GST_MESSAGE_ASYNC_DONE:
      if (p->options.start && !p->start_seek_done && !p->live) {
        p->start_seek_done = true;
        if (gst_element_seek_simple(p->playbin, GST_FORMAT_TIME, GST_SEEK_FLAG_FLUSH,
                                    static_cast<gint64>(p->options.start->count()) * GST_USECOND)) {
          p->start_seek_issued = true;
        } else {
          g_printerr("shoal-play: the seek to --start was refused\n");
        }
      }
      break;
    case GST_MESSAGE_CLOCK_LOST:
      gst_element_set_state(p->playbin, GST_STATE_PAUSED);
      gst_element_set_state(p->playbin, GST_STATE_PLAYING);
      break;
    case GST_MESSAGE_LATENCY:
      gst_bin_recalculate_latency(GST_BIN(p->playbin));
      break;
    case GST_MESSAGE_ELEMENT: {
      const GstStructure* s = gst_message_get_structure(message);
      if (s != nullptr && gst_structure_has_name(s, "shoal-qoe")) log_qoe(s);
      break;
    }
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

gboolean on_quit(gpointer data) {
  g_main_loop_quit(static_cast<Player*>(data)->loop);
  return G_SOURCE_REMOVE;
}

// The element's figures (its own start-up, stalls and chunks pushed, the runtime's byte counters) in the
// stats table's units, so the shared writer prints them; all zeros (never started) without an element.
shoal::protocol::StatsValues element_values(GstElement* source) {
  shoal::protocol::StatsValues values{};
  values[static_cast<std::size_t>(shoal::protocol::StatsFieldId::startup_delay_ms)] = -1;
  if (source == nullptr) return values;
  GstStructure* s = nullptr;
  g_object_get(source, "stats", &s, nullptr);
  if (s == nullptr) return values;
  values = shoal::player::qoe_values(s);
  gst_structure_free(s);
  return values;
}

std::string exit_json(Player& p) {
  const gint64 first = p.first_frame_us;
  shoal::JsonLine json = shoal::peer::qoe_exit_json(element_values(p.source));
  json.add("first_frame_ms", first >= 0 ? static_cast<std::int64_t>((first - p.started_us) / 1000) : -1);
  if (p.options.start) {
    const gint64 landed = p.landed_ns;
    json.add("landed_ms", landed >= 0 ? static_cast<std::int64_t>(landed / static_cast<gint64>(GST_MSECOND)) : -1);
  }
  if (p.error) json.add("error", *p.error);
  return json.str();
}

GstElement* make_sink(const char* factory, const char* name) {
  GstElement* sink = gst_element_factory_make(factory, name);
  if (sink == nullptr) {
    g_printerr("shoal-play: GStreamer element '%s' is missing\n", factory);
    std::exit(1);
  }
  return sink;
}

// playbin with shoalsrc behind the URI, fakesinks (sync=true) when headless, the first-frame probe, the bus
// watch and SIGINT/SIGTERM/--duration ending the main loop.
void build_pipeline(Player& p) {
  p.loop = g_main_loop_new(nullptr, FALSE);
  p.playbin = make_sink("playbin", "player");
  GstElement* video_sink = make_sink(p.options.headless ? "fakesink" : "autovideosink", "videosink");
  if (p.options.headless) {
    GstElement* audio_sink = make_sink("fakesink", "audiosink");
    g_object_set(video_sink, "sync", TRUE, nullptr);
    g_object_set(audio_sink, "sync", TRUE, nullptr);
    g_object_set(p.playbin, "audio-sink", audio_sink, nullptr);
  }
  GstPad* sink_pad = gst_element_get_static_pad(video_sink, "sink");
  gst_pad_add_probe(sink_pad, GST_PAD_PROBE_TYPE_BUFFER, on_frame, &p, nullptr);
  gst_object_unref(sink_pad);
  g_object_set(p.playbin, "video-sink", video_sink, "uri", p.options.uri.c_str(), nullptr);
  g_signal_connect(p.playbin, "source-setup", G_CALLBACK(on_source_setup), &p);

  GstBus* bus = gst_element_get_bus(p.playbin);
  gst_bus_add_watch(bus, on_bus, &p);
  gst_object_unref(bus);
  g_unix_signal_add(SIGINT, on_quit, &p);
  g_unix_signal_add(SIGTERM, on_quit, &p);
  if (p.options.duration) {
    g_timeout_add(static_cast<guint>(p.options.duration->count() / 1000), on_quit, &p);
  }
}

// Plays until the end, an error, a signal or --duration.
void play(Player& p) {
  p.started_us = g_get_monotonic_time();
  // PAUSED first: a live source answers NO_PREROLL there (and cannot pause for buffering).
  GstStateChangeReturn ret = gst_element_set_state(p.playbin, GST_STATE_PAUSED);
  p.live = ret == GST_STATE_CHANGE_NO_PREROLL;
  if (ret != GST_STATE_CHANGE_FAILURE) ret = gst_element_set_state(p.playbin, GST_STATE_PLAYING);
  if (ret == GST_STATE_CHANGE_FAILURE) {
    // The error message on the bus says why; collect it before leaving.
    GstMessage* m = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(p.playbin), GST_SECOND, GST_MESSAGE_ERROR);
    if (m != nullptr) {
      on_bus(nullptr, m, &p);
      gst_message_unref(m);
    }
    if (!p.error) p.error = "the pipeline failed to start";
  } else {
    g_main_loop_run(p.loop);
  }
}

}  // namespace

int main(int argc, char** argv) {
#ifdef __SANITIZE_ADDRESS__
  // The uninstrumented gst-plugin-scanner cannot load a sanitizer-built plugin: scan in-process.
  g_setenv("GST_REGISTRY_FORK", "no", TRUE);
#endif
  // GStreamer's own options (--gst-debug=..., --gst-plugin-path=...) go to gst_init, ours to CLI11, which
  // runs first: --help and usage errors exit before GStreamer is initialised (the caches it keeps for the
  // process's life would otherwise be reported as leaks in the sanitizer build).
  std::vector<char*> gst_args{argv[0]}, own_args{argv[0]};
  for (int i = 1; i < argc; ++i)
    (std::string_view(argv[i]).starts_with("--gst-") ? gst_args : own_args).push_back(argv[i]);
  Player p;
  CLI::App app("", "shoal-play");
  shoal::player::add_play_options(app, p.options);
  if (const auto status = shoal::cli::parse(app, static_cast<int>(own_args.size()), own_args.data())) return *status;
  int gst_argc = static_cast<int>(gst_args.size());
  char** gst_argv = gst_args.data();
  gst_init(&gst_argc, &gst_argv);
  if (gst_element_factory_find("shoalsrc") == nullptr) {
    std::fprintf(stderr,
                 "shoal-play: element shoalsrc not found: set GST_PLUGIN_PATH to the directory of libgstshoal.so\n");
    return 1;
  }
  const bool display = g_getenv("DISPLAY") != nullptr || g_getenv("WAYLAND_DISPLAY") != nullptr;
  if (!p.options.headless && !display) {
    std::fprintf(stderr, "shoal-play: no display, playing headless\n");
    p.options.headless = true;
  }
  build_pipeline(p);
  play(p);

  std::puts(exit_json(p).c_str());
  std::fflush(stdout);
  gst_element_set_state(p.playbin, GST_STATE_NULL);
  if (p.source != nullptr) gst_object_unref(p.source);
  gst_object_unref(p.playbin);
  g_main_loop_unref(p.loop);
  return p.error ? 1 : 0;
}
