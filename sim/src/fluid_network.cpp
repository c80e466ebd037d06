#include "fluid_network.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace shoal::sim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// A flow between two unlimited links still takes some time; 1 TB/s keeps arithmetic finite.
constexpr double kFastest = 1e12;

double seconds(Time t) { return static_cast<double>(t.count()) * 1e-6; }
Time micros_ceil(double s) { return Time(static_cast<std::int64_t>(std::ceil(s * 1e6 - 1e-6))); }

}  // namespace

NodeId FluidNetwork::add_node(double up_bps, double down_bps) {
  const auto node = static_cast<NodeId>(links_.size() / 2);
  for (double bps : {up_bps, down_bps}) {
    Link link;
    link.capacity = std::isinf(bps) ? kInf : bps / 8.0;
    link.level = link.capacity;
    links_.push_back(std::move(link));
  }
  queued_.resize(links_.size(), 0);
  is_deferred_.resize(links_.size(), 0);
  return node;
}

FlowId FluidNetwork::start_flow(NodeId src, NodeId dst, std::uint64_t bytes, Time now) {
  if (2 * static_cast<std::size_t>(std::max(src, dst)) + 1 >= links_.size()) throw std::out_of_range("no such node");
  const FlowId id = next_flow_++;
  Flow flow;
  flow.up = 2 * src;
  flow.down = 2 * dst + 1;
  flow.remaining = static_cast<double>(bytes);
  flow.since = seconds(now);
  links_[flow.up].flows.push_back(id);
  links_[flow.down].flows.push_back(id);
  const auto [up, down] = std::pair{flow.up, flow.down};
  flows_.emplace(id, flow);
  relevel_from(up, down, seconds(now));
  return id;
}

void FluidNetwork::cancel_flow(FlowId id, Time now) {
  auto it = flows_.find(id);
  if (it == flows_.end()) return;
  const Flow flow = it->second;
  detach(id, flow);
  flows_.erase(it);
  relevel_from(flow.up, flow.down, seconds(now));
}

void FluidNetwork::detach(FlowId id, const Flow& flow) {
  for (std::uint32_t l : {flow.up, flow.down}) {
    auto& v = links_[l].flows;
    auto pos = std::find(v.begin(), v.end(), id);
    if (pos != v.end()) {
      *pos = v.back();
      v.pop_back();
    }
  }
}

double FluidNetwork::other_level(const Flow& flow, std::uint32_t link) const {
  return link == flow.up ? links_[flow.down].level : links_[flow.up].level;
}

double FluidNetwork::waterfill(const Link& link) const {
  if (std::isinf(link.capacity) || link.flows.empty()) return link.capacity;
  scratch_.clear();
  for (FlowId id : link.flows) {
    const auto l = static_cast<std::uint32_t>(&link - links_.data());
    scratch_.push_back(other_level(flows_.at(id), l));
  }
  std::sort(scratch_.begin(), scratch_.end());
  double rest = link.capacity;
  double left = static_cast<double>(scratch_.size());
  for (double cap : scratch_) {
    if (cap * left <= rest) {
      rest -= cap;
      left -= 1;
    } else {
      return rest / left;
    }
  }
  return link.capacity;  // not a bottleneck for any of its flows
}

void FluidNetwork::refresh_rate(FlowId id, Flow& flow, double now) {
  double rate = std::min(links_[flow.up].level, links_[flow.down].level);
  if (std::isinf(rate)) rate = kFastest;
  if (rate == flow.rate && flow.version != 0) return;
  flow.remaining = std::max(0.0, flow.remaining - flow.rate * (now - flow.since));
  flow.since = now;
  flow.rate = rate;
  ++flow.version;
  if (rate > 0) completions_.push({now + flow.remaining / rate, id, flow.version});
}

void FluidNetwork::relevel_from(std::uint32_t a, std::uint32_t b, double now) { relevel({a, b}, now, false); }

