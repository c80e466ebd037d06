#include "shoal/peer/runtime/http_client.hpp"

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <vector>

namespace shoal::peer {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

struct HttpClient::Request {
  Request(asio::io_context& io) : resolver(io), stream(io) {}
  tcp::resolver resolver;
  beast::tcp_stream stream;
  http::request<http::string_body> request;
  beast::flat_buffer buffer;
  std::unique_ptr<http::response_parser<http::string_body>> parser;
  Callback done;
  std::size_t body_limit = 0;
  bool cancelled = false;

  void finish(HttpResponse response) {
    if (cancelled) return;
    cancelled = true;
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    auto callback = std::move(done);
    if (callback) callback(std::move(response));
  }
  void fail(const std::string& what, const beast::error_code& ec) {
    HttpResponse response;
    response.transport_error = what + ": " + ec.message();
    finish(std::move(response));
  }
};

namespace {

// Beast 1.74 does not hold a Content-Length body to body_limit, so the header is read first and checked here.
void read_response(const std::shared_ptr<HttpClient::Request>& request) {
  http::async_read_header(request->stream, request->buffer, *request->parser,
                          [request](const beast::error_code& ec, std::size_t) {
                            if (request->cancelled) return;
                            if (ec) return request->fail("read", ec);
                            auto length = request->parser->content_length();
                            if (length && *length > request->body_limit)
                              return request->fail("read", http::make_error_code(http::error::body_limit));
                            http::async_read(request->stream, request->buffer, *request->parser,
                                             [request](const beast::error_code& read_ec, std::size_t) {
                                               if (request->cancelled) return;
                                               if (read_ec) return request->fail("read", read_ec);
                                               HttpResponse response;
                                               auto message = request->parser->release();
                                               response.status = static_cast<int>(message.result_int());
                                               response.body = std::move(message.body());
                                               request->finish(std::move(response));
                                             });
                          });
}

}  // namespace

HttpClient::HttpClient(asio::io_context& io, std::string host, std::uint16_t port)
    : io_(io), host_(std::move(host)), port_(port) {}

HttpClient::~HttpClient() { cancel_all(); }

void HttpClient::get(const std::string& target, Callback done) {
  auto request = std::make_shared<Request>(io_);
  request->request = {http::verb::get, target, 11};
  request->done = std::move(done);
  run(std::move(request));
}

void HttpClient::post(const std::string& target, std::string body, Callback done) {
  auto request = std::make_shared<Request>(io_);
  request->request = {http::verb::post, target, 11};
  request->request.set(http::field::content_type, "application/x-protobuf");
  request->request.body() = std::move(body);
  request->request.prepare_payload();
  request->done = std::move(done);
  run(std::move(request));
}

void HttpClient::cancel_all() {
  for (auto& weak : in_flight_) {
    if (auto request = weak.lock()) {
      request->cancelled = true;
      request->resolver.cancel();
      request->stream.cancel();
      request->stream.close();
    }
  }
  in_flight_.clear();
}

void HttpClient::run(std::shared_ptr<Request> request) {
  std::erase_if(in_flight_, [](const std::weak_ptr<Request>& weak) { return weak.expired(); });
  in_flight_.push_back(request);
  request->request.set(http::field::host, host_ + ":" + std::to_string(port_));
  request->request.set(http::field::user_agent, "shoal-peer");
  request->request.keep_alive(false);
  request->parser = std::make_unique<http::response_parser<http::string_body>>();
  request->parser->body_limit(body_limit);
  request->body_limit = body_limit;
  auto deadline = timeout;
  request->resolver.async_resolve(
      host_, std::to_string(port_),
      [request, deadline](const beast::error_code& ec, const tcp::resolver::results_type& results) {
        if (request->cancelled) return;
        if (ec) return request->fail("resolve", ec);
        request->stream.expires_after(deadline);
        request->stream.async_connect(results, [request](const beast::error_code& connect_ec, const tcp::endpoint&) {
          if (request->cancelled) return;
          if (connect_ec) return request->fail("connect", connect_ec);
          http::async_write(request->stream, request->request,
                            [request](const beast::error_code& write_ec, std::size_t) {
                              if (request->cancelled) return;
                              if (write_ec) return request->fail("write", write_ec);
                              read_response(request);
                            });
        });
      });
}

}  // namespace shoal::peer
