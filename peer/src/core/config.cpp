#include "shoal/peer/core/config.hpp"

namespace shoal::peer {

std::optional<Policy> parse_policy(std::string_view name) {
  if (name == "deadline") return Policy::deadline;
  if (name == "rarest") return Policy::rarest;
  if (name == "inorder") return Policy::inorder;
  if (name == "bitos") return Policy::bitos;
  if (name == "cs") return Policy::cs;
  return std::nullopt;
}

const char* to_string(Policy policy) {
  switch (policy) {
    case Policy::deadline:
      return "deadline";
    case Policy::rarest:
      return "rarest";
    case Policy::inorder:
      return "inorder";
    case Policy::bitos:
      return "bitos";
    case Policy::cs:
      return "cs";
  }
  return "deadline";
}

std::optional<NeighborPolicy> parse_neighbor_policy(std::string_view name) {
  if (name == "random") return NeighborPolicy::random;
  if (name == "position") return NeighborPolicy::position;
  return std::nullopt;
}

const char* to_string(NeighborPolicy policy) { return policy == NeighborPolicy::position ? "position" : "random"; }

}  // namespace shoal::peer
