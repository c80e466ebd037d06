#include "shoal/origin/config.hpp"

#include <charconv>
#include <set>
#include <stdexcept>

#include "shoal/origin/channel.hpp"
#include "shoal/protocol/channel_uri.hpp"

namespace shoal::origin {

const char* origin_usage() {
  return R"(Usage: shoal-origin [options]
Segments media into MPEG-TS chunks and serves them over HTTP (HLS, manifest,
chunks, tracker, stats). At least one --vod or --live is required.

  --vod NAME=PATH        a VoD channel from a media file (repeatable)
  --live NAME=INPUT      a live channel from a libavformat URL (udp://, srt://,
                         rtmp:// (listens), http://) or a file (repeatable)
  --loop                 live file inputs play at real-time pace in a loop
  --listen HOST:PORT     HTTP address (default 127.0.0.1:8080; port 0 = any free
                         port, printed as {"event":"listening",...} on stdout)
  --data DIR             chunk store (default ./shoal-data)
  --chunk-duration DUR   target chunk duration (default 1s)
  --dvr DUR              live window kept (default 120s)
  --seed-upload RATE     mesh seeding upload budget in bit/s (default 10M)
  --max-chunk-transfers N
                         chunk responses in flight at once; more get 503 with
                         Retry-After so viewers look to the mesh instead of all
                         crawling (default 0 = unlimited; set about HTTP uplink
                         / bitrate)
  --max-connections N    HTTP connections open at once (default 10000); past it new
                         ones are closed unanswered and accepting pauses 100ms
  --max-connections-per-address N
                         HTTP connections from one address (default 64; loopback,
                         e.g. a CDN or proxy on this machine, is exempt)
  --help                 this text
)";
}

namespace {

std::size_t parse_count(const std::string& flag, const std::string& text) {
  std::size_t n = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    throw std::invalid_argument(flag + " expects a whole number, got '" + text + "'");
  }
  return n;
}

NamedInput parse_named(const std::string& flag, const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    throw std::invalid_argument(flag + " expects NAME=INPUT, got '" + text + "'");
  }
  NamedInput in{text.substr(0, eq), text.substr(eq + 1)};
  if (!protocol::valid_channel_name(in.name)) {
    throw std::invalid_argument("bad channel name '" + in.name +
                                "' (1-64 letters, digits, '_', '-', '.', not first '.')");
  }
  return in;
}

}  // namespace

OriginConfig parse_origin_args(int argc, const char* const* argv) {
  OriginConfig c;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      c.help = true;
    } else if (arg == "--vod") {
      c.vod.push_back(parse_named(arg, value()));
    } else if (arg == "--live") {
      c.live.push_back(parse_named(arg, value()));
    } else if (arg == "--loop") {
      c.loop = true;
    } else if (arg == "--listen") {
      c.listen = parse_host_port(value());
    } else if (arg == "--data") {
      c.data_dir = value();
    } else if (arg == "--chunk-duration") {
      c.chunk_duration = parse_duration(value());
      if (c.chunk_duration < std::chrono::milliseconds(100) || c.chunk_duration > std::chrono::seconds(30)) {
        throw std::invalid_argument("--chunk-duration must be between 100ms and 30s");
      }
    } else if (arg == "--dvr") {
      c.dvr = parse_duration(value());
      if (c.dvr < std::chrono::seconds(3)) throw std::invalid_argument("--dvr must be at least 3s");
    } else if (arg == "--seed-upload") {
      c.seed_upload_bps = parse_rate(value());
    } else if (arg == "--max-chunk-transfers") {
      c.max_chunk_transfers = parse_count(arg, value());
    } else if (arg == "--max-connections") {
      c.max_connections = parse_count(arg, value());
      if (c.max_connections == 0) throw std::invalid_argument("--max-connections must be at least 1");
    } else if (arg == "--max-connections-per-address") {
      c.max_connections_per_address = parse_count(arg, value());
      if (c.max_connections_per_address == 0)
        throw std::invalid_argument("--max-connections-per-address must be at least 1");
    } else {
      throw std::invalid_argument("unknown option '" + arg + "' (see --help)");
    }
  }
  if (c.help) return c;
  if (c.vod.empty() && c.live.empty())
    throw std::invalid_argument("no channel: give --vod NAME=PATH or --live NAME=INPUT");
  std::set<std::string> names;
  for (const auto* list : {&c.vod, &c.live}) {
    for (const NamedInput& in : *list) {
      if (!names.insert(in.name).second) throw std::invalid_argument("channel '" + in.name + "' given twice");
    }
  }
  return c;
}

}  // namespace shoal::origin
