// One selection pass: the SelectionContext a PieceSelector sees. It is made from just the parts of the core
// that selection reads — the window and playhead (what is missing, and when each chunk is due), the
// neighbors that unchoked us, our fetches in flight — and it carries out the selector's requests on those
// parts, so a policy never sees the rest of the core (uploads, choking, the peer set).
#pragma once

#include <random>
#include <vector>

#include "../fetches.hpp"
#include "../neighbor.hpp"
#include "../playhead.hpp"
#include "piece_selector.hpp"
#include "shoal/peer/core/action.hpp"

namespace shoal::peer {

class SelectionPass final : public SelectionContext {
 public:
  /// Where a neighbor's request slots stand during a pass (kept between passes only for their storage).
  struct Source {
    Neighbor* n;
    std::size_t capacity;  // requests it may hold from us
    double rate;           // bytes/s we expect from it
  };
  /// Buffers the core keeps so that a pass allocates nothing once they have grown.
  struct Scratch {
    std::vector<MissingChunk> missing;
    std::vector<Source> sources;
  };
  /// The parts of the core a pass reads, and the two it writes (fetches, actions).
  struct Parts {
    const PeerConfig& cfg;
    Time now;
    Window& window;
    Playhead& playhead;
    const std::vector<Neighbor*>& unchoking_us;  // in connection order: ties go to the older connection
    Fetches& fetches;
    double chunk_bytes;  // a typical chunk's size, to size request queues
    std::mt19937_64& rng;
    std::vector<Action>& actions;
  };

  /// Lists the missing chunks of the fetch window, with their deadlines (missing()).
  SelectionPass(const Parts& parts, Scratch& scratch);
  ~SelectionPass() override;
  SelectionPass(const SelectionPass&) = delete;
  SelectionPass& operator=(const SelectionPass&) = delete;

  /// The earliest wake_at() asked for (Time::max() if none).
  Time wake() const { return wake_; }

  Time now() const override { return p_.now; }
  const PeerConfig& config() const override { return p_.cfg; }
  const std::vector<MissingChunk>& missing() const override { return s_.missing; }
  PeerOffer best_peer(const MissingChunk& chunk) override;
  void request_peer(const MissingChunk& chunk, const PeerOffer& offer) override;
  Time pending_eta(const MissingChunk& chunk) const override;
  Time origin_eta(const MissingChunk& chunk) const override;
  bool origin_available() const override;
  void request_origin(const MissingChunk& chunk) override;
  bool peer_capacity() const override;
  void wake_at(Time t) override;
  std::mt19937_64& rng() override { return p_.rng; }

 private:
  void find_missing();
  void ensure_sources() const;
  bool prefetch_capped() const;  // live: at most live_prefetch_requests prefetches out at once
  long prefetch_room() const;
  std::size_t capacity(const Neighbor& n) const;
  /// Bytes/s we expect from n: measured, else its upload hint, else assumed_peer_rate_bps.
  double expected_rate(const Neighbor& n) const;

  Parts p_;
  Scratch& s_;
  Time wake_ = Time::max();
  // The sources are built on the selector's first question, not for every pass (see ensure_sources).
  mutable long free_slots_ = 0;
  mutable bool sources_ready_ = false;
};

}  // namespace shoal::peer
