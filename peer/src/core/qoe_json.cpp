#include "shoal/peer/core/qoe_json.hpp"

#include "shoal/peer/core/stats_values.hpp"

namespace shoal::peer {

JsonLine qoe_exit_json(const protocol::StatsValues& values) {
  JsonLine json;
  json.add("event", "exit");
  for (const protocol::StatsField& f : protocol::kStatsFields) json.add(f.name, values[static_cast<std::size_t>(f.id)]);
  return json;
}

JsonLine qoe_exit_json(const PeerStats& stats) { return qoe_exit_json(stats_values(stats)); }

}  // namespace shoal::peer
