// One simulation run on a chosen network model ("fluid" or "simgrid").
#pragma once

#include <string>
#include <vector>

#include "metrics.hpp"
#include "scenario.hpp"
#include "simulator.hpp"

namespace shoal::sim {

/// Throws std::runtime_error for an unknown model name.
Summary run_scenario(const Scenario& scenario, const SimOptions& options);
/// Several runs of one scenario (e.g. one per policy); with SimGrid they share its one engine.
std::vector<Summary> run_scenarios(const Scenario& scenario, const std::vector<SimOptions>& runs);

}  // namespace shoal::sim
