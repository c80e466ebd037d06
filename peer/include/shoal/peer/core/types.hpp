// Vocabulary of the sans-IO peer core: time, chunk metadata, the channel as the
// core sees it. Time is a plain count of microseconds since an epoch the driver
// chooses (steady clock in real peers, 0 at the start of a simulation).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace shoal::peer {

using Time = std::chrono::microseconds;
using Seq = std::uint64_t;
/// Chosen by the driver for each transport connection; never reused.
using ConnectionId = std::uint64_t;

struct ChunkMeta {
  Seq seq = 0;
  std::int64_t pts_us = 0;
  std::uint32_t duration_us = 0;
  std::uint64_t size = 0;
  std::string sha256;  // 32 raw bytes
};

/// What the origin's manifest says, in the core's terms.
struct ChannelSnapshot {
  bool live = false;
  bool ended = false;
  std::uint32_t target_duration_ms = 1000;
  std::vector<ChunkMeta> chunks;  // ascending, contiguous
};

}  // namespace shoal::peer
