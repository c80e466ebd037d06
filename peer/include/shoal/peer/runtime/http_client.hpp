// A small Boost.Beast HTTP/1.1 client for the origin: one connection per
// request (the origin sits close and requests are few per second), with a
// connect timeout and a whole-request timeout, so a dead origin is noticed.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace shoal::peer {

struct HttpResponse {
  /// Empty on success; else why no response arrived (refused, timeout, malformed).
  std::string transport_error;
  int status = 0;
  std::string body;
  bool ok() const { return transport_error.empty() && status >= 200 && status < 300; }
};

class HttpClient {
 public:
  using Callback = std::function<void(HttpResponse)>;

  HttpClient(boost::asio::io_context& io, std::string host, std::uint16_t port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  void get(const std::string& target, Callback done);
  void post(const std::string& target, std::string body, Callback done);
  /// Aborts requests in flight; their callbacks are not called.
  void cancel_all();

  std::chrono::milliseconds timeout{10'000};
  std::size_t body_limit = 64u << 20;

  struct Request;  // one exchange in flight (internal)

 private:
  void run(std::shared_ptr<Request> request);

  boost::asio::io_context& io_;
  std::string host_;
  std::uint16_t port_;
  std::vector<std::weak_ptr<Request>> in_flight_;
};

}  // namespace shoal::peer
