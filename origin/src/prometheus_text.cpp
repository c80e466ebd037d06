#include "shoal/origin/prometheus_text.hpp"

#include <cstdio>

namespace shoal::origin {
namespace {

// Shortest text that reads back as the same double ("1", "0.25", "1e+20").
std::string number(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

}  // namespace

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
  out_.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void PrometheusText::line(std::string_view name, std::string_view channel, std::string_view le, double value) {
  // Channel names come from the command line (NAME=...); they hold no quote or backslash to escape.
  out_.append(name).append("{channel=\"").append(channel).append("\"");
  if (!le.empty()) out_.append(",le=\"").append(le).append("\"");
  out_.append("} ").append(number(value)).append("\n");
}

void PrometheusText::sample(std::string_view name, std::string_view channel, double value) {
  line(name, channel, "", value);
}

void PrometheusText::histogram(std::string_view name, std::string_view channel, const Histogram& h) {
  const std::string base(name);
  for (std::size_t i = 0; i < Histogram::kBounds.size(); ++i)
    line(base + "_bucket", channel, number(Histogram::kBounds[i]), static_cast<double>(h.cumulative[i]));
  line(base + "_bucket", channel, "+Inf", static_cast<double>(h.count));
  line(base + "_sum", channel, "", h.sum);
  line(base + "_count", channel, "", static_cast<double>(h.count));
}

}  // namespace shoal::origin
