// Writes the Prometheus text exposition format 0.0.4 (what /metrics answers): each family's HELP and TYPE, then
// its samples, one per channel (label `channel`). Families are written whole, one after another, as the format
// requires.
#pragma once

#include <string>
#include <string_view>

#include "shoal/origin/histogram.hpp"

namespace shoal::origin {

class PrometheusText {
 public:
  /// Starts a family: `type` is counter, gauge or histogram.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, std::string_view channel, double value);
  /// The `_bucket` (one per bound, then +Inf), `_sum` and `_count` samples of a histogram family.
  void histogram(std::string_view name, std::string_view channel, const Histogram& h);
  const std::string& str() const { return out_; }

 private:
  void line(std::string_view name, std::string_view channel, std::string_view le, double value);
  std::string out_;
};

}  // namespace shoal::origin
