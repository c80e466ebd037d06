// The command-line conventions every Shoal binary shares: rates in bit/s with
// an optional k/M/G suffix ("3M" = 3,000,000 bit/s), durations with a unit
// ("500ms", "2s", "2m"), addresses as host:port. Parsers throw
// std::invalid_argument with a one-line message naming the bad text.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace shoal {

/// "3M" -> 3'000'000, "500k" -> 500'000, "1.5M" -> 1'500'000, "0" -> 0.
std::uint64_t parse_rate(std::string_view text);

/// "500ms", "2s", "1.5s", "2m", "1h", "250us" -> microseconds. A unit is required.
std::chrono::microseconds parse_duration(std::string_view text);

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

/// "127.0.0.1:8080", "[::1]:8080", "localhost:0".
HostPort parse_host_port(std::string_view text);

/// "3M", "1.5M", "500k", "12" — the inverse of parse_rate for logs.
std::string format_rate(std::uint64_t bits_per_second);

}  // namespace shoal
