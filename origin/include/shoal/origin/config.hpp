// shoal-origin's command line (and --config file), see docs/origin.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "shoal/protocol/units.hpp"

namespace CLI {
class App;
}

namespace shoal::origin {

struct NamedInput {
  std::string name;
  std::string input;
};

struct OriginConfig {
  std::vector<NamedInput> vod;
  std::vector<NamedInput> live;
  bool loop = false;
  HostPort listen{"127.0.0.1", 8080};
  std::string data_dir = "shoal-data";
  std::chrono::microseconds chunk_duration{1'000'000};
  std::chrono::microseconds dvr{120'000'000};
  std::uint64_t seed_upload_bps = 10'000'000;  // for the mesh seeder
  std::uint64_t max_chunk_transfers = 0;       // 0 = unlimited
  std::uint64_t max_connections = 10'000;      // HTTP connections open at once (HttpLimits)
  std::uint64_t max_connections_per_address = 64;
};

/// Declares shoal-origin's options on `app`, bound to `config`: every flag, --help, and --config FILE
/// (each long flag as a key, e.g. `max-connections = 100`; the command line overrides the file). After
/// parsing, a channel is required and no channel name may repeat (CLI::ValidationError otherwise).
void add_origin_options(CLI::App& app, OriginConfig& config);

}  // namespace shoal::origin
