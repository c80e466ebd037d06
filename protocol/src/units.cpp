#include "shoal/protocol/units.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace shoal {
namespace {

// Splits "1.5M" into 1.5 and "M". Rejects an empty or non-numeric number part.
double parse_number(std::string_view text, std::string_view& suffix, const char* what) {
  std::size_t i = 0;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + i, value);
  if (i == 0 || ec != std::errc{} || ptr != text.data() + i || !std::isfinite(value))
    throw std::invalid_argument(std::string("invalid ") + what + " '" + std::string(text) + "'");
  suffix = text.substr(i);
  return value;
}

}  // namespace

std::uint64_t parse_rate(std::string_view text) {
  std::string_view suffix;
  const double value = parse_number(text, suffix, "rate");
  double scale = 1;
  if (suffix == "k" || suffix == "K")
    scale = 1e3;
  else if (suffix == "M")
    scale = 1e6;
  else if (suffix == "G")
    scale = 1e9;
  else if (!suffix.empty())
    throw std::invalid_argument("invalid rate '" + std::string(text) + "' (bit/s with optional k, M or G, e.g. 3M)");
  const double bits = value * scale;
  if (bits > 1e15) throw std::invalid_argument("rate '" + std::string(text) + "' is too large");
  return static_cast<std::uint64_t>(std::llround(bits));
}

std::chrono::microseconds parse_duration(std::string_view text) {
  std::string_view suffix;
  const double value = parse_number(text, suffix, "duration");
  double us_per_unit = 0;
  if (suffix == "us")
    us_per_unit = 1;
  else if (suffix == "ms")
    us_per_unit = 1e3;
  else if (suffix == "s")
    us_per_unit = 1e6;
  else if (suffix == "m")
    us_per_unit = 60e6;
  else if (suffix == "h")
    us_per_unit = 3600e6;
  else
    throw std::invalid_argument("invalid duration '" + std::string(text) + "' (needs a unit: us, ms, s, m or h)");
  const double us = value * us_per_unit;
  if (us > 1e15) throw std::invalid_argument("duration '" + std::string(text) + "' is too long");
  return std::chrono::microseconds(static_cast<std::int64_t>(std::llround(us)));
}

HostPort parse_host_port(std::string_view text) {
  const auto bad = [&] {
    return std::invalid_argument("invalid address '" + std::string(text) + "' (expected host:port)");
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) throw bad();
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') throw bad();
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    throw bad();  // a bare IPv6 address needs brackets
  }
  unsigned port = 0;
  const auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || ptr != port_text.data() + port_text.size() || port > 65535) throw bad();
  return HostPort{std::string(host), static_cast<std::uint16_t>(port)};
}

std::string format_rate(std::uint64_t bps) {
  const auto fmt = [](double v, const char* unit) {
    char buf[32];
    const double rounded = std::round(v * 100) / 100;
    std::snprintf(buf, sizeof buf, "%g%s", rounded, unit);
    return std::string(buf);
  };
  if (bps >= 1'000'000'000) return fmt(static_cast<double>(bps) / 1e9, "G");
  if (bps >= 1'000'000) return fmt(static_cast<double>(bps) / 1e6, "M");
  if (bps >= 1'000) return fmt(static_cast<double>(bps) / 1e3, "k");
  return std::to_string(bps);
}

}  // namespace shoal
