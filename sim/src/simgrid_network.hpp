// SimGrid 3.32's flow-level model (S4U, crosstraffic off) behind the same
// Network interface, to validate the fluid model on small scenarios. Each node
// is a host with a private uplink and downlink in a star zone; latency stays
// in the event loop (links have none), so both models differ only in sharing.
// SimGrid's engine is a process-wide singleton: run_simgrid() runs every
// requested variant inside one engine and can be called once per process.
#pragma once

#include <vector>

#include "metrics.hpp"
#include "scenario.hpp"
#include "simulator.hpp"

namespace shoal::sim {

std::vector<Summary> run_simgrid(const Scenario& scenario, const std::vector<SimOptions>& runs);

}  // namespace shoal::sim
