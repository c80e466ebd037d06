// shoal::cli: units.hpp's rates, durations and addresses as CLI11 options, accepted and refused through
// a real CLI::App as the four binaries use it.
#include "shoal/protocol/cli.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace shoal::cli {
namespace {

using namespace std::chrono_literals;

struct Options {
  std::uint64_t upload = 7;
  std::optional<std::uint64_t> cap;
  std::chrono::microseconds target{3'000'000};
  std::optional<std::chrono::microseconds> stop;
  HostPort listen{"127.0.0.1", 8080};
  std::uint64_t connections = 64;
  std::chrono::microseconds chunk{1'000'000};
};

struct Cli {
  Cli() : app("A test program.", "shoal-test") {
    configure(app, "usage: shoal-test [options]");
    add_rate(app, "--upload", o.upload, "upload rate");
    add_rate(app, "--cap", o.cap, "optional cap");
    add_duration(app, "--target", o.target, "buffer target");
    add_duration(app, "--stop", o.stop, "stop after");
    add_address(app, "--listen", o.listen, "address");
    add_count(app, "--connections", o.connections, "connections")->check(count_at_least(1));
    add_duration(app, "--chunk", o.chunk, "chunk")->check(duration_within(100ms, 30s));
  }
  // The one-line error parse() would print after the program name, "" when the arguments parse, "help"
  // for a request for help.
  std::string run(std::vector<std::string> args) {
    args.insert(args.begin(), "shoal-test");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    try {
      app.parse(static_cast<int>(argv.size()), argv.data());
      return "";
    } catch (const CLI::CallForHelp&) {
      return "help";
    } catch (const CLI::ParseError& e) {
      return error_text(app, e);
    }
  }
  CLI::App app;
  Options o;
};

TEST(Cli, DefaultsStayWhenNothingIsGiven) {
  Cli cli;
  EXPECT_EQ(cli.run({}), "");
  EXPECT_EQ(cli.o.upload, 7u);
  EXPECT_FALSE(cli.o.cap);
  EXPECT_EQ(cli.o.target, 3s);
  EXPECT_FALSE(cli.o.stop);
  EXPECT_EQ(cli.o.listen.host, "127.0.0.1");
  EXPECT_EQ(cli.o.listen.port, 8080);
}

TEST(Cli, RatesTakeTheUnitsSuffixes) {
  Cli cli;
  EXPECT_EQ(cli.run({"--upload", "3M", "--cap", "1.5k"}), "");
  EXPECT_EQ(cli.o.upload, 3'000'000u);
  EXPECT_EQ(cli.o.cap, 1'500u);
  Cli zero;
  EXPECT_EQ(zero.run({"--upload=0"}), "");
  EXPECT_EQ(zero.o.upload, 0u);
}

TEST(Cli, ABadRateIsRefusedNamingFlagAndText) {
  Cli cli;
  EXPECT_EQ(cli.run({"--upload", "3X"}), "--upload: invalid rate '3X' (bit/s with optional k, M or G, e.g. 3M)");
  EXPECT_EQ(cli.o.upload, 7u);
  EXPECT_EQ(Cli().run({"--cap", "fast"}), "--cap: invalid rate 'fast'");
  EXPECT_EQ(Cli().run({"--upload"}), "--upload: 1 required RATE missing");
}

TEST(Cli, DurationsNeedAUnit) {
  Cli cli;
  EXPECT_EQ(cli.run({"--target", "500ms", "--stop", "2m"}), "");
  EXPECT_EQ(cli.o.target, 500ms);
  EXPECT_EQ(cli.o.stop, 2min);
  EXPECT_EQ(Cli().run({"--target", "5"}), "--target: invalid duration '5' (needs a unit: us, ms, s, m or h)");
}

TEST(Cli, DurationRangesAreChecked) {
  Cli cli;
  EXPECT_EQ(cli.run({"--chunk", "2s"}), "");
  EXPECT_EQ(cli.o.chunk, 2s);
  EXPECT_EQ(Cli().run({"--chunk", "50ms"}), "--chunk: must be between 100ms and 30s");
  EXPECT_EQ(Cli().run({"--chunk", "31s"}), "--chunk: must be between 100ms and 30s");
  EXPECT_EQ(Cli().run({"--chunk", "x"}), "--chunk: invalid duration 'x'");
}

TEST(Cli, AddressesAreHostColonPort) {
  Cli cli;
  EXPECT_EQ(cli.run({"--listen", "[::1]:0"}), "");
  EXPECT_EQ(cli.o.listen.host, "::1");
  EXPECT_EQ(cli.o.listen.port, 0);
  EXPECT_EQ(Cli().run({"--listen", "localhost"}), "--listen: invalid address 'localhost' (expected host:port)");
  EXPECT_EQ(Cli().run({"--listen", "h:70000"}), "--listen: invalid address 'h:70000' (expected host:port)");
}

TEST(Cli, CountsAreDecimalWholeNumbers) {
  Cli cli;
  EXPECT_EQ(cli.run({"--connections", "100"}), "");
  EXPECT_EQ(cli.o.connections, 100u);
  EXPECT_EQ(Cli().run({"--connections", "-3"}), "--connections: expected a whole number, got '-3'");
  EXPECT_EQ(Cli().run({"--connections", "0x10"}), "--connections: expected a whole number, got '0x10'");
  EXPECT_EQ(Cli().run({"--connections", "0"}), "--connections: must be at least 1");
}

TEST(Cli, TheLastOfARepeatedFlagWins) {
  Cli cli;
  EXPECT_EQ(cli.run({"--upload", "1M", "--upload", "2M"}), "");
  EXPECT_EQ(cli.o.upload, 2'000'000u);
}

TEST(Cli, AnUnknownFlagPointsAtHelp) {
  EXPECT_EQ(Cli().run({"--bogus"}), "The following argument was not expected: --bogus (see --help)");
}

TEST(Cli, HelpStartsWithTheUsageLineAndListsEveryOption) {
  Cli cli;
  EXPECT_EQ(cli.run({"--upload", "1M", "--help"}), "help");
  const std::string help = cli.app.help();
  EXPECT_EQ(help.rfind("usage: shoal-test [options]\n\nA test program.\n", 0), 0u) << help;
  EXPECT_NE(help.find("--upload RATE"), std::string::npos) << help;
  EXPECT_NE(help.find("--target DUR"), std::string::npos) << help;
  EXPECT_NE(help.find("--listen HOST:PORT"), std::string::npos) << help;
  EXPECT_NE(help.find("--connections N"), std::string::npos) << help;
  EXPECT_NE(help.find("this text"), std::string::npos) << help;
}

TEST(Cli, ParseReturnsTheExitStatus) {
  const char* ok[] = {"shoal-test", "--upload", "1M"};
  const char* bad[] = {"shoal-test", "--upload", "1Q"};
  const char* help[] = {"shoal-test", "-h"};
  std::ostringstream err, out;
  auto* old_err = std::cerr.rdbuf(err.rdbuf());
  auto* old_out = std::cout.rdbuf(out.rdbuf());
  Cli a, b, c;
  const auto ok_status = parse(a.app, 3, ok);
  const auto bad_status = parse(b.app, 3, bad);
  const auto help_status = parse(c.app, 2, help);
  std::cerr.rdbuf(old_err);
  std::cout.rdbuf(old_out);
  EXPECT_EQ(ok_status, std::nullopt);
  EXPECT_EQ(bad_status, 2);
  EXPECT_EQ(help_status, 0);
  EXPECT_EQ(err.str(), "shoal-test: error: --upload: invalid rate '1Q' (bit/s with optional k, M or G, e.g. 3M)\n");
  EXPECT_EQ(out.str().rfind("usage: shoal-test [options]\n", 0), 0u) << out.str();
}

TEST(Cli, WrapBreaksAtSpacesWithinTheWidth) {
  EXPECT_EQ(wrap("aaa bbb ccc dd", 7), "aaa bbb\nccc dd");
  EXPECT_EQ(wrap("a verylongword b", 4), "a\nverylongword\nb");
  EXPECT_EQ(wrap("", 10), "");
}

}  // namespace
}  // namespace shoal::cli
