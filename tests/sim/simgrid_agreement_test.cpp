// The fluid model against SimGrid's flow-level model on the same scenario,
// seed and peer core: offload and continuity must agree within 2 points.
#include <gtest/gtest.h>

#include <cmath>

#include "runner.hpp"

namespace shoal::sim {
namespace {

TEST(SimGridAgreement, FluidAndSimGridAgreeOnOffloadAndContinuity) {
  auto proto = read_scenario_file(std::string(SHOAL_SCENARIOS) + "/live-mesh.textproto");
  for (const char* s :
       {"peers=150", "length=60s", "warmup=0s", "arrivals.replace_departures=false", "sessions.stay=true"})
    apply_override(proto, s);
  const Scenario scenario = resolve(proto);
  SimOptions fluid;
  const Summary a = run_scenario(scenario, fluid);
  SimOptions simgrid;
  simgrid.network_name = "simgrid";
  const Summary b = run_scenario(scenario, simgrid);
  std::printf("fluid:   %s\nsimgrid: %s\n", a.to_json().c_str(), b.to_json().c_str());
  EXPECT_NEAR(a.offload, b.offload, 0.02);
  EXPECT_NEAR(a.continuity, b.continuity, 0.02);
  EXPECT_GT(a.cs_origin_bytes, 0u);
}

}  // namespace
}  // namespace shoal::sim
