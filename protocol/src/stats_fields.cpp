#include "shoal/protocol/stats_fields.hpp"

namespace shoal::protocol {
namespace {

// The table's invariants, checked where it is compiled once rather than by every consumer: one complete row per
// StatsFieldId in its order (stats_field() indexes by id; a missing row is an empty one), widths a protobuf
// scalar has, and a /metrics family only for fields the origin receives.
constexpr bool table_is_consistent() {
  for (std::size_t i = 0; i < kStatsFields.size(); ++i) {
    const StatsField& f = kStatsFields[i];
    if (static_cast<std::size_t>(f.id) != i) return false;
    if (f.bits != 32 && f.bits != 64) return false;
    if (f.name.empty() || f.help.empty() || f.element_field.empty()) return false;
    if ((f.metric_kind == OriginMetric::none) != f.metric.empty()) return false;
    if (f.metric_kind != OriginMetric::none && (!f.reported || f.metric_help.empty())) return false;
    if (!f.ended_histogram.empty() && f.metric_kind == OriginMetric::none) return false;
  }
  return true;
}
static_assert(table_is_consistent(), "kStatsFields does not match StatsFieldId or has an incomplete row");

}  // namespace

std::string_view to_string(StatsUnit unit) {
  switch (unit) {
    case StatsUnit::ms:
      return "ms";
    case StatsUnit::count:
      return "count";
    case StatsUnit::chunks:
      return "chunks";
    case StatsUnit::bytes:
      return "bytes";
  }
  return "?";
}

std::string stats_field_names() {
  std::string names;
  for (const StatsField& f : kStatsFields) {
    if (!names.empty()) names += ", ";
    names += f.name;
  }
  return names;
}

}  // namespace shoal::protocol
