// Two meshes on loopback exchanging frames, and what a bad frame does: only the
// offending connection goes, the others keep working.
#include "shoal/peer/runtime/mesh.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <functional>
#include <vector>

namespace shoal::peer {
namespace {

namespace asio = boost::asio;
using protocol::Message;

struct Recorder final : MeshEvents {
  std::vector<std::pair<ConnectionId, bool>> connected;  // (conn, outbound)
  std::vector<protocol::PeerAddress> failed;
  std::vector<ConnectionId> disconnected;
  std::vector<std::pair<ConnectionId, Message>> messages;
  std::vector<std::pair<ConnectionId, protocol::DecodeError>> errors;
  std::vector<std::pair<ConnectionId, std::uint64_t>> sent;  // chunk frames written
  std::function<void()> changed;

  void on_connected(ConnectionId conn, const protocol::PeerAddress&, bool outbound) override {
    connected.emplace_back(conn, outbound);
    if (changed) changed();
  }
  void on_connect_failed(const protocol::PeerAddress& remote) override {
    failed.push_back(remote);
    if (changed) changed();
  }
  void on_disconnected(ConnectionId conn) override {
    disconnected.push_back(conn);
    if (changed) changed();
  }
  void on_message(ConnectionId conn, Message message) override {
    messages.emplace_back(conn, std::move(message));
    if (changed) changed();
  }
  void on_sent(ConnectionId conn, std::uint64_t chunk_bytes) override {
    sent.emplace_back(conn, chunk_bytes);
    if (changed) changed();
  }
  void on_protocol_error(ConnectionId conn, protocol::DecodeError error) override {
    errors.emplace_back(conn, error);
    if (changed) changed();
  }
};

// Runs `io` until `done()` holds, failing after a few seconds rather than hanging.
void run_until(asio::io_context& io, const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(10));
    if (io.stopped()) io.restart();
  }
  ASSERT_TRUE(done()) << "timed out";
}

protocol::PeerAddress local(std::uint16_t port) { return {"127.0.0.1", port, {}}; }

struct MeshPair : ::testing::Test {
  asio::io_context io;
  Recorder a_events, b_events;
  Mesh a{io, a_events};
  Mesh b{io, b_events};
  std::uint16_t a_port = 0;

  void SetUp() override {
    a_port = a.listen("127.0.0.1", 0);
    a.start_accepting();
    b.connect(local(a_port));
    run_until(io, [&] { return a_events.connected.size() == 1 && b_events.connected.size() == 1; });
  }
  ConnectionId a_conn() const { return a_events.connected.at(0).first; }
  ConnectionId b_conn() const { return b_events.connected.at(0).first; }

  // Writes raw bytes to A over a fresh socket and returns that socket.
  std::shared_ptr<asio::ip::tcp::socket> raw_to_a(const std::string& bytes) {
    auto socket = std::make_shared<asio::ip::tcp::socket>(io);
    socket->connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), a_port));
    asio::write(*socket, asio::buffer(bytes));
    return socket;
  }
};

TEST_F(MeshPair, ConnectsBothWays) {
  EXPECT_FALSE(a_events.connected[0].second);
  EXPECT_TRUE(b_events.connected[0].second);
  EXPECT_EQ(a.connections(), 1u);
  EXPECT_EQ(b.connections(), 1u);
}

TEST_F(MeshPair, ExchangesFramesInOrder) {
  auto payload = std::make_shared<const std::string>(3 << 20, 'c');  // several reads' worth
  b.send(b_conn(), protocol::Handshake{protocol::kProtocolVersion, std::string(32, 's'), std::string(20, 'p'), 4242});
  b.send(b_conn(), protocol::ChunkData{7, payload});
  b.send(b_conn(), protocol::Have{8});
  a.send(a_conn(), protocol::Request{9});
  run_until(io,
            [&] { return a_events.messages.size() == 3 && b_events.messages.size() == 1 && !b_events.sent.empty(); });
  // Only the chunk's frame is reported written, with its payload size: the core's upload backpressure.
  ASSERT_EQ(b_events.sent.size(), 1u);
  EXPECT_EQ(b_events.sent[0], std::make_pair(b_conn(), std::uint64_t{3} << 20));
  EXPECT_TRUE(a_events.sent.empty());
  EXPECT_EQ(std::get<protocol::Handshake>(a_events.messages[0].second).listen_port, 4242);
  const auto& chunk = std::get<protocol::ChunkData>(a_events.messages[1].second);
  EXPECT_EQ(chunk.seq, 7u);
  EXPECT_EQ(*chunk.payload, *payload);
  EXPECT_EQ(std::get<protocol::Have>(a_events.messages[2].second).seq, 8u);
  EXPECT_EQ(std::get<protocol::Request>(b_events.messages[0].second).seq, 9u);
}

