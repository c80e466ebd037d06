#include "shoal/peer/runtime/playback_position.hpp"

namespace shoal::peer {

namespace {
// Old chunks are forgotten once this many newer ones are known: a live DVR window is far shorter.
constexpr std::size_t kMaxRemembered = 4096;
}  // namespace

void PlaybackPosition::update(const ChannelSnapshot& channel) {
  target_duration_ms_ = channel.target_duration_ms ? channel.target_duration_ms : 1000;
  if (!based_ && !channel.chunks.empty()) {
    based_ = true;
    base_pts_us_ = channel.chunks.front().pts_us;
  }
  for (const auto& c : channel.chunks) chunks_.insert_or_assign(c.seq, c);
  while (chunks_.size() > kMaxRemembered) chunks_.erase(chunks_.begin());
}

std::pair<Seq, Time> PlaybackPosition::locate(Time media_time) const {
  if (chunks_.empty()) return {0, Time{0}};
  const std::int64_t pts = base_pts_us_ + media_time.count();
  for (const auto& [seq, c] : chunks_) {
    if (pts < c.pts_us) return {seq, Time{0}};
    if (pts < c.pts_us + static_cast<std::int64_t>(c.duration_us)) return {seq, Time{pts - c.pts_us}};
  }
  const auto& last = chunks_.rbegin()->second;
  return {last.seq, Time{last.duration_us}};
}

const ChunkMeta* PlaybackPosition::find(Seq seq) const {
  auto it = chunks_.find(seq);
  return it == chunks_.end() ? nullptr : &it->second;
}

}  // namespace shoal::peer
