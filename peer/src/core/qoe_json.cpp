#include "shoal/peer/core/qoe_json.hpp"

#include <chrono>

namespace shoal::peer {

namespace {

std::int64_t ms(Time t) { return std::chrono::duration_cast<std::chrono::milliseconds>(t).count(); }

}  // namespace

JsonLine qoe_exit_json(const PeerStats& s) {
  JsonLine json;
  json.add("event", "exit")
      .add("startup_delay_ms", s.started ? ms(s.startup_delay) : -1)
      .add("stalls", s.stalls)
      .add("stall_ms", ms(s.stall_time))
      .add("chunks_played", s.chunks_played)
      .add("chunks_late", s.chunks_late)
      .add("bytes_from_peers", s.bytes_from_peers)
      .add("bytes_from_origin", s.bytes_from_origin)
      .add("bytes_uploaded", s.bytes_uploaded)
      .add("hash_failures", s.hash_failures)
      .add("peers_banned", s.peers_banned);
  return json;
}

}  // namespace shoal::peer
