// A channel's chunks: files under DIR (one per chunk, written to a temp file
// then renamed), an index file rewritten atomically after each change, the
// index in memory, and payloads cached in memory. Live channels keep a DVR
// window and evict the oldest chunks first.
//
// Thread-safe: the ingest thread appends, HTTP and the seeder read.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "shoal/origin/chunk.hpp"

namespace shoal::origin {

struct StoreConfig {
  std::filesystem::path dir;
  bool live = false;
  std::chrono::microseconds dvr_window{120'000'000};
  /// Bytes of payload kept in memory; VoD chunks beyond it are read from disk.
  std::size_t memory_cache_bytes = 512u << 20;
};

class ChunkStore {
 public:
  /// Called on the appending thread after a chunk is stored; keep it short.
  using Listener = std::function<void(const Chunk&)>;

  /// Creates DIR if needed. Throws std::runtime_error when it cannot.
  explicit ChunkStore(StoreConfig config);

  /// Live: takes back the chunks on disk; the next chunk gets the next
  /// sequence number and is marked as a discontinuity. Returns how many.
  std::size_t load_live();
  /// VoD: true when DIR holds the complete chunk set of `source_id` with
  /// every hash intact (then the store is ready); else clears DIR.
  bool load_vod(const std::string& source_id);
  /// VoD: all chunks are in; records `source_id` so a restart can reuse them.
  void finish_vod(const std::string& source_id);

  /// Assigns the next sequence number, stores, evicts, notifies.
  ChunkInfo append(ChunkInfo info, protocol::ChunkPayload payload);
  /// The next append is marked as a discontinuity.
  void mark_discontinuity();

  /// Snapshot of the chunks held, ascending seq.
  std::vector<ChunkInfo> chunks() const;
  std::optional<ChunkInfo> info(std::uint64_t seq) const;
  /// nullptr when `seq` is unknown or evicted.
  protocol::ChunkPayload payload(std::uint64_t seq) const;
  std::uint64_t next_seq() const;
  /// The oldest chunk held (live: the DVR window's start); next_seq() while none is.
  std::uint64_t first_seq() const;
  /// Discontinuities among evicted chunks (HLS EXT-X-DISCONTINUITY-SEQUENCE).
  std::uint64_t evicted_discontinuities() const;
  bool live() const { return config_.live; }
  bool complete() const;

  /// Returns an id for remove_listener.
  std::uint64_t on_new_chunk(Listener listener);
  void remove_listener(std::uint64_t id);

 private:
  struct Entry {
    ChunkInfo info;
    mutable protocol::ChunkPayload payload;  // null when only on disk
  };
  std::filesystem::path chunk_path(std::uint64_t seq) const;
  void write_index_locked() const;
  void evict_locked();
  std::vector<Entry> read_index(std::string& header) const;
  void clear_dir();

  StoreConfig config_;
  mutable std::mutex mutex_;
  std::deque<Entry> entries_;
  std::uint64_t next_seq_ = 0;
  std::int64_t window_us_ = 0;
  std::size_t cached_bytes_ = 0;
  std::uint64_t evicted_discontinuities_ = 0;
  bool pending_discontinuity_ = false;
  bool complete_ = false;
  std::string source_id_;
  std::mutex listeners_mutex_;
  std::map<std::uint64_t, Listener> listeners_;
  std::uint64_t next_listener_ = 1;
};

/// Writes `data` to `path` through a temp file and rename. Throws on failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view data);

}  // namespace shoal::origin
