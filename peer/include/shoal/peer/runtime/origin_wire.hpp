// Translations between the origin's HTTP protobufs (shoal.proto) and the core's
// vocabulary, and the origin's URL layout. Pure functions, shared by every driver.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shoal/peer/core/peer_stats.hpp"
#include "shoal/peer/core/types.hpp"
#include "shoal/protocol/message.hpp"

namespace shoal::wire {
class Manifest;
class AnnounceReply;
}  // namespace shoal::wire

namespace shoal::peer {

std::string manifest_path(std::string_view channel);
std::string chunk_path(std::string_view channel, Seq seq);
std::string announce_path(std::string_view channel);
std::string report_path(std::string_view channel);

/// Parses a serialized wire::Manifest; nullopt when malformed or not contiguous.
struct ParsedManifest {
  ChannelSnapshot snapshot;
  std::string swarm_id;
  std::uint64_t bitrate_bps = 0;
  std::string channel;
  std::uint64_t issued_at_ms = 0;
};
std::optional<ParsedManifest> parse_manifest(const std::string& body);

enum class AnnounceEvent { update, started, stopped };
/// One announce to the tracker.
struct Announce {
  std::string peer_id;
  std::uint16_t listen_port = 0;
  std::string host;    // empty: the tracker lists the address the request comes from
  std::string secret;  // the tracker's, from the reply that made our entry; empty before
  Seq playhead = 0;
  int want = 0;
  AnnounceEvent event = AnnounceEvent::update;
};
/// Serialized wire::AnnounceRequest.
std::string announce_body(const Announce& announce);

struct TrackerReply {
  std::vector<protocol::PeerAddress> peers;  // without ourselves
  std::string secret;                        // set when this announce made our entry
};
/// A serialized wire::AnnounceReply; nullopt when malformed.
std::optional<TrackerReply> parse_announce_reply(const std::string& body, const std::string& own_peer_id);

/// Serialized wire::QoeReport.
std::string qoe_report_body(const std::string& peer_id, const PeerStats& stats, bool final);

}  // namespace shoal::peer
