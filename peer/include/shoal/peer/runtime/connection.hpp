// One TCP connection between peers: a read loop feeding a FrameDecoder and a
// write queue of encoded frames. It knows nothing of the core; the Mesh owns it.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "shoal/peer/core/types.hpp"
#include "shoal/protocol/frame_codec.hpp"
#include "shoal/protocol/message.hpp"

namespace shoal::peer {

class PeerConnection : public std::enable_shared_from_this<PeerConnection> {
 public:
  struct Handler {
    std::function<void(ConnectionId, protocol::Message)> on_message;
    /// The codec refused a frame; the connection is already closed.
    std::function<void(ConnectionId, protocol::DecodeError)> on_frame_error;
    /// The remote closed or the socket failed (never called after close()).
    std::function<void(ConnectionId, const std::string& reason)> on_closed;
    /// A ChunkData frame left the write queue; `chunk_bytes` is its payload size.
    std::function<void(ConnectionId, std::uint64_t chunk_bytes)> on_sent;
  };

  PeerConnection(boost::asio::ip::tcp::socket socket, ConnectionId id, Handler handler,
                 std::size_t max_frame = protocol::kDefaultMaxFrame);

  void start();
  void send(const protocol::Message& message);
  /// Closes at once, dropping queued frames; no callback follows.
  void close();

  ConnectionId id() const { return id_; }
  bool open() const { return open_; }
  std::uint64_t bytes_sent() const { return bytes_sent_; }
  std::uint64_t bytes_received() const { return bytes_received_; }
  std::size_t queued_bytes() const { return queued_bytes_; }

 private:
  void read_more();
  void write_front();
  void fail(const std::string& reason);

  boost::asio::ip::tcp::socket socket_;
  ConnectionId id_;
  Handler handler_;
  protocol::FrameDecoder decoder_;
  std::string read_buffer_;
  struct Frame {
    std::string bytes;
    std::uint64_t chunk_bytes = 0;  // the ChunkData payload it carries, reported by on_sent
  };
  std::deque<Frame> write_queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool open_ = true;
  std::uint64_t bytes_sent_ = 0;
  std::uint64_t bytes_received_ = 0;
};

}  // namespace shoal::peer
