// A scripted stand-in for the peer runtime, installed through the element's
// handle-factory seam: the test decides what the "manifest" says, delivers
// chunks (as the io thread would) and reads back seeks and playheads.
// It is test scaffolding only; the plugin always uses PeerHandle::start.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "shoal/peer/runtime/peer_handle.hpp"

namespace shoal::player::test {

struct ScriptedPeer {
  // Set by the test before the element starts.
  std::optional<peer::ChannelInfo> info;
  struct StartError {
    peer::ErrorCode code;
    std::string message;
  };
  std::optional<StartError> start_error;  // reported through on_error right after start, from another thread
  peer::PeerStats stats;

  // Filled in by the element.
  std::mutex mutex;
  peer::PeerOptions options;
  peer::PeerCallbacks callbacks;
  std::vector<peer::Time> seeks;
  std::optional<peer::Time> playhead;
  bool started = false;
  bool stopped = false;

  /// Delivers chunk `seq` of `info` with a payload of its size filled with `seq`.
  void deliver(peer::Seq seq);
  void deliver(const peer::ChunkMeta& meta, std::string bytes);
  void end();
  static std::string payload_of(const peer::ChunkMeta& meta);
};

/// `count` chunks of `chunk` each, the first at `first_pts` (ffmpeg's TS starts near 1.4 s).
peer::ChannelInfo make_channel(bool live, int count, std::chrono::milliseconds chunk,
                               std::chrono::microseconds first_pts = std::chrono::milliseconds(1400));

/// Installs a factory that hands out handles bound to `peer`.
void install(const std::shared_ptr<ScriptedPeer>& peer);

}  // namespace shoal::player::test
