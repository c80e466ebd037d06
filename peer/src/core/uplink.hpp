// Our uplink as the core sees it when it was not told its rate (shoal-peer without --max-upload, shoalsrc
// by default): what it carries, measured, and how much of our own upload may wait in it at once.
//
// Sending every requested chunk at once fills the link's queue: each chunk then takes as long as all of
// them together, every requester's deadline passes, and our own requests and acknowledgements wait behind
// the queue (issue 15: most of the watch time stalled on uplinks of 1.5x the bitrate; shoal-sim shows it
// with `viewers_measure_upload`: continuity 0.88 unpaced). So, in the spirit of LEDBAT, the core keeps its
// own queue short: a new chunk starts only while the chunk bytes handed out and not yet seen written
// (PeerCore::on_sent) stay under `queue_delay` of the measured rate, and one chunk may always be on its
// way. Chunks then leave one after another, each at the link's whole rate.
//
// Samples: the chunk bytes written over a busy period, from a handoff onto an empty queue to the write
// that empties it (cut every kMaxSample, at a write: with one chunk at a time the cut falls between
// chunks), while our uploads were waiting: the link then set the pace. A receiver slower than our link
// yields a low sample, so the estimate is the largest sample of the last `window` (a max filter, as BBR's
// bandwidth estimate), falling back to the newest one. The runtime keeps the kernel's unsent bytes small
// (TCP_NOTSENT_LOWAT), so a write completes when its bytes are on their way rather than merely copied.
#pragma once

#include <array>
#include <cstdint>

#include "shoal/peer/core/types.hpp"

namespace shoal::peer {

class Uplink {
 public:
  /// `ceiling_bps`: --max-upload (0 = none; when set, it is the rate and nothing is held back).
  /// `assumed_bps`: the rate before a measurement.
  Uplink(std::uint64_t ceiling_bps, std::uint64_t assumed_bps, Time queue_delay, Time window);

  /// A chunk was handed to the driver; `unsent_before` chunk bytes were waiting already.
  void on_handoff(std::uint64_t unsent_before, Time now);
  /// `bytes` were written; `unsent_after` chunk bytes still wait.
  void on_written(std::uint64_t bytes, std::uint64_t unsent_after, Time now);
  /// Unsent bytes went with a closed connection: no sample, but the busy period may be over.
  void on_abandoned(std::uint64_t unsent_after) {
    if (unsent_after == 0) busy_ = false;
  }

  /// Bytes/s our uploads may count on: the ceiling when given, else the estimate (or the assumption).
  double bytes_per_second(Time now) const;
  /// May a chunk of `chunk_bytes` start with `unsent` chunk bytes already waiting? Always, when told.
  bool room(std::uint64_t unsent, std::uint64_t chunk_bytes, Time now) const;
  /// The link's rate as measured (0 = not yet).
  double measured(Time now) const;
  /// True once the rate is not a guess.
  bool known() const { return ceiling_ > 0 || newest_ > 0; }

 private:
  struct Sample {
    Time at{0};
    double rate = 0;
  };
  double ceiling_;  // bytes/s, 0 = none
  double assumed_;  // bytes/s
  Time queue_delay_;
  Time window_;
  std::array<Sample, 8> samples_{};
  std::size_t next_ = 0;
  double newest_ = 0;
  bool busy_ = false;
  Time busy_since_{0};
  std::uint64_t busy_bytes_ = 0;
};

}  // namespace shoal::peer
