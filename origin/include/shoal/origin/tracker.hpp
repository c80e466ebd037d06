// The tracker of one channel: who is watching and where to reach them.
// Peers announce periodically; one that has not re-announced within
// `ttl` is forgotten. Replies prefer peers playing near the caller.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "shoal.pb.h"

namespace shoal::origin {

class Tracker {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::uint32_t kMaxPeers = 50;

  explicit Tracker(std::chrono::seconds interval = std::chrono::seconds(30)) : interval_(interval) {}

  /// `source_host`: the connection's address, used when the request names no host.
  wire::AnnounceReply announce(const wire::AnnounceRequest& request, const std::string& source_host,
                               Clock::time_point now);
  /// Peers heard from within the ttl.
  std::size_t active(Clock::time_point now);

  std::chrono::seconds interval() const { return interval_; }
  std::chrono::seconds ttl() const { return interval_ * 3; }

 private:
  struct Peer {
    std::string host;
    std::uint32_t port = 0;
    std::uint64_t playhead = 0;
    Clock::time_point expires;
  };
  void expire_locked(Clock::time_point now);

  std::chrono::seconds interval_;
  std::mutex mutex_;
  std::map<std::string, Peer> peers_;  // by peer_id
};

}  // namespace shoal::origin
