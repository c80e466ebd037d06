#include "shoal/protocol/frame_codec.hpp"

#include <cstring>
#include <type_traits>

#include "shoal.pb.h"

namespace shoal::protocol {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

void to_wire(const PeerAddress& a, wire::PeerAddress& w) {
  w.set_host(a.host);
  w.set_port(a.port);
  w.set_peer_id(a.peer_id);
}

bool from_wire(const wire::PeerAddress& w, PeerAddress& a) {
  if (w.port() > 0xffff) return false;
  a.host = w.host();
  a.port = static_cast<std::uint16_t>(w.port());
  a.peer_id = w.peer_id();
  return true;
}

std::string pack_bits(const std::vector<bool>& bits) {
  std::string out((bits.size() + 7) / 8, '\0');
  for (std::size_t i = 0; i < bits.size(); ++i)
    if (bits[i]) out[i / 8] = static_cast<char>(static_cast<unsigned char>(out[i / 8]) | (1u << (i % 8)));
  return out;
}

std::vector<bool> unpack_bits(const std::string& bytes) {
  std::vector<bool> bits(bytes.size() * 8);
  for (std::size_t i = 0; i < bits.size(); ++i) bits[i] = (static_cast<unsigned char>(bytes[i / 8]) >> (i % 8)) & 1u;
  while (!bits.empty() && !bits.back()) bits.pop_back();
  return bits;
}

void serialize_body(const Message& message, std::string& out) {
  std::visit(Overloaded{
                 [&](const Handshake& m) {
                   wire::Handshake w;
                   w.set_protocol_version(m.protocol_version);
                   w.set_swarm_id(m.swarm_id);
                   w.set_peer_id(m.peer_id);
                   w.set_listen_port(m.listen_port);
                   w.set_upload_bps(m.upload_bps);
                   w.AppendToString(&out);
                 },
                 [&](const Have& m) {
                   wire::Have w;
                   w.set_seq(m.seq);
                   w.AppendToString(&out);
                 },
                 [&](const HaveRange& m) {
                   wire::HaveRange w;
                   w.set_first(m.first);
                   w.set_bitmap(pack_bits(m.held));
                   w.AppendToString(&out);
                 },
                 [&](const Request& m) {
                   wire::Request w;
                   w.set_seq(m.seq);
                   w.set_urgent(m.urgent);
                   w.AppendToString(&out);
                 },
                 [&](const Cancel& m) {
                   wire::Cancel w;
                   w.set_seq(m.seq);
                   w.AppendToString(&out);
                 },
                 [&](const ChunkData& m) {
                   wire::ChunkData w;
                   w.set_seq(m.seq);
                   if (m.payload) w.set_payload(*m.payload);
                   w.AppendToString(&out);
                 },
                 [&](const Reject& m) {
                   wire::Reject w;
                   w.set_seq(m.seq);
                   w.set_busy(m.busy);
                   w.AppendToString(&out);
                 },
                 [&](const PeerExchange& m) {
                   wire::PeerExchange w;
                   for (const auto& a : m.added) to_wire(a, *w.add_added());
                   for (const auto& a : m.dropped) to_wire(a, *w.add_dropped());
                   w.AppendToString(&out);
                 },
                 // Interested, NotInterested, Choke, Unchoke, KeepAlive have empty bodies.
                 [](const auto&) {},
             },
             message);
}

template <class Wire>
bool parse(const char* data, std::size_t size, Wire& w) {
  return w.ParseFromArray(data, static_cast<int>(size));
}

bool parse_handshake(const char* data, std::size_t size, Message& out, bool& version_mismatch) {
  wire::Handshake w;
  if (!parse(data, size, w) || w.listen_port() > 0xffff) return false;
  if (w.protocol_version() != kProtocolVersion) {
    version_mismatch = true;
    return false;
  }
  out = Handshake{w.protocol_version(), w.swarm_id(), w.peer_id(), static_cast<std::uint16_t>(w.listen_port()),
                  w.upload_bps()};
  return true;
}

bool parse_peer_exchange(const char* data, std::size_t size, Message& out) {
  wire::PeerExchange w;
  if (!parse(data, size, w)) return false;
  PeerExchange m;
  m.added.resize(static_cast<std::size_t>(w.added_size()));
  m.dropped.resize(static_cast<std::size_t>(w.dropped_size()));
  for (int i = 0; i < w.added_size(); ++i)
    if (!from_wire(w.added(i), m.added[static_cast<std::size_t>(i)])) return false;
  for (int i = 0; i < w.dropped_size(); ++i)
    if (!from_wire(w.dropped(i), m.dropped[static_cast<std::size_t>(i)])) return false;
  out = std::move(m);
  return true;
}

// Returns false on a malformed body; sets version_mismatch for a handshake of another version.
bool parse_body(std::uint8_t type, const char* data, std::size_t size, Message& out, bool& version_mismatch) {
  switch (type) {
    case 0:
      return parse_handshake(data, size, out, version_mismatch);
    case 1: {
      wire::Have w;
      if (!parse(data, size, w)) return false;
      out = Have{w.seq()};
      return true;
    }
    case 2: {
      wire::HaveRange w;
      if (!parse(data, size, w)) return false;
      out = HaveRange{w.first(), unpack_bits(w.bitmap())};
      return true;
    }
    case 3:
      out = Interested{};
      return size == 0;
    case 4:
      out = NotInterested{};
      return size == 0;
    case 5:
      out = Choke{};
      return size == 0;
    case 6:
      out = Unchoke{};
      return size == 0;
    case 7: {
      wire::Request w;
      if (!parse(data, size, w)) return false;
      out = Request{w.seq(), w.urgent()};
      return true;
    }
    case 8: {
      wire::Cancel w;
      if (!parse(data, size, w)) return false;
      out = Cancel{w.seq()};
      return true;
    }
    case 9: {
      wire::ChunkData w;
      if (!parse(data, size, w)) return false;
      out = ChunkData{w.seq(), std::make_shared<const std::string>(std::move(*w.mutable_payload()))};
      return true;
    }
    case 10: {
      wire::Reject w;
      if (!parse(data, size, w)) return false;
      out = Reject{w.seq(), w.busy()};
      return true;
    }
    case 11:
      return parse_peer_exchange(data, size, out);
    case 12:
      out = KeepAlive{};
      return size == 0;
    default:
      return false;
  }
}

std::uint32_t read_be32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (std::uint32_t{u[0]} << 24) | (std::uint32_t{u[1]} << 16) | (std::uint32_t{u[2]} << 8) | std::uint32_t{u[3]};
}

}  // namespace

