// Beast HTTP/1.1 server on one io_context: accepts, reads each request with
// header and body limits and a timeout, hands it to the Router and writes
// the reply (chunk bytes straight from the shared payload, no copy).
// Malformed requests get 400/413 and the connection is closed.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "shoal/origin/router.hpp"

namespace shoal::origin {

struct HttpLimits {
  std::size_t header_bytes = 16 * 1024;
  std::size_t body_bytes = 64 * 1024;  // announces and reports are small
  std::chrono::seconds idle_timeout{30};
  /// Connections open at once, and from one address (loopback exempt: a CDN or proxy on this machine). Past
  /// either, a new connection is closed unanswered, and past the total accepting pauses for accept_backoff.
  std::size_t max_connections = 10'000;
  std::size_t max_connections_per_address = 64;
  std::chrono::milliseconds accept_backoff{100};
};

class HttpServer {
 public:
  /// Binds and listens now (throws boost::system::system_error on failure).
  HttpServer(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint, Router& router,
             HttpLimits limits = {});
  ~HttpServer();

  /// Starts accepting (on the io_context's thread).
  void start();
  /// Stops accepting; open connections end on their own.
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const;

 private:
  struct Listener;
  std::shared_ptr<Listener> listener_;
};

}  // namespace shoal::origin
