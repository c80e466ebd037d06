// Tit-for-tat, whole: who gets an upload slot, and when that is decided.
//
// Regular slots go to the interested neighbors that uploaded most to us recently; a peer with nothing
// left to download ranks by how fast it uploads to them instead. One optimistic slot, rotated, gives
// newcomers (and free-riders, who get nothing else) a chance; a neighbor holding no chunk goes first
// (libtorrent weights newcomers too): until it has one it can pass on, it adds nothing to the swarm's
// upload. While a capped uplink is underused one more slot opens each housekeeping tick (libtorrent's
// rate-based choker, simplified), and a saturated one gives them back. A peer that wants nothing back
// (a complete peer, a live seed handing out first copies) unchokes everyone who asks.
//
// The Choker decides; PeerCore carries the decisions out (Choke/Unchoke messages). It reads each
// neighbor through a ChokeCandidate, whose rate meters it reads at the points tit-for-tat needs them:
// a meter read decays it, so where the reads happen is part of the policy's arithmetic.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "../rate_meter.hpp"
#include "shoal/peer/core/config.hpp"
#include "shoal/peer/core/types.hpp"

namespace shoal::peer {

/// A handshaken neighbor as tit-for-tat sees it, in a deterministic (connection) order.
struct ChokeCandidate {
  ConnectionId conn = 0;
  bool interested = false;     // it said Interested
  bool unchoked = false;       // we unchoke it now
  bool stuck = false;          // it has not read what we sent for slow_reader_timeout: no slot until it does
  bool holds_nothing = false;  // no chunk yet, so it cannot upload to anyone
  bool starting_up = false;    // unchoked as a newcomer and still short of a start-up buffer
  int upload_queued = 0;       // its requests in our upload queue
  Time connected_at{0};
  RateMeter* received = nullptr;  // chunk bytes it sent us
  RateMeter* sent = nullptr;      // chunk bytes we sent it
};

/// What the peer itself is, as far as choking goes.
struct ChokeSituation {
  bool wants_nothing_back = false;   // complete, or a live seed injecting first copies: unchoke all who ask
  bool nothing_to_download = false;  // rank by what we send, and free-riders may have regular slots
  bool complete = false;             // holds a whole finished channel: no newcomer rotation
};

class Choker {
 public:
  explicit Choker(const PeerConfig& config);

  /// The neighbors to unchoke after the housekeeping tick at `now`, one flag per candidate; empty when
  /// this tick changes nothing. `utilisation` is the share of the uplink used over rechoke_interval (1
  /// when its capacity is unknown).
  std::vector<bool> tick(Time now, std::vector<ChokeCandidate>& candidates, const ChokeSituation& self,
                         double utilisation, std::mt19937_64& rng);
  enum class Admission { wait, unchoke, newcomer };
  /// A neighbor said Interested: unchoke it at once? A free slot goes to it now, not at the next rechoke,
  /// and a neighbor holding nothing may take a newcomer slot (newcomer_slots) for a rechoke interval.
  Admission admit(const ChokeCandidate& asker, const std::vector<ChokeCandidate>& candidates,
                  const ChokeSituation& self) const;
  /// A slot was freed (a neighbor left or lost interest) or the peer's wants changed: rechoke at `now`.
  void rechoke_soon(Time now) { next_rechoke_ = now; }
  /// Forget a neighbor (disconnected).
  void forget(ConnectionId conn);

  ConnectionId optimistic() const { return optimistic_; }
  /// Regular slots now: unchoke_slots, plus those opened while the uplink was underused.
  int slots() const { return slots_; }

 private:
  std::vector<bool> rechoke(Time now, std::vector<ChokeCandidate>& candidates, const ChokeSituation& self,
                            double utilisation, bool rotate, std::mt19937_64& rng);
  std::vector<ConnectionId> rank(Time now, std::vector<ChokeCandidate>& candidates, bool nothing_to_download,
                                 bool rotate, std::mt19937_64& rng);
  void pick_optimistic(const std::vector<ChokeCandidate>& candidates, const std::vector<ConnectionId>& regular,
                       std::mt19937_64& rng);
  bool rotate_to_newcomer(const std::vector<ChokeCandidate>& candidates, const ChokeSituation& self) const;
  std::vector<bool> open_slot_if_idle(Time now, std::vector<ChokeCandidate>& candidates, const ChokeSituation& self,
                                      double utilisation);
  /// Connected for a whole rate window and never gave us a chunk.
  bool free_rider(Time now, ChokeCandidate& c) const;

  int base_slots_;
  int max_slots_;
  int newcomer_slots_;
  bool seed_;
  Time rechoke_interval_;
  Time optimistic_interval_;
  Time rate_window_;

  int slots_;
  ConnectionId optimistic_ = 0;
  Time next_rechoke_{0};
  Time next_optimistic_{0};
};

}  // namespace shoal::peer
