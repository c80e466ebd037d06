// Maps an embedder's media time to chunks of the manifest. Media time 0 is the
// presentation time of the first chunk of the first manifest seen, so a VoD
// position or a pipeline's running time names a chunk and an offset in it.
#pragma once

#include <map>
#include <utility>

#include "shoal/peer/core/types.hpp"

namespace shoal::peer {

class PlaybackPosition {
 public:
  void update(const ChannelSnapshot& channel);

  /// The chunk holding `media_time` (clamped to the listed chunks) and the offset into it.
  std::pair<Seq, Time> locate(Time media_time) const;
  Seq seq_at(Time media_time) const { return locate(media_time).first; }
  /// Metadata of a chunk listed now or earlier (kept while within the last few manifests' span).
  const ChunkMeta* find(Seq seq) const;

 private:
  bool based_ = false;
  std::int64_t base_pts_us_ = 0;
  std::uint32_t target_duration_ms_ = 1000;
  std::map<Seq, ChunkMeta> chunks_;
};

}  // namespace shoal::peer
