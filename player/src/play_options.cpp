#include "play_options.hpp"

#include <charconv>
#include <stdexcept>

#include "shoal/protocol/units.hpp"

namespace shoal::player {

const char* play_usage() {
  return R"(usage: shoal-play shoal://HOST:PORT/CHANNEL [options]

Plays a Shoal channel through playbin and the shoalsrc element (GST_PLUGIN_PATH
must reach libgstshoal.so): in a window when a display exists, else headless.

options:
  --headless            fakesinks with sync=true (real-time playback, no window)
  --duration DUR        stop after DUR of wall time (e.g. 30s); default: until the end
  --start DUR           VoD start position (e.g. 90s)
  --buffer-target DUR   buffered ahead before resuming after a stall (default 3s)
  --max-upload RATE     upload cap in bit/s (e.g. 3M); default unlimited
  --listen-port N       TCP port for peer connections (default: any free port)
  --policy NAME         piece selection: deadline (default), rarest, inorder, bitos, cs
  --help                this text

At exit prints one JSON object on stdout: startup_delay_ms, stalls, stall_ms,
chunks_played, chunks_late, bytes_from_peers, bytes_from_origin, bytes_uploaded,
hash_failures, peers_banned (as shoal-peer) plus first_frame_ms (set_state(PLAYING)
to the first frame at the video sink) and, with --start, landed_ms (the stream
time of the first frame after the seek). Exit status 1 after a playback error.
)";
}

namespace {

unsigned parse_port(const std::string& text) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > 65535) {
    throw std::invalid_argument("--listen-port: expected 0..65535, got '" + text + "'");
  }
  return value;
}

}  // namespace

PlayOptions parse_play_options(const std::vector<std::string>& args) {
  PlayOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw std::invalid_argument(arg + " needs a value (see --help)");
      return args[++i];
    };
    if (arg == "--help" || arg == "-h") {
      o.help = true;
    } else if (arg == "--headless") {
      o.headless = true;
    } else if (arg == "--duration") {
      o.duration = parse_duration(value());
    } else if (arg == "--start") {
      o.start = parse_duration(value());
    } else if (arg == "--buffer-target") {
      o.buffer_target = parse_duration(value());
    } else if (arg == "--max-upload") {
      o.max_upload_bps = parse_rate(value());
    } else if (arg == "--listen-port") {
      o.listen_port = parse_port(value());
    } else if (arg == "--policy") {
      const std::string& name = value();
      if (name != "deadline" && name != "rarest" && name != "inorder" && name != "bitos" && name != "cs") {
        throw std::invalid_argument("--policy: unknown policy '" + name + "'");
      }
      o.policy = name;
    } else if (!arg.empty() && arg[0] == '-') {
      throw std::invalid_argument("unknown option " + arg + " (see --help)");
    } else if (o.uri.empty()) {
      o.uri = arg;
    } else {
      throw std::invalid_argument("unexpected argument '" + arg + "' (see --help)");
    }
  }
  if (!o.help && o.uri.rfind("shoal://", 0) != 0) {
    throw std::invalid_argument("missing channel URI shoal://HOST:PORT/CHANNEL (see --help)");
  }
  return o;
}

}  // namespace shoal::player
