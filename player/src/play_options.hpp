// shoal-play's command line.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shoal::player {

struct PlayOptions {
  std::string uri;
  bool headless = false;
  std::optional<std::chrono::microseconds> duration;
  std::optional<std::chrono::microseconds> start;
  std::optional<std::chrono::microseconds> buffer_target;
  std::optional<std::uint64_t> max_upload_bps;
  std::optional<unsigned> listen_port;
  std::optional<std::string> policy;
  bool help = false;
};

const char* play_usage();
/// Throws std::invalid_argument with one line naming the bad argument.
PlayOptions parse_play_options(const std::vector<std::string>& args);

}  // namespace shoal::player
