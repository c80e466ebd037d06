// Tit-for-tat. Regular slots go to the interested neighbors that uploaded
// most to us recently; a peer with nothing left to download ranks by how fast
// it uploads to them instead. One optimistic slot, rotated, gives newcomers
// (and free-riders, who get nothing else) a chance; a neighbor holding no chunk
// goes first (libtorrent weights newcomers too): until it has one it can pass
// on, it adds nothing to the swarm's upload.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "shoal/peer/core/types.hpp"

namespace shoal::peer {

struct ChokeCandidate {
  ConnectionId conn = 0;
  bool interested = false;
  double received_rate = 0;    // bytes/s they uploaded to us
  double sent_rate = 0;        // bytes/s we uploaded to them
  bool free_rider = false;     // long enough connected, never uploaded to us
  bool holds_nothing = false;  // has no chunk yet, so cannot upload to anyone
};

class Choker {
 public:
  explicit Choker(int regular_slots) : slots_(regular_slots) {}

  /// The neighbors to unchoke. `rotate` picks a new optimistic neighbor; otherwise the current one
  /// stays while it is still eligible. Candidates must be in a deterministic order.
  std::vector<ConnectionId> rechoke(const std::vector<ChokeCandidate>& candidates, bool nothing_to_download,
                                    bool rotate, std::mt19937_64& rng);
  ConnectionId optimistic() const { return optimistic_; }
  int slots() const { return slots_; }
  /// Regular slots in use; the core opens more while its uplink is underused (see PeerCore::State).
  void set_slots(int slots) { slots_ = slots; }
  /// Forget a neighbor (disconnected).
  void forget(ConnectionId conn) {
    if (optimistic_ == conn) optimistic_ = 0;
  }

 private:
  int slots_;
  ConnectionId optimistic_ = 0;
};

}  // namespace shoal::peer
