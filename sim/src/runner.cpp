#include "runner.hpp"

#include <stdexcept>

#include "fluid_network.hpp"
#include "simgrid_network.hpp"

namespace shoal::sim {

Summary run_scenario(const Scenario& scenario, const SimOptions& options) {
  if (options.network_name == "fluid") {
    FluidNetwork network;
    Simulator sim(scenario, network, options);
    return sim.run();
  }
  if (options.network_name == "simgrid") return run_simgrid(scenario, {options}).front();
  throw std::runtime_error("unknown network model '" + options.network_name + "' (fluid or simgrid)");
}

std::vector<Summary> run_scenarios(const Scenario& scenario, const std::vector<SimOptions>& runs) {
  if (!runs.empty() && runs.front().network_name == "simgrid") return run_simgrid(scenario, runs);
  std::vector<Summary> out;
  for (const auto& options : runs) out.push_back(run_scenario(scenario, options));
  return out;
}

}  // namespace shoal::sim
