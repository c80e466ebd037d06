// The CDN base URL a viewer may be given for its chunk fetches (--cdn, shoalsrc's `cdn`).
#include "shoal/protocol/cdn_url.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace shoal::protocol {
namespace {

TEST(CdnUrl, ReadsHostPortAndPathPrefix) {
  CdnUrl c = parse_cdn_url("http://cdn.example:8081");
  EXPECT_EQ(c.host, "cdn.example");
  EXPECT_EQ(c.port, 8081);
  EXPECT_EQ(c.path_prefix, "");
  c = parse_cdn_url("http://127.0.0.1:9000/shoal/");
  EXPECT_EQ(c.host, "127.0.0.1");
  EXPECT_EQ(c.port, 9000);
  EXPECT_EQ(c.path_prefix, "/shoal") << "a trailing '/' is dropped: the origin's paths start with one";
  c = parse_cdn_url("http://[::1]:8080");
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.port, 8080);
  EXPECT_EQ(parse_cdn_url("http://cdn.example").port, 80);
  EXPECT_EQ(parse_cdn_url("http://[::1]").port, 80);
}

TEST(CdnUrl, RefusesWhatItCannotFetchFromInOneLine) {
  for (const char* bad : {"https://cdn.example:443", "cdn.example:8080", "http://", "http://host:x", "http://host:0",
                          "http://a:1:2", "http://host:80/p?q=1", ""}) {
    try {
      parse_cdn_url(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("'" + std::string(bad) + "'"), std::string::npos) << what;
      EXPECT_NE(what.find("want http://host:port"), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  }
}

}  // namespace
}  // namespace shoal::protocol
