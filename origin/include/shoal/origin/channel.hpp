// One channel: its chunk store, tracker and stats, and for live channels the
// ingest thread feeding the store.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "shoal/origin/channel_stats.hpp"
#include "shoal/origin/chunk_store.hpp"
#include "shoal/origin/ingest.hpp"
#include "shoal/origin/tracker.hpp"

namespace shoal::origin {

struct ChannelConfig {
  std::string name;
  bool live = false;
  std::string input;  // path or URL
  bool loop = false;
  std::chrono::microseconds target{1'000'000};
  std::chrono::microseconds dvr{120'000'000};
  std::filesystem::path data_root;  // the channel's chunks live in data_root/name
};

class Channel {
 public:
  /// swarm_id: shoal::protocol::swarm_id() of the origin's bound address and the channel name.
  Channel(ChannelConfig config, std::string swarm_id);
  ~Channel();

  /// VoD: reuses intact chunks on disk or segments the input (throws
  /// InputError on bad input). Live: checks a file input, takes back chunks
  /// on disk and starts the ingest thread.
  void start();
  void stop();

  const std::string& name() const { return config_.name; }
  bool live() const { return config_.live; }
  std::chrono::microseconds target() const { return config_.target; }
  std::chrono::microseconds dvr() const { return config_.dvr; }
  const std::string& swarm_id() const { return swarm_id_; }
  /// VoD: true when chunks came from disk instead of segmenting.
  bool reused_from_disk() const { return reused_; }

  ChunkStore& store() { return store_; }
  Tracker& tracker() { return tracker_; }
  ChannelStats& stats() { return stats_; }

 private:
  ChannelConfig config_;
  std::string swarm_id_;
  ChunkStore store_;
  Tracker tracker_;
  ChannelStats stats_;
  std::unique_ptr<LiveIngest> ingest_;
  bool reused_ = false;
};

}  // namespace shoal::origin
