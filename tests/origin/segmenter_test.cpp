// Segmenting real clips (H.264+AAC, H.265+AAC, AAC only, 29.97 fps with
// B-frames): chunk durations, keyframe starts, standalone decoding, and no
// packet lost or duplicated across chunks.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "shoal/origin/chunk_store.hpp"
#include "shoal/origin/ingest.hpp"
#include "support.hpp"

namespace shoal::origin::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::microseconds;

class SegmenterClip : public ::testing::TestWithParam<Clip> {};

struct Segmented {
  TempDir dir;
  std::unique_ptr<ChunkStore> store;
};

std::unique_ptr<Segmented> segment(Clip clip, microseconds target) {
  auto out = std::make_unique<Segmented>();
  out->store = std::make_unique<ChunkStore>(StoreConfig{out->dir.path / "ch", false});
  ingest_vod(clip_path(clip).string(), target, *out->store);
  return out;
}

fs::path write_chunk(const fs::path& dir, const ChunkStore& store, std::uint64_t seq) {
  const fs::path path = dir / ("chunk" + std::to_string(seq) + ".ts");
  std::ofstream(path, std::ios::binary) << *store.payload(seq);
  return path;
}

TEST_P(SegmenterClip, ChunkDurationsStayWithinTargetPlusOneGop) {
  const ClipSpec s = spec(GetParam());
  const microseconds target(1'000'000);
  auto seg = segment(GetParam(), target);
  const auto chunks = seg->store->chunks();
  ASSERT_GE(chunks.size(), 3u);
  std::int64_t total = 0;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    SCOPED_TRACE("chunk " + std::to_string(i));
    EXPECT_EQ(chunks[i].seq, i);
    EXPECT_LE(chunks[i].duration_us, target.count() + s.gop.count());
    if (i + 1 < chunks.size()) {
      EXPECT_GE(chunks[i].duration_us, target.count() - s.gop.count());
      EXPECT_EQ(chunks[i].pts_us + chunks[i].duration_us, chunks[i + 1].pts_us);  // contiguous timeline
    }
    EXPECT_EQ(chunks[i].sha256.size(), 32u);
    EXPECT_EQ(chunks[i].size, seg->store->payload(i)->size());
    total += chunks[i].duration_us;
  }
  EXPECT_NEAR(static_cast<double>(total), 4e6, 0.15e6);  // the clip is 4 s
}

TEST_P(SegmenterClip, EachChunkStartsWithTablesAndAKeyframeAndDecodesAlone) {
  const ClipSpec s = spec(GetParam());
  auto seg = segment(GetParam(), microseconds(1'000'000));
  for (const ChunkInfo& c : seg->store->chunks()) {
    SCOPED_TRACE("chunk " + std::to_string(c.seq));
    const auto payload = seg->store->payload(c.seq);
    ASSERT_GE(payload->size(), 188u * 2);
    ASSERT_EQ(payload->size() % 188, 0u);
    // PAT (PID 0) and PMT come before the first PES packet.
    std::set<int> tables;
    for (std::size_t off = 0; off < payload->size(); off += 188) {
      ASSERT_EQ((*payload)[off], 0x47);
      const int pid = ((static_cast<unsigned char>((*payload)[off + 1]) & 0x1f) << 8) |
                      static_cast<unsigned char>((*payload)[off + 2]);
      if (pid != 0 && pid != 0x11 && pid != 0x1000) break;
      tables.insert(pid);
    }
    EXPECT_TRUE(tables.count(0) && tables.count(0x1000)) << "chunk does not start with PAT and PMT";
    const auto streams = probe(write_chunk(seg->dir.path, *seg->store, c.seq), true);
    ASSERT_EQ(streams.size(), s.video ? 2u : 1u);
    for (const StreamProbe& st : streams) {
      SCOPED_TRACE(st.codec);
      ASSERT_FALSE(st.pts.empty());
      EXPECT_EQ(st.decode_errors, 0);
      if (st.video) {
        EXPECT_TRUE(st.key.front()) << "a video chunk must start on a keyframe";
        EXPECT_EQ(st.decoded_frames, static_cast<std::int64_t>(st.pts.size())) << "every frame decodes";
      } else {
        EXPECT_GE(st.decoded_frames, static_cast<std::int64_t>(st.pts.size()) - 1);
      }
    }
  }
}

TEST_P(SegmenterClip, ConcatenatedChunksHoldEveryInputPacketOnce) {
  auto seg = segment(GetParam(), microseconds(1'000'000));
  const fs::path joined = seg->dir.path / "joined.ts";
  {
    std::ofstream out(joined, std::ios::binary);
    for (const ChunkInfo& c : seg->store->chunks()) out << *seg->store->payload(c.seq);
  }
  const auto input = probe(clip_path(GetParam()), false);
  const auto output = probe(joined, false);
  ASSERT_EQ(input.size(), output.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    SCOPED_TRACE(input[i].codec);
    EXPECT_EQ(input[i].codec, output[i].codec);
    EXPECT_EQ(output[i].pts.size(), input[i].pts.size()) << "packets lost or duplicated";
    const std::set<std::int64_t> unique(output[i].pts.begin(), output[i].pts.end());
    EXPECT_EQ(unique.size(), output[i].pts.size()) << "a timestamp appears twice";
    // Same timeline up to one constant shift.
    if (!input[i].pts.empty() && output[i].pts.size() == input[i].pts.size()) {
      std::vector<std::int64_t> a = input[i].pts, b = output[i].pts;
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      const std::int64_t shift = b.front() - a.front();
      for (std::size_t k = 0; k < a.size(); ++k) EXPECT_NEAR(static_cast<double>(b[k] - a[k]), shift, 12) << k;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Clips, SegmenterClip,
                         ::testing::Values(Clip::h264_aac_30, Clip::hevc_aac, Clip::aac_only, Clip::h264_2997_bframes),
                         [](const ::testing::TestParamInfo<Clip>& p) { return std::string(spec(p.param).name); });

TEST(Segmenter, LongerTargetGivesFewerChunksCutOnKeyframes) {
  auto seg = segment(Clip::h264_aac_30, microseconds(2'000'000));
  const auto chunks = seg->store->chunks();
  EXPECT_EQ(chunks.size(), 2u);
  for (const ChunkInfo& c : chunks) EXPECT_NEAR(c.duration_us, 2e6, 0.5e6);
}

}  // namespace
}  // namespace shoal::origin::test
