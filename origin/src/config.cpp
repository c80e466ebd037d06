#include "shoal/origin/config.hpp"

#include <set>
#include <stdexcept>

#include "shoal/protocol/channel_uri.hpp"
#include "shoal/protocol/cli.hpp"

namespace shoal::origin {
namespace {

using namespace std::chrono_literals;

constexpr const char* kDescription =
    "Segments media into MPEG-TS chunks and serves them over HTTP (HLS, manifest,\n"
    "chunks, tracker, stats). At least one --vod or --live is required.";

constexpr const char* kFooter =
    "Every long option can also come from --config FILE, one per line without its\n"
    "dashes (max-connections = 100, loop = true, vod = [\"a=a.mp4\", \"b=b.mp4\"]);\n"
    "options on the command line override the file (docs/origin.md).";

NamedInput parse_named(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    throw std::invalid_argument("expected NAME=INPUT, got '" + text + "'");
  NamedInput in{text.substr(0, eq), text.substr(eq + 1)};
  if (!protocol::valid_channel_name(in.name)) {
    throw std::invalid_argument("bad channel name '" + in.name +
                                "' (1-64 letters, digits, '_', '-', '.', not first '.')");
  }
  return in;
}

// --vod and --live: repeatable, one NAME=INPUT per flag (also as an array in a config file).
CLI::Option* add_channels(CLI::App& app, const std::string& flag, std::vector<NamedInput>& out,
                          const std::string& help) {
  return app
      .add_option_function<std::vector<std::string>>(
          flag,
          [&out](const std::vector<std::string>& texts) {
            out.clear();
            for (const auto& t : texts) out.push_back(parse_named(t));
          },
          help)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->check(cli::checked_by(parse_named));
}

void check_channels(const OriginConfig& c) {
  if (c.vod.empty() && c.live.empty())
    throw CLI::ValidationError("no channel: give --vod NAME=PATH or --live NAME=INPUT");
  std::set<std::string> names;
  for (const auto* list : {&c.vod, &c.live}) {
    for (const NamedInput& in : *list) {
      if (!names.insert(in.name).second) throw CLI::ValidationError("channel '" + in.name + "' given twice");
    }
  }
}

void add_limits(CLI::App& app, OriginConfig& c) {
  cli::add_count(app, "--max-chunk-transfers", c.max_chunk_transfers,
                 "chunk responses in flight at once; more get 503 with\n"
                 "Retry-After so viewers look to the mesh instead of all\n"
                 "crawling (default 0 = unlimited; set about HTTP uplink\n"
                 "/ bitrate)");
  cli::add_count(app, "--max-connections", c.max_connections,
                 "HTTP connections open at once (default 10000); past it new\n"
                 "ones are closed unanswered and accepting pauses 100ms")
      ->check(cli::count_at_least(1));
  cli::add_count(app, "--max-connections-per-address", c.max_connections_per_address,
                 "HTTP connections from one address (default 64; loopback,\n"
                 "e.g. a CDN or proxy on this machine, is exempt)")
      ->check(cli::count_at_least(1));
}

}  // namespace

void add_origin_options(CLI::App& app, OriginConfig& c) {
  cli::configure(app, "usage: shoal-origin [options]");
  app.description(kDescription);
  app.footer(kFooter);
  add_channels(app, "--vod", c.vod, "a VoD channel from a media file (repeatable)")->type_name("NAME=PATH");
  add_channels(app, "--live", c.live,
               "a live channel from a libavformat URL (udp://, srt://,\n"
               "rtmp:// (listens), http://) or a file (repeatable)")
      ->type_name("NAME=INPUT");
  app.add_flag("--loop", c.loop, "live file inputs play at real-time pace in a loop");
  cli::add_address(app, "--listen", c.listen,
                   "HTTP address (default 127.0.0.1:8080; port 0 = any free\n"
                   "port, printed as {\"event\":\"listening\",...} on stdout)");
  app.add_option("--data", c.data_dir,
                 "chunk store and the signing key DIR/.origin-key.pem,\nmade at first start (default ./shoal-data)")
      ->type_name("DIR");
  cli::add_duration(app, "--chunk-duration", c.chunk_duration, "target chunk duration (default 1s)")
      ->check(cli::duration_within(100ms, 30s));
  cli::add_duration(app, "--dvr", c.dvr, "live window kept (default 120s)")
      ->check(cli::duration_within(3s, std::nullopt));
  cli::add_rate(app, "--seed-upload", c.seed_upload_bps, "mesh seeding upload budget in bit/s (default 10M)");
  add_limits(app, c);
  app.set_config("--config", "", "read options from FILE (TOML/INI, see below)")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  app.allow_config_extras(CLI::config_extras_mode::error);
  app.callback([&c] { check_channels(c); });
}

}  // namespace shoal::origin