void FluidNetwork::defer(std::uint32_t link, double now) {
  if (is_deferred_[link]) return;
  if (deferred_.empty()) deferred_at_ = now;
  is_deferred_[link] = 1;
  deferred_.push_back(link);
}

void FluidNetwork::relevel(const std::vector<std::uint32_t>& start, double now, bool include_busy) {
  dirty_.clear();
  std::vector<std::uint32_t> changed(start);
  std::size_t head = 0;
  for (std::uint32_t l : start) {
    if (queued_[l]) continue;
    dirty_.push_back(l);
    queued_[l] = 1;
  }
  std::size_t work = 0;
  while (head < dirty_.size() && work < max_relevels_ + start.size()) {
    const std::uint32_t l = dirty_[head++];
    queued_[l] = 0;
    Link& link = links_[l];
    if (!include_busy && link.flows.size() > busy_link_) {
      defer(l, now);
      continue;
    }
    ++work;
    const double level = waterfill(link);
    const double old = link.level;
    if (level == old || (std::isfinite(old) && std::abs(level - old) <= 1e-9 * std::max(1.0, old))) continue;
    link.level = level;
    changed.push_back(l);
    for (FlowId id : link.flows) {
      const Flow& flow = flows_.at(id);
      const std::uint32_t other = l == flow.up ? flow.down : flow.up;
      if (!queued_[other]) {
        queued_[other] = 1;
        dirty_.push_back(other);
      }
    }
  }
  for (; head < dirty_.size(); ++head) queued_[dirty_[head]] = 0;
  std::sort(changed.begin(), changed.end());
  changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
  for (std::uint32_t l : changed) {
    // A deferred busy link's flows are refreshed when it is re-levelled, except the new one.
    if (!include_busy && links_[l].flows.size() > busy_link_) {
      for (FlowId id : links_[l].flows) {
        Flow& flow = flows_.at(id);
        if (flow.version == 0) refresh_rate(id, flow, now);
      }
      continue;
    }
    for (FlowId id : links_[l].flows) refresh_rate(id, flows_.at(id), now);
  }
}

std::vector<FlowId> FluidNetwork::advance(Time limit, Time& reached) {
  std::vector<FlowId> done;
  auto stale = [&](const Completion& c) {
    auto it = flows_.find(c.flow);
    return it == flows_.end() || it->second.version != c.version;
  };
  while (true) {
    while (!completions_.empty() && stale(completions_.top())) completions_.pop();
    const bool due = !completions_.empty() && micros_ceil(completions_.top().at) <= limit;
    const Time tick = deferred_.empty() ? Time::max() : micros_ceil(deferred_at_ + busy_period_);
    if (tick <= limit && (!due || tick < micros_ceil(completions_.top().at))) {
      // Busy links catch up with every change of the last period at once.
      std::vector<std::uint32_t> busy;
      busy.swap(deferred_);
      for (auto l : busy) is_deferred_[l] = 0;
      relevel(busy, seconds(tick), true);
      continue;
    }
    if (!due) {
      reached = limit;
      return done;
    }
    break;
  }
  reached = micros_ceil(completions_.top().at);
  const double now = seconds(reached);
  // Compare in whole microseconds, as `reached` was computed: a completion a rounding error after
  // `now` would otherwise never be collected.
  while (!completions_.empty() && micros_ceil(completions_.top().at) <= reached) {
    const Completion c = completions_.top();
    completions_.pop();
    if (stale(c)) continue;
    auto it = flows_.find(c.flow);
    const Flow flow = it->second;
    detach(c.flow, flow);
    flows_.erase(it);
    done.push_back(c.flow);
    relevel_from(flow.up, flow.down, now);
  }
  return done;
}

double FluidNetwork::rate_bps(FlowId id) const {
  auto it = flows_.find(id);
  return it == flows_.end() ? 0.0 : it->second.rate * 8.0;
}

}  // namespace shoal::sim
