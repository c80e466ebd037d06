// A tiny Beast HTTP server on 127.0.0.1:0 with its own thread, answering each
// request through a handler: enough origin for runtime tests.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace shoal::peer::test {

struct FakeReply {
  int status = 200;
  std::string body;
  /// Raw bytes sent instead of an HTTP response (malformed-reply tests).
  std::string raw;
  /// Never answer (timeout tests).
  bool hang = false;

  static FakeReply ok(std::string body) { return status_of(200, std::move(body)); }
  static FakeReply status_of(int status, std::string body = {}) {
    FakeReply r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
  static FakeReply garbage(std::string bytes) {
    FakeReply r;
    r.raw = std::move(bytes);
    return r;
  }
  static FakeReply silent() {
    FakeReply r;
    r.hang = true;
    return r;
  }
};

class FakeOrigin {
 public:
  using Handler =
      std::function<FakeReply(const std::string& method, const std::string& target, const std::string& body)>;

  explicit FakeOrigin(Handler handler) : handler_(std::move(handler)), acceptor_(io_) {
    namespace asio = boost::asio;
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FakeOrigin() {
    boost::asio::post(io_, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      for (auto& s : hung_) s->close(ignored);
    });
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return port_; }
  int requests() const { return requests_; }
  std::vector<std::string> targets() {
    std::lock_guard lock(mutex_);
    return targets_;
  }

 private:
  void accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket) {
      if (ec) return;
      serve(std::make_shared<boost::asio::ip::tcp::socket>(std::move(socket)));
      accept();
    });
  }
  void serve(std::shared_ptr<boost::asio::ip::tcp::socket> socket) {
    namespace http = boost::beast::http;
    auto buffer = std::make_shared<boost::beast::flat_buffer>();
    auto request = std::make_shared<http::request<http::string_body>>();
    http::async_read(
        *socket, *buffer, *request, [this, socket, buffer, request](const boost::system::error_code& ec, std::size_t) {
          if (ec) return;
          ++requests_;
          {
            std::lock_guard lock(mutex_);
            targets_.push_back(std::string(request->method_string()) + " " + std::string(request->target()));
          }
          auto reply = handler_(std::string(request->method_string()), std::string(request->target()), request->body());
          if (reply.hang) {
            hung_.push_back(socket);
            return;
          }
          if (!reply.raw.empty()) {
            auto raw = std::make_shared<std::string>(reply.raw);
            boost::asio::async_write(*socket, boost::asio::buffer(*raw),
                                     [socket, raw](const boost::system::error_code&, std::size_t) {
                                       boost::system::error_code ignored;
                                       socket->shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
                                     });
            return;
          }
          auto response =
              std::make_shared<http::response<http::string_body>>(static_cast<http::status>(reply.status), 11);
          response->body() = reply.body;
          response->keep_alive(false);
          response->prepare_payload();
          http::async_write(*socket, *response, [socket, response](const boost::system::error_code&, std::size_t) {
            boost::system::error_code ignored;
            socket->shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
          });
        });
  }

  Handler handler_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<int> requests_{0};
  std::mutex mutex_;
  std::vector<std::string> targets_;
  std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> hung_;
};

}  // namespace shoal::peer::test
