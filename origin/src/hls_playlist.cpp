#include "shoal/origin/hls_playlist.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace shoal::origin {

namespace {

std::string iso8601(std::int64_t wall_us) {
  const std::time_t seconds = static_cast<std::time_t>(wall_us / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>((wall_us / 1000) % 1000));
  return buf;
}

}  // namespace

std::string hls_playlist(const PlaylistInput& in) {
  // EXTINF rounded to the nearest integer must not exceed the target duration.
  double longest = static_cast<double>(in.target.count()) / 1e6;
  for (const ChunkInfo& c : in.chunks) longest = std::max(longest, c.duration_us / 1e6);
  const auto target_s = static_cast<long>(std::ceil(longest - 1e-9));

  std::string out = "#EXTM3U\n#EXT-X-VERSION:3\n";
  out += "#EXT-X-TARGETDURATION:" + std::to_string(std::max(1L, target_s)) + "\n";
  out += "#EXT-X-MEDIA-SEQUENCE:" + std::to_string(in.chunks.empty() ? 0 : in.chunks.front().seq) + "\n";
  // The first listed chunk's own discontinuity is counted, not tagged, so its
  // sequence number stays the same once it scrolls out of the playlist.
  const std::uint64_t dsn = in.discontinuity_sequence + (!in.chunks.empty() && in.chunks.front().discontinuity ? 1 : 0);
  if (dsn > 0) out += "#EXT-X-DISCONTINUITY-SEQUENCE:" + std::to_string(dsn) + "\n";
  if (!in.live) out += "#EXT-X-PLAYLIST-TYPE:VOD\n";
  bool first = true;
  for (const ChunkInfo& c : in.chunks) {
    if (c.discontinuity && !first) out += "#EXT-X-DISCONTINUITY\n";
    if (in.live && c.wall_us > 0 && (first || c.discontinuity)) {
      out += "#EXT-X-PROGRAM-DATE-TIME:" + iso8601(c.wall_us - c.duration_us) + "\n";
    }
    char extinf[48];
    std::snprintf(extinf, sizeof extinf, "#EXTINF:%.3f,\n", c.duration_us / 1e6);
    out += extinf;
    out += "chunk/" + std::to_string(c.seq) + ".ts\n";
    first = false;
  }
  if (!in.live || in.ended) out += "#EXT-X-ENDLIST\n";
  return out;
}

std::string playlist_cache_control(bool live, std::chrono::microseconds target) {
  if (!live) return "public, max-age=60";
  const auto half = std::chrono::duration_cast<std::chrono::seconds>(target / 2).count();
  return half < 1 ? "no-cache" : "public, max-age=" + std::to_string(half);
}

}  // namespace shoal::origin
