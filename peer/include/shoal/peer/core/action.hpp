// What the core asks its driver to do. The driver (Asio runtime or simulator)
// carries each action out and reports the outcome back as an event.
#pragma once

#include <string>
#include <variant>

#include "shoal/peer/core/types.hpp"
#include "shoal/protocol/message.hpp"

namespace shoal::peer {

struct SendMessage {
  ConnectionId conn = 0;
  protocol::Message message;
};
/// Open a connection; the driver answers with on_connected or on_connect_failed.
struct ConnectTo {
  protocol::PeerAddress address;
};
struct Disconnect {
  ConnectionId conn = 0;
  std::string reason;
};
/// GET the chunk over HTTP; answered by on_origin_chunk.
struct FetchFromOrigin {
  Seq seq = 0;
};
/// Ask the tracker for up to `want` peers near `playhead`; answered by on_tracker_peers.
struct AnnounceToTracker {
  Seq playhead = 0;
  int want = 50;
};
/// A verified chunk, handed to playback in sequence order, each exactly once.
struct DeliverChunk {
  Seq seq = 0;
  protocol::ChunkPayload payload;
};

using Action = std::variant<SendMessage, ConnectTo, Disconnect, FetchFromOrigin, AnnounceToTracker, DeliverChunk>;

}  // namespace shoal::peer
