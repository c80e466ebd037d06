#include "chunk_queue.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

namespace shoal::player {
namespace {

using namespace std::chrono_literals;

QueuedChunk chunk(peer::Seq seq, std::size_t size) {
  QueuedChunk c;
  c.meta.seq = seq;
  c.payload = std::make_shared<const std::string>(size, 'x');
  return c;
}

TEST(ChunkQueue, PopsInOrderThenEndsOnceFinished) {
  ChunkQueue q(1000);
  ASSERT_TRUE(q.push(chunk(1, 10)));
  ASSERT_TRUE(q.push(chunk(2, 10)));
  q.finish();
  QueuedChunk out;
  ASSERT_EQ(q.pop(out), ChunkQueue::Pop::chunk);
  EXPECT_EQ(out.meta.seq, 1u);
  ASSERT_EQ(q.pop(out), ChunkQueue::Pop::chunk);
  EXPECT_EQ(out.meta.seq, 2u);
  EXPECT_EQ(q.pop(out), ChunkQueue::Pop::end);
}

TEST(ChunkQueue, RefusesBeyondItsBoundWithoutBlocking) {
  ChunkQueue q(25);
  EXPECT_TRUE(q.push(chunk(1, 20)));
  EXPECT_FALSE(q.push(chunk(2, 10)));
  EXPECT_EQ(q.bytes(), 20u);
}

TEST(ChunkQueue, FlushingWakesAWaitingPop) {
  ChunkQueue q(100);
  // Flushes only once pop() is blocked, so the test is about waking it, not about a pop that never waited.
  std::thread flusher([&] {
    EXPECT_TRUE(q.wait_for_blocked_pop(5 * G_USEC_PER_SEC));
    q.set_flushing(true);
  });
  QueuedChunk out;
  EXPECT_EQ(q.pop(out), ChunkQueue::Pop::flushing);
  flusher.join();
  q.set_flushing(false);
  ASSERT_TRUE(q.push(chunk(3, 1)));
  EXPECT_EQ(q.pop(out), ChunkQueue::Pop::chunk);
}

TEST(ChunkQueue, ClearDropsChunksAndAPendingEnd) {
  ChunkQueue q(100);
  q.push(chunk(1, 5));
  q.finish();
  q.clear();
  EXPECT_EQ(q.size(), 0u);
  q.push(chunk(7, 5));
  QueuedChunk out;
  EXPECT_EQ(q.pop(out), ChunkQueue::Pop::chunk);
  EXPECT_EQ(out.meta.seq, 7u);
  q.fail();
  EXPECT_EQ(q.pop(out), ChunkQueue::Pop::error);
}

}  // namespace
}  // namespace shoal::player
