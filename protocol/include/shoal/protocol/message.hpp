// The messages peers exchange, as C++ values. The frame codec turns them into
// bytes (via shoal.proto) for sockets; the simulator hands them between peer
// cores directly, so chunk payloads are shared, never copied, in simulation.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace shoal::protocol {

inline constexpr std::uint32_t kProtocolVersion = 1;

/// A whole chunk's bytes (an MPEG-TS segment), immutable and shared.
using ChunkPayload = std::shared_ptr<const std::string>;

struct PeerAddress {
  std::string host;
  std::uint16_t port = 0;
  std::string peer_id;
  bool operator==(const PeerAddress&) const = default;
};

struct Handshake {
  std::uint32_t protocol_version = kProtocolVersion;
  std::string swarm_id;
  std::string peer_id;
  std::uint16_t listen_port = 0;
  std::uint64_t upload_bps = 0;  // the sender's upload cap, 0 = not set (a hint, see shoal.proto)
  bool operator==(const Handshake&) const = default;
};
struct Have {
  std::uint64_t seq = 0;
  bool operator==(const Have&) const = default;
};
/// held[i] says whether the sender holds chunk first + i.
struct HaveRange {
  std::uint64_t first = 0;
  std::vector<bool> held;
  bool operator==(const HaveRange&) const = default;
};
struct Interested {
  bool operator==(const Interested&) const = default;
};
struct NotInterested {
  bool operator==(const NotInterested&) const = default;
};
struct Choke {
  bool operator==(const Choke&) const = default;
};
struct Unchoke {
  bool operator==(const Unchoke&) const = default;
};
struct Request {
  std::uint64_t seq = 0;
  bool urgent = false;  // the sender's playback waits for it
  bool operator==(const Request&) const = default;
};
struct Cancel {
  std::uint64_t seq = 0;
  bool operator==(const Cancel&) const = default;
};
struct ChunkData {
  std::uint64_t seq = 0;
  ChunkPayload payload;
  bool operator==(const ChunkData& o) const {
    return seq == o.seq && (payload == o.payload || (payload && o.payload && *payload == *o.payload));
  }
};
struct Reject {
  std::uint64_t seq = 0;
  bool busy = false;  // held, but the sender's upload queue is full
  bool operator==(const Reject&) const = default;
};
struct PeerExchange {
  std::vector<PeerAddress> added;
  std::vector<PeerAddress> dropped;
  bool operator==(const PeerExchange&) const = default;
};
struct KeepAlive {
  bool operator==(const KeepAlive&) const = default;
};

/// The variant's index is the frame's type byte on the wire.
using Message = std::variant<Handshake, Have, HaveRange, Interested, NotInterested, Choke, Unchoke, Request, Cancel,
                             ChunkData, Reject, PeerExchange, KeepAlive>;

inline constexpr std::uint8_t kMessageTypeCount = std::variant_size_v<Message>;

/// A short name for logs ("have", "chunk_data", ...).
const char* message_name(const Message& message);

}  // namespace shoal::protocol
