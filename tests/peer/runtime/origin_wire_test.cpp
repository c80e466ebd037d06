#include "shoal/peer/runtime/origin_wire.hpp"

#include <gtest/gtest.h>

#include "shoal.pb.h"
#include "shoal/peer/core/stats_values.hpp"
#include "shoal/peer/runtime/peer_handle.hpp"
#include "shoal/peer/runtime/playback_position.hpp"

namespace shoal::peer {
namespace {

wire::Manifest manifest(std::uint64_t first, int count, bool live) {
  wire::Manifest m;
  m.set_channel("tv");
  m.set_live(live);
  m.set_target_duration_ms(1000);
  m.set_swarm_id(std::string(32, 'w'));
  for (int i = 0; i < count; ++i) {
    auto* c = m.add_chunks();
    c->set_seq(first + static_cast<std::uint64_t>(i));
    c->set_pts_us(1'400'000 + i * 1'000'000);
    c->set_duration_us(1'000'000);
    c->set_size(1000 + static_cast<std::uint64_t>(i));
    c->set_sha256(std::string(32, static_cast<char>('a' + i)));
  }
  return m;
}

TEST(OriginWire, ManifestBecomesSnapshot) {
  auto parsed = parse_manifest(manifest(10, 3, true).SerializeAsString());
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->snapshot.live);
  EXPECT_EQ(parsed->swarm_id, std::string(32, 'w'));
  ASSERT_EQ(parsed->snapshot.chunks.size(), 3u);
  EXPECT_EQ(parsed->snapshot.chunks[2].seq, 12u);
  EXPECT_EQ(parsed->snapshot.chunks[2].size, 1002u);
  EXPECT_EQ(parsed->snapshot.chunks[2].sha256, std::string(32, 'c'));
}

TEST(OriginWire, RefusesGapsBadHashesAndGarbage) {
  auto gap = manifest(10, 3, true);
  gap.mutable_chunks(2)->set_seq(20);
  EXPECT_FALSE(parse_manifest(gap.SerializeAsString()));
  auto short_hash = manifest(10, 3, true);
  short_hash.mutable_chunks(0)->set_sha256("x");
  EXPECT_FALSE(parse_manifest(short_hash.SerializeAsString()));
  EXPECT_FALSE(parse_manifest(std::string("\xff\xff\xff", 3)));
}

TEST(OriginWire, AnnounceReplyDropsOurselvesAndPortZero) {
  wire::AnnounceReply reply;
  auto* me = reply.add_peers();
  me->set_host("127.0.0.1");
  me->set_port(1000);
  me->set_peer_id("me");
  auto* other = reply.add_peers();
  other->set_host("127.0.0.2");
  other->set_port(2000);
  other->set_peer_id("other");
  auto* unlisted = reply.add_peers();
  unlisted->set_host("127.0.0.3");
  unlisted->set_port(0);
  reply.set_secret("s3cret");
  auto parsed = parse_announce_reply(reply.SerializeAsString(), "me");
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->peers.size(), 1u);
  EXPECT_EQ(parsed->peers[0], (protocol::PeerAddress{"127.0.0.2", 2000, "other"}));
  EXPECT_EQ(parsed->secret, "s3cret");
}

TEST(OriginWire, AnnounceCarriesTheTrackersSecret) {
  wire::AnnounceRequest request;
  ASSERT_TRUE(
      request.ParseFromString(announce_body(Announce{"id", 7000, "", "s3cret", 42, 10, AnnounceEvent::stopped})));
  EXPECT_EQ(request.peer_id(), "id");
  EXPECT_EQ(request.listen_port(), 7000u);
  EXPECT_EQ(request.secret(), "s3cret");
  EXPECT_EQ(request.playhead_seq(), 42u);
  EXPECT_EQ(request.want(), 10u);
  EXPECT_EQ(request.event(), wire::AnnounceRequest::STOPPED);
}

TEST(OriginWire, QoeReportCarriesTheStats) {
  PeerStats stats;
  stats.startup_delay = std::chrono::milliseconds(1234);
  stats.stalls = 2;
  stats.stall_time = std::chrono::milliseconds(700);
  stats.bytes_from_peers = 99;
  wire::QoeReport report;
  ASSERT_TRUE(report.ParseFromString(qoe_report_body("id", stats, true)));
  EXPECT_EQ(report.startup_delay_ms(), 1234u);
  EXPECT_EQ(report.stalls(), 2u);
  EXPECT_EQ(report.stall_ms(), 700u);
  EXPECT_EQ(report.bytes_from_peers(), 99u);
  EXPECT_TRUE(report.final());
}

// Each field the table marks `reported` arrives with its own value (the peer sets them by name).
TEST(OriginWire, QoeReportCarriesEveryReportedField) {
  PeerStats stats;
  stats.started = true;
  stats.startup_delay = std::chrono::milliseconds(11);
  stats.stalls = 12;
  stats.stall_time = std::chrono::milliseconds(13);
  stats.chunks_played = 14;
  stats.chunks_late = 15;
  stats.bytes_from_peers = 16;
  stats.bytes_from_origin = 17;
  stats.bytes_uploaded = 18;
  stats.hash_failures = 19;
  stats.peers_banned = 20;
  wire::QoeReport report;
  ASSERT_TRUE(report.ParseFromString(qoe_report_body("id", stats, false)));
  const auto* descriptor = report.GetDescriptor();
  const auto* reflection = report.GetReflection();
  for (const protocol::StatsField& f : protocol::kStatsFields) {
    if (!f.reported) continue;
    const auto* field = descriptor->FindFieldByName(std::string(f.name));
    ASSERT_NE(field, nullptr) << f.name;
    const std::uint64_t sent = field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_UINT32
                                   ? reflection->GetUInt32(report, field)
                                   : reflection->GetUInt64(report, field);
    EXPECT_EQ(static_cast<std::int64_t>(sent), stats_value(stats, f.id)) << f.name;
  }
  EXPECT_EQ(report.peer_id(), "id");
  EXPECT_FALSE(report.final());
}

TEST(OriginWire, QoeReportOfASessionThatNeverStartedHasNoStartupDelay) {
  wire::QoeReport report;
  ASSERT_TRUE(report.ParseFromString(qoe_report_body("id", PeerStats{}, true)));
  EXPECT_EQ(report.startup_delay_ms(), 0u);
}

TEST(PlaybackPosition, MapsMediaTime) {
  PlaybackPosition position;
  position.update(parse_manifest(manifest(10, 8, true).SerializeAsString())->snapshot);
  EXPECT_EQ(position.seq_at(Time{0}), 10u);
  auto [seq, offset] = position.locate(std::chrono::milliseconds(2500));
  EXPECT_EQ(seq, 12u);
  EXPECT_EQ(offset, std::chrono::milliseconds(500));
  EXPECT_EQ(position.seq_at(std::chrono::seconds(100)), 17u);  // clamped to the last chunk
  ASSERT_NE(position.find(11), nullptr);
  EXPECT_EQ(position.find(11)->size, 1001u);
  EXPECT_EQ(position.find(99), nullptr);
}

}  // namespace
}  // namespace shoal::peer
