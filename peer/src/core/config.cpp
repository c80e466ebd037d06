#include "shoal/peer/core/config.hpp"

namespace shoal::peer {

std::optional<NeighborPolicy> parse_neighbor_policy(std::string_view name) {
  if (name == "random") return NeighborPolicy::random;
  if (name == "position") return NeighborPolicy::position;
  return std::nullopt;
}

const char* to_string(NeighborPolicy policy) { return policy == NeighborPolicy::position ? "position" : "random"; }

}  // namespace shoal::peer
