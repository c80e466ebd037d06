// RFC 8216 media playlists. VoD: every chunk and EXT-X-ENDLIST. Live: the
// DVR window as a sliding window (EXT-X-MEDIA-SEQUENCE is the first listed
// seq, which only grows since eviction is in order), with
// EXT-X-PROGRAM-DATE-TIME and EXT-X-DISCONTINUITY where timestamps jump.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "shoal/origin/chunk.hpp"

namespace shoal::origin {

struct PlaylistInput {
  std::vector<ChunkInfo> chunks;  // ascending seq
  bool live = false;
  bool ended = false;
  std::chrono::microseconds target{1'000'000};
  std::uint64_t discontinuity_sequence = 0;  // discontinuity-flagged chunks before the first listed one
};

std::string hls_playlist(const PlaylistInput& input);

}  // namespace shoal::origin