TEST_F(MeshPair, MalformedFrameDropsOnlyThatConnection) {
  // Length 2, type byte 200 (no such message).
  auto bad = raw_to_a(std::string("\0\0\0\x02\xc8\x00", 6));
  run_until(io, [&] { return a_events.errors.size() == 1; });
  EXPECT_EQ(a_events.errors[0].second, protocol::DecodeError::unknown_type);
  EXPECT_EQ(a_events.connected.size(), 2u);
  EXPECT_EQ(a_events.errors[0].first, a_events.connected[1].first);
  EXPECT_TRUE(a_events.disconnected.empty());
  EXPECT_EQ(a.connections(), 1u);
  // The bad socket sees the close; the good connection still carries frames.
  char byte;
  boost::system::error_code ec;
  bad->read_some(asio::buffer(&byte, 1), ec);
  EXPECT_TRUE(ec);
  b.send(b_conn(), protocol::Have{1});
  run_until(io, [&] { return a_events.messages.size() == 1; });
  EXPECT_EQ(a_events.messages[0].first, a_conn());
}

TEST_F(MeshPair, OversizedLengthIsRefusedBeforeBuffering) {
  auto bad = raw_to_a(std::string("\xff\xff\xff\xff", 4));
  run_until(io, [&] { return a_events.errors.size() == 1; });
  EXPECT_EQ(a_events.errors[0].second, protocol::DecodeError::oversized);
}

TEST_F(MeshPair, OtherProtocolVersionIsAProtocolError) {
  auto frame = protocol::encode_frame(protocol::Handshake{protocol::kProtocolVersion + 1, "s", "p", 1});
  auto bad = raw_to_a(frame);
  run_until(io, [&] { return a_events.errors.size() == 1; });
  EXPECT_EQ(a_events.errors[0].second, protocol::DecodeError::version_mismatch);
}

TEST_F(MeshPair, RemoteCloseIsReported) {
  b.disconnect(b_conn());
  EXPECT_TRUE(b_events.disconnected.empty());  // our own disconnect raises no event
  run_until(io, [&] { return a_events.disconnected.size() == 1; });
  EXPECT_EQ(a_events.disconnected[0], a_conn());
  EXPECT_EQ(a.connections(), 0u);
}

TEST(Mesh, ConnectToNobodyFails) {
  asio::io_context io;
  Recorder events;
  Mesh mesh(io, events);
  std::uint16_t closed_port;
  {
    asio::ip::tcp::acceptor probe(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    closed_port = probe.local_endpoint().port();
  }
  mesh.connect(local(closed_port));
  mesh.connect(protocol::PeerAddress{"not-an-address", 1, {}});
  run_until(io, [&] { return events.failed.size() == 2; });
  EXPECT_TRUE(events.connected.empty());
}

TEST(Mesh, ConnectionIdsAreNeverReused) {
  asio::io_context io;
  Recorder a_events, b_events;
  Mesh a(io, a_events), b(io, b_events);
  auto port = a.listen("127.0.0.1", 0);
  a.start_accepting();
  for (int i = 0; i < 3; ++i) {
    b.connect(local(port));
    run_until(io, [&] { return b_events.connected.size() == static_cast<std::size_t>(i + 1); });
    b.disconnect(b_events.connected.back().first);
  }
  EXPECT_EQ(b_events.connected[0].first + 1, b_events.connected[1].first);
  EXPECT_EQ(b_events.connected[1].first + 1, b_events.connected[2].first);
}

}  // namespace
}  // namespace shoal::peer
