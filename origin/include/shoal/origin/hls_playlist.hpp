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

/// The playlist's Cache-Control. A live playlist changes every chunk: a cache (a CDN, nginx's proxy_cache) may keep
/// it for half a target duration in whole seconds (the granularity of max-age and of nginx's cache clock, which
/// can add almost a second), so what it serves is never older than one target duration; under two seconds it may
/// not keep it at all (`no-cache`) and revalidates with the ETag instead. VoD: a minute.
std::string playlist_cache_control(bool live, std::chrono::microseconds target);

}  // namespace shoal::origin
