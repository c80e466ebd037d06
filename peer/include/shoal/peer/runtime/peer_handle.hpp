// The thread-safe face of a running peer, for embedders (shoal-peer, the
// GStreamer element). It owns one io_context thread that drives a PeerCore
// with real sockets, HTTP to the origin and timers from next_deadline().
// Callbacks run on that thread and must not block.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shoal/peer/core/config.hpp"
#include "shoal/peer/core/peer_stats.hpp"
#include "shoal/peer/core/types.hpp"
#include "shoal/protocol/cdn_url.hpp"
#include "shoal/protocol/channel_uri.hpp"
#include "shoal/protocol/error_code.hpp"
#include "shoal/protocol/message.hpp"

namespace shoal::peer {

using protocol::ChannelUri;
using protocol::ErrorCode;
using protocol::parse_channel_uri;

struct PeerOptions {
  ChannelUri uri;
  PeerConfig core;  // peer_id/swarm_id are filled in when empty
  /// Peer connections are accepted here (port: core.listen_port, 0 = any). Empty: every interface, IPv6
  /// and IPv4, and the tracker lists the address our announces come from; a named host is announced.
  std::string listen_host;
  /// VoD: start position in media time; live: ignored (joins at live edge minus buffer target).
  std::optional<Time> start;
  /// When true, playback is driven by the embedder via set_playhead(); else the core's own Playhead.
  bool external_playhead = false;
  /// Chunk fetches over HTTP go here (a CDN or cache in front of the origin) instead of to the origin; the
  /// manifest, announces and reports still go to the origin, and the swarm id is still the origin's.
  std::optional<protocol::CdnUrl> cdn;
  /// Where channel keys are remembered (runtime/known_channels.hpp); empty: nowhere (the URI's `key`, if any,
  /// or the session's first manifest pins the key). Embedders pass default_known_channels_file().
  std::string known_channels;
};

struct ChannelInfo {
  bool live = false;
  bool ended = false;
  Time duration{0};  // VoD: total; live: the DVR window
  std::vector<ChunkMeta> chunks;
};

struct PeerCallbacks {
  /// A verified chunk, in order, once each (after a seek, from the seek target on).
  std::function<void(const ChunkMeta&, const protocol::ChunkPayload&)> on_chunk;
  /// The stream is complete (VoD end, or live channel ended).
  std::function<void()> on_end;
  /// A fatal error: its code (protocol/error_code.hpp; tell errors apart by it) and a human message. Raised
  /// once, then the runtime does nothing more: listen_failed, channel_not_found, origin_unreachable,
  /// origin_error, bad_manifest, key_mismatch, untrusted_manifest.
  std::function<void(ErrorCode, const std::string&)> on_error;
  /// Optional: the first manifest arrived; channel() answers from now on (lets embedders wait without polling).
  std::function<void()> on_channel;
  /// Optional: one human line about something worth a log (origin hiccups, join details).
  std::function<void(const std::string&)> on_log;
  /// Optional: the event trace, one JSON line per event (runtime/trace_line.hpp); costs nothing when unset.
  std::function<void(const std::string&)> on_trace;
};

class PeerHandle {
 public:
  virtual ~PeerHandle() = default;
  /// Starts the io thread and joins the channel. Errors arrive through on_error.
  static std::unique_ptr<PeerHandle> start(PeerOptions options, PeerCallbacks callbacks);

  virtual void seek(Time media_time) = 0;
  /// The embedder's playhead (e.g. the pipeline's running time mapped to media time).
  virtual void set_playhead(Time media_time) = 0;
  virtual PeerStats stats() const = 0;
  /// Empty until the first manifest arrived.
  virtual std::optional<ChannelInfo> channel() const = 0;
  /// Sends the final QoE report to the origin, closes connections and joins the thread. Idempotent.
  virtual void stop() = 0;
};

}  // namespace shoal::peer
