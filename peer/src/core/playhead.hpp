// The virtual player: where playback is, when each chunk is due, and the QoE
// it experiences. Playback starts once buffer_target of contiguous media is
// held from the start position, then runs in real time (the event times);
// reaching a missing chunk stalls it until buffer_target is held again.
// An embedder with its own clock (the GStreamer element) reports positions
// instead (external mode) and the model only extrapolates deadlines.
// A download (no playback at all: a file fetched whole) never plays, so it
// neither starts nor stalls; the core gives its chunks no deadline.
#pragma once

#include "shoal/peer/core/peer_stats.hpp"
#include "shoal/peer/core/types.hpp"
#include "window.hpp"

namespace shoal::peer {

class Playhead {
 public:
  enum class Mode { idle, buffering, playing, stalled, finished, downloading };

  explicit Playhead(Time buffer_target) : buffer_target_(buffer_target) {}

  /// Buffers from `first`; start-up delay counts from `requested` (default: now).
  void start(Seq first, Time now, Time requested = Time::min());
  /// Fetches from `first` to the end without playing (Mode::downloading).
  void download(Seq first);
  /// Jumps to `seq` and buffers again (not counted as a stall).
  void seek(Seq seq, Time now);
  /// External position report; from then on the model never advances by itself.
  void report(Seq seq, Time offset, Time now, PeerStats& stats);

  /// Plays up to `now`, then starts or resumes when enough is buffered.
  void advance(Time now, const Window& window, PeerStats& stats);

  Mode mode() const { return mode_; }
  bool active() const { return mode_ != Mode::idle && mode_ != Mode::finished; }
  Seq position() const { return pos_; }
  /// When the chunk at position() starts (started) playing, given what is buffered now.
  /// Deadlines of later chunks follow by adding durations.
  Time position_start(Time now, const Window& window);
  /// Buffering or stalled: when playback was (or is) first able to go on, a fixed instant (the start-up
  /// instant, or when the stall began), where position_start() moves with `now` once it has passed.
  Time waiting_since() const;
  /// Contiguous media held from the playhead on.
  Time buffered_ahead(const Window& window);
  /// First missing chunk at or after the playhead.
  Seq contiguous_end(const Window& window);
  /// When advance() next has something to do (a chunk boundary), or Time::max().
  Time next_event(const Window& window) const;
  /// Stall time including a stall in progress.
  Time stall_time(Time now) const;

 private:
  bool stream_done(const Window& window) const;
  /// Duration of the chunk at pos_: window.duration(pos_), read from its slot once per chunk.
  Time playing_duration(const Window& window);
  bool duration_cached(const Window& window) const {
    return cached_seq_ == pos_ && cached_layout_ == window.layout() && pos_ >= window.begin();
  }
  Time buffer_target_;
  Mode mode_ = Mode::idle;
  bool external_ = false;
  bool started_ = false;
  Seq pos_ = 0;
  Time offset_{0};        // into the chunk at pos_
  Time clock_{0};         // time up to which playback was simulated
  Time requested_at_{0};  // start_playback time (startup delay)
  Time buffer_from_{0};   // start or seek: buffering towards buffer_target began
  Time stall_started_{0};
  Time stall_total_{0};
  Seq contig_end_ = 0;
  // Every event plays up to its time, and reading the playing chunk's slot for that was a cache miss per
  // event, which a simulation of thousands of cores pays on every event. Cached only for a held chunk with its own
  // duration: its metadata no longer changes while the window keeps its layout.
  Seq cached_seq_ = ~Seq{0};
  std::uint64_t cached_layout_ = 0;
  Time cached_duration_{0};
};

}  // namespace shoal::peer
