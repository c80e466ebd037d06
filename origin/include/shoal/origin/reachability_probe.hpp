// Tells the tracker which announced peers accept connections: a viewer behind a NAT without a port mapping
// announces a port nobody can reach, and every peer handed its address would waste a dial on it. The probe
// opens a TCP connection to the address the tracker listed (the announce's own source address, so it
// reaches nobody else) and closes it at once; the tracker then stops giving out addresses that refused.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "shoal/origin/tracker.hpp"

namespace shoal::origin {

class ReachabilityProbe {
 public:
  /// Probes at most `max_in_flight` addresses at once; an entry not probed stays listed.
  ReachabilityProbe(boost::asio::io_context& io, Tracker& tracker, std::chrono::milliseconds timeout,
                    std::size_t max_in_flight = 64);
  ~ReachabilityProbe();
  ReachabilityProbe(const ReachabilityProbe&) = delete;
  ReachabilityProbe& operator=(const ReachabilityProbe&) = delete;

 private:
  void probe(const std::string& peer_id, const std::string& host, std::uint32_t port);

  boost::asio::io_context& io_;
  Tracker& tracker_;
  std::chrono::milliseconds timeout_;
  std::size_t max_in_flight_;
  std::size_t in_flight_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace shoal::origin
