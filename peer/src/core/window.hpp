// The chunks a peer knows about (from the manifest) and holds, around the
// playhead. Live: [playhead, live edge], keeping a small margin behind the
// playhead for neighbors slightly behind. VoD: [playhead, playhead + W] is what
// we fetch; played chunks stay in a bounded cache so later viewers can fetch
// them from us.
#pragma once

#include <boost/circular_buffer.hpp>
#include <cstdint>
#include <vector>

#include "shoal/peer/core/types.hpp"
#include "shoal/protocol/message.hpp"

namespace shoal::peer {

struct ChunkSlot {
  ChunkMeta meta;
  bool known = false;               // meta came from the manifest (or add_chunk)
  protocol::ChunkPayload payload;   // set once verified; null when missing or evicted
  std::uint16_t availability = 0;   // neighbors that announced it
  std::uint8_t peer_requests = 0;   // our outstanding requests for it
  std::uint16_t copies_served = 0;  // requests for it we accepted (a seed's super-seeding)
  bool origin_pending = false;
  ConnectionId injected_to = 0;  // a live seed: the neighbor told of it first
  Time injected_at{0};
  std::uint32_t tiebreak = 0;  // random, fixed per chunk: rarest-first tie-break
  bool held() const { return payload != nullptr; }
};

class Window {
 public:
  /// Slots for [begin(), end()).
  Seq begin() const { return base_; }
  Seq end() const { return base_ + slots_.size(); }
  bool empty() const { return slots_.empty(); }
  ChunkSlot* find(Seq seq) {
    return seq >= base_ && seq < end() ? &slots_[static_cast<std::size_t>(seq - base_)] : nullptr;
  }
  const ChunkSlot* find(Seq seq) const {
    return seq >= base_ && seq < end() ? &slots_[static_cast<std::size_t>(seq - base_)] : nullptr;
  }
  bool held(Seq seq) const {
    auto* slot = find(seq);
    return slot && slot->held();
  }
  /// Media duration of `seq`, falling back to the target duration when unknown.
  Time duration(Seq seq) const {
    const ChunkSlot* slot = find(seq);
    return slot && slot->known && slot->meta.duration_us > 0 ? Time(slot->meta.duration_us) : target_duration;
  }

  /// Learns a chunk's metadata. Returns the slot when it is new (so the caller can count
  /// neighbors holding it), null when it was already known or is too far out of order.
  ChunkSlot* learn(const ChunkMeta& meta);
  void store(Seq seq, protocol::ChunkPayload payload);
  void evict(Seq seq);
  /// Drops slots (metadata included) below `seq`.
  void drop_before(Seq seq);
  std::uint64_t held_bytes() const { return held_bytes_; }
  /// Evicts held chunks below `limit`, oldest first, until held bytes fit `budget`.
  void evict_oldest_below(Seq limit, std::uint64_t budget);
  bool has_known() const { return known_end_ > base_; }
  Seq known_end() const { return known_end_; }  // one past the newest known chunk
  /// Changes when slots are rebuilt or added at the front: a known slot's metadata stays what it was
  /// for as long as this and begin() <= its seq hold.
  std::uint64_t layout() const { return layout_; }
  /// Counts store()s that took a payload: a slot becomes held only through one.
  std::uint64_t stores() const { return stores_; }

  bool live = false;
  bool ended = false;
  Time target_duration = std::chrono::seconds(1);

 private:
  Seq base_ = 0;
  Seq known_end_ = 0;
  std::uint64_t layout_ = 0;
  std::uint64_t stores_ = 0;
  // A ring, not a deque: a deque's 512-byte blocks held four slots each, so the walk over the hold-back
  // that every selection pass and playhead step makes took a cache miss per few chunks. Grown by doubling;
  // growing moves the slots, so slot pointers last until
  // the next learn().
  boost::circular_buffer<ChunkSlot> slots_;
  void reserve_one();
  std::uint64_t held_bytes_ = 0;
};

}  // namespace shoal::peer
