// The origin's own peer: a PeerCore in seed mode, driven by the same CoreDriver
// and Mesh as shoal-peer, fed each new chunk of a live channel as the store
// appends it. Its upload is capped (--seed-upload) and counted apart from HTTP
// (ChannelStats::mesh_bytes_seeded); the tracker lists it like any peer.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "shoal/origin/channel.hpp"
#include "shoal/peer/runtime/core_driver.hpp"

namespace shoal::origin {

class Seeder {
 public:
  /// Runs on `io` (the origin's HTTP io_context); listens for peers on host:0.
  Seeder(boost::asio::io_context& io, Channel& channel, const std::string& host, std::uint64_t upload_bps);
  ~Seeder();
  Seeder(const Seeder&) = delete;
  Seeder& operator=(const Seeder&) = delete;

  std::uint16_t port() const { return port_; }
  const std::string& peer_id() const { return peer_id_; }

 private:
  void add(const Chunk& chunk);
  void announce_self();
  void count_upload();

  boost::asio::io_context& io_;
  Channel& channel_;
  std::string host_;
  std::string peer_id_;
  peer::CoreDriver driver_;
  boost::asio::steady_timer announce_timer_;
  std::uint16_t port_ = 0;
  std::uint64_t counted_upload_ = 0;
  std::uint64_t latest_seq_ = 0;
  std::uint64_t listener_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace shoal::origin