const char* message_name(const Message& message) {
  static constexpr const char* kNames[] = {"handshake", "have",          "have_range", "interested", "not_interested",
                                           "choke",     "unchoke",       "request",    "cancel",     "chunk_data",
                                           "reject",    "peer_exchange", "keepalive"};
  static_assert(std::size(kNames) == kMessageTypeCount);
  return kNames[message.index()];
}

const char* to_string(DecodeError error) {
  switch (error) {
    case DecodeError::oversized:
      return "frame larger than the maximum frame size";
    case DecodeError::truncated:
      return "stream ended inside a frame";
    case DecodeError::unknown_type:
      return "unknown message type";
    case DecodeError::malformed_body:
      return "malformed message body";
    case DecodeError::version_mismatch:
      return "protocol version mismatch";
  }
  return "unknown error";
}

void encode_frame(const Message& message, std::string& out) {
  const std::size_t start = out.size();
  out.append(kFrameHeaderSize, '\0');
  out.push_back(static_cast<char>(message.index()));
  serialize_body(message, out);
  const auto length = static_cast<std::uint32_t>(out.size() - start - kFrameHeaderSize);
  for (int i = 0; i < 4; ++i)
    out[start + static_cast<std::size_t>(i)] = static_cast<char>((length >> (24 - 8 * i)) & 0xff);
}

std::string encode_frame(const Message& message) {
  std::string out;
  encode_frame(message, out);
  return out;
}

void FrameDecoder::feed(std::span<const std::uint8_t> bytes) {
  feed(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

void FrameDecoder::feed(std::string_view bytes) {
  if (failed_) return;
  // Compact before growing so the buffer holds at most one partial frame plus the new bytes.
  if (read_pos_ > 0 && read_pos_ >= buffer_.size() / 2) {
    buffer_.erase(0, read_pos_);
    read_pos_ = 0;
  }
  buffer_.append(bytes);
}

FrameDecoder::Status FrameDecoder::fail(DecodeError error) {
  failed_ = true;
  error_ = error;
  buffer_.clear();
  buffer_.shrink_to_fit();
  read_pos_ = 0;
  return Status::error;
}

FrameDecoder::Status FrameDecoder::next(Message& out) {
  if (failed_) return Status::error;
  const std::size_t available = buffer_.size() - read_pos_;
  if (available < kFrameHeaderSize) return Status::need_more;
  const std::uint32_t length = read_be32(buffer_.data() + read_pos_);
  if (length > max_frame_) return fail(DecodeError::oversized);
  if (length < 1) return fail(DecodeError::truncated);
  if (available < kFrameHeaderSize + length) return Status::need_more;

  const char* frame = buffer_.data() + read_pos_ + kFrameHeaderSize;
  const auto type = static_cast<std::uint8_t>(frame[0]);
  if (type >= kMessageTypeCount) return fail(DecodeError::unknown_type);
  bool version_mismatch = false;
  if (!parse_body(type, frame + 1, length - 1, out, version_mismatch))
    return fail(version_mismatch ? DecodeError::version_mismatch : DecodeError::malformed_body);
  read_pos_ += kFrameHeaderSize + length;
  if (read_pos_ == buffer_.size()) {
    buffer_.clear();
    read_pos_ = 0;
  }
  return Status::message;
}

FrameDecoder::Status FrameDecoder::finish() {
  if (failed_) return Status::error;
  if (buffered() > 0) return fail(DecodeError::truncated);
  return Status::need_more;
}

}  // namespace shoal::protocol
