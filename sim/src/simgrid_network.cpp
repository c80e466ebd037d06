#include "simgrid_network.hpp"

#include <cmath>
#include <limits>
#include <simgrid/s4u.hpp>
#include <stdexcept>
#include <unordered_map>

namespace sg4 = simgrid::s4u;

namespace shoal::sim {
namespace {

// SimGrid needs finite, positive bandwidths (bytes/s).
double link_bandwidth(double bps) {
  if (std::isinf(bps)) return 1e12;
  return std::max(bps / 8.0, 1e-3);
}

class SimGridNetwork final : public Network {
 public:
  SimGridNetwork(const std::vector<sg4::Host*>& hosts, double epoch) : hosts_(hosts), epoch_(epoch) {}
  ~SimGridNetwork() override {
    for (auto& [id, comm] : comms_) comm->cancel();
  }

  NodeId add_node(double, double) override {
    if (next_node_ >= hosts_.size()) throw std::logic_error("simgrid platform has fewer hosts than nodes");
    return next_node_++;
  }
  FlowId start_flow(NodeId src, NodeId dst, std::uint64_t bytes, Time) override {
    const FlowId id = next_flow_++;
    comms_.emplace(id, sg4::Comm::sendto_async(hosts_.at(src), hosts_.at(dst), std::max<std::uint64_t>(bytes, 1)));
    return id;
  }
  void cancel_flow(FlowId flow, Time) override {
    auto it = comms_.find(flow);
    if (it == comms_.end()) return;
    it->second->cancel();
    comms_.erase(it);
  }
  std::vector<FlowId> advance(Time limit, Time& reached) override {
    std::vector<FlowId> done;
    const double limit_s = epoch_ + static_cast<double>(limit.count()) * 1e-6;
    const double timeout = limit_s - sg4::Engine::get_clock();
    if (comms_.empty()) {
      if (timeout > 0) sg4::this_actor::sleep_for(timeout);
      reached = limit;
      return done;
    }
    std::vector<sg4::CommPtr> comms;
    std::vector<FlowId> ids;
    for (auto& [id, comm] : comms_) {
      ids.push_back(id);
      comms.push_back(comm);
    }
    const ssize_t first = sg4::Comm::wait_any_for(comms, std::max(0.0, timeout));
    if (first < 0) {
      reached = limit;
      return done;
    }
    const double now = sg4::Engine::get_clock() - epoch_;
    reached = std::min(limit, Time(static_cast<std::int64_t>(std::ceil(now * 1e6 - 1e-6))));
    for (std::size_t i = 0; i < comms.size(); ++i) {
      if (static_cast<ssize_t>(i) == first || comms[i]->test()) {
        done.push_back(ids[i]);
        comms_.erase(ids[i]);
      }
    }
    std::sort(done.begin(), done.end());
    return done;
  }
  std::size_t active_flows() const override { return comms_.size(); }

 private:
  std::vector<sg4::Host*> hosts_;
  double epoch_;
  NodeId next_node_ = 0;
  FlowId next_flow_ = 1;
  std::map<FlowId, sg4::CommPtr> comms_;
};

}  // namespace

std::vector<Summary> run_simgrid(const Scenario& scenario, const std::vector<SimOptions>& runs) {
  static bool used = false;
  if (used) throw std::logic_error("SimGrid's engine can run once per process");
  used = true;
  int argc = 1;
  char name[] = "shoal-sim";
  char* argv[] = {name, nullptr};
  sg4::Engine engine(&argc, argv);
  // Flow-level max-min sharing without TCP correction factors or reverse ACK traffic: the same
  // question the fluid model answers, so the comparison checks the sharing itself.
  sg4::Engine::set_config("network/model:CM02");
  sg4::Engine::set_config("network/crosstraffic:0");
  auto* zone = sg4::create_star_zone("world");
  std::vector<sg4::Host*> hosts;
  auto add = [&](const std::string& id, double up, double down) {
    auto* host = zone->create_host(id, 1e9);
    auto* up_link = zone->create_link(id + "-up", link_bandwidth(up))->set_latency(0)->seal();
    auto* down_link = zone->create_link(id + "-down", link_bandwidth(down))->set_latency(0)->seal();
    zone->add_route(host->get_netpoint(), nullptr, nullptr, nullptr, {sg4::LinkInRoute(up_link)}, false);
    zone->add_route(nullptr, host->get_netpoint(), nullptr, nullptr, {sg4::LinkInRoute(down_link)}, false);
    hosts.push_back(host);
  };
  add("origin", scenario.origin_up_bps, std::numeric_limits<double>::infinity());
  for (std::size_t i = 0; i < scenario.peers.size(); ++i)
    add("peer" + std::to_string(i), scenario.peers[i].up_bps, scenario.peers[i].down_bps);
  zone->seal();

  std::vector<Summary> out;
  sg4::Actor::create("driver", hosts.front(), [&] {
    for (const auto& options : runs) {
      SimGridNetwork network(hosts, sg4::Engine::get_clock());
      Simulator sim(scenario, network, options);
      out.push_back(sim.run());
    }
  });
  engine.run();
  return out;
}

}  // namespace shoal::sim
