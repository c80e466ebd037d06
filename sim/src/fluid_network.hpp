// Lean max-min fair fluid model. Every flow crosses two links: its source's
// uplink and its destination's downlink. A link's "level" is its water-filling
// share given the caps its flows meet at their other link; a flow's rate is the
// smaller of its two levels. A flow start or end re-levels the two links it
// touches and propagates changes to neighbouring links until the levels settle
// (this fixed point is the max-min fair allocation for two-link flows), with a
// work bound per event so one change never rescans the whole swarm. A link
// carrying more than `busy_link` flows (an overloaded origin) is re-levelled at
// most once per `busy_period` of simulated time instead of at every change: in
// between, its flows keep their rates and a new flow takes the current level.
#pragma once

#include <chrono>
#include <queue>
#include <unordered_map>
#include <vector>

#include "network.hpp"

namespace shoal::sim {

class FluidNetwork final : public Network {
 public:
  /// `max_relevels` bounds the links re-levelled per flow start or end.
  explicit FluidNetwork(std::size_t max_relevels = 256, std::size_t busy_link = 64,
                        Time busy_period = std::chrono::milliseconds(10))
      : max_relevels_(max_relevels),
        busy_link_(busy_link),
        busy_period_(static_cast<double>(busy_period.count()) * 1e-6) {}

  NodeId add_node(double up_bps, double down_bps) override;
  FlowId start_flow(NodeId src, NodeId dst, std::uint64_t bytes, Time now) override;
  void cancel_flow(FlowId flow, Time now) override;
  std::vector<FlowId> advance(Time limit, Time& reached) override;
  std::size_t active_flows() const override { return flows_.size(); }

  /// Current rate of a flow in bit/s (tests).
  double rate_bps(FlowId flow) const;

 private:
  struct Link {
    double capacity = 0;  // bytes/s, +inf when unlimited
    double level = 0;     // bytes/s
    std::vector<FlowId> flows;
  };
  struct Flow {
    std::uint32_t up = 0;    // link index of the source's uplink
    std::uint32_t down = 0;  // link index of the destination's downlink
    double remaining = 0;    // bytes
    double rate = 0;         // bytes/s
    double since = 0;        // seconds; remaining is exact at this time
    std::uint64_t version = 0;
  };
  struct Completion {
    double at;
    FlowId flow;
    std::uint64_t version;
    bool operator>(const Completion& o) const { return at != o.at ? at > o.at : flow > o.flow; }
  };

  void relevel_from(std::uint32_t a, std::uint32_t b, double now);
  void relevel(const std::vector<std::uint32_t>& start, double now, bool include_busy);
  void defer(std::uint32_t link, double now);
  double waterfill(const Link& link) const;
  double other_level(const Flow& flow, std::uint32_t link) const;
  void refresh_rate(FlowId id, Flow& flow, double now);
  void detach(FlowId id, const Flow& flow);

  std::size_t max_relevels_;
  std::size_t busy_link_;
  double busy_period_;
  std::vector<std::uint32_t> deferred_;  // busy links waiting for their periodic re-level
  std::vector<char> is_deferred_;
  double deferred_at_ = 0;   // when the first of them was deferred
  std::vector<Link> links_;  // node n: uplink 2n, downlink 2n+1
  std::unordered_map<FlowId, Flow> flows_;
  std::priority_queue<Completion, std::vector<Completion>, std::greater<>> completions_;
  FlowId next_flow_ = 1;
  mutable std::vector<double> scratch_;
  std::vector<std::uint32_t> dirty_;
  std::vector<char> queued_;
};

}  // namespace shoal::sim
