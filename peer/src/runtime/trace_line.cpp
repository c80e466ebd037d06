#include "shoal/peer/runtime/trace_line.hpp"

#include <type_traits>
#include <variant>

#include "shoal/protocol/json_line.hpp"

namespace shoal::peer {

namespace {
JsonLine start(Time now, const char* ev) {
  JsonLine line;
  line.add("t_ms", static_cast<double>(now.count()) / 1000.0).add("ev", ev);
  return line;
}
}  // namespace

std::string trace_event(Time now, const char* ev, std::optional<Seq> seq, ConnectionId conn,
                        std::optional<std::uint64_t> bytes) {
  JsonLine line = start(now, ev);
  if (seq) line.add("seq", *seq);
  if (conn) line.add("conn", conn);
  if (bytes) line.add("bytes", *bytes);
  return line.str();
}

std::string trace_connected(Time now, ConnectionId conn, const protocol::PeerAddress& remote, bool outbound) {
  return start(now, "connected")
      .add("conn", conn)
      .add("host", remote.host)
      .add("port", remote.port)
      .add("outbound", outbound)
      .str();
}

std::optional<std::string> trace_received(Time now, ConnectionId conn, const protocol::Message& message) {
  return std::visit(
      [&](const auto& m) -> std::optional<std::string> {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, protocol::ChunkData>) {
          return trace_event(now, "arrival", m.seq, conn, m.payload ? m.payload->size() : 0);
        } else if constexpr (std::is_same_v<M, protocol::Reject>) {
          return start(now, "refused").add("seq", m.seq).add("conn", conn).add("busy", m.busy).str();
        } else if constexpr (std::is_same_v<M, protocol::Choke>) {
          return trace_event(now, "choked", {}, conn);
        } else if constexpr (std::is_same_v<M, protocol::Unchoke>) {
          return trace_event(now, "unchoked", {}, conn);
        } else {
          return std::nullopt;
        }
      },
      message);
}

std::optional<std::string> trace_action(Time now, const Action& action) {
  return std::visit(
      [&](const auto& a) -> std::optional<std::string> {
        using A = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<A, SendMessage>) {
          if (const auto* r = std::get_if<protocol::Request>(&a.message))
            return start(now, "request").add("seq", r->seq).add("conn", a.conn).add("urgent", r->urgent).str();
          if (const auto* c = std::get_if<protocol::Cancel>(&a.message))
            return trace_event(now, "cancel", c->seq, a.conn);
          if (const auto* d = std::get_if<protocol::ChunkData>(&a.message))
            return trace_event(now, "upload", d->seq, a.conn, d->payload ? d->payload->size() : 0);
          if (const auto* r = std::get_if<protocol::Reject>(&a.message))
            return start(now, "refuse").add("seq", r->seq).add("conn", a.conn).add("busy", r->busy).str();
          return std::nullopt;
        } else if constexpr (std::is_same_v<A, ConnectTo>) {
          return start(now, "connect").add("host", a.address.host).add("port", a.address.port).str();
        } else if constexpr (std::is_same_v<A, Disconnect>) {
          return start(now, "disconnect").add("conn", a.conn).add("reason", a.reason).str();
        } else if constexpr (std::is_same_v<A, FetchFromOrigin>) {
          return trace_event(now, "origin_fetch", a.seq);
        } else if constexpr (std::is_same_v<A, AnnounceToTracker>) {
          return start(now, "announce").add("seq", a.playhead).add("want", a.want).str();
        } else {
          return trace_event(now, "deliver", a.seq);
        }
      },
      action);
}

}  // namespace shoal::peer
