// shoal-peer's command line: parsing into PeerOptions plus the CLI's own knobs.
#pragma once

#include <optional>
#include <string>

#include "shoal/peer/runtime/peer_handle.hpp"

namespace CLI {
class App;
}

namespace shoal::peer {

struct CliOptions {
  PeerOptions peer;
  std::optional<Time> duration;  // stop after this much wall time
  std::string out;               // "" = nowhere, "-" = stdout
  std::string stats;             // where the final JSON goes; "" = stdout (stderr when --out -)
  std::string trace;             // the event trace's file; "" = none
  bool quiet = false;
};

/// Declares shoal-peer's options and its channel URI on `app`, bound to `cli`; parsing without a URI
/// fails with "missing channel URI ...".
void add_peer_options(CLI::App& app, CliOptions& cli);

}  // namespace shoal::peer
