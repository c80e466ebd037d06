// shoal-origin's command line in-process: flags, a --config file, the command line over the file, and
// the one-line refusals (an unknown key in the file, no channel, a channel twice).
#include "shoal/origin/config.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "shoal/protocol/cli.hpp"
#include "support.hpp"

namespace shoal::origin::test {
namespace {

using namespace std::chrono_literals;

struct Parsed {
  OriginConfig config;
  std::string error;  // "" when the arguments parse
};

Parsed parse(std::vector<std::string> args) {
  Parsed p;
  CLI::App app("", "shoal-origin");
  add_origin_options(app, p.config);
  args.insert(args.begin(), "shoal-origin");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    p.error = cli::error_text(app, e);
  }
  return p;
}

std::string write_file(const TempDir& dir, const std::string& name, const std::string& text) {
  const auto path = dir.path / name;
  std::ofstream(path) << text;
  return path.string();
}

TEST(OriginConfig, DefaultsAndFlags) {
  const auto defaults = parse({"--vod", "a=a.mp4"});
  ASSERT_EQ(defaults.error, "");
  EXPECT_EQ(defaults.config.listen.host, "127.0.0.1");
  EXPECT_EQ(defaults.config.listen.port, 8080);
  EXPECT_EQ(defaults.config.data_dir, "shoal-data");
  EXPECT_EQ(defaults.config.chunk_duration, 1s);
  EXPECT_EQ(defaults.config.dvr, 120s);
  EXPECT_EQ(defaults.config.seed_upload_bps, 10'000'000u);
  EXPECT_EQ(defaults.config.max_chunk_transfers, 0u);
  EXPECT_EQ(defaults.config.max_connections, 10'000u);
  EXPECT_EQ(defaults.config.max_connections_per_address, 64u);
  EXPECT_FALSE(defaults.config.loop);

  const auto p = parse({"--vod",     "a=a.mp4",
                        "--live",    "tv=udp://0.0.0.0:5000",
                        "--vod",     "b=b.mp4",
                        "--loop",    "--listen",
                        "0.0.0.0:0", "--data",
                        "/tmp/d",    "--chunk-duration",
                        "2s",        "--dvr",
                        "1m",        "--seed-upload",
                        "3M",        "--max-chunk-transfers",
                        "5",         "--max-connections",
                        "100",       "--max-connections-per-address",
                        "8"});
  ASSERT_EQ(p.error, "");
  ASSERT_EQ(p.config.vod.size(), 2u);
  EXPECT_EQ(p.config.vod[0].name, "a");
  EXPECT_EQ(p.config.vod[0].input, "a.mp4");
  EXPECT_EQ(p.config.vod[1].name, "b");
  ASSERT_EQ(p.config.live.size(), 1u);
  EXPECT_EQ(p.config.live[0].input, "udp://0.0.0.0:5000");
  EXPECT_TRUE(p.config.loop);
  EXPECT_EQ(p.config.listen.host, "0.0.0.0");
  EXPECT_EQ(p.config.listen.port, 0);
  EXPECT_EQ(p.config.data_dir, "/tmp/d");
  EXPECT_EQ(p.config.chunk_duration, 2s);
  EXPECT_EQ(p.config.dvr, 60s);
  EXPECT_EQ(p.config.seed_upload_bps, 3'000'000u);
  EXPECT_EQ(p.config.max_chunk_transfers, 5u);
  EXPECT_EQ(p.config.max_connections, 100u);
  EXPECT_EQ(p.config.max_connections_per_address, 8u);
}

TEST(OriginConfig, BadFlagsAreRefusedInOneLine) {
  EXPECT_EQ(parse({}).error, "no channel: give --vod NAME=PATH or --live NAME=INPUT");
  EXPECT_EQ(parse({"--vod", "noequals"}).error, "--vod: expected NAME=INPUT, got 'noequals'");
  EXPECT_EQ(parse({"--vod", ".x=a.mp4"}).error,
            "--vod: bad channel name '.x' (1-64 letters, digits, '_', '-', '.', not first '.')");
  EXPECT_EQ(parse({"--vod", "a=1.mp4", "--live", "a=2.mp4"}).error, "channel 'a' given twice");
  EXPECT_EQ(parse({"--vod", "a=b", "--chunk-duration", "5"}).error,
            "--chunk-duration: invalid duration '5' (needs a unit: us, ms, s, m or h)");
  EXPECT_EQ(parse({"--vod", "a=b", "--chunk-duration", "31s"}).error,
            "--chunk-duration: must be between 100ms and 30s");
  EXPECT_EQ(parse({"--vod", "a=b", "--dvr", "2s"}).error, "--dvr: must be at least 3s");
  EXPECT_EQ(parse({"--vod", "a=b", "--max-connections", "0"}).error, "--max-connections: must be at least 1");
  EXPECT_EQ(parse({"--vod", "a=b", "--seed-upload", "3X"}).error,
            "--seed-upload: invalid rate '3X' (bit/s with optional k, M or G, e.g. 3M)");
  EXPECT_EQ(parse({"--vod", "a=b", "--bogus"}).error, "The following argument was not expected: --bogus (see --help)");
  EXPECT_EQ(parse({"--vod", "a=b", "extra"}).error, "The following argument was not expected: extra (see --help)");
}

TEST(OriginConfig, FlagsComeFromAConfigFile) {
  TempDir dir;
  const auto file = write_file(dir, "origin.conf",
                               "# shoal-origin\n"
                               "vod = [\"a=/media/a.mp4\", \"b=/media/b.mp4\"]\n"
                               "live = \"tv=udp://0.0.0.0:5000\"\n"
                               "loop = true\n"
                               "listen = \"0.0.0.0:8080\"\n"
                               "data = \"/var/lib/shoal\"\n"
                               "chunk-duration = 2s\n"
                               "seed-upload = 20M\n"
                               "max-connections = 100\n");
  const auto p = parse({"--config", file});
  ASSERT_EQ(p.error, "");
  ASSERT_EQ(p.config.vod.size(), 2u);
  EXPECT_EQ(p.config.vod[1].name, "b");
  EXPECT_EQ(p.config.vod[1].input, "/media/b.mp4");
  ASSERT_EQ(p.config.live.size(), 1u);
  EXPECT_EQ(p.config.live[0].name, "tv");
  EXPECT_TRUE(p.config.loop);
  EXPECT_EQ(p.config.listen.host, "0.0.0.0");
  EXPECT_EQ(p.config.data_dir, "/var/lib/shoal");
  EXPECT_EQ(p.config.chunk_duration, 2s);
  EXPECT_EQ(p.config.seed_upload_bps, 20'000'000u);
  EXPECT_EQ(p.config.max_connections, 100u);
  EXPECT_EQ(p.config.max_connections_per_address, 64u);  // not in the file: the default
}

TEST(OriginConfig, TheCommandLineOverridesTheFile) {
  TempDir dir;
  const auto file = write_file(dir, "origin.conf", "vod = \"a=a.mp4\"\nmax-connections = 100\ndvr = 60s\n");
  const auto p = parse({"--max-connections", "200", "--config", file, "--vod", "c=c.mp4"});
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.config.max_connections, 200u);
  EXPECT_EQ(p.config.dvr, 60s);
  ASSERT_EQ(p.config.vod.size(), 1u);  // a repeatable flag on the command line replaces the file's list
  EXPECT_EQ(p.config.vod[0].name, "c");
}

TEST(OriginConfig, AConfigFileIsCheckedAsTheCommandLine) {
  TempDir dir;
  const auto unknown = write_file(dir, "unknown.conf", "vod = \"a=a.mp4\"\nmax-conections = 100\n");
  EXPECT_EQ(parse({"--config", unknown}).error,
            unknown +
                ": unknown key 'max-conections' (keys are the long options without their dashes, e.g. "
                "max-connections = 100)");
  const auto bad = write_file(dir, "bad.conf", "vod = \"a=a.mp4\"\nseed-upload = lots\n");
  EXPECT_EQ(parse({"--config", bad}).error, "--seed-upload: invalid rate 'lots'");
  const auto none = write_file(dir, "none.conf", "loop = true\n");
  EXPECT_EQ(parse({"--config", none}).error, "no channel: give --vod NAME=PATH or --live NAME=INPUT");
  EXPECT_EQ(parse({"--config", (dir.path / "missing.conf").string()}).error,
            "--config: File does not exist: " + (dir.path / "missing.conf").string());
}

}  // namespace
}  // namespace shoal::origin::test
