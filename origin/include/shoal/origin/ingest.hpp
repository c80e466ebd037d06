// Feeding a channel's store from its input. VoD: the whole file at once,
// before the origin serves (bad input is refused at start). Live: a thread
// that reads the input (a file is paced at real time and looped), survives
// stalls and ends of stream by retrying with backoff, and keeps numbering.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "shoal/origin/chunk_store.hpp"
#include "shoal/origin/media_input.hpp"

namespace shoal::origin {

/// Segments all of `url` into `store` (empty) with `target` chunks. Throws
/// InputError for bad, truncated or corrupt input. Returns the media duration in µs.
std::int64_t ingest_vod(const std::string& url, std::chrono::microseconds target, ChunkStore& store);

/// Identifies a VoD source on disk (path, size, mtime, chunk duration), so a
/// restart reuses chunks only of the same file and settings.
std::string vod_source_id(const std::string& path, std::chrono::microseconds target);

struct LiveConfig {
  std::string url;
  bool loop = false;  // a file input: play it again at its end
  std::chrono::microseconds target{1'000'000};
  std::chrono::milliseconds io_timeout{5'000};  // silence longer than this is a stall
  std::chrono::milliseconds max_backoff{10'000};
};

class LiveIngest {
 public:
  LiveIngest(LiveConfig config, ChunkStore& store);
  ~LiveIngest();  // stops
  LiveIngest(const LiveIngest&) = delete;
  LiveIngest& operator=(const LiveIngest&) = delete;

  void start();
  void stop();
  /// Times the input was (re)opened successfully.
  std::uint64_t connects() const { return connects_; }

 private:
  void run();
  bool sleep_for(std::chrono::steady_clock::duration d);  // false when stopping

  LiveConfig config_;
  ChunkStore& store_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> connects_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace shoal::origin
