// What the core knows about one connection: handshake, what the remote holds,
// choke/interest state both ways, our requests to it, and measured rates.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "chunk_bitmap.hpp"
#include "rate_meter.hpp"
#include "shoal/peer/core/types.hpp"
#include "shoal/protocol/message.hpp"

namespace shoal::peer {

struct OutstandingRequest {
  Seq seq = 0;
  Time sent_at{0};
  Time expected_at{0};
  std::uint64_t size = 0;
};

struct Neighbor {
  // Hot first: every message and selection pass reads these, so they share the node's first lines
  // (spread over the node, each pass over the neighbors took a cache miss per field group).
  ConnectionId conn = 0;
  bool handshaken = false;
  bool peer_choking = true;  // they choke us
  bool am_choking = true;
  bool peer_interested = false;
  ChunkBitmap have;
  double delivery_rate = 0;      // bytes/s measured per delivered request; 0 = not measured yet
  std::uint64_t upload_bps = 0;  // its handshake's hint (0 = not said)
  // Requests it took before refusing one as busy, plus one per chunk delivered since (additive
  // increase, multiplicative decrease): how many it will queue for us when others ask too.
  std::size_t request_limit = std::numeric_limits<std::size_t>::max();
  std::vector<OutstandingRequest> requests;  // ours, to them
  std::uint64_t requested_bytes = 0;
  Time busy_until{0};  // it refused a request as busy: do not ask before this
  Time last_heard{0};
  Time last_sent{0};

  protocol::PeerAddress remote;  // as the driver reported it
  bool outbound = false;
  std::string peer_id;
  std::uint16_t listen_port = 0;

  Time newcomer_until{0};
  // A seed's last chunk given to this neighbor as the first copy, until it is seen passed on.
  bool seeded_pending = false;
  Seq seeded_seq = 0;
  Time seeded_at{0};  // unchoked as a newcomer: kept through rechokes until then

  int upload_queued = 0;  // their requests waiting in our upload queue
  // Chunk bytes handed to the driver and not yet written (on_sent), and since when none was written.
  std::uint64_t unsent_bytes = 0;
  Time unsent_since{0};

  RateMeter received;  // chunk bytes they sent us (tit-for-tat)
  RateMeter sent;      // chunk bytes we sent them
  Time last_arrival{0};

  Time connected_at{0};
  Time last_useful{0};  // a chunk moved either way

  /// Where they can be dialled (for peer exchange); port 0 = not dialable.
  protocol::PeerAddress dial_address() const {
    protocol::PeerAddress a = remote;
    if (!outbound) a.port = listen_port;
    a.peer_id = peer_id;
    return a;
  }
  const OutstandingRequest* find_request(Seq seq) const {
    for (auto& r : requests)
      if (r.seq == seq) return &r;
    return nullptr;
  }
};

}  // namespace shoal::peer
