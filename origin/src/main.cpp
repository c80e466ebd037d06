// shoal-origin: see add_origin_options() and docs/origin.md.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <iostream>

#include "seeder.hpp"
#include "shoal/origin/config.hpp"
#include "shoal/origin/http_server.hpp"
#include "shoal/origin/media_input.hpp"
#include "shoal/origin/reachability_probe.hpp"
#include "shoal/protocol/cli.hpp"
#include "shoal/protocol/json_line.hpp"
#include "shoal/protocol/swarm_id.hpp"

extern "C" {
#include <libavutil/log.h>
}

namespace net = boost::asio;
using namespace shoal::origin;
using shoal::protocol::SigningKey;

namespace {

// A channel per --vod/--live, started (segmenting or loading its chunks) before the server listens.
void add_channel(ChannelMap& channels, const OriginConfig& config, const net::ip::tcp::endpoint& bound,
                 const NamedInput& in, bool live) {
  ChannelConfig cc;
  cc.name = in.name;
  cc.live = live;
  cc.input = in.input;
  cc.loop = config.loop;
  cc.target = config.chunk_duration;
  cc.dvr = config.dvr;
  cc.data_root = config.data_dir;
  auto channel =
      std::make_unique<Channel>(cc, shoal::protocol::swarm_id(bound.address().to_string(), bound.port(), in.name));
  channel->start();
  const auto chunks = channel->store().chunks();
  std::cerr << "shoal-origin: channel " << in.name << (live ? " (live)" : " (vod)") << ": " << chunks.size()
            << " chunks" << (channel->reused_from_disk() ? " reused from disk" : "") << "\n";
  channels.emplace(in.name, std::move(channel));
}

int serve(const OriginConfig& config) {
  net::io_context io;
  const net::ip::tcp::endpoint endpoint(net::ip::make_address(config.listen.host), config.listen.port);
  ChannelMap channels;
  const auto key = std::make_shared<const SigningKey>(SigningKey::load_or_create(SigningKey::file_in(config.data_dir)));
  Router router(channels, config.max_chunk_transfers, AddressRateLimiter::Limits{}, key);
  HttpLimits limits;
  limits.max_connections = config.max_connections;
  limits.max_connections_per_address = config.max_connections_per_address;
  HttpServer server(io, endpoint, router, limits);
  const auto bound = server.local_endpoint();
  const std::string address = bound.address().to_string() + ":" + std::to_string(bound.port());

  for (const NamedInput& in : config.vod) add_channel(channels, config, bound, in, false);
  for (const NamedInput& in : config.live) add_channel(channels, config, bound, in, true);
  // Logged once the inputs are good: a refused input stays one line on stderr.
  std::cerr << "shoal-origin: manifests signed by key " << key->fingerprint() << " ("
            << SigningKey::file_in(config.data_dir).string() << ")\n";
  // Live channels are also seeded into the mesh (see seeder.hpp); declared after `channels`, so destroyed first.
  std::vector<std::unique_ptr<Seeder>> seeders;
  std::vector<std::unique_ptr<ReachabilityProbe>> probes;
  for (auto& [name, channel] : channels)
    probes.push_back(std::make_unique<ReachabilityProbe>(io, channel->tracker(), std::chrono::seconds(2)));
  for (auto& [name, channel] : channels)
    if (channel->live())
      seeders.push_back(std::make_unique<Seeder>(io, *channel, config.listen.host, config.seed_upload_bps));

  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    std::cerr << "shoal-origin: shutting down\n";
    server.stop();
    io.stop();
  });
  server.start();
  std::cout << shoal::JsonLine().add("event", "listening").add("address", address).add("key", key->fingerprint()).str()
            << std::endl;
  io.run();
  for (auto& [name, channel] : channels) channel->stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  OriginConfig config;
  CLI::App app("", "shoal-origin");
  add_origin_options(app, config);
  if (const auto status = shoal::cli::parse(app, argc, argv)) return *status;
  // Our own messages say what is wrong with an input in one line.
  av_log_set_level(AV_LOG_FATAL);
  try {
    return serve(config);
  } catch (const std::exception& e) {
    std::cerr << "shoal-origin: " << e.what() << "\n";
    return 1;
  }
}
