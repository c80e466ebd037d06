// Piece selection: which missing chunk to request next, and from whom (a
// neighbor or the origin). Policies share one interface so shoal-sim can
// compare them under identical conditions. A selector sees only a
// SelectionContext (selection_pass.hpp builds one per pass from the parts of
// the core selection reads): the facts (deadlines, availability, per-neighbor
// delivery estimates) and the requests it may make.
#pragma once

#include <memory>
#include <random>
#include <vector>

#include "../window.hpp"
#include "shoal/peer/core/config.hpp"
#include "shoal/peer/core/types.hpp"

namespace shoal::peer {

struct MissingChunk {
  Seq seq = 0;
  Time deadline{0};  // when the playhead reaches it
  ChunkSlot* slot = nullptr;
  bool blocking = false;  // playback cannot start or resume without it
  Time due{0};            // the deadline as a fixed instant: for a blocking chunk, when playback could first go on
};

struct PeerOffer {
  ConnectionId conn = 0;
  Time eta = Time::max();
  bool found() const { return eta != Time::max(); }
};

class SelectionContext {
 public:
  virtual ~SelectionContext() = default;
  virtual Time now() const = 0;
  virtual const PeerConfig& config() const = 0;
  /// Missing chunks with known metadata in the fetch window, ascending, with deadlines.
  virtual const std::vector<MissingChunk>& missing() const = 0;
  /// The unchoked neighbor with a free request slot, holding `seq` and not yet asked for it,
  /// expected to deliver first (RTT + (queued + size) / measured rate).
  virtual PeerOffer best_peer(const MissingChunk& chunk) = 0;
  virtual void request_peer(const MissingChunk& chunk, const PeerOffer& offer) = 0;
  /// Earliest expected arrival of our outstanding peer requests for the chunk (Time::max() if none).
  virtual Time pending_eta(const MissingChunk& chunk) const = 0;
  /// When an origin fetch started now would arrive.
  virtual Time origin_eta(const MissingChunk& chunk) const = 0;
  /// Below max_origin_fetches and not backing off after a failure.
  virtual bool origin_available() const = 0;
  virtual void request_origin(const MissingChunk& chunk) = 0;
  /// Some unchoked neighbor still has a free request slot.
  virtual bool peer_capacity() const = 0;
  /// Ask to be run again at `t` (ignored unless in the future).
  virtual void wake_at(Time t) = 0;
  virtual std::mt19937_64& rng() = 0;
};

class PieceSelector {
 public:
  virtual ~PieceSelector() = default;
  virtual void select(SelectionContext& ctx) = 0;
};

/// The selector of config.policy (the policy registry: selection/policies.cpp).
std::unique_ptr<PieceSelector> make_selector(const PeerConfig& config);

}  // namespace shoal::peer
