// shoal-sim: the real peer core in simulated time. See docs/sim.md.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "runner.hpp"
#include "shoal/protocol/cli.hpp"
#include "shoal/protocol/json_line.hpp"

namespace {

constexpr const char* kDescription =
    "Runs unchanged Shoal peer cores over a simulated network and prints one JSON summary per run on stdout.";

struct Command {
  std::string path;
  std::vector<std::string> sets;  // --set and --policy, in command-line order
  shoal::sim::SimOptions options;
  bool compare = false;
  bool plan = false;
};

void add_sim_options(CLI::App& app, Command& c) {
  shoal::cli::configure(app, "usage: shoal-sim SCENARIO.textproto [options]");
  app.description(kDescription);
  app.add_option("scenario", c.path, "the scenario file (sim/scenarios/)")->type_name("SCENARIO.textproto");
  // Each --set (and --policy) is kept as it comes, so that a later one overrides an earlier one.
  app.add_option_function<std::string>(
         "--set", [&c](const std::string& kv) { c.sets.push_back(kv); },
         "override a scenario field (path like arrivals.poisson.rate_per_s, or an alias:\n"
         "peers, lambda, rho, policy, seed, bitrate, length, free_riders, origin, buffer_target,\n"
         "neighbor_policy, neighbor_count; upload=M: every viewer uploads M x the bitrate;\n"
         "download=RATE: every viewer's download capacity; a scenario's rho still rescales\n"
         "uploads: add rho=0 to keep upload=M as given); repeatable")
      ->type_name("KEY=VALUE")
      ->trigger_on_parse();
  app.add_option_function<std::string>(
         "--policy", [&c](const std::string& name) { c.sets.push_back("policy=" + name); },
         shoal::peer::policy_names(" | ") + " (overrides the scenario)")
      ->type_name("NAME")
      ->trigger_on_parse();
  app.add_flag("--compare", c.compare,
               "run every policy (" + shoal::peer::policy_names() +
                   ") on the same scenario and seed;\n"
                   "one JSON line each, a side-by-side table on stderr");
  app.add_option("--network", c.options.network_name,
                 "fluid (default, max-min fair fluid model) | simgrid (SimGrid 3.32 flow model)")
      ->type_name("MODEL");
  app.add_option("--out", c.options.out_dir, "write <scenario>-<policy>-series.csv and -peers.csv into DIR")
      ->type_name("DIR");
  app.add_flag("--progress", c.options.progress, "progress lines on stderr during long runs");
  app.add_option("--trace", c.options.trace_peer,
                 "log that peer's actions (by index; the origin's seeder is the last) on stderr")
      ->type_name("PEER")
      ->check(shoal::cli::count_text());
  app.add_flag("--plan", c.plan,
               "run nothing: print the resolved scenario as JSON lines, one for the channel\n"
               "(type \"channel\") then one per viewer (type \"viewer\": join_ms, leave_ms or null\n"
               "for staying to the end, upload_bps, download_bps or null for unlimited, free_rider);\n"
               "the multi-host testbed (tests/testbed) runs real processes from it");
  app.callback([&c] {
    if (c.path.empty()) throw CLI::ValidationError("no scenario file (see --help)");
  });
}

void print_table(const std::vector<shoal::sim::Summary>& runs) {
  std::fprintf(stderr, "%-9s %8s %8s %10s %10s %9s %10s %10s %10s %8s\n", "policy", "offload", "bound", "efficiency",
               "continuity", "stalled", "start_p50", "start_p95", "lag_p95", "wall_s");
  for (const auto& s : runs) {
    std::fprintf(stderr, "%-9s %8.3f %8.3f %10.3f %10.4f %9.3f %10.0f %10.0f %10.0f %8.1f\n", s.policy.c_str(),
                 s.offload, s.offload_bound, s.efficiency, s.continuity, s.stalled_sessions, s.startup_p50_ms,
                 s.startup_p95_ms, s.lag_p95_ms, s.wall_s);
  }
}

std::int64_t ms(shoal::sim::Time t) { return std::chrono::duration_cast<std::chrono::milliseconds>(t).count(); }

// Rates and times as integers: the %.6g of JsonLine's doubles would round a 2,333,333 bit/s uplink.
shoal::JsonLine& add_rate(shoal::JsonLine& j, std::string_view key, double bps) {
  return std::isfinite(bps) ? j.add(key, static_cast<std::int64_t>(std::llround(bps))) : j.add_raw(key, "null");
}

// The scenario as the testbed needs it to start real processes: what --set and the seed resolved to.
void print_plan(const shoal::sim::Scenario& s) {
  using shoal::JsonLine;
  JsonLine channel;
  channel.add("type", "channel").add("name", s.name);
  add_rate(channel, "bitrate_bps", s.bitrate_bps);
  channel.add("chunk_duration_ms", ms(s.chunk_duration))
      .add("chunk_bytes", s.chunk_bytes)
      .add("live", s.live)
      .add("file_download", s.file_download)
      .add("length_ms", ms(s.length));
  add_rate(channel, "origin_upload_bps", s.origin_up_bps);
  channel.add("origin_max_transfers", s.origin_max_transfers)
      .add("origin_seeder", s.origin_seeder)
      .add("origin_latency_ms", ms(s.origin_latency))
      .add("policy", shoal::peer::to_string(s.policy))
      .add("neighbor_policy", shoal::peer::to_string(s.neighbor_policy))
      .add("neighbor_count", s.neighbor_count)
      .add("buffer_target_ms", ms(s.buffer_target));
  if (!s.proto.hold_back().empty()) channel.add("hold_back_ms", ms(s.hold_back));
  const auto kind = s.proto.arrivals().kind_case();
  channel.add("arrivals", kind == shoal::sim::pb::Arrivals::kFlashCrowd ? "flash_crowd"
                          : kind == shoal::sim::pb::Arrivals::kPoisson  ? "poisson"
                                                                        : "trace_file");
  channel.add("warmup_ms", ms(s.warmup)).add("seed", s.seed).add("viewers", s.peers.size());
  std::cout << channel.str() << "\n";
  for (std::size_t i = 0; i < s.peers.size(); ++i) {
    const auto& p = s.peers[i];
    JsonLine v;
    v.add("type", "viewer").add("index", i).add("join_ms", ms(p.join));
    if (p.leave == shoal::sim::Time::max())
      v.add_raw("leave_ms", "null");
    else
      v.add("leave_ms", ms(p.leave));
    v.add("leave_after_watching", p.leave_after_watching);
    add_rate(v, "upload_bps", p.up_bps);
    add_rate(v, "download_bps", p.down_bps);
    v.add("free_rider", p.upload_class < 0)
        .add("upload_class", p.upload_class < 0 ? std::string("free-rider")
                                                : s.class_names.at(static_cast<std::size_t>(p.upload_class)))
        .add("latency_ms", ms(p.latency))
        .add("seed_residence_ms", ms(p.seed_residence));
    std::cout << v.str() << "\n";
  }
  std::cout.flush();
}

// Runs the resolved scenario once, or once per policy with --compare; summaries on stdout.
void run(const shoal::sim::Scenario& scenario, const Command& c) {
  using namespace shoal::sim;
  if (!c.compare) {
    std::cout << run_scenario(scenario, c.options).to_json() << std::endl;
    return;
  }
  std::vector<SimOptions> variants;
  for (auto policy : shoal::peer::all_policies()) {
    variants.push_back(c.options);
    variants.back().policy = policy;
  }
  const auto runs = run_scenarios(scenario, variants);
  for (const auto& s : runs) std::cout << s.to_json() << std::endl;
  print_table(runs);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace shoal::sim;
  Command command;
  CLI::App app("", "shoal-sim");
  add_sim_options(app, command);
  if (const auto status = shoal::cli::parse(app, argc, argv)) return *status;
  try {
    auto proto = read_scenario_file(command.path);
    for (const auto& s : command.sets) apply_override(proto, s);
    const Scenario scenario = resolve(proto);
    if (command.plan)
      print_plan(scenario);
    else
      run(scenario, command);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "shoal-sim: %s\n", e.what());
    return 2;
  }
}
