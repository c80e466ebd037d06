#include "shoal/origin/http_server.hpp"

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <iostream>
#include <map>
#include <mutex>

#include "shoal/protocol/address_text.hpp"

namespace shoal::origin {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using protocol::address_text;

namespace {

// Who is connected: the caps of HttpLimits. A Session holds a ticket; the count drops when it ends.
class Admission : public std::enable_shared_from_this<Admission> {
 public:
  explicit Admission(const HttpLimits& limits) : limits_(limits) {}
  bool full() const {
    std::lock_guard lock(mutex_);
    return total_ >= limits_.max_connections;
  }
  /// A ticket for a connection from `remote`, or null when a cap is reached.
  std::shared_ptr<void> admit(const net::ip::address& remote) {
    const std::string key = remote.is_loopback() ? std::string() : address_text(remote);
    std::lock_guard lock(mutex_);
    if (total_ >= limits_.max_connections) return nullptr;
    if (!key.empty() && per_address_[key] >= limits_.max_connections_per_address) return nullptr;
    ++total_;
    if (!key.empty()) ++per_address_[key];
    return std::make_shared<Ticket>(shared_from_this(), key);
  }

 private:
  struct Ticket {
    Ticket(std::shared_ptr<Admission> a, std::string k) : admission(std::move(a)), key(std::move(k)) {}
    ~Ticket() { admission->release(key); }
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    std::shared_ptr<Admission> admission;
    std::string key;
  };
  void release(const std::string& key) {
    std::lock_guard lock(mutex_);
    --total_;
    if (!key.empty() && --per_address_[key] == 0) per_address_.erase(key);
  }
  const HttpLimits limits_;
  mutable std::mutex mutex_;
  std::size_t total_ = 0;
  std::map<std::string, std::size_t> per_address_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Router& router, const HttpLimits& limits, std::shared_ptr<void> ticket)
      : stream_(std::move(socket)), router_(router), limits_(limits), ticket_(std::move(ticket)) {}

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
      linger_ = true;
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
      if (!ec && self->linger_) return self->linger();
      if (ec || !keep_alive) return self->close();
      self->response_.reset();
      self->reply_ = HttpReply{};
      self->read();
    });
  }

  // After an error answer the client may still be sending (the rest of an oversized body): closing at once
  // would reset the connection, and a reset discards the answer waiting in the client's receive buffer. So,
  // as nginx's lingering_close does, stop sending and read and drop what still comes, for a bounded time
  // and amount, before closing.
  void linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTime);
    drain();
  }
  void drain() {
    stream_.async_read_some(net::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ >= kLingerBytes) return self->stream_.close();
                              self->drain();
                            });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  static constexpr std::chrono::seconds kLingerTime{2};
  static constexpr std::size_t kLingerBytes = 1 << 20;

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bool linger_ = false;
  std::size_t lingered_ = 0;
  std::array<char, 16 * 1024> drain_buffer_{};
  Router& router_;
  HttpLimits limits_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpReply reply_;  // keeps the payload alive while it is written
  std::optional<http::response<http::span_body<const char>>> response_;
  std::shared_ptr<void> ticket_;  // counts this connection until it ends
};

}  // namespace

struct HttpServer::Listener : std::enable_shared_from_this<Listener> {
  Listener(net::io_context& io_context, Router& r, HttpLimits l)
      : io(io_context),
        acceptor(io_context),
        router(r),
        limits(l),
        admission(std::make_shared<Admission>(l)),
        backoff(io_context) {}

  void accept() {
    acceptor.async_accept(net::make_strand(io), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (ec == net::error::operation_aborted || !self->acceptor.is_open()) return;
      if (!ec) {
        beast::error_code ignored;
        const auto remote = s.remote_endpoint(ignored);
        if (auto ticket = ignored ? nullptr : self->admission->admit(remote.address())) {
          std::make_shared<Session>(std::move(s), self->router, self->limits, std::move(ticket))->run();
        } else {
          s.close(ignored);  // over a cap: closed unanswered
        }
      }
      if (!self->admission->full()) return self->accept();
      // Full: accepting pauses, so a flood of connects waits in the backlog instead of spinning us.
      self->backoff.expires_after(self->limits.accept_backoff);
      self->backoff.async_wait([self](beast::error_code timer_ec) {
        if (!timer_ec && self->acceptor.is_open()) self->accept();
      });
    });
  }

  net::io_context& io;
  tcp::acceptor acceptor;
  Router& router;
  HttpLimits limits;
  std::shared_ptr<Admission> admission;
  net::steady_timer backoff;
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
  listener_->backoff.cancel();
}

tcp::endpoint HttpServer::local_endpoint() const { return listener_->acceptor.local_endpoint(); }

}  // namespace shoal::origin
