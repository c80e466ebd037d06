#include "shoal/peer/runtime/core_driver.hpp"

#include <type_traits>
#include <variant>

#include "shoal/peer/runtime/trace_line.hpp"

namespace shoal::peer {

namespace asio = boost::asio;

namespace {
// next_deadline() may be "never"; a far but finite wake-up keeps the arithmetic safe.
constexpr auto kIdleWake = std::chrono::seconds(60);
}  // namespace

CoreDriver::CoreDriver(asio::io_context& io, Hooks hooks)
    : hooks_(std::move(hooks)), epoch_(std::chrono::steady_clock::now()), mesh_(io, *this), timer_(io) {}

CoreDriver::~CoreDriver() { shutdown(); }

Time CoreDriver::now() const { return std::chrono::duration_cast<Time>(std::chrono::steady_clock::now() - epoch_); }

void CoreDriver::attach(std::unique_ptr<PeerCore> core) {
  core_ = std::move(core);
  pump();
}

void CoreDriver::shutdown() {
  shut_down_ = true;
  timer_.cancel();
  mesh_.close_all();
}

void CoreDriver::pump() {
  if (!core_ || shut_down_) return;
  // Hooks may feed the core again (a synchronous delivery); the outer loop drains what they add.
  if (pumping_) return;
  pumping_ = true;
  for (auto actions = core_->take_actions(); !actions.empty() && !shut_down_; actions = core_->take_actions()) {
    for (auto& action : actions) {
      if (hooks_.trace)
        if (auto line = trace_action(now(), action)) hooks_.trace(*line);
      std::visit(
          [this](auto& a) {
            using A = std::decay_t<decltype(a)>;
            if constexpr (std::is_same_v<A, SendMessage>) {
              mesh_.send(a.conn, a.message);
            } else if constexpr (std::is_same_v<A, ConnectTo>) {
              mesh_.connect(a.address);
            } else if constexpr (std::is_same_v<A, Disconnect>) {
              mesh_.disconnect(a.conn);
            } else if constexpr (std::is_same_v<A, FetchFromOrigin>) {
              if (hooks_.fetch_from_origin) hooks_.fetch_from_origin(a.seq);
            } else if constexpr (std::is_same_v<A, AnnounceToTracker>) {
              if (hooks_.announce) hooks_.announce(a.playhead, a.want);
            } else if constexpr (std::is_same_v<A, DeliverChunk>) {
              if (hooks_.deliver) hooks_.deliver(a.seq, a.payload);
            }
          },
          action);
    }
  }
  pumping_ = false;
  if (shut_down_) return;
  arm_timer();
  if (hooks_.after_pump) hooks_.after_pump();
}

void CoreDriver::arm_timer() {
  auto deadline = core_->next_deadline();
  auto current = now();
  if (deadline > current + std::chrono::duration_cast<Time>(kIdleWake)) deadline = current + kIdleWake;
  auto at = epoch_ + deadline;
  if (at == armed_for_) return;
  armed_for_ = at;
  timer_.expires_at(at);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || shut_down_ || !core_) return;
    armed_for_ = {};
    core_->on_timer(now());
    pump();
  });
}

void CoreDriver::on_connected(ConnectionId conn, const protocol::PeerAddress& remote, bool outbound) {
  if (hooks_.trace) hooks_.trace(trace_connected(now(), conn, remote, outbound));
  feed([&](PeerCore& core, Time t) { core.on_connected(conn, remote, outbound, t); });
}

void CoreDriver::on_connect_failed(const protocol::PeerAddress& remote) {
  feed([&](PeerCore& core, Time t) { core.on_connect_failed(remote, t); });
}

void CoreDriver::on_disconnected(ConnectionId conn) {
  if (hooks_.trace) hooks_.trace(trace_event(now(), "disconnected", {}, conn));
  feed([&](PeerCore& core, Time t) { core.on_disconnected(conn, t); });
}

void CoreDriver::on_message(ConnectionId conn, protocol::Message message) {
  if (hooks_.trace)
    if (auto line = trace_received(now(), conn, message)) hooks_.trace(*line);
  feed([&](PeerCore& core, Time t) { core.on_message(conn, std::move(message), t); });
}

void CoreDriver::on_sent(ConnectionId conn, std::uint64_t chunk_bytes) {
  if (hooks_.trace) hooks_.trace(trace_event(now(), "written", {}, conn, chunk_bytes));
  feed([&](PeerCore& core, Time t) { core.on_sent(conn, chunk_bytes, t); });
}

void CoreDriver::on_protocol_error(ConnectionId conn, protocol::DecodeError error) {
  feed([&](PeerCore& core, Time t) { core.on_protocol_error(conn, t); });
  if (error == protocol::DecodeError::version_mismatch && hooks_.version_mismatch)
    hooks_.version_mismatch("a peer speaks another protocol version (ours is " +
                            std::to_string(protocol::kProtocolVersion) + ")");
}

}  // namespace shoal::peer
