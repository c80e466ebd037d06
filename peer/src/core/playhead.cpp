#include "playhead.hpp"

#include <algorithm>

namespace shoal::peer {

void Playhead::start(Seq first, Time now, Time requested) {
  pos_ = first;
  contig_end_ = first;
  offset_ = Time{0};
  clock_ = now;
  requested_at_ = requested == Time::min() ? now : requested;
  buffer_from_ = now;
  mode_ = Mode::buffering;
}

void Playhead::download(Seq first) {
  pos_ = first;
  contig_end_ = first;
  offset_ = Time{0};
  mode_ = Mode::downloading;
}

void Playhead::seek(Seq seq, Time now) {
  if (mode_ == Mode::stalled) stall_total_ += now - stall_started_;
  if (mode_ == Mode::idle) requested_at_ = now;
  pos_ = seq;
  contig_end_ = seq;
  offset_ = Time{0};
  clock_ = now;
  buffer_from_ = now;
  // A seek rebuffers; only an unplanned interruption counts as a stall.
  mode_ = Mode::buffering;
}

void Playhead::report(Seq seq, Time offset, Time now, PeerStats& stats) {
  if (mode_ == Mode::idle) requested_at_ = now;
  external_ = true;
  if (seq > pos_ && mode_ != Mode::idle) stats.chunks_played += seq - pos_;
  pos_ = seq;
  offset_ = offset;
  clock_ = now;
  if (!started_) {
    started_ = true;
    stats.started = true;
    stats.startup_delay = now - requested_at_;
  }
  mode_ = Mode::playing;
}

bool Playhead::stream_done(const Window& window) const { return window.ended && pos_ >= window.known_end(); }

void Playhead::advance(Time now, const Window& window, PeerStats& stats) {
  if (external_ || !active()) return;
  while (mode_ == Mode::playing) {
    Time remaining = playing_duration(window) - offset_;
    if (clock_ + remaining > now) {
      offset_ += now - clock_;
      clock_ = now;
      break;
    }
    clock_ += remaining;
    offset_ = Time{0};
    ++pos_;
    ++stats.chunks_played;
    if (stream_done(window)) {
      mode_ = Mode::finished;
    } else if (!window.held(pos_)) {
      // The stall began when the previous chunk ran out, not when we noticed.
      mode_ = Mode::stalled;
      ++stats.stalls;
      ++stats.chunks_late;
      stall_started_ = clock_;
    }
  }
  if (mode_ == Mode::buffering || mode_ == Mode::stalled) {
    Seq end = contiguous_end(window);
    bool rest_held = window.ended && end >= window.known_end() && end > pos_;
    if (buffered_ahead(window) >= buffer_target_ || rest_held) {
      if (!started_) {
        started_ = true;
        stats.started = true;
        stats.startup_delay = now - requested_at_;
      }
      if (mode_ == Mode::stalled) stall_total_ += now - stall_started_;
      mode_ = Mode::playing;
      clock_ = now;
    }
  }
}

Seq Playhead::contiguous_end(const Window& window) {
  contig_end_ = std::max(contig_end_, pos_);
  while (window.held(contig_end_)) ++contig_end_;
  return contig_end_;
}

Time Playhead::buffered_ahead(const Window& window) {
  Seq end = contiguous_end(window);
  Time total{0};
  for (Seq s = pos_; s < end; ++s) total += window.duration(s);
  return std::max(Time{0}, total - offset_);
}

Time Playhead::position_start(Time now, const Window& window) {
  (void)window;
  if (mode_ == Mode::playing) return clock_ - offset_;
  // Buffering: expected to start once buffer_target has passed; a stall or a late start is due now.
  if (mode_ == Mode::buffering) return std::max(now, buffer_from_ + buffer_target_);
  return now;
}

Time Playhead::waiting_since() const { return mode_ == Mode::stalled ? stall_started_ : buffer_from_ + buffer_target_; }

Time Playhead::next_event(const Window& window) const {
  if (external_ || mode_ != Mode::playing) return Time::max();
  return clock_ + (duration_cached(window) ? cached_duration_ : window.duration(pos_)) - offset_;
}

Time Playhead::playing_duration(const Window& window) {
  if (duration_cached(window)) return cached_duration_;
  const ChunkSlot* slot = window.find(pos_);
  const Time d = window.duration(pos_);
  if (slot && slot->held() && slot->known && slot->meta.duration_us > 0) {
    cached_seq_ = pos_;
    cached_layout_ = window.layout();
    cached_duration_ = d;
  }
  return d;
}

Time Playhead::stall_time(Time now) const {
  return stall_total_ + (mode_ == Mode::stalled ? now - stall_started_ : Time{0});
}

}  // namespace shoal::peer
