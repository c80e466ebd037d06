#include "shoal/peer/runtime/connection.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

namespace shoal::peer {

namespace asio = boost::asio;

namespace {
// Large enough that a 1 s chunk at a few Mbit/s arrives in a handful of reads.
constexpr std::size_t kReadSize = 64 * 1024;
constexpr int kNotSentLowWater = 16 * 1024;
}  // namespace

PeerConnection::PeerConnection(asio::ip::tcp::socket socket, ConnectionId id, Handler handler, std::size_t max_frame)
    : socket_(std::move(socket)), id_(id), handler_(std::move(handler)), decoder_(max_frame) {
  boost::system::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  // The kernel keeps at most this much unsent: a write then completes when its bytes are on their way,
  // not merely copied into a socket buffer of megabytes, and the core's view of its queue (on_sent,
  // core/uplink.hpp) is the real one.
  const int lowat = kNotSentLowWater;
  ::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof lowat);
}

void PeerConnection::start() { read_more(); }

void PeerConnection::read_more() {
  read_buffer_.resize(kReadSize);
  socket_.async_read_some(asio::buffer(read_buffer_),
                          [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                            if (!self->open_) return;
                            if (ec) return self->fail(ec == asio::error::eof ? "closed by peer" : ec.message());
                            self->bytes_received_ += n;
                            self->decoder_.feed(std::string_view(self->read_buffer_.data(), n));
                            protocol::Message message;
                            for (;;) {
                              auto status = self->decoder_.next(message);
                              if (status == protocol::FrameDecoder::Status::need_more) break;
                              if (status == protocol::FrameDecoder::Status::error) {
                                auto error = self->decoder_.error();
                                self->close();
                                if (self->handler_.on_frame_error) self->handler_.on_frame_error(self->id_, error);
                                return;
                              }
                              if (self->handler_.on_message) self->handler_.on_message(self->id_, std::move(message));
                              // The handler may have closed us (e.g. the core disconnected this peer).
                              if (!self->open_) return;
                            }
                            self->read_more();
                          });
}

void PeerConnection::send(const protocol::Message& message) {
  if (!open_) return;
  Frame frame;
  protocol::encode_frame(message, frame.bytes);
  if (const auto* data = std::get_if<protocol::ChunkData>(&message); data && data->payload)
    frame.chunk_bytes = data->payload->size();
  queued_bytes_ += frame.bytes.size();
  write_queue_.push_back(std::move(frame));
  if (!writing_) write_front();
}

void PeerConnection::write_front() {
  writing_ = true;
  asio::async_write(socket_, asio::buffer(write_queue_.front().bytes),
                    [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                      self->writing_ = false;
                      if (!self->open_) return;
                      if (ec) return self->fail(ec.message());
                      self->bytes_sent_ += n;
                      const std::uint64_t chunk_bytes = self->write_queue_.front().chunk_bytes;
                      self->queued_bytes_ -= self->write_queue_.front().bytes.size();
                      self->write_queue_.pop_front();
                      if (!self->write_queue_.empty()) self->write_front();
                      if (chunk_bytes > 0 && self->handler_.on_sent) self->handler_.on_sent(self->id_, chunk_bytes);
                    });
}

void PeerConnection::fail(const std::string& reason) {
  close();
  if (handler_.on_closed) handler_.on_closed(id_, reason);
}

void PeerConnection::close() {
  if (!open_) return;
  open_ = false;
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  write_queue_.clear();
  queued_bytes_ = 0;
}

}  // namespace shoal::peer
