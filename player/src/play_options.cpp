#include "play_options.hpp"

#include <stdexcept>

#include "shoal/peer/core/config.hpp"
#include "shoal/protocol/cdn_url.hpp"
#include "shoal/protocol/cli.hpp"
#include "shoal/protocol/stats_fields.hpp"

namespace shoal::player {
namespace {

constexpr const char* kDescription =
    "Plays a Shoal channel through playbin and the shoalsrc element (GST_PLUGIN_PATH\n"
    "must reach libgstshoal.so): in a window when a display exists, else headless.";

// The exit JSON's QoE keys come from the stats table (protocol/stats_fields.hpp), as the writer's do.
std::string footer() {
  return cli::wrap("At exit prints one JSON object on stdout: " + protocol::stats_field_names() +
                   " (as shoal-peer) plus first_frame_ms (set_state(PLAYING) to the first frame at the video sink) "
                   "and, with --start, landed_ms (the stream time of the first frame after the seek). Exit status 1 "
                   "after a playback error.");
}

void check_port(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 5 ||
      std::stoul(text) > 65535)
    throw std::invalid_argument("expected 0..65535, got '" + text + "'");
}

void check_policy(const std::string& name) {
  if (!shoal::peer::parse_policy(name))
    throw std::invalid_argument("unknown policy '" + name + "' (" + shoal::peer::policy_names() + ")");
}

}  // namespace

void add_play_options(CLI::App& app, PlayOptions& o) {
  cli::configure(app, "usage: shoal-play shoal://HOST:PORT/CHANNEL [options]");
  app.description(kDescription);
  app.footer(footer());
  auto* uri = app.add_option("channel", o.uri, "the channel to play")->type_name("shoal://HOST:PORT/CHANNEL");
  app.add_flag("--headless", o.headless, "fakesinks with sync=true (real-time playback, no window)");
  cli::add_duration(app, "--duration", o.duration, "stop after DUR of wall time (e.g. 30s); default: until the end");
  cli::add_duration(app, "--start", o.start, "VoD start position (e.g. 90s)");
  cli::add_duration(app, "--buffer-target", o.buffer_target,
                    "buffered ahead before resuming after a stall (default 3s)");
  cli::add_rate(app, "--max-upload", o.max_upload_bps, "upload cap in bit/s (e.g. 3M); default unlimited");
  app.add_option_function<std::string>(
         "--listen-port", [&o](const std::string& text) { o.listen_port = static_cast<unsigned>(std::stoul(text)); },
         "TCP port for peer connections (default: any free port)")
      ->type_name("N")
      ->check(cli::checked_by(check_port));
  app.add_option_function<std::string>(
         "--policy", [&o](const std::string& name) { o.policy = name; },
         "piece selection: " + shoal::peer::policy_names() + " (default deadline)")
      ->type_name("NAME")
      ->check(cli::checked_by(check_policy));
  app.add_option_function<std::string>(
         "--cdn", [&o](const std::string& url) { o.cdn = url; },
         "fetch chunks over HTTP from this CDN or cache in front of the origin (shoalsrc's cdn)")
      ->type_name("http://HOST:PORT")
      ->check(cli::checked_by([](const std::string& url) { shoal::protocol::parse_cdn_url(url); }));
  app.callback([uri, &o] {
    if (uri->count() == 0 || o.uri.rfind("shoal://", 0) != 0)
      throw CLI::ValidationError("missing channel URI shoal://HOST:PORT/CHANNEL (see --help)");
  });
}

}  // namespace shoal::player
