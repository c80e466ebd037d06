// Length-prefixed framing for peer connections.
//
// Frame: u32 big-endian length L, then L bytes: one type byte (the Message
// variant index) and the protobuf body of that type (shoal.proto).
// The decoder is incremental (feed any split of the stream) and refuses a
// length prefix above its cap before buffering anything of that frame, so a
// hostile peer cannot make it allocate more than the cap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "shoal/protocol/message.hpp"

namespace shoal::protocol {

/// Largest frame accepted by default: a 2 s chunk at 25 Mbit/s fits.
inline constexpr std::size_t kDefaultMaxFrame = 8u << 20;
inline constexpr std::size_t kFrameHeaderSize = 4;

enum class DecodeError {
  oversized,         // length prefix above the cap
  truncated,         // the stream ended inside a frame, or a frame too short for its type byte
  unknown_type,      // type byte names no message
  malformed_body,    // body is not a valid protobuf of that type
  version_mismatch,  // a handshake with another protocol version
};

const char* to_string(DecodeError error);

/// Appends one frame holding `message` to `out`.
void encode_frame(const Message& message, std::string& out);
std::string encode_frame(const Message& message);

class FrameDecoder {
 public:
  enum class Status { need_more, message, error };

  explicit FrameDecoder(std::size_t max_frame = kDefaultMaxFrame) : max_frame_(max_frame) {}

  /// Hands the decoder the next bytes read from the stream.
  void feed(std::span<const std::uint8_t> bytes);
  void feed(std::string_view bytes);

  /// Decodes the next complete frame into `out`. After an error every later
  /// call returns error again: the connection is to be dropped.
  Status next(Message& out);

  /// The stream has ended: returns truncated when part of a frame is buffered.
  Status finish();

  DecodeError error() const { return error_; }
  std::size_t buffered() const { return buffer_.size() - read_pos_; }

 private:
  Status fail(DecodeError error);

  std::size_t max_frame_;
  std::string buffer_;
  std::size_t read_pos_ = 0;
  bool failed_ = false;
  DecodeError error_ = DecodeError::truncated;
};

}  // namespace shoal::protocol
