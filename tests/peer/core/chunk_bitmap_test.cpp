// A neighbor's announced chunks: bounded span, growing either way from the first one.
#include "chunk_bitmap.hpp"

#include <gtest/gtest.h>

namespace shoal::peer {
namespace {

TEST(ChunkBitmap, ChunksBelowTheFirstAnnouncedOneAreKept) {
  // A VoD neighbor fetching rarest first announces in any order; dropping the lower ones hid most of a
  // complete neighbor's chunks from its peers.
  ChunkBitmap have;
  EXPECT_TRUE(have.set(150));
  EXPECT_TRUE(have.set(5));
  EXPECT_TRUE(have.set(0));
  EXPECT_TRUE(have.test(150));
  EXPECT_TRUE(have.test(5));
  EXPECT_TRUE(have.test(0));
  EXPECT_FALSE(have.test(6));
  EXPECT_EQ(have.announced(), 3u);
  EXPECT_EQ(have.highest(), 150u);
}

TEST(ChunkBitmap, SetTwiceCountsOnceAndTheSpanStaysBounded) {
  ChunkBitmap have;
  EXPECT_TRUE(have.set(1000));
  EXPECT_FALSE(have.set(1000));
  EXPECT_EQ(have.announced(), 1u);
  EXPECT_FALSE(have.set(1000 + ChunkBitmap::kMaxSpan)) << "beyond the span above";
  EXPECT_TRUE(have.set(1000 + ChunkBitmap::kMaxSpan - 1000));
  EXPECT_FALSE(have.set(0)) << "would stretch the span past kMaxSpan below";
  EXPECT_FALSE(have.test(0));
}

TEST(ChunkBitmap, TrimForgetsOldChunks) {
  ChunkBitmap have;
  for (Seq s : {10, 100, 300}) have.set(s);
  have.trim_below(256);
  EXPECT_FALSE(have.test(10));
  EXPECT_FALSE(have.test(100));
  EXPECT_TRUE(have.test(300));
  EXPECT_TRUE(have.set(20)) << "and can grow back down";
  EXPECT_TRUE(have.test(20));
}

}  // namespace
}  // namespace shoal::peer
