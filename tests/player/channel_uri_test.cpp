#include "channel_uri.hpp"

#include <gtest/gtest.h>

namespace shoal::player {
namespace {

TEST(ChannelUri, ParsesHostPortAndChannel) {
  std::string error;
  auto uri = channel_uri_from_string("shoal://127.0.0.1:8080/news", error);
  ASSERT_TRUE(uri.has_value()) << error;
  EXPECT_EQ(uri->origin_host, "127.0.0.1");
  EXPECT_EQ(uri->origin_port, 8080);
  EXPECT_EQ(uri->channel, "news");
}

TEST(ChannelUri, RejectsWhatIsNotAChannel) {
  for (const char* bad : {"http://127.0.0.1:8080/news", "shoal://127.0.0.1/news", "shoal://127.0.0.1:8080/",
                          "shoal://127.0.0.1:8080/a/b", "shoal://:8080/news", "not a uri"}) {
    std::string error;
    EXPECT_FALSE(channel_uri_from_string(bad, error).has_value()) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

}  // namespace
}  // namespace shoal::player
