// The policy registry: every piece-selection policy's name and selector, in one table. The CLIs, the
// simulator's --compare and the scenario files all go through it.
#include <array>

#include "baseline_selectors.hpp"
#include "deadline_selector.hpp"
#include "shoal/peer/core/config.hpp"

namespace shoal::peer {

namespace {
struct PolicyEntry {
  Policy policy;
  const char* name;
  const char* description;
  std::unique_ptr<PieceSelector> (*make)(const PeerConfig&);
};

// Shoal's policy first: it is the default, and --compare runs them in this order.
const std::array<PolicyEntry, 5> kPolicies{{
    {Policy::deadline, "deadline", "Deadline-aware window (urgent chunks in order, then rarest)",
     [](const PeerConfig&) -> std::unique_ptr<PieceSelector> { return std::make_unique<DeadlineSelector>(); }},
    {Policy::rarest, "rarest", "Rarest first",
     [](const PeerConfig&) -> std::unique_ptr<PieceSelector> { return std::make_unique<RarestSelector>(); }},
    {Policy::inorder, "inorder", "In order",
     [](const PeerConfig&) -> std::unique_ptr<PieceSelector> { return std::make_unique<InOrderSelector>(); }},
    {Policy::bitos, "bitos", "BiToS (high-priority set with probability p)",
     [](const PeerConfig& c) -> std::unique_ptr<PieceSelector> {
       return std::make_unique<BitosSelector>(c.bitos_high_priority_probability);
     }},
    {Policy::cs, "cs", "Client-server (origin only)",
     [](const PeerConfig&) -> std::unique_ptr<PieceSelector> { return std::make_unique<OriginOnlySelector>(); }},
}};

const PolicyEntry& entry(Policy policy) {
  for (auto& e : kPolicies)
    if (e.policy == policy) return e;
  return kPolicies[0];
}
}  // namespace

std::optional<Policy> parse_policy(std::string_view name) {
  for (auto& e : kPolicies)
    if (name == e.name) return e.policy;
  return std::nullopt;
}

const char* to_string(Policy policy) { return entry(policy).name; }

const char* describe(Policy policy) { return entry(policy).description; }

const std::vector<Policy>& all_policies() {
  static const std::vector<Policy> all = [] {
    std::vector<Policy> out;
    for (auto& e : kPolicies) out.push_back(e.policy);
    return out;
  }();
  return all;
}

std::string policy_names(std::string_view separator) {
  std::string out;
  for (auto& e : kPolicies) {
    if (!out.empty()) out += separator;
    out += e.name;
  }
  return out;
}

std::unique_ptr<PieceSelector> make_selector(const PeerConfig& config) { return entry(config.policy).make(config); }

}  // namespace shoal::peer
