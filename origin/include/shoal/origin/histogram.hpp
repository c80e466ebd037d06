// A Prometheus histogram's state: counts per bucket of protocol::kSecondsBuckets, their sum and count. The origin
// observes a session's value once (OriginMetric::histogram, StatsField::ended_histogram), so every bucket only
// grows, as Prometheus expects of a histogram's counters.
#pragma once

#include <array>
#include <cstdint>

#include "shoal/protocol/stats_fields.hpp"

namespace shoal::origin {

struct Histogram {
  static constexpr auto& kBounds = protocol::kSecondsBuckets;
  /// cumulative[i]: observations <= kBounds[i] (Prometheus' `le` buckets); `count` is the +Inf bucket.
  std::array<std::uint64_t, kBounds.size()> cumulative{};
  std::uint64_t count = 0;
  double sum = 0;

  void observe(double value) {
    for (std::size_t i = 0; i < kBounds.size(); ++i)
      if (value <= kBounds[i]) ++cumulative[i];
    ++count;
    sum += value;
  }
};

}  // namespace shoal::origin
