// shoal-sim: the real peer core in simulated time. See docs/sim.md.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "runner.hpp"
#include "shoal/protocol/json_line.hpp"

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
    "  --plan             run nothing: print the resolved scenario as JSON lines, one for the channel\n"
    "                     (type \"channel\") then one per viewer (type \"viewer\": join_ms, leave_ms or null\n"
    "                     for staying to the end, upload_bps, download_bps or null for unlimited, free_rider);\n"
    "                     the multi-host testbed (tests/testbed) runs real processes from it\n"
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

}  // namespace

int main(int argc, char** argv) {
  using namespace shoal::sim;
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string path;
  std::vector<std::string> sets;
  SimOptions options;
  bool compare = false;
  bool plan = false;
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
      } else if (a == "--plan") {
        plan = true;
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
    if (plan) {
      print_plan(scenario);
      return 0;
    }
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
