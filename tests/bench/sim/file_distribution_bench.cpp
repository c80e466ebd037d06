// The file-distribution check at a size ctest cannot afford under the sanitizers: the file-download
// scenario (default 1,000 peers) with the mesh (`rarest`) and client-server (`cs`), each distribution
// time printed against Kurose–Ross' bound as a ratio. Arguments are --set overrides (peers=100 ...).
#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>

#include "runner.hpp"
#include "shoal/protocol/json_line.hpp"

int main(int argc, char** argv) {
  using namespace shoal::sim;
  try {
    auto proto = read_scenario_file(std::string(SHOAL_SCENARIOS) + "/file-download.textproto");
    apply_override(proto, "peers=1000");
    for (int i = 1; i < argc; ++i) {
      if (std::string(argv[i]) == "--help") {
        std::puts("usage: bench_sim_file [KEY=VALUE ...]   (--set overrides of sim/scenarios/file-download)");
        return 0;
      }
      apply_override(proto, argv[i]);
    }
    for (const char* policy : {"rarest", "cs"}) {
      apply_override(proto, std::string("policy=") + policy);
      const Scenario sc = resolve(proto);
      const double n = static_cast<double>(sc.peers.size());
      const double file =
          sc.bitrate_bps * static_cast<double>(sc.chunk_count) * (static_cast<double>(sc.chunk_duration.count()) / 1e6);
      double sum_up = 0, d_min = std::numeric_limits<double>::infinity();
      for (const auto& p : sc.peers) {
        sum_up += p.up_bps;
        d_min = std::min(d_min, p.down_bps);
      }
      const bool mesh = std::string(policy) != "cs";
      const double bound =
          mesh ? std::max({file / sc.origin_up_bps, file / d_min, n * file / (sc.origin_up_bps + sum_up)})
               : std::max(n * file / sc.origin_up_bps, file / d_min);
      const Summary s = run_scenario(sc, SimOptions{});
      std::printf("%s\n", shoal::JsonLine()
                              .add("benchmark", "sim_file_distribution")
                              .add("policy", policy)
                              .add("peers", s.peers)
                              .add("distribution_s", s.distribution_s)
                              .add(mesh ? "d_p2p_s" : "d_cs_s", bound)
                              .add("ratio", bound > 0 ? s.distribution_s / bound : 0.0)
                              .add("wall_s", s.wall_s)
                              .add("events", s.events)
                              .str()
                              .c_str());
      std::fflush(stdout);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_sim_file: %s\n", e.what());
    return 2;
  }
}
