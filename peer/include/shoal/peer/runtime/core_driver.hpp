// Drives one PeerCore with real I/O: Mesh events become core events stamped
// with steady-clock time, core actions become socket writes, connects and
// hooks, and a steady_timer fires at next_deadline(). It holds no scheduling
// policy of its own. Used by shoal-peer/shoalsrc (PeerRuntime) and by the
// origin's seeder, so both run the very same connection code.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "shoal/peer/core/peer_core.hpp"
#include "shoal/peer/runtime/mesh.hpp"

namespace shoal::peer {

class CoreDriver final : public MeshEvents {
 public:
  /// Actions that leave the mesh. Unset hooks drop the action (a seeder has no origin to fetch from).
  struct Hooks {
    std::function<void(Seq)> fetch_from_origin;
    std::function<void(Seq playhead, int want)> announce;
    std::function<void(Seq, const protocol::ChunkPayload&)> deliver;
    /// A remote speaks another protocol version (the connection is already dropped).
    std::function<void(const std::string&)> version_mismatch;
    /// Called after every batch of actions (e.g. to snapshot stats).
    std::function<void()> after_pump;
    /// When set, receives one JSON line per traced event and action (trace_line.hpp).
    std::function<void(const std::string&)> trace;
  };

  CoreDriver(boost::asio::io_context& io, Hooks hooks);
  ~CoreDriver() override;

  Mesh& mesh() { return mesh_; }
  /// The core is made once identity and channel are known (after the first manifest).
  void attach(std::unique_ptr<PeerCore> core);
  bool attached() const { return core_ != nullptr; }
  PeerCore& core() { return *core_; }

  /// Time since this driver started, the core's clock.
  Time now() const;
  /// Runs `event(core, now)` then carries out the resulting actions.
  template <class F>
  void feed(F&& event) {
    if (!core_) return;
    event(*core_, now());
    pump();
  }
  /// Stops the timer and closes every connection.
  void shutdown();

  // MeshEvents
  void on_connected(ConnectionId conn, const protocol::PeerAddress& remote, bool outbound) override;
  void on_connect_failed(const protocol::PeerAddress& remote) override;
  void on_disconnected(ConnectionId conn) override;
  void on_message(ConnectionId conn, protocol::Message message) override;
  void on_sent(ConnectionId conn, std::uint64_t chunk_bytes) override;
  void on_protocol_error(ConnectionId conn, protocol::DecodeError error) override;

 private:
  void pump();
  void arm_timer();

  Hooks hooks_;
  std::chrono::steady_clock::time_point epoch_;
  Mesh mesh_;
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point armed_for_{};
  std::unique_ptr<PeerCore> core_;
  bool shut_down_ = false;
  bool pumping_ = false;
};

}  // namespace shoal::peer
