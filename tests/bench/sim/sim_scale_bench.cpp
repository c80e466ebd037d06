// Scale goal of shoal-sim: live-mesh, 10,000 peers, 2 Mbit/s, 1 s chunks, 10
// simulated minutes, mean upload 1.5× the bitrate, on one core. Prints the
// summary and simulated seconds per wall second. Extra arguments are --set
// overrides (e.g. peers=2000 length=2m) for quicker runs.
#include <cstdio>
#include <string>

#include "runner.hpp"
#include "shoal/protocol/json_line.hpp"

int main(int argc, char** argv) {
  using namespace shoal::sim;
  try {
    auto proto = read_scenario_file(std::string(SHOAL_SCENARIOS) + "/live-mesh.textproto");
    for (const char* s : {"peers=10000", "bitrate=2M", "chunk_duration=1s", "length=10m", "rho=1.5"})
      apply_override(proto, s);
    for (int i = 1; i < argc; ++i) {
      if (std::string(argv[i]) == "--help") {
        std::puts("usage: bench_sim [KEY=VALUE ...]   (--set overrides of the 10,000-peer live-mesh run)");
        return 0;
      }
      apply_override(proto, argv[i]);
    }
    const Scenario scenario = resolve(proto);
    SimOptions options;
    options.progress = true;
    const Summary s = run_scenario(scenario, options);
    std::printf("%s\n", s.to_json().c_str());
    std::printf("%s\n", shoal::JsonLine()
                            .add("benchmark", "sim_scale")
                            .add("peers", s.peers)
                            .add("sim_s", s.sim_s)
                            .add("wall_s", s.wall_s)
                            .add("sim_seconds_per_wall_second", s.wall_s > 0 ? s.sim_s / s.wall_s : 0.0)
                            .add("events_per_s", s.wall_s > 0 ? static_cast<double>(s.events) / s.wall_s : 0.0)
                            .str()
                            .c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_sim: %s\n", e.what());
    return 2;
  }
}
