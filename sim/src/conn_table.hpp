// The simulated connection ends by id. An id is (sequence << kSlotBits) | slot: sequence numbers only grow,
// so ids sort in the order the connections were made, as the cores' neighbor tables expect, and the slot
// finds the end with one load (a table of pointers costs a second, dependent load per message, usually a
// cache miss in a large run). A closed end's slot is reused, so the table holds the open connections, not
// every one ever made; an id of a closed connection finds a slot whose sequence differs, and nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

#include "shoal/peer/core/types.hpp"

namespace shoal::sim {

template <typename End>
class ConnTable {
 public:
  /// Stores `end` and returns its new id (never 0). Ends found before may move: look them up again.
  peer::ConnectionId emplace(End end) {
    std::size_t slot;
    if (free_.empty()) {
      if (slots_.size() > kSlotMask) throw std::length_error("shoal-sim: too many open connections");
      slot = slots_.size();
      slots_.emplace_back();
    } else {
      slot = free_.back();
      free_.pop_back();
    }
    Slot& s = slots_[slot];
    s.seq = ++next_seq_;
    s.end.emplace(std::move(end));
    return (s.seq << kSlotBits) | slot;
  }
  End* find(peer::ConnectionId id) {
    const std::size_t slot = id & kSlotMask;
    if (slot >= slots_.size()) return nullptr;
    Slot& s = slots_[slot];
    return s.end && s.seq == id >> kSlotBits ? &*s.end : nullptr;
  }
  const End* find(peer::ConnectionId id) const { return const_cast<ConnTable*>(this)->find(id); }
  /// Starts loading the end of `id` into cache (a hint; reads nothing).
  void prefetch(peer::ConnectionId id) const {
    const std::size_t slot = id & kSlotMask;
    if (slot < slots_.size()) __builtin_prefetch(&slots_[slot]);
  }
  void erase(peer::ConnectionId id) {
    if (!find(id)) return;
    const std::size_t slot = id & kSlotMask;
    slots_[slot].end.reset();
    free_.push_back(slot);
  }

 private:
  static constexpr int kSlotBits = 24;  // 16 M ends open at once
  static constexpr peer::ConnectionId kSlotMask = (peer::ConnectionId{1} << kSlotBits) - 1;
  struct Slot {
    std::uint64_t seq = 0;
    std::optional<End> end;
  };
  std::vector<Slot> slots_;
  std::vector<std::size_t> free_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace shoal::sim
