// The transport side of a peer: a TCP listener, outbound connects and the set
// of open PeerConnections, each named by a ConnectionId never reused. Events
// go to a MeshEvents sink (the CoreDriver); the Mesh holds no policy.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "shoal/peer/core/types.hpp"
#include "shoal/peer/runtime/connection.hpp"
#include "shoal/protocol/frame_codec.hpp"
#include "shoal/protocol/message.hpp"

namespace shoal::peer {

class MeshEvents {
 public:
  virtual ~MeshEvents() = default;
  virtual void on_connected(ConnectionId conn, const protocol::PeerAddress& remote, bool outbound) = 0;
  virtual void on_connect_failed(const protocol::PeerAddress& remote) = 0;
  /// The remote closed or the socket failed (not after disconnect()).
  virtual void on_disconnected(ConnectionId conn) = 0;
  virtual void on_message(ConnectionId conn, protocol::Message message) = 0;
  /// A chunk's frame left the connection's write queue (PeerCore::on_sent).
  virtual void on_sent(ConnectionId conn, std::uint64_t chunk_bytes) = 0;
  /// A frame the codec refused; the connection is already closed.
  virtual void on_protocol_error(ConnectionId conn, protocol::DecodeError error) = 0;
};

class Mesh {
 public:
  Mesh(boost::asio::io_context& io, MeshEvents& events);
  ~Mesh();
  Mesh(const Mesh&) = delete;
  Mesh& operator=(const Mesh&) = delete;

  /// Binds and listens; returns the bound port. Throws on failure. An empty host is every interface
  /// (IPv6 and IPv4). Connections wait in the backlog until start_accepting(), so none arrives before
  /// the core exists.
  std::uint16_t listen(const std::string& host, std::uint16_t port);
  void start_accepting();
  void connect(const protocol::PeerAddress& remote);
  void send(ConnectionId conn, const protocol::Message& message);
  void disconnect(ConnectionId conn);
  /// Stops accepting and closes every connection, without events.
  void close_all();

  std::size_t connections() const { return connections_.size(); }
  std::size_t queued_bytes(ConnectionId conn) const;
  std::uint16_t listen_port() const { return listen_port_; }

 private:
  std::uint16_t listen_on(const boost::asio::ip::tcp::endpoint& endpoint, bool dual_stack);
  void accept_next();
  ConnectionId adopt(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  MeshEvents& events_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t listen_port_ = 0;
  ConnectionId next_id_ = 1;
  std::map<ConnectionId, std::shared_ptr<PeerConnection>> connections_;
  // Shared with pending handlers so they can tell the Mesh is gone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace shoal::peer
