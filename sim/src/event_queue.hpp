// Simulated-time event queue: events at equal times run in the order they
// were scheduled, so a run is a pure function of scenario and seed.
#pragma once

#include <cstdint>
#include <queue>
#include <vector>

#include "network.hpp"

namespace shoal::sim {

template <typename Body>
class EventQueue {
 public:
  void push(Time at, Body body) {
    std::uint32_t slot;
    if (free_.empty()) {
      slot = static_cast<std::uint32_t>(bodies_.size());
      bodies_.push_back(std::move(body));
    } else {
      slot = free_.back();
      free_.pop_back();
      bodies_[slot] = std::move(body);
    }
    heap_.push({at, order_++, slot});
  }
  bool empty() const { return heap_.empty(); }
  Time next_time() const { return heap_.top().at; }
  /// Removes the earliest event and returns its body.
  Body pop(Time& at) {
    const Key key = heap_.top();
    heap_.pop();
    at = key.at;
    Body body = std::move(bodies_[key.slot]);
    free_.push_back(key.slot);
    return body;
  }
  std::size_t size() const { return heap_.size(); }

 private:
  struct Key {
    Time at;
    std::uint64_t order;
    std::uint32_t slot;
    bool operator>(const Key& o) const { return at != o.at ? at > o.at : order > o.order; }
  };
  std::priority_queue<Key, std::vector<Key>, std::greater<>> heap_;
  std::vector<Body> bodies_;
  std::vector<std::uint32_t> free_;
  std::uint64_t order_ = 0;
};

}  // namespace shoal::sim
