// One MPEG-TS chunk: about a target duration of media that starts with
// PAT/PMT and a keyframe, so it decodes on its own.
#pragma once

#include <cstdint>
#include <string>

#include "shoal/protocol/message.hpp"

namespace shoal::origin {

struct ChunkInfo {
  std::uint64_t seq = 0;
  std::int64_t pts_us = 0;  // presentation time of the first frame
  std::uint32_t duration_us = 0;
  std::uint64_t size = 0;
  std::string sha256;  // 32 raw bytes
  bool discontinuity = false;
  /// Wall-clock time (µs since the Unix epoch) the chunk was made; HLS
  /// EXT-X-PROGRAM-DATE-TIME of live channels.
  std::int64_t wall_us = 0;
};

struct Chunk {
  ChunkInfo info;
  protocol::ChunkPayload payload;
};

}  // namespace shoal::origin
