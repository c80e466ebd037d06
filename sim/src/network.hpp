// The bandwidth model behind the simulator: nodes with an uplink and a
// downlink, flows of N bytes between them. Latency is added by the event loop,
// so two models (the lean fluid one and SimGrid) differ only in how they share
// bandwidth. Time is simulated time in microseconds.
#pragma once

#include <cstdint>
#include <vector>

#include "shoal/peer/core/types.hpp"

namespace shoal::sim {

using peer::Time;
using NodeId = std::uint32_t;
using FlowId = std::uint64_t;

class Network {
 public:
  virtual ~Network() = default;

  /// Capacities in bit/s; +infinity means unlimited, 0 means nothing ever moves (a free-rider's uplink).
  virtual NodeId add_node(double up_bps, double down_bps) = 0;
  /// Starts moving `bytes` from src to dst at `now`; ids are never reused.
  virtual FlowId start_flow(NodeId src, NodeId dst, std::uint64_t bytes, Time now) = 0;
  /// Drops an unfinished flow (a peer left, a connection closed).
  virtual void cancel_flow(FlowId flow, Time now) = 0;

  /// Runs the model forward to the first flow completion at or before `limit`.
  /// Sets `reached` to that completion's time (or to `limit` when none
  /// completes) and returns the flows finished at `reached`.
  virtual std::vector<FlowId> advance(Time limit, Time& reached) = 0;

  virtual std::size_t active_flows() const = 0;
};

}  // namespace shoal::sim
