// The hand-off between the runtime's io thread (producer, must never block)
// and the element's streaming thread (create(), blocks until something
// happens). Bounded in bytes: the runtime only fetches inside its window, so
// crossing the bound means the window is broken and is reported, not hidden.
#pragma once

#include <glib.h>

#include <cstdint>
#include <deque>

#include "shoal/peer/core/types.hpp"
#include "shoal/protocol/message.hpp"

namespace shoal::player {

struct QueuedChunk {
  peer::ChunkMeta meta;
  protocol::ChunkPayload payload;
  bool discont = false;  // a gap before this chunk
};

class ChunkQueue {
 public:
  enum class Pop { chunk, flushing, end, error };

  explicit ChunkQueue(std::uint64_t max_bytes);
  ~ChunkQueue();
  ChunkQueue(const ChunkQueue&) = delete;
  ChunkQueue& operator=(const ChunkQueue&) = delete;

  /// Never blocks. False (chunk not taken) when it would exceed the bound.
  bool push(QueuedChunk chunk);
  /// Blocks until a chunk, flushing, the end (empty and finished) or an error.
  Pop pop(QueuedChunk& out);

  /// unlock()/unlock_stop(): wakes pop() and makes it return flushing while set.
  void set_flushing(bool flushing);
  /// No more chunks will come: pop() returns end once the queue is drained.
  void finish();
  /// A fatal error: pop() returns error at once.
  void fail();
  /// Drops the chunks and a pending end (a seek starts a new stream).
  void clear();

  /// Back to a fresh queue (a new run of the element).
  void reset();

  std::uint64_t bytes() const;
  std::size_t size() const;
  /// For tests that must know create() is blocked: true once a pop() waits, false after `limit_us`.
  bool wait_for_blocked_pop(gint64 limit_us);

 private:
  mutable GMutex mutex_;
  GCond cond_;
  std::deque<QueuedChunk> chunks_;
  std::uint64_t bytes_ = 0;
  std::uint64_t max_bytes_;
  bool flushing_ = false;
  bool finished_ = false;
  bool failed_ = false;
  int blocked_pops_ = 0;
};

}  // namespace shoal::player
