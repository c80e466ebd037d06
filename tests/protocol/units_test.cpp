#include "shoal/protocol/units.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace shoal {
namespace {

using std::chrono::microseconds;

TEST(Units, RatesTakeDecimalSuffixes) {
  EXPECT_EQ(parse_rate("3M"), 3'000'000u);
  EXPECT_EQ(parse_rate("1.5M"), 1'500'000u);
  EXPECT_EQ(parse_rate("500k"), 500'000u);
  EXPECT_EQ(parse_rate("2G"), 2'000'000'000u);
  EXPECT_EQ(parse_rate("1200"), 1200u);
  EXPECT_EQ(parse_rate("0"), 0u);
}

TEST(Units, BadRatesAreRefused) {
  for (const char* bad : {"", "M", "3X", "3 M", "-1M", "abc", "3MB"})
    EXPECT_THROW(parse_rate(bad), std::invalid_argument) << bad;
}

TEST(Units, DurationsNeedAUnit) {
  EXPECT_EQ(parse_duration("500ms"), microseconds(500'000));
  EXPECT_EQ(parse_duration("2s"), microseconds(2'000'000));
  EXPECT_EQ(parse_duration("1.5s"), microseconds(1'500'000));
  EXPECT_EQ(parse_duration("2m"), microseconds(120'000'000));
  EXPECT_EQ(parse_duration("1h"), microseconds(3'600'000'000));
  EXPECT_EQ(parse_duration("250us"), microseconds(250));
  for (const char* bad : {"", "5", "s", "5x", "5 s", "-2s"})
    EXPECT_THROW(parse_duration(bad), std::invalid_argument) << bad;
}

TEST(Units, Addresses) {
  const auto a = parse_host_port("127.0.0.1:8080");
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 8080);
  const auto b = parse_host_port("[::1]:0");
  EXPECT_EQ(b.host, "::1");
  EXPECT_EQ(b.port, 0);
  EXPECT_EQ(parse_host_port("localhost:9").host, "localhost");
  for (const char* bad : {"", "host", ":80", "host:", "host:70000", "::1:80", "[]:80", "h:8x"})
    EXPECT_THROW(parse_host_port(bad), std::invalid_argument) << bad;
}

TEST(Units, FormatRateIsTheInverseForRoundValues) {
  for (const char* text : {"3M", "1.5M", "500k", "2G", "12"}) EXPECT_EQ(format_rate(parse_rate(text)), text);
}

}  // namespace
}  // namespace shoal
