#include "shoal/origin/http_server.hpp"

#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <iostream>

#include "shoal/protocol/address_text.hpp"

namespace shoal::origin {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using protocol::address_text;

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Router& router, const HttpLimits& limits)
      : stream_(std::move(socket)), router_(router), limits_(limits) {}

  void run() { read(); }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(limits_.header_bytes));
    parser_->body_limit(limits_.body_bytes);
    stream_.expires_after(limits_.idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof) {
      return close();
    }
    if (ec) {
      // Malformed or oversized: answer once, then drop the connection.
      const int status = ec == http::error::body_limit || ec == http::error::header_limit ? 413 : 400;
      return respond(text_reply(status, ec.message() + "\n"), false);
    }
    auto& req = parser_->get();
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.body = std::move(req.body());
    beast::error_code ignored;
    const auto remote = stream_.socket().remote_endpoint(ignored);
    if (!ignored) request.remote_host = address_text(remote.address());
    const auto local = stream_.socket().local_endpoint(ignored);
    if (!ignored) request.local_host = address_text(local.address());
    if (auto it = req.find(http::field::range); it != req.end()) request.range = std::string(it->value());
    if (auto it = req.find(http::field::if_none_match); it != req.end()) {
      request.if_none_match = std::string(it->value());
    }
    HttpReply reply;
    try {
      reply = router_.handle(request);
    } catch (const std::exception& e) {
      reply = text_reply(500, std::string("internal error: ") + e.what() + "\n");
    }
    respond(std::move(reply), req.keep_alive());
  }

  void respond(HttpReply reply, bool keep_alive) {
    reply_ = std::move(reply);
    response_.emplace();
    response_->version(11);
    response_->result(static_cast<unsigned>(reply_.status));
    response_->set(http::field::server, "shoal-origin");
    response_->set(http::field::content_type, reply_.content_type);
    for (const auto& [name, value] : reply_.headers) response_->set(name, value);
    const std::string_view body = reply_.view();
    response_->body() = http::span_body<const char>::value_type(body.data(), body.size());
    response_->keep_alive(keep_alive);
    response_->prepare_payload();
    stream_.expires_after(limits_.idle_timeout);
    http::async_write(stream_, *response_, [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
      if (ec || !keep_alive) return self->close();
      self->response_.reset();
      self->reply_ = HttpReply{};
      self->read();
    });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  Router& router_;
  HttpLimits limits_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpReply reply_;  // keeps the payload alive while it is written
  std::optional<http::response<http::span_body<const char>>> response_;
};

}  // namespace

struct HttpServer::Listener : std::enable_shared_from_this<Listener> {
  Listener(net::io_context& io_context, Router& r, HttpLimits l)
      : io(io_context), acceptor(io_context), router(r), limits(l) {}

  void accept() {
    acceptor.async_accept(net::make_strand(io), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (ec == net::error::operation_aborted || !self->acceptor.is_open()) return;
      if (!ec) std::make_shared<Session>(std::move(s), self->router, self->limits)->run();
      self->accept();
    });
  }

  net::io_context& io;
  tcp::acceptor acceptor;
  Router& router;
  HttpLimits limits;
};

HttpServer::HttpServer(net::io_context& io, const tcp::endpoint& endpoint, Router& router, HttpLimits limits)
    : listener_(std::make_shared<Listener>(io, router, limits)) {
  tcp::acceptor& a = listener_->acceptor;
  a.open(endpoint.protocol());
  a.set_option(net::socket_base::reuse_address(true));
  a.bind(endpoint);
  a.listen(net::socket_base::max_listen_connections);
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() { listener_->accept(); }

void HttpServer::stop() {
  beast::error_code ignored;
  listener_->acceptor.close(ignored);
}

tcp::endpoint HttpServer::local_endpoint() const { return listener_->acceptor.local_endpoint(); }

}  // namespace shoal::origin
