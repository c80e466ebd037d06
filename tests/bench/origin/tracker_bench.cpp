// What one announce costs as the swarm grows: fills a channel's tracker with N viewers (each from its own
// address), then times re-announces asking for 50 peers. Prints one JSON line: nanoseconds per announce at
// each N and the ratio of the largest N's cost to the smallest's (about 1 when the work per announce does
// not grow with the swarm; it was linear while every announce scanned the table).
// Run: build/tests/bench/origin/bench_origin_tracker [ANNOUNCES]
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "shoal/origin/tracker.hpp"
#include "shoal/protocol/json_line.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::string address(std::size_t i) {
  return "10." + std::to_string(i / 65536 % 256) + "." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256);
}

double ns_per_announce(std::size_t viewers, std::size_t announces) {
  shoal::origin::Tracker tracker;
  const auto now = shoal::origin::Tracker::Clock::now();
  shoal::wire::AnnounceRequest r;
  r.set_listen_port(7000);
  r.set_want(50);
  std::vector<std::string> secrets(viewers);  // re-announces prove their entry, as real viewers do
  for (std::size_t i = 0; i < viewers; ++i) {
    r.set_peer_id("peer" + std::to_string(i));
    r.set_playhead_seq(i % 600);
    secrets[i] = tracker.announce(r, address(i), "192.0.2.1", now).secret();
  }
  std::size_t listed = 0;
  const auto start = Clock::now();
  for (std::size_t k = 0; k < announces; ++k) {
    const std::size_t i = k * 7919 % viewers;
    r.set_peer_id("peer" + std::to_string(i));
    r.set_playhead_seq(i % 600 + 1);
    r.set_secret(secrets[i]);
    listed += static_cast<std::size_t>(tracker.announce(r, address(i), "192.0.2.1", now).peers_size());
  }
  const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
  if (listed != announces * 50) std::cerr << "bench_origin_tracker: short replies (" << listed << ")\n";
  return ns / static_cast<double>(announces);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--help") {
    std::cout << "usage: bench_origin_tracker [ANNOUNCES]\n"
                 "  Times re-announces (want 50) against trackers of 1,000, 10,000 and 50,000 viewers;\n"
                 "  prints one JSON line: ns per announce at each size and the 50,000 / 1,000 ratio.\n";
    return 0;
  }
  const std::size_t announces = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20'000;
  if (announces == 0) {
    std::cerr << "bench_origin_tracker: error: ANNOUNCES must be a positive count\n";
    return 2;
  }
  const double small = ns_per_announce(1'000, announces);
  const double medium = ns_per_announce(10'000, announces);
  const double large = ns_per_announce(50'000, announces);
  std::cout << shoal::JsonLine()
                   .add("bench", "origin_tracker")
                   .add("announces", announces)
                   .add("ns_per_announce_1k", small)
                   .add("ns_per_announce_10k", medium)
                   .add("ns_per_announce_50k", large)
                   .add("ratio_50k_to_1k", large / small)
                   .str()
            << "\n";
}
