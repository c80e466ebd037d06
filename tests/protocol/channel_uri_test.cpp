// The one channel URI grammar: shoal://HOST:PORT/CHANNEL[?listen=HOST:PORT][&key=FINGERPRINT].
#include "shoal/protocol/channel_uri.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace shoal::protocol {
namespace {

TEST(ChannelUri, ParsesHostPortAndChannel) {
  auto uri = parse_channel_uri("shoal://127.0.0.1:8080/news");
  EXPECT_EQ(uri.origin_host, "127.0.0.1");
  EXPECT_EQ(uri.origin_port, 8080);
  EXPECT_EQ(uri.channel, "news");
  EXPECT_FALSE(uri.listen.has_value());
  auto v6 = parse_channel_uri("shoal://[::1]:9/a-b_c.d/");
  EXPECT_EQ(v6.origin_host, "::1");
  EXPECT_EQ(v6.channel, "a-b_c.d");
}

TEST(ChannelUri, ListenParameterNamesWhereTheViewerAcceptsPeers) {
  auto uri = parse_channel_uri("shoal://10.0.0.1:8080/news?listen=127.0.0.1:0");
  EXPECT_EQ(uri.channel, "news");
  ASSERT_TRUE(uri.listen.has_value());
  EXPECT_EQ(uri.listen->host, "127.0.0.1");
  EXPECT_EQ(uri.listen->port, 0);
  EXPECT_EQ(parse_channel_uri("shoal://h:1/c?listen=[::]:7000").listen->host, "::");
}

TEST(ChannelUri, KeyParameterPinsTheOriginsFingerprint) {
  EXPECT_FALSE(parse_channel_uri("shoal://h:1/c").key.has_value());
  auto uri = parse_channel_uri("shoal://h:1/c?listen=127.0.0.1:0&key=21FE31DFA154A261626BF854046FD227");
  ASSERT_TRUE(uri.key.has_value());
  EXPECT_EQ(*uri.key, "21fe31dfa154a261626bf854046fd227") << "compared and stored in lowercase";
  EXPECT_TRUE(uri.listen.has_value());
  for (const char* bad :
       {"shoal://h:1/c?key=", "shoal://h:1/c?key=21fe31", "shoal://h:1/c?key=zzfe31dfa154a261626bf854046fd227"}) {
    try {
      parse_channel_uri(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("bad key fingerprint"), std::string::npos) << e.what();
    }
  }
}

TEST(ChannelUri, RejectsWhatIsNotAChannel) {
  for (const char* bad :
       {"http://127.0.0.1:8080/news", "shoal://127.0.0.1/news", "shoal://127.0.0.1:8080/", "shoal://127.0.0.1:8080",
        "shoal://127.0.0.1:8080/a/b", "shoal://:8080/news", "shoal://h:0/news", "shoal://::1:80/x", "not a uri",
        "shoal://h:1/.hidden", "shoal://h:99999/tv", "shoal://h:1/sp ace", "shoal://h:1/c?listen=nohost",
        "shoal://h:1/c?token=x", "shoal://h:1/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}) {
    try {
      parse_channel_uri(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << "the reason names the URI: " << e.what();
    }
  }
}

TEST(ChannelUri, ChannelNamesAreOneRuleForOriginAndViewers) {
  EXPECT_TRUE(valid_channel_name("news-1_a.b"));
  EXPECT_TRUE(valid_channel_name(std::string(64, 'a')));
  EXPECT_FALSE(valid_channel_name(std::string(65, 'a')));
  EXPECT_FALSE(valid_channel_name(".."));
  EXPECT_FALSE(valid_channel_name(""));
  EXPECT_FALSE(valid_channel_name("a/b"));
}

}  // namespace
}  // namespace shoal::protocol
