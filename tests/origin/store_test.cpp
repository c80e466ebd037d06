// Chunk store: DVR eviction in order, restart continuing the sequence with a
// discontinuity, VoD reuse only when every hash checks, atomic files.
#include <gtest/gtest.h>

#include <fstream>

#include "shoal/origin/chunk_store.hpp"
#include "shoal/origin/sha256.hpp"
#include "support.hpp"

namespace shoal::origin::test {
namespace {

namespace fs = std::filesystem;

ChunkInfo second_long() {
  ChunkInfo info;
  info.duration_us = 1'000'000;
  return info;
}

protocol::ChunkPayload bytes(const std::string& text) { return std::make_shared<const std::string>(text); }

StoreConfig live_config(const fs::path& dir) {
  StoreConfig c;
  c.dir = dir;
  c.live = true;
  c.dvr_window = std::chrono::seconds(5);
  return c;
}

TEST(ChunkStore, LiveWindowEvictsOldestFirst) {
  TempDir dir;
  ChunkStore store(live_config(dir.path));
  EXPECT_EQ(store.first_seq(), 0u) << "none held: the next one";
  for (int i = 0; i < 10; ++i) store.append(second_long(), bytes("chunk" + std::to_string(i)));
  EXPECT_EQ(store.first_seq(), 5u);
  EXPECT_EQ(store.next_seq(), 10u);
  const auto chunks = store.chunks();
  ASSERT_EQ(chunks.size(), 5u);
  EXPECT_EQ(chunks.front().seq, 5u);
  EXPECT_EQ(chunks.back().seq, 9u);
  EXPECT_EQ(store.payload(4), nullptr);
  EXPECT_FALSE(fs::exists(dir.path / "000000000004.ts"));
  ASSERT_NE(store.payload(9), nullptr);
  EXPECT_EQ(*store.payload(9), "chunk9");
  EXPECT_EQ(store.info(9)->sha256, sha256("chunk9"));
}

TEST(ChunkStore, LeavesNoTempFilesAndRenamesIntoPlace) {
  TempDir dir;
  ChunkStore store(live_config(dir.path));
  store.append(second_long(), bytes("abc"));
  for (const auto& item : fs::directory_iterator(dir.path)) {
    EXPECT_NE(item.path().extension(), ".tmp") << item.path();
  }
  EXPECT_EQ(read_text(dir.path / "000000000000.ts"), "abc");
}

TEST(ChunkStore, LiveRestartContinuesSequenceWithDiscontinuity) {
  TempDir dir;
  {
    ChunkStore store(live_config(dir.path));
    for (int i = 0; i < 3; ++i) store.append(second_long(), bytes("c" + std::to_string(i)));
  }
  ChunkStore again(live_config(dir.path));
  EXPECT_EQ(again.load_live(), 3u);
  EXPECT_EQ(*again.payload(2), "c2");
  const ChunkInfo next = again.append(second_long(), bytes("c3"));
  EXPECT_EQ(next.seq, 3u);
  EXPECT_TRUE(next.discontinuity);
  EXPECT_FALSE(again.append(second_long(), bytes("c4")).discontinuity);
}

TEST(ChunkStore, RestartNeverReusesTheNumberOfAChunkWrittenAfterTheIndex) {
  TempDir dir;
  {
    ChunkStore store(live_config(dir.path));
    store.append(second_long(), bytes("c0"));
  }
  std::ofstream(dir.path / "000000000007.ts") << "orphan";  // a crash between chunk rename and index rewrite
  ChunkStore again(live_config(dir.path));
  again.load_live();
  EXPECT_EQ(again.append(second_long(), bytes("x")).seq, 8u);
}

TEST(ChunkStore, VodIsReusedOnlyWhenIntactAndFromTheSameSource) {
  TempDir dir;
  StoreConfig c;
  c.dir = dir.path;
  {
    ChunkStore store(c);
    for (int i = 0; i < 3; ++i) store.append(second_long(), bytes("v" + std::to_string(i)));
    store.finish_vod("clip|1");
  }
  {
    ChunkStore again(c);
    ASSERT_TRUE(again.load_vod("clip|1"));
    EXPECT_EQ(again.chunks().size(), 3u);
    EXPECT_EQ(*again.payload(1), "v1");
    EXPECT_TRUE(again.complete());
  }
  {
    ChunkStore other(c);
    EXPECT_FALSE(other.load_vod("clip|2"));  // another file: segment again
  }
  {
    ChunkStore store(c);
    for (int i = 0; i < 3; ++i) store.append(second_long(), bytes("v" + std::to_string(i)));
    store.finish_vod("clip|1");
  }
  std::ofstream(dir.path / "000000000001.ts", std::ios::binary | std::ios::trunc) << "v9";  // same size, bad hash
  ChunkStore damaged(c);
  EXPECT_FALSE(damaged.load_vod("clip|1"));
  EXPECT_TRUE(damaged.chunks().empty());
}

TEST(ChunkStore, ListenersSeeEachNewChunkWithItsPayload) {
  TempDir dir;
  ChunkStore store(live_config(dir.path));
  std::vector<std::uint64_t> seen;
  const auto id = store.on_new_chunk([&](const Chunk& c) {
    seen.push_back(c.info.seq);
    EXPECT_EQ(c.payload->size(), c.info.size);
  });
  store.append(second_long(), bytes("a"));
  store.append(second_long(), bytes("bb"));
  store.remove_listener(id);
  store.append(second_long(), bytes("ccc"));
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{0, 1}));
}

}  // namespace
}  // namespace shoal::origin::test
