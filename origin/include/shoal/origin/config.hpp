// shoal-origin's command line.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "shoal/protocol/units.hpp"

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
  std::size_t max_chunk_transfers = 0;         // 0 = unlimited
  std::size_t max_connections = 10'000;        // HTTP connections open at once (HttpLimits)
  std::size_t max_connections_per_address = 64;
  bool help = false;
};

/// Throws std::invalid_argument with a one-line message.
OriginConfig parse_origin_args(int argc, const char* const* argv);
const char* origin_usage();

}  // namespace shoal::origin
