#include "chunk_queue.hpp"

#include <utility>

namespace shoal::player {
namespace {

class Locker {
 public:
  explicit Locker(GMutex* mutex) : mutex_(mutex) { g_mutex_lock(mutex_); }
  ~Locker() { g_mutex_unlock(mutex_); }
  Locker(const Locker&) = delete;
  Locker& operator=(const Locker&) = delete;

 private:
  GMutex* mutex_;
};

std::uint64_t size_of(const QueuedChunk& chunk) { return chunk.payload ? chunk.payload->size() : 0; }

}  // namespace

ChunkQueue::ChunkQueue(std::uint64_t max_bytes) : max_bytes_(max_bytes) {
  g_mutex_init(&mutex_);
  g_cond_init(&cond_);
}

ChunkQueue::~ChunkQueue() {
  g_cond_clear(&cond_);
  g_mutex_clear(&mutex_);
}

bool ChunkQueue::push(QueuedChunk chunk) {
  Locker lock(&mutex_);
  const std::uint64_t size = size_of(chunk);
  if (bytes_ + size > max_bytes_) return false;
  bytes_ += size;
  chunks_.push_back(std::move(chunk));
  g_cond_broadcast(&cond_);
  return true;
}

ChunkQueue::Pop ChunkQueue::pop(QueuedChunk& out) {
  Locker lock(&mutex_);
  for (;;) {
    if (flushing_) return Pop::flushing;
    if (failed_) return Pop::error;
    if (!chunks_.empty()) {
      out = std::move(chunks_.front());
      chunks_.pop_front();
      bytes_ -= size_of(out);
      return Pop::chunk;
    }
    if (finished_) return Pop::end;
    ++blocked_pops_;
    g_cond_broadcast(&cond_);
    g_cond_wait(&cond_, &mutex_);
    --blocked_pops_;
  }
}

void ChunkQueue::set_flushing(bool flushing) {
  Locker lock(&mutex_);
  flushing_ = flushing;
  g_cond_broadcast(&cond_);
}

void ChunkQueue::finish() {
  Locker lock(&mutex_);
  finished_ = true;
  g_cond_broadcast(&cond_);
}

void ChunkQueue::fail() {
  Locker lock(&mutex_);
  failed_ = true;
  g_cond_broadcast(&cond_);
}

void ChunkQueue::clear() {
  Locker lock(&mutex_);
  chunks_.clear();
  bytes_ = 0;
  finished_ = false;
}

void ChunkQueue::reset() {
  Locker lock(&mutex_);
  chunks_.clear();
  bytes_ = 0;
  flushing_ = false;
  finished_ = false;
  failed_ = false;
}

std::uint64_t ChunkQueue::bytes() const {
  Locker lock(&mutex_);
  return bytes_;
}

std::size_t ChunkQueue::size() const {
  Locker lock(&mutex_);
  return chunks_.size();
}

bool ChunkQueue::wait_for_blocked_pop(gint64 limit_us) {
  Locker lock(&mutex_);
  const gint64 until = g_get_monotonic_time() + limit_us;
  while (blocked_pops_ == 0) {
    if (!g_cond_wait_until(&cond_, &mutex_, until)) return blocked_pops_ > 0;
  }
  return true;
}

}  // namespace shoal::player
