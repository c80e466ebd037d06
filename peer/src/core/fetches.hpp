// Our fetches in flight and what they have taught us: requests out to neighbors (each Neighbor lists its
// own; this is their total), fetches from the origin, and the origin's measured delivery. A selection pass
// adds to it; arrivals, cancels and departures (core_download.cpp, core_peers.cpp) take away.
#pragma once

#include <map>

#include "shoal/peer/core/types.hpp"

namespace shoal::peer {

struct Fetches {
  long to_neighbors = 0;            // our requests to neighbors, over all of them
  std::map<Seq, Time> from_origin;  // seq -> started
  double origin_rate = 0;           // bytes/s net of the round trip, 0 = not measured
  Time origin_retry_at{0};          // a failed or corrupt origin fetch: no other before this
};

}  // namespace shoal::peer
