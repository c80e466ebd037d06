// shoal-peer's command line: parsing into PeerOptions plus the CLI's own knobs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "shoal/peer/runtime/peer_handle.hpp"

namespace shoal::peer {

struct CliOptions {
  PeerOptions peer;
  std::optional<Time> duration;  // stop after this much wall time
  std::string out;               // "" = nowhere, "-" = stdout
  std::string stats;             // where the final JSON goes; "" = stdout (stderr when --out -)
  std::string trace;             // the event trace's file; "" = none
  bool quiet = false;
  bool help = false;
};

/// Throws std::invalid_argument with a one-line reason.
CliOptions parse_cli(const std::vector<std::string>& args);
const char* cli_usage();

}  // namespace shoal::peer
