// shoal-sim: the real peer core in simulated time. See docs/sim.md.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "runner.hpp"

namespace {

constexpr const char* kUsage =
    "usage: shoal-sim SCENARIO.textproto [options]\n"
    "  Runs unchanged Shoal peer cores over a simulated network and prints one JSON summary per run on stdout.\n"
    "  --set KEY=VALUE    override a scenario field (path like arrivals.poisson.rate_per_s, or an alias:\n"
    "                     peers, lambda, rho, policy, seed, bitrate, length, free_riders, origin, buffer_target,\n"
    "                     neighbor_policy, neighbor_count; upload=M: every viewer uploads M x the bitrate;\n"
    "                     download=RATE: every viewer's download capacity; a scenario's rho still rescales\n"
    "                     uploads: add rho=0 to keep upload=M as given); repeatable\n"
    "  --policy NAME      deadline | rarest | inorder | bitos | cs (overrides the scenario)\n"
    "  --compare          run deadline, rarest, inorder, bitos and cs on the same scenario and seed;\n"
    "                     one JSON line each, a side-by-side table on stderr\n"
    "  --network MODEL    fluid (default, max-min fair fluid model) | simgrid (SimGrid 3.32 flow model)\n"
    "  --out DIR          write <scenario>-<policy>-series.csv and -peers.csv into DIR\n"
    "  --progress         progress lines on stderr during long runs\n"
    "  --trace PEER       log that peer's actions (by index; the origin's seeder is the last) on stderr\n"
    "  --help             this text\n";

void print_table(const std::vector<shoal::sim::Summary>& runs) {
  std::fprintf(stderr, "%-9s %8s %8s %10s %10s %9s %10s %10s %10s %8s\n", "policy", "offload", "bound", "efficiency",
               "continuity", "stalled", "start_p50", "start_p95", "lag_p95", "wall_s");
  for (const auto& s : runs) {
    std::fprintf(stderr, "%-9s %8.3f %8.3f %10.3f %10.4f %9.3f %10.0f %10.0f %10.0f %8.1f\n", s.policy.c_str(),
                 s.offload, s.offload_bound, s.efficiency, s.continuity, s.stalled_sessions, s.startup_p50_ms,
                 s.startup_p95_ms, s.lag_p95_ms, s.wall_s);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace shoal::sim;
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string path;
  std::vector<std::string> sets;
  SimOptions options;
  bool compare = false;
  try {
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      auto value = [&]() -> const std::string& {
        if (i + 1 >= args.size()) throw std::runtime_error(a + " needs a value");
        return args[++i];
      };
      if (a == "--help" || a == "-h") {
        std::fputs(kUsage, stdout);
        return 0;
      } else if (a == "--set") {
        sets.push_back(value());
      } else if (a == "--policy") {
        sets.push_back("policy=" + value());
      } else if (a == "--compare") {
        compare = true;
      } else if (a == "--network") {
        options.network_name = value();
      } else if (a == "--out") {
        options.out_dir = value();
      } else if (a == "--trace") {
        options.trace_peer = static_cast<std::uint32_t>(std::stoul(value()));
      } else if (a == "--progress") {
        options.progress = true;
      } else if (!a.empty() && a[0] == '-') {
        throw std::runtime_error("unknown option " + a + " (see --help)");
      } else if (path.empty()) {
        path = a;
      } else {
        throw std::runtime_error("one scenario file only (got " + path + " and " + a + ")");
      }
    }
    if (path.empty()) throw std::runtime_error("no scenario file (see --help)");
    auto proto = read_scenario_file(path);
    for (const auto& s : sets) apply_override(proto, s);
    const Scenario scenario = resolve(proto);
    if (!compare) {
      std::cout << run_scenario(scenario, options).to_json() << std::endl;
      return 0;
    }
    std::vector<SimOptions> variants;
    for (auto policy : {shoal::peer::Policy::deadline, shoal::peer::Policy::rarest, shoal::peer::Policy::inorder,
                        shoal::peer::Policy::bitos, shoal::peer::Policy::cs}) {
      variants.push_back(options);
      variants.back().policy = policy;
    }
    const auto runs = run_scenarios(scenario, variants);
    for (const auto& s : runs) std::cout << s.to_json() << std::endl;
    print_table(runs);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "shoal-sim: %s\n", e.what());
    return 2;
  }
}
