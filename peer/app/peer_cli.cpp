#include "peer_cli.hpp"

#include <charconv>
#include <stdexcept>

#include "shoal/protocol/units.hpp"

namespace shoal::peer {

const char* cli_usage() {
  return R"(usage: shoal-peer shoal://HOST:PORT/CHANNEL [options]

Joins a Shoal channel, trades chunks with other peers, falls back to the origin
when a deadline is near, and plays a virtual playhead in real time.

options:
  --out FILE            write delivered chunks, in order, to FILE ('-' = stdout,
                        e.g. | ffplay -  or  | gst-launch-1.0 fdsrc ! tsdemux ! ...)
  --stats FILE          write the final JSON object to FILE (default: stdout,
                        or stderr when --out -)
  --trace FILE          write the event trace, one JSON object per line: requests,
                        arrivals, refusals, origin fetches, uploads, stalls, each
                        with its chunk and connection (docs/peer.md)
  --duration DUR        leave after DUR (e.g. 60s); default: until the stream ends or SIGINT/SIGTERM
  --start DUR           VoD start position (media time, e.g. 90s)
  --max-upload RATE     upload cap in bit/s (e.g. 3M); default unlimited
  --listen HOST:PORT    accept peers here (port 0 = any); default every interface,
                        any port, and the tracker lists the address this viewer's
                        announces come from (a named host is announced as given)
  --policy NAME         piece selection: deadline (default), rarest, inorder, bitos, cs
  --neighbor-policy N   neighbor selection: random (default), position
  --buffer-target DUR   buffered ahead before playback starts/resumes (default 3s)
  --hold-back DUR       live: start no nearer the live edge than DUR (default 15s)
  --seed N              RNG seed of the peer core (default 1)
  --quiet               no log lines on stderr
  --help                this text

At exit prints one JSON object: startup_delay_ms, stalls, stall_ms, chunks_played,
bytes_from_peers, bytes_from_origin, bytes_uploaded, hash_failures, peers_banned,
first_seq, last_seq, chunks_written; the same figures go to the origin as a QoE report.
)";
}

namespace {

std::uint64_t parse_count(const std::string& flag, const std::string& text) {
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size())
    throw std::invalid_argument(flag + ": not a number: '" + text + "'");
  return value;
}

}  // namespace

CliOptions parse_cli(const std::vector<std::string>& args) {
  CliOptions cli;
  std::optional<std::string> uri;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw std::invalid_argument(arg + " needs a value");
      return args[++i];
    };
    if (arg == "--help" || arg == "-h") {
      cli.help = true;
    } else if (arg == "--out") {
      cli.out = value();
    } else if (arg == "--stats") {
      cli.stats = value();
    } else if (arg == "--trace") {
      cli.trace = value();
    } else if (arg == "--duration") {
      cli.duration = parse_duration(value());
    } else if (arg == "--start") {
      cli.peer.start = parse_duration(value());
    } else if (arg == "--max-upload") {
      cli.peer.core.max_upload_bps = parse_rate(value());
    } else if (arg == "--listen") {
      auto hp = parse_host_port(value());
      cli.peer.listen_host = hp.host;
      cli.peer.core.listen_port = hp.port;
    } else if (arg == "--policy") {
      const auto& name = value();
      auto policy = parse_policy(name);
      if (!policy)
        throw std::invalid_argument("--policy: unknown policy '" + name + "' (deadline, rarest, inorder, bitos, cs)");
      cli.peer.core.policy = *policy;
    } else if (arg == "--neighbor-policy") {
      const auto& name = value();
      auto policy = parse_neighbor_policy(name);
      if (!policy) throw std::invalid_argument("--neighbor-policy: unknown policy '" + name + "' (random, position)");
      cli.peer.core.neighbor_policy = *policy;
    } else if (arg == "--buffer-target") {
      cli.peer.core.buffer_target = parse_duration(value());
    } else if (arg == "--hold-back") {
      cli.peer.core.live_hold_back = parse_duration(value());
    } else if (arg == "--seed") {
      cli.peer.core.rng_seed = parse_count(arg, value());
    } else if (arg == "--quiet") {
      cli.quiet = true;
    } else if (arg.starts_with("-") && arg != "-") {
      throw std::invalid_argument("unknown option " + arg + " (see --help)");
    } else if (!uri) {
      uri = arg;
    } else {
      throw std::invalid_argument("unexpected argument '" + arg + "' (see --help)");
    }
  }
  if (cli.help) return cli;
  if (!uri) throw std::invalid_argument("missing channel URI shoal://HOST:PORT/CHANNEL (see --help)");
  cli.peer.uri = parse_channel_uri(*uri);
  return cli;
}

}  // namespace shoal::peer
