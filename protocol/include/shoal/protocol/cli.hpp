// The command-line conventions of units.hpp as CLI11 options, shared by shoal-origin, shoal-peer,
// shoal-play and shoal-sim: rates in bit/s with an optional k/M/G suffix ("3M"), durations with a unit
// ("500ms", "2s", "2m"), addresses as host:port. The parsing is units.hpp's; this only binds it to CLI11,
// so that a bad value reads e.g. "shoal-peer: error: --max-upload: invalid rate '3X' (bit/s with optional
// k, M or G, e.g. 3M)".
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "shoal/protocol/units.hpp"

namespace shoal::cli {

/// A Validator that runs `parse(text)` and reports the std::invalid_argument it throws (the one-line reason
/// of units.hpp's parsers, parse_channel_uri, ...) as "--flag: reason".
template <typename Parse>
CLI::Validator checked_by(Parse parse) {
  return CLI::Validator(
      [parse](std::string& text) -> std::string {
        try {
          parse(text);
          return {};
        } catch (const std::invalid_argument& e) {
          return e.what();
        }
      },
      "");
}

// Validators: an empty string when the text parses, else units.hpp's one-line reason.
CLI::Validator rate_text();
CLI::Validator duration_text();
CLI::Validator address_text();
/// A whole number in decimal ("0", "64"); no sign, no hex, no exponent.
CLI::Validator count_text();
/// A duration (as duration_text) within [min, max]: "must be between 100ms and 30s", "must be at least 3s".
CLI::Validator duration_within(std::chrono::microseconds min, std::optional<std::chrono::microseconds> max);
/// A count (as count_text) of at least min: "must be at least 1".
CLI::Validator count_at_least(std::uint64_t min);

// Options: `--flag VALUE` parsed into `target` by units.hpp. The help text is the caller's.
CLI::Option* add_rate(CLI::App& app, const std::string& name, std::uint64_t& bps, const std::string& help);
CLI::Option* add_rate(CLI::App& app, const std::string& name, std::optional<std::uint64_t>& bps,
                      const std::string& help);
CLI::Option* add_duration(CLI::App& app, const std::string& name, std::chrono::microseconds& target,
                          const std::string& help);
CLI::Option* add_duration(CLI::App& app, const std::string& name, std::optional<std::chrono::microseconds>& target,
                          const std::string& help);
CLI::Option* add_address(CLI::App& app, const std::string& name, HostPort& target, const std::string& help);
CLI::Option* add_count(CLI::App& app, const std::string& name, std::uint64_t& target, const std::string& help);

/// Shoal's conventions on a fresh App: `usage` is the first line of --help (e.g. "usage: shoal-peer
/// shoal://HOST:PORT/CHANNEL [options]"), -h/--help prints the help, a flag given twice takes its last value
/// (repeatable options set TakeAll themselves).
void configure(CLI::App& app, const std::string& usage);

/// `text` broken into lines of at most `width` characters at spaces, for a footer built from parts (e.g. the
/// stats fields' names); a word longer than `width` gets a line of its own.
std::string wrap(std::string_view text, std::size_t width = 80);

/// One line, without the program name, for a parse error: CLI11's own text, or for an unknown key in a
/// --config file "FILE: unknown key 'KEY' (...)".
std::string error_text(const CLI::App& app, const CLI::ParseError& e);

/// Parses the command line. nullopt: go on. Otherwise the exit status: 0 after --help (printed on stdout),
/// 2 after a usage error (one line "PROGRAM: error: ..." on stderr).
std::optional<int> parse(CLI::App& app, int argc, const char* const* argv);

}  // namespace shoal::cli
