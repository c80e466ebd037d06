#include "shoal/peer/runtime/mesh.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

#include "shoal/protocol/address_text.hpp"

namespace shoal::peer {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
// A peer that does not accept within this time is as good as absent.
constexpr auto kConnectTimeout = std::chrono::seconds(3);
}  // namespace

Mesh::Mesh(asio::io_context& io, MeshEvents& events) : io_(io), events_(events), acceptor_(io) {}

Mesh::~Mesh() {
  *alive_ = false;
  close_all();
}

std::uint16_t Mesh::listen(const std::string& host, std::uint16_t port) {
  if (!host.empty()) return listen_on(tcp::endpoint(asio::ip::make_address(host), port), false);
  // Every interface: one IPv6 socket that takes IPv4 too, or IPv4 alone where the host has no IPv6.
  try {
    return listen_on(tcp::endpoint(tcp::v6(), port), true);
  } catch (const boost::system::system_error&) {
    return listen_on(tcp::endpoint(tcp::v4(), port), false);
  }
}

std::uint16_t Mesh::listen_on(const tcp::endpoint& endpoint, bool dual_stack) {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  acceptor_.open(endpoint.protocol());
  if (dual_stack) acceptor_.set_option(asio::ip::v6_only(false));
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  listen_port_ = acceptor_.local_endpoint().port();
  return listen_port_;
}

void Mesh::start_accepting() {
  if (acceptor_.is_open()) accept_next();
}

void Mesh::accept_next() {
  acceptor_.async_accept([this, alive = alive_](const boost::system::error_code& ec, tcp::socket socket) {
    if (!*alive || !acceptor_.is_open()) return;
    if (!ec) {
      boost::system::error_code ep_ec;
      auto remote_ep = socket.remote_endpoint(ep_ec);
      if (!ep_ec) {
        protocol::PeerAddress remote{protocol::address_text(remote_ep.address()), remote_ep.port(), {}};
        auto id = adopt(std::move(socket));
        events_.on_connected(id, remote, false);
      }
    }
    accept_next();
  });
}

ConnectionId Mesh::adopt(tcp::socket socket) {
  auto id = next_id_++;
  PeerConnection::Handler handler;
  handler.on_message = [this, alive = alive_](ConnectionId conn, protocol::Message message) {
    if (*alive) events_.on_message(conn, std::move(message));
  };
  handler.on_frame_error = [this, alive = alive_](ConnectionId conn, protocol::DecodeError error) {
    if (!*alive) return;
    connections_.erase(conn);
    events_.on_protocol_error(conn, error);
  };
  handler.on_closed = [this, alive = alive_](ConnectionId conn, const std::string&) {
    if (!*alive) return;
    connections_.erase(conn);
    events_.on_disconnected(conn);
  };
  handler.on_sent = [this, alive = alive_](ConnectionId conn, std::uint64_t chunk_bytes) {
    if (*alive) events_.on_sent(conn, chunk_bytes);
  };
  auto connection = std::make_shared<PeerConnection>(std::move(socket), id, std::move(handler));
  connections_.emplace(id, connection);
  connection->start();
  return id;
}

void Mesh::connect(const protocol::PeerAddress& remote) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(remote.host, ec);
  if (ec) {
    // Only numeric addresses travel in tracker replies and peer exchange; report asynchronously all the same.
    asio::post(io_, [this, alive = alive_, remote] {
      if (*alive) events_.on_connect_failed(remote);
    });
    return;
  }
  auto socket = std::make_shared<tcp::socket>(io_);
  auto timer = std::make_shared<asio::steady_timer>(io_, kConnectTimeout);
  timer->async_wait([socket](const boost::system::error_code& timer_ec) {
    if (!timer_ec) {
      boost::system::error_code ignored;
      socket->close(ignored);
    }
  });
  socket->async_connect(tcp::endpoint(address, remote.port),
                        [this, alive = alive_, socket, timer, remote](const boost::system::error_code& connect_ec) {
                          timer->cancel();
                          if (!*alive) return;
                          if (connect_ec || !socket->is_open()) return events_.on_connect_failed(remote);
                          auto id = adopt(std::move(*socket));
                          events_.on_connected(id, remote, true);
                        });
}

void Mesh::send(ConnectionId conn, const protocol::Message& message) {
  auto it = connections_.find(conn);
  if (it != connections_.end()) it->second->send(message);
}

void Mesh::disconnect(ConnectionId conn) {
  auto it = connections_.find(conn);
  if (it == connections_.end()) return;
  it->second->close();
  connections_.erase(it);
}

void Mesh::close_all() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (auto& [id, connection] : connections_) connection->close();
  connections_.clear();
}

std::size_t Mesh::queued_bytes(ConnectionId conn) const {
  auto it = connections_.find(conn);
  return it == connections_.end() ? 0 : it->second->queued_bytes();
}

}  // namespace shoal::peer
