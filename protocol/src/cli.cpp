#include "shoal/protocol/cli.hpp"

#include <algorithm>
#include <charconv>
#include <iostream>
#include <stdexcept>

namespace shoal::cli {
namespace {

std::uint64_t parse_count(std::string_view text) {
  std::uint64_t n = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size())
    throw std::invalid_argument("expected a whole number, got '" + std::string(text) + "'");
  return n;
}

std::string duration_label(std::chrono::microseconds d) {
  if (d.count() % 1'000'000 == 0) return std::to_string(d.count() / 1'000'000) + "s";
  if (d.count() % 1'000 == 0) return std::to_string(d.count() / 1'000) + "ms";
  return std::to_string(d.count()) + "us";
}

// --help as the hand-written texts had it: the usage line first, then what the program does, the
// options, and the footer.
class Formatter : public CLI::Formatter {
 public:
  explicit Formatter(std::string usage) : usage_(std::move(usage)) {}
  std::string make_help(const CLI::App* app, std::string, CLI::AppFormatMode mode) const override {
    std::string help = usage_ + "\n\n" + make_description(app) + make_positionals(app) + make_groups(app, mode);
    const std::string footer = make_footer(app);
    if (!footer.empty()) help += "\n" + footer;
    return help;
  }

 private:
  std::string usage_;
};

}  // namespace

CLI::Validator rate_text() {
  return checked_by([](const std::string& t) { parse_rate(t); });
}
CLI::Validator duration_text() {
  return checked_by([](const std::string& t) { parse_duration(t); });
}
CLI::Validator address_text() {
  return checked_by([](const std::string& t) { parse_host_port(t); });
}
CLI::Validator count_text() {
  return checked_by([](const std::string& t) { parse_count(t); });
}

CLI::Validator duration_within(std::chrono::microseconds min, std::optional<std::chrono::microseconds> max) {
  const std::string reason = max ? "must be between " + duration_label(min) + " and " + duration_label(*max)
                                 : "must be at least " + duration_label(min);
  return checked_by([=](const std::string& t) {
    const auto d = parse_duration(t);
    if (d < min || (max && d > *max)) throw std::invalid_argument(reason);
  });
}

CLI::Validator count_at_least(std::uint64_t min) {
  return checked_by([=](const std::string& t) {
    if (parse_count(t) < min) throw std::invalid_argument("must be at least " + std::to_string(min));
  });
}

namespace {
// Every convention option is the same shape: a string parsed by units.hpp into the target, checked first so
// a bad value is one clear line.
template <class Target, class Parse>
CLI::Option* add_parsed(CLI::App& app, const std::string& name, Target& target, Parse parse, CLI::Validator check,
                        const char* type, const std::string& help) {
  return app
      .add_option_function<std::string>(
          name, [&target, parse](const std::string& t) { target = parse(t); }, help)
      ->check(std::move(check))
      ->type_name(type);
}
}  // namespace

CLI::Option* add_rate(CLI::App& app, const std::string& name, std::uint64_t& bps, const std::string& help) {
  return add_parsed(app, name, bps, parse_rate, rate_text(), "RATE", help);
}

CLI::Option* add_rate(CLI::App& app, const std::string& name, std::optional<std::uint64_t>& bps,
                      const std::string& help) {
  return add_parsed(app, name, bps, parse_rate, rate_text(), "RATE", help);
}

CLI::Option* add_duration(CLI::App& app, const std::string& name, std::chrono::microseconds& target,
                          const std::string& help) {
  return add_parsed(app, name, target, parse_duration, duration_text(), "DUR", help);
}

CLI::Option* add_duration(CLI::App& app, const std::string& name, std::optional<std::chrono::microseconds>& target,
                          const std::string& help) {
  return add_parsed(app, name, target, parse_duration, duration_text(), "DUR", help);
}

CLI::Option* add_address(CLI::App& app, const std::string& name, HostPort& target, const std::string& help) {
  return add_parsed(app, name, target, parse_host_port, address_text(), "HOST:PORT", help);
}

CLI::Option* add_count(CLI::App& app, const std::string& name, std::uint64_t& target, const std::string& help) {
  return add_parsed(app, name, target, parse_count, count_text(), "N", help);
}

void configure(CLI::App& app, const std::string& usage) {
  app.formatter(std::make_shared<Formatter>(usage));
  app.get_formatter()->column_width(24);
  app.set_help_flag("-h,--help", "this text");
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

std::string wrap(std::string_view text, std::size_t width) {
  std::string out;
  std::size_t line = 0;  // characters on the current line
  while (!text.empty()) {
    const std::size_t end = std::min(text.find(' '), text.size());
    const std::string_view word = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (line > 0 && line + 1 + word.size() > width) {
      out += '\n';
      line = 0;
    } else if (line > 0) {
      out += ' ';
      ++line;
    }
    out += word;
    line += word.size();
  }
  return out;
}

std::string error_text(const CLI::App& app, const CLI::ParseError& e) {
  std::string text = e.what();
  // CLI11 says "INI was not able to parse KEY" for a key of a --config file that names no option.
  static const std::string extra_key = "INI was not able to parse ";
  if (text.starts_with(extra_key)) {
    const CLI::Option* config = app.get_config_ptr();
    const std::string file = config != nullptr && config->count() > 0 ? config->as<std::string>() : "config file";
    return file + ": unknown key '" + text.substr(extra_key.size()) +
           "' (keys are the long options without their dashes, e.g. max-connections = 100)";
  }
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) text += " (see --help)";
  return text;
}

std::optional<int> parse(CLI::App& app, int argc, const char* const* argv) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help() << std::flush;
    return 0;
  } catch (const CLI::ParseError& e) {
    std::cerr << app.get_name() << ": error: " << error_text(app, e) << "\n";
    return 2;
  }
}

}  // namespace shoal::cli
