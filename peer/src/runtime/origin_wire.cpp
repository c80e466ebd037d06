#include "shoal/peer/runtime/origin_wire.hpp"

#include "shoal.pb.h"

namespace shoal::peer {

namespace {
std::uint64_t to_ms(Time t) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(t).count());
}
}  // namespace

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
  out.snapshot.chunks.reserve(static_cast<std::size_t>(manifest.chunks_size()));
  for (const auto& info : manifest.chunks()) {
    if (!out.snapshot.chunks.empty() && info.seq() != out.snapshot.chunks.back().seq + 1) return std::nullopt;
    if (info.sha256().size() != 32) return std::nullopt;
    out.snapshot.chunks.push_back(ChunkMeta{info.seq(), info.pts_us(), info.duration_us(), info.size(), info.sha256()});
  }
  return out;
}

std::string announce_body(const std::string& peer_id, std::uint16_t listen_port, const std::string& host, Seq playhead,
                          int want, AnnounceEvent event) {
  wire::AnnounceRequest request;
  request.set_peer_id(peer_id);
  request.set_listen_port(listen_port);
  request.set_host(host);
  request.set_playhead_seq(playhead);
  request.set_want(static_cast<std::uint32_t>(want < 0 ? 0 : want));
  switch (event) {
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

std::optional<std::vector<protocol::PeerAddress>> parse_announce_reply(const std::string& body,
                                                                       const std::string& own_peer_id) {
  wire::AnnounceReply reply;
  if (!reply.ParseFromString(body)) return std::nullopt;
  std::vector<protocol::PeerAddress> peers;
  for (const auto& p : reply.peers()) {
    if (p.port() == 0 || p.port() > 0xffff || p.peer_id() == own_peer_id) continue;
    peers.push_back(protocol::PeerAddress{p.host(), static_cast<std::uint16_t>(p.port()), p.peer_id()});
  }
  return peers;
}

std::string qoe_report_body(const std::string& peer_id, const PeerStats& stats, bool final) {
  wire::QoeReport report;
  report.set_peer_id(peer_id);
  report.set_startup_delay_ms(to_ms(stats.startup_delay));
  report.set_stalls(stats.stalls);
  report.set_stall_ms(to_ms(stats.stall_time));
  report.set_chunks_played(stats.chunks_played);
  report.set_bytes_from_peers(stats.bytes_from_peers);
  report.set_bytes_from_origin(stats.bytes_from_origin);
  report.set_bytes_uploaded(stats.bytes_uploaded);
  report.set_hash_failures(stats.hash_failures);
  report.set_peers_banned(stats.peers_banned);
  report.set_final(final);
  return report.SerializeAsString();
}

}  // namespace shoal::peer
