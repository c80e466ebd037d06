#include "shoal/protocol/swarm_id.hpp"

#include <gtest/gtest.h>

namespace shoal::protocol {
namespace {

std::string hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

TEST(SwarmId, IsSha256OfHostPortSlashChannel) {
  // printf '127.0.0.1:8080/news' | sha256sum
  EXPECT_EQ(hex(swarm_id("127.0.0.1", 8080, "news")),
            "078400366abaeacec73c230c3a7dab923fed15604187603d5718b760261a4dec");
  EXPECT_EQ(hex(swarm_id("127.0.0.1", 0, "vod")), "9004d58fa3642d0b18dad54c2410b07e9331fcc78798f222720211a67fd640ea");
}

TEST(SwarmId, DiffersPerOriginAndChannel) {
  const std::string id = swarm_id("10.0.0.1", 8080, "news");
  EXPECT_EQ(id.size(), 32u);
  EXPECT_NE(id, swarm_id("10.0.0.1", 8080, "film"));
  EXPECT_NE(id, swarm_id("10.0.0.1", 8081, "news"));
  EXPECT_NE(id, swarm_id("10.0.0.2", 8080, "news"));
}

}  // namespace
}  // namespace shoal::protocol
