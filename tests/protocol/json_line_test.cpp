#include "shoal/protocol/json_line.hpp"

#include <gtest/gtest.h>

namespace shoal {
namespace {

TEST(JsonLine, WritesOneObject) {
  const auto line = JsonLine()
                        .add("policy", "deadline")
                        .add("peers", 12)
                        .add("offload", 0.75)
                        .add("ok", true)
                        .add_raw("list", "[1,2]")
                        .str();
  EXPECT_EQ(line, R"({"policy":"deadline","peers":12,"offload":0.75,"ok":true,"list":[1,2]})");
}

TEST(JsonLine, EscapesStrings) {
  EXPECT_EQ(JsonLine().add("k", "a\"b\\c\nd\x01").str(), R"({"k":"a\"b\\c\nd\u0001"})");
  EXPECT_EQ(JsonLine().str(), "{}");
}

}  // namespace
}  // namespace shoal
