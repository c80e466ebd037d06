// Scenario files, --set overrides and the audience plan drawn from them.
#include "scenario.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace shoal::sim {
namespace {

pb::Scenario live_mesh() { return read_scenario_file(std::string(SHOAL_SCENARIOS) + "/live-mesh.textproto"); }

TEST(Scenario, ShippedScenariosResolve) {
  for (const char* name : {"live-mesh", "vod-steady", "flash-crowd", "free-riders", "file-download"}) {
    SCOPED_TRACE(name);
    const Scenario s = resolve(read_scenario_file(std::string(SHOAL_SCENARIOS) + "/" + name + ".textproto"));
    EXPECT_FALSE(s.peers.empty());
    EXPECT_GT(s.chunk_bytes, 0u);
  }
}

TEST(Scenario, HoldBackAndWarmupAreDurationsAndAWarmupPastTheLengthIsRefused) {
  auto proto = live_mesh();
  apply_override(proto, "hold_back=20s");
  apply_override(proto, "warmup=90s");
  const Scenario s = resolve(proto);
  EXPECT_EQ(s.hold_back, std::chrono::seconds(20));
  EXPECT_EQ(s.warmup, std::chrono::seconds(90));
  apply_override(proto, "length=90s");
  EXPECT_THROW(resolve(proto), std::runtime_error);
}

TEST(Scenario, OverridesReachNestedFieldsAndAliases) {
  auto proto = live_mesh();
  apply_override(proto, "peers=123");
  apply_override(proto, "policy=rarest");
  apply_override(proto, "bitrate=500k");
  apply_override(proto, "arrivals.replace_departures=false");
  const Scenario s = resolve(proto);
  EXPECT_EQ(s.peers.size(), 123u);
  EXPECT_EQ(s.policy, peer::Policy::rarest);
  EXPECT_DOUBLE_EQ(s.bitrate_bps, 500'000);
  EXPECT_EQ(s.chunk_bytes, 62'500u);
}

TEST(Scenario, RhoScalesUploadsToTheRequestedResourceIndex) {
  auto proto = live_mesh();
  apply_override(proto, "peers=4000");
  apply_override(proto, "rho=1.2");
  apply_override(proto, "arrivals.replace_departures=false");
  const Scenario s = resolve(proto);
  double sum = 0;
  for (const auto& p : s.peers) sum += p.up_bps;
  const double rho = (s.origin_up_bps + sum) / (4000 * s.bitrate_bps);
  EXPECT_NEAR(rho, 1.2, 0.05);  // classes are drawn at random, so only close
}

TEST(Scenario, UploadAndDownloadSetEveryViewersBandwidth) {
  auto proto = read_scenario_file(std::string(SHOAL_SCENARIOS) + "/vod-steady.textproto");
  apply_override(proto, "upload=2");
  apply_override(proto, "download=4M");
  const Scenario s = resolve(proto);
  ASSERT_FALSE(s.peers.empty());
  for (const auto& p : s.peers) {
    EXPECT_DOUBLE_EQ(p.up_bps, 2 * s.bitrate_bps);
    EXPECT_DOUBLE_EQ(p.down_bps, 4'000'000);
  }
  EXPECT_THROW(apply_override(proto, "upload=fast"), std::runtime_error);
  EXPECT_THROW(apply_override(proto, "download=lots"), std::runtime_error);
}

TEST(Scenario, FreeRidersUploadNothing) {
  auto proto = read_scenario_file(std::string(SHOAL_SCENARIOS) + "/free-riders.textproto");
  apply_override(proto, "free_riders=0.4");
  const Scenario s = resolve(proto);
  std::size_t riders = 0;
  for (const auto& p : s.peers) {
    if (p.upload_class < 0) {
      ++riders;
      EXPECT_EQ(p.up_bps, 0.0);
    }
  }
  EXPECT_NEAR(static_cast<double>(riders) / static_cast<double>(s.peers.size()), 0.4, 0.06);
}

TEST(Scenario, BadInputIsOneClearError) {
  auto proto = live_mesh();
  EXPECT_THROW(apply_override(proto, "no_such_field=1"), std::runtime_error);
  EXPECT_THROW(apply_override(proto, "peers"), std::runtime_error);
  apply_override(proto, "policy=telepathy");
  EXPECT_THROW(resolve(proto), std::runtime_error);
  EXPECT_THROW(read_scenario_file("/nonexistent.textproto"), std::runtime_error);
}

}  // namespace
}  // namespace shoal::sim
