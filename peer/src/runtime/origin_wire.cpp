#include "shoal/peer/runtime/origin_wire.hpp"

#include <algorithm>

#include "shoal.pb.h"
#include "shoal/peer/core/stats_values.hpp"

namespace shoal::peer {

std::string manifest_path(std::string_view channel) { return "/c/" + std::string(channel) + "/manifest"; }
std::string chunk_path(std::string_view channel, Seq seq) {
  return "/c/" + std::string(channel) + "/chunk/" + std::to_string(seq) + ".ts";
}
std::string announce_path(std::string_view channel) { return "/c/" + std::string(channel) + "/announce"; }
std::string report_path(std::string_view channel) { return "/c/" + std::string(channel) + "/report"; }

std::optional<ParsedManifest> parse_manifest(const std::string& body) {
  wire::Manifest manifest;
  if (!manifest.ParseFromString(body)) return std::nullopt;
  ParsedManifest out;
  out.snapshot.live = manifest.live();
  out.snapshot.ended = manifest.ended();
  out.snapshot.target_duration_ms = manifest.target_duration_ms() ? manifest.target_duration_ms() : 1000;
  out.swarm_id = manifest.swarm_id();
  out.bitrate_bps = manifest.bitrate_bps();
  out.channel = manifest.channel();
  out.issued_at_ms = manifest.issued_at_ms();
  out.snapshot.chunks.reserve(static_cast<std::size_t>(manifest.chunks_size()));
  for (const auto& info : manifest.chunks()) {
    if (!out.snapshot.chunks.empty() && info.seq() != out.snapshot.chunks.back().seq + 1) return std::nullopt;
    if (info.sha256().size() != 32) return std::nullopt;
    out.snapshot.chunks.push_back(ChunkMeta{info.seq(), info.pts_us(), info.duration_us(), info.size(), info.sha256()});
  }
  return out;
}

std::string announce_body(const Announce& announce) {
  wire::AnnounceRequest request;
  request.set_peer_id(announce.peer_id);
  request.set_listen_port(announce.listen_port);
  request.set_host(announce.host);
  request.set_secret(announce.secret);
  request.set_playhead_seq(announce.playhead);
  request.set_want(static_cast<std::uint32_t>(announce.want < 0 ? 0 : announce.want));
  switch (announce.event) {
    case AnnounceEvent::update:
      request.set_event(wire::AnnounceRequest::UPDATE);
      break;
    case AnnounceEvent::started:
      request.set_event(wire::AnnounceRequest::STARTED);
      break;
    case AnnounceEvent::stopped:
      request.set_event(wire::AnnounceRequest::STOPPED);
      break;
  }
  return request.SerializeAsString();
}

std::optional<TrackerReply> parse_announce_reply(const std::string& body, const std::string& own_peer_id) {
  wire::AnnounceReply reply;
  if (!reply.ParseFromString(body)) return std::nullopt;
  TrackerReply out;
  out.secret = reply.secret();
  for (const auto& p : reply.peers()) {
    if (p.port() == 0 || p.port() > 0xffff || p.peer_id() == own_peer_id) continue;
    out.peers.push_back(protocol::PeerAddress{p.host(), static_cast<std::uint16_t>(p.port()), p.peer_id()});
  }
  return out;
}

std::string qoe_report_body(const std::string& peer_id, const PeerStats& stats, bool final) {
  wire::QoeReport report;
  report.set_peer_id(peer_id);
  // The report's fields are the table's `reported` ones, set by name so the table is their one list
  // (OriginWire.QoeReportHasTheTablesFields checks the message declares each with the table's width).
  const auto* descriptor = report.GetDescriptor();
  const auto* reflection = report.GetReflection();
  // The report has no -1: it carries the start-up delay as measured, which stays 0 until playback starts.
  PeerStats measured = stats;
  measured.started = true;
  const protocol::StatsValues values = stats_values(measured);
  for (const protocol::StatsField& f : protocol::kStatsFields) {
    const auto* field = f.reported ? descriptor->FindFieldByName(std::string(f.name)) : nullptr;
    if (field == nullptr) continue;
    const auto value = static_cast<std::uint64_t>(std::max<std::int64_t>(values[static_cast<std::size_t>(f.id)], 0));
    if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_UINT32)
      reflection->SetUInt32(&report, field, static_cast<std::uint32_t>(value));
    else if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_UINT64)
      reflection->SetUInt64(&report, field, value);
  }
  report.set_final(final);
  return report.SerializeAsString();
}

}  // namespace shoal::peer
