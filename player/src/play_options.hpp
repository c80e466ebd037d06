// shoal-play's command line.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace CLI {
class App;
}

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
  std::optional<std::string> cdn;  // shoalsrc's `cdn`
};

/// Declares shoal-play's options and its channel URI on `app`, bound to `options`; parsing without a
/// shoal:// URI fails with "missing channel URI ...".
void add_play_options(CLI::App& app, PlayOptions& options);

}  // namespace shoal::player
