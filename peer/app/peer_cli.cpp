#include "peer_cli.hpp"

#include <stdexcept>

#include "shoal/peer/runtime/known_channels.hpp"
#include "shoal/protocol/cdn_url.hpp"
#include "shoal/protocol/cli.hpp"
#include "shoal/protocol/stats_fields.hpp"

namespace shoal::peer {
namespace {

constexpr const char* kDescription =
    "Joins a Shoal channel, trades chunks with other peers, falls back to the origin\n"
    "when a deadline is near, and plays a virtual playhead in real time.";

// The exit JSON's QoE keys come from the stats table (protocol/stats_fields.hpp), as the writer's do.
std::string footer() {
  return cli::wrap("At exit prints one JSON object: " + protocol::stats_field_names() +
                   ", first_seq, last_seq, chunks_written, bytes_written; the same figures go to the origin as a "
                   "QoE report.");
}

void add_outputs(CLI::App& app, CliOptions& cli) {
  app.add_option("--out", cli.out,
                 "write delivered chunks, in order, to FILE ('-' = stdout,\n"
                 "e.g. | ffplay -  or  | gst-launch-1.0 fdsrc ! tsdemux ! ...)")
      ->type_name("FILE");
  app.add_option("--stats", cli.stats,
                 "write the final JSON object to FILE (default: stdout,\n"
                 "or stderr when --out -)")
      ->type_name("FILE");
  app.add_option("--trace", cli.trace,
                 "write the event trace, one JSON object per line: requests,\n"
                 "arrivals, refusals, origin fetches, uploads, stalls, each\n"
                 "with its chunk and connection (docs/peer.md)")
      ->type_name("FILE");
}

void add_policies(CLI::App& app, PeerConfig& core) {
  app.add_option_function<std::string>(
         "--policy", [&core](const std::string& name) { core.policy = *parse_policy(name); },
         "piece selection: " + policy_names() + " (default " + to_string(Policy::deadline) + ")")
      ->type_name("NAME")
      ->check(cli::checked_by([](const std::string& name) {
        if (!parse_policy(name)) throw std::invalid_argument("unknown policy '" + name + "' (" + policy_names() + ")");
      }));
  app.add_option_function<std::string>(
         "--neighbor-policy", [&core](const std::string& name) { core.neighbor_policy = *parse_neighbor_policy(name); },
         "neighbor selection: random (default), position")
      ->type_name("NAME")
      ->check(cli::checked_by([](const std::string& name) {
        if (!parse_neighbor_policy(name))
          throw std::invalid_argument("unknown policy '" + name + "' (random, position)");
      }));
}

void add_playback(CLI::App& app, CliOptions& cli) {
  cli::add_duration(app, "--duration", cli.duration,
                    "leave after DUR (e.g. 60s); default: until the stream ends or SIGINT/SIGTERM");
  cli::add_duration(app, "--start", cli.peer.start, "VoD start position (media time, e.g. 90s)");
  cli::add_rate(app, "--max-upload", cli.peer.core.max_upload_bps, "upload cap in bit/s (e.g. 3M); default unlimited");
  app.add_option_function<std::string>(
         "--listen",
         [&cli](const std::string& text) {
           const HostPort hp = parse_host_port(text);
           cli.peer.listen_host = hp.host;
           cli.peer.core.listen_port = hp.port;
         },
         "accept peers here (port 0 = any); default every interface,\n"
         "any port, and the tracker lists the address this viewer's\n"
         "announces come from (a named host is announced as given)")
      ->type_name("HOST:PORT")
      ->check(cli::address_text());
  app.add_option_function<std::string>(
         "--cdn", [&cli](const std::string& text) { cli.peer.cdn = protocol::parse_cdn_url(text); },
         "fetch chunks over HTTP from this CDN or cache in front of\n"
         "the origin; manifest, announces and reports still go to\n"
         "the origin (docs/origin.md, \"A CDN in front\")")
      ->type_name("http://HOST:PORT")
      ->check(cli::checked_by([](const std::string& text) { protocol::parse_cdn_url(text); }));
  add_policies(app, cli.peer.core);
  cli::add_duration(app, "--buffer-target", cli.peer.core.buffer_target,
                    "buffered ahead before playback starts/resumes (default 3s)");
  cli::add_duration(app, "--hold-back", cli.peer.core.live_hold_back,
                    "live: start no nearer the live edge than DUR (default 15s)");
  cli::add_count(app, "--seed", cli.peer.core.rng_seed, "RNG seed of the peer core (default 1)");
}

}  // namespace

void add_peer_options(CLI::App& app, CliOptions& cli) {
  cli::configure(app, "usage: shoal-peer shoal://HOST:PORT/CHANNEL [options]");
  app.description(kDescription);
  app.footer(footer());
  auto* uri = app.add_option_function<std::string>(
                     "channel", [&cli](const std::string& text) { cli.peer.uri = parse_channel_uri(text); },
                     "the channel to join")
                  ->type_name("shoal://HOST:PORT/CHANNEL")
                  ->check(cli::checked_by([](const std::string& text) { parse_channel_uri(text); }));
  add_outputs(app, cli);
  add_playback(app, cli);
  cli.peer.known_channels = default_known_channels_file();
  app.add_option_function<std::string>(
         "--known-channels", [&cli](const std::string& file) { cli.peer.known_channels = file == "off" ? "" : file; },
         "remember each channel's signing key here and refuse a manifest\n"
         "signed by another ('off' = remember nothing); default\n"
         "$SHOAL_KNOWN_CHANNELS, else $XDG_STATE_HOME/shoal/known_channels,\n"
         "else ~/.local/state/shoal/known_channels. The URI's ?key=\n"
         "pins a key outright")
      ->type_name("FILE");
  app.add_flag("--quiet", cli.quiet, "no log lines on stderr");
  app.callback([uri] {
    if (uri->count() == 0) throw CLI::ValidationError("missing channel URI shoal://HOST:PORT/CHANNEL (see --help)");
  });
}

}  // namespace shoal::peer
