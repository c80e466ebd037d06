#include "stall_detector.hpp"

#include <algorithm>

namespace shoal::player {

int StallDetector::percent_of(peer::Time ahead) const {
  if (target_.count() <= 0) return 100;
  const auto pct = std::clamp<std::int64_t>(ahead.count() * 100 / target_.count(), 0, 100);
  return static_cast<int>(pct);
}

StallUpdate StallDetector::update(peer::Time playhead, peer::Time received_end, bool stream_ended, peer::Time now) {
  StallUpdate out;
  if (!stalled_) {
    if (stream_ended || playhead < received_end) return out;
    stalled_ = true;
    stalled_at_ = playhead;
    began_ = now;
    ++count_;
    last_percent_ = 0;
    out.kind = StallUpdate::Kind::began;
    out.percent = 0;
    return out;
  }
  const peer::Time ahead = received_end - stalled_at_;
  if (stream_ended || ahead >= target_) {
    stalled_ = false;
    out.kind = StallUpdate::Kind::ended;
    out.duration = now - began_;
    total_ += out.duration;
    out.percent = 100;
    return out;
  }
  // Below the target the fill is reported as at most 99 so players stay paused.
  const int pct = std::min(percent_of(ahead), 99);
  if (pct != last_percent_) {
    last_percent_ = pct;
    out.kind = StallUpdate::Kind::progress;
    out.percent = pct;
  }
  return out;
}

peer::Time StallDetector::total(peer::Time now) const { return stalled_ ? total_ + (now - began_) : total_; }

void StallDetector::cancel(peer::Time now) {
  if (!stalled_) return;
  stalled_ = false;
  total_ += now - began_;
}

}  // namespace shoal::player
