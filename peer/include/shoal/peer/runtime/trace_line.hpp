// `--trace FILE`: one JSON object per line for each thing that decides where a chunk comes from and when
// it plays, so every stall can be explained afterwards. Fields: t_ms (the core's clock), ev, and per
// event seq, conn (a ConnectionId), bytes, busy, urgent, reason, host, port:
//   in: "arrival" (ChunkData), "refused" (Reject), "choked"/"unchoked" (by the neighbor), "connected",
//       "disconnected", "origin_arrival" (bytes 0 = the fetch failed), "stall", "written" (on_sent)
//   out: "request", "cancel", "upload" (ChunkData), "refuse" (Reject), "connect", "disconnect",
//        "origin_fetch", "announce", "deliver"
// Messages that carry no scheduling decision (Have, HaveRange, keepalives, peer exchange) are left out.
#pragma once

#include <optional>
#include <string>

#include "shoal/peer/core/action.hpp"
#include "shoal/peer/core/types.hpp"
#include "shoal/protocol/message.hpp"

namespace shoal::peer {

/// A line for an action the core asked for, or nothing when it is not traced.
std::optional<std::string> trace_action(Time now, const Action& action);
/// A line for a message received on `conn`, or nothing when it is not traced.
std::optional<std::string> trace_received(Time now, ConnectionId conn, const protocol::Message& message);
std::string trace_connected(Time now, ConnectionId conn, const protocol::PeerAddress& remote, bool outbound);
/// A line for any other event: `ev` with an optional seq, conn and bytes.
std::string trace_event(Time now, const char* ev, std::optional<Seq> seq = {}, ConnectionId conn = 0,
                        std::optional<std::uint64_t> bytes = {});

}  // namespace shoal::peer
