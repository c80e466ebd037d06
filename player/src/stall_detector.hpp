// When playback has stalled and when it may resume. A stall starts when the
// playhead reaches media that has not arrived; it ends once the buffer target
// is refilled ahead of the (frozen) playhead, or the stream has ended. The gap
// between the two thresholds is the hysteresis that keeps BUFFERING messages
// from flapping.
#pragma once

#include <cstdint>

#include "shoal/peer/core/types.hpp"

namespace shoal::player {

struct StallUpdate {
  enum class Kind { none, began, progress, ended };
  Kind kind = Kind::none;
  int percent = 100;       // buffer fill towards the target, for BUFFERING
  peer::Time duration{0};  // kind == ended: how long this stall lasted (wall time)
};

class StallDetector {
 public:
  explicit StallDetector(peer::Time buffer_target) : target_(buffer_target) {}

  /// `playhead` and `received_end` in media time; `now` in wall time.
  StallUpdate update(peer::Time playhead, peer::Time received_end, bool stream_ended, peer::Time now);

  bool stalled() const { return stalled_; }
  /// The playhead where the current stall began (meaningful while stalled()).
  peer::Time stalled_at() const { return stalled_at_; }
  std::uint32_t count() const { return count_; }
  /// Completed stalls plus the running one up to `now`.
  peer::Time total(peer::Time now) const;
  /// A seek abandons a running stall without counting it as a resumed one.
  void cancel(peer::Time now);

 private:
  int percent_of(peer::Time ahead) const;

  peer::Time target_;
  bool stalled_ = false;
  peer::Time stalled_at_{0};
  peer::Time began_{0};
  int last_percent_ = -1;
  std::uint32_t count_ = 0;
  peer::Time total_{0};
};

}  // namespace shoal::player
