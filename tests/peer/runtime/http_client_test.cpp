#include "shoal/peer/runtime/http_client.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "fake_origin.hpp"

namespace shoal::peer {
namespace {

using test::FakeOrigin;
using test::FakeReply;

// Runs one request on a private io_context and returns its response.
HttpResponse request(std::uint16_t port, const std::string& method, const std::string& target,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(2000), std::size_t limit = 1 << 20) {
  boost::asio::io_context io;
  HttpClient client(io, "127.0.0.1", port);
  client.timeout = timeout;
  client.body_limit = limit;
  std::optional<HttpResponse> result;
  auto done = [&](HttpResponse r) { result = std::move(r); };
  if (method == "GET")
    client.get(target, done);
  else
    client.post(target, "payload", done);
  io.run();
  EXPECT_TRUE(result.has_value());
  return result.value_or(HttpResponse{});
}

TEST(HttpClient, GetsBodyAndStatus) {
  FakeOrigin origin([](const std::string&, const std::string& target, const std::string&) {
    return target == "/c/a/manifest" ? FakeReply::ok("hello") : FakeReply::status_of(404, "no");
  });
  auto ok = request(origin.port(), "GET", "/c/a/manifest");
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "hello");
  auto missing = request(origin.port(), "GET", "/c/b/manifest");
  EXPECT_FALSE(missing.ok());
  EXPECT_TRUE(missing.transport_error.empty());
  EXPECT_EQ(missing.status, 404);
}

TEST(HttpClient, PostsBody) {
  std::string seen;
  FakeOrigin origin([&](const std::string& method, const std::string&, const std::string& body) {
    seen = method + ":" + body;
    return FakeReply::ok("ack");
  });
  auto reply = request(origin.port(), "POST", "/c/a/report");
  EXPECT_TRUE(reply.ok());
  EXPECT_EQ(seen, "POST:payload");
}

TEST(HttpClient, RefusedConnectionIsATransportError) {
  std::uint16_t port;
  {
    FakeOrigin origin([](const std::string&, const std::string&, const std::string&) { return FakeReply{}; });
    port = origin.port();
  }
  auto reply = request(port, "GET", "/");
  EXPECT_FALSE(reply.ok());
  EXPECT_NE(reply.transport_error.find("connect"), std::string::npos) << reply.transport_error;
}

TEST(HttpClient, SilentServerTimesOut) {
  FakeOrigin origin([](const std::string&, const std::string&, const std::string&) { return FakeReply::silent(); });
  auto started = std::chrono::steady_clock::now();
  auto reply = request(origin.port(), "GET", "/", std::chrono::milliseconds(300));
  EXPECT_FALSE(reply.ok());
  EXPECT_FALSE(reply.transport_error.empty());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
}

TEST(HttpClient, GarbageReplyIsATransportError) {
  FakeOrigin origin([](const std::string&, const std::string&, const std::string&) {
    return FakeReply::garbage("this is not http at all\r\n\r\n");
  });
  auto reply = request(origin.port(), "GET", "/");
  EXPECT_FALSE(reply.ok());
  EXPECT_FALSE(reply.transport_error.empty());
}

TEST(HttpClient, BodyOverTheLimitIsRefused) {
  FakeOrigin origin(
      [](const std::string&, const std::string&, const std::string&) { return FakeReply::ok(std::string(4096, 'x')); });
  auto reply = request(origin.port(), "GET", "/", std::chrono::milliseconds(2000), 1024);
  EXPECT_FALSE(reply.ok()) << reply.status << " " << reply.body.size();
  EXPECT_FALSE(reply.transport_error.empty());
}

TEST(HttpClient, CancelledRequestsDoNotCallBack) {
  FakeOrigin origin([](const std::string&, const std::string&, const std::string&) { return FakeReply::silent(); });
  boost::asio::io_context io;
  HttpClient client(io, "127.0.0.1", origin.port());
  bool called = false;
  client.get("/", [&](HttpResponse) { called = true; });
  boost::asio::steady_timer timer(io, std::chrono::milliseconds(100));
  timer.async_wait([&](const boost::system::error_code&) { client.cancel_all(); });
  io.run();
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace shoal::peer
