// Simulated-time event queue: events at equal times run in the order they
// were scheduled, so a run is a pure function of scenario and seed.
//
// A 4-ary heap of 16-byte keys whose four siblings share one cache line. A 10,000-peer run keeps tens of
// thousands of events pending, and a binary heap of 24-byte keys (at, order, slot) such as
// std::priority_queue's takes a cache miss at most of its ~16 levels per pop. Here a pop reads half
// as many levels, one line each. boost::heap::d_ary_heap controls neither the key's size nor the
// alignment of sibling groups, which is where the saving is, so it gains nothing over the binary heap.
#pragma once

#include <boost/align/aligned_allocator.hpp>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "network.hpp"

namespace shoal::sim {

template <typename Body>
class EventQueue {
 public:
  EventQueue() : heap_(kPad) {}

  void push(Time at, Body body) {
    std::uint64_t slot;
    if (free_.empty()) {
      slot = bodies_.size();
      if (slot > kSlotMask) throw std::length_error("shoal-sim: too many pending events");
      bodies_.push_back(std::move(body));
    } else {
      slot = free_.back();
      free_.pop_back();
      bodies_[slot] = std::move(body);
    }
    if (order_ > kMaxOrder) throw std::length_error("shoal-sim: too many events");
    heap_.push_back(Key{at.count(), order_++ << kSlotBits | slot});
    sift_up(size() - 1);
  }
  bool empty() const { return size() == 0; }
  Time next_time() const { return Time(key(0).at); }
  /// Removes the earliest event and returns its body.
  Body pop(Time& at) {
    const Key top = key(0);
    const Key last = heap_.back();
    heap_.pop_back();
    if (!empty()) sift_down(last);
    at = Time(top.at);
    const auto slot = static_cast<std::size_t>(top.order_slot & kSlotMask);
    Body body = std::move(bodies_[slot]);
    free_.push_back(static_cast<std::uint32_t>(slot));
    return body;
  }
  std::size_t size() const { return heap_.size() - kPad; }
  /// The body of the event `ahead` places after the next one (0 = the next, up to 2), or null: a hint for
  /// prefetching, since an event pushed meanwhile may run first.
  const Body* peek(int ahead) const {
    const std::size_t n = size();
    if (static_cast<std::size_t>(ahead) >= n) return nullptr;
    if (ahead == 0) return &body_of(key(0));
    // The second is the least child of the root; the third, the least of the root's other children and
    // the second's children.
    const std::size_t second = least_child(0, n, n);
    if (ahead == 1) return &body_of(key(second));
    std::size_t third = least_child(0, n, second);
    const std::size_t below = least_child(second, n, n);
    if (third >= n || (below < n && key(below) < key(third))) third = below;
    return &body_of(key(third));
  }

 private:
  // Sequence number in the high bits, the body's slot in the low ones: comparing order_slot compares the
  // sequence numbers, which are unique, so ties in time keep scheduling order.
  static constexpr int kSlotBits = 26;  // 67 M events pending at once
  static constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSlotBits) - 1;
  static constexpr std::uint64_t kMaxOrder = (std::uint64_t{1} << (64 - kSlotBits)) - 1;
  struct Key {
    std::int64_t at;
    std::uint64_t order_slot;
    bool operator<(const Key& o) const { return at != o.at ? at < o.at : order_slot < o.order_slot; }
  };
  static_assert(sizeof(Key) == 16);
  // Node i lives at heap_[i + kPad]: its children 4i+1..4i+4 then start on a multiple of four, one line.
  static constexpr std::size_t kPad = 3;
  Key& key(std::size_t i) { return heap_[i + kPad]; }
  const Key& key(std::size_t i) const { return heap_[i + kPad]; }

  // The least child of `i` other than `skip`, or n when it has none.
  std::size_t least_child(std::size_t i, std::size_t n, std::size_t skip) const {
    std::size_t least = n;
    for (std::size_t c = 4 * i + 1; c < 4 * i + 5 && c < n; ++c)
      if (c != skip && (least == n || key(c) < key(least))) least = c;
    return least;
  }
  const Body& body_of(const Key& k) const { return bodies_[static_cast<std::size_t>(k.order_slot & kSlotMask)]; }

  void sift_up(std::size_t i) {
    const Key k = key(i);
    while (i > 0) {
      const std::size_t parent = (i - 1) / 4;
      if (!(k < key(parent))) break;
      key(i) = key(parent);
      i = parent;
    }
    key(i) = k;
  }
  // Fills the root's hole with `k` (the former last key), moving smaller children up.
  void sift_down(const Key& k) {
    const std::size_t n = size();
    std::size_t i = 0;
    while (true) {
      const std::size_t first = 4 * i + 1;
      if (first >= n) break;
      const std::size_t end = first + 4 < n ? first + 4 : n;
      std::size_t least = first;
      for (std::size_t c = first + 1; c < end; ++c)
        if (key(c) < key(least)) least = c;
      if (!(key(least) < k)) break;
      key(i) = key(least);
      i = least;
    }
    key(i) = k;
  }

  std::vector<Key, boost::alignment::aligned_allocator<Key, 64>> heap_;
  std::vector<Body> bodies_;
  std::vector<std::uint32_t> free_;
  std::uint64_t order_ = 0;
};

}  // namespace shoal::sim
