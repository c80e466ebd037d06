// The neighbors by connection id: a std::map's interface over a sorted vector of stable nodes. A core has
// at most max_neighbors (40) of them and looks one up per message; walking a tree of 40 heap nodes for
// each was the largest single cost of a 10,000-peer simulation. Iteration is in connection order, as
// before, so a replay gives the same actions. Nodes never move: pointers to a Neighbor stay good until
// it is erased.
#pragma once

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "neighbor.hpp"

namespace shoal::peer {

class NeighborTable {
 public:
  using Entry = std::pair<const ConnectionId, Neighbor>;

  class iterator {
   public:
    using Base = std::vector<std::unique_ptr<Entry>>::iterator;
    using iterator_category = std::forward_iterator_tag;
    using difference_type = std::ptrdiff_t;
    using value_type = Entry;
    using pointer = Entry*;
    using reference = Entry&;
    iterator() = default;
    iterator(Base it, Base end) : it_(it), end_(end) {}
    reference operator*() const { return **it_; }
    pointer operator->() const { return it_->get(); }
    iterator& operator++() {
      ++it_;
      // A walk over the neighbors (every verified chunk, every chunk learned, every rechoke) took a cache
      // miss per node, one after the other: asking for the node after next overlaps them.
      if (end_ - it_ > kAhead) __builtin_prefetch(it_[kAhead].get());
      return *this;
    }
    iterator operator++(int) {
      iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const iterator& other) const { return it_ == other.it_; }
    Base base() const { return it_; }

   private:
    static constexpr std::ptrdiff_t kAhead = 2;
    Base it_{};
    Base end_{};
  };

  iterator begin() {
    for (std::size_t i = 0; i < nodes_.size() && i < 2; ++i) __builtin_prefetch(nodes_[i].get());
    return iterator(nodes_.begin(), nodes_.end());
  }
  iterator end() { return iterator(nodes_.end(), nodes_.end()); }
  std::size_t size() const { return nodes_.size(); }
  bool empty() const { return nodes_.empty(); }

  iterator find(ConnectionId conn) {
    const std::size_t i = lower(conn);
    return i < ids_.size() && ids_[i] == conn ? iterator(nodes_.begin() + static_cast<std::ptrdiff_t>(i), nodes_.end())
                                              : end();
  }
  std::size_t count(ConnectionId conn) { return find(conn) == end() ? 0 : 1; }
  /// The neighbor of `conn`, added (default-constructed) when absent.
  Neighbor& operator[](ConnectionId conn) {
    const std::size_t i = lower(conn);
    const auto at = static_cast<std::ptrdiff_t>(i);
    if (i == ids_.size() || ids_[i] != conn) {
      ids_.insert(ids_.begin() + at, conn);
      nodes_.insert(nodes_.begin() + at, std::make_unique<Entry>(conn, Neighbor{}));
    }
    return nodes_[i]->second;
  }
  /// Starts loading the ids and node pointers a lookup searches (a hint; reads only the vectors' bounds).
  void prefetch() const {
    prefetch_range(ids_.data(), ids_.size() * sizeof(ConnectionId));
    prefetch_range(nodes_.data(), nodes_.size() * sizeof(nodes_[0]));
  }
  void erase(ConnectionId conn) {
    const std::size_t i = lower(conn);
    if (i == ids_.size() || ids_[i] != conn) return;
    ids_.erase(ids_.begin() + static_cast<std::ptrdiff_t>(i));
    nodes_.erase(nodes_.begin() + static_cast<std::ptrdiff_t>(i));
  }

 private:
  static void prefetch_range(const void* data, std::size_t bytes) {
    const char* p = static_cast<const char*>(data);
    for (std::size_t i = 0; i < bytes; i += 64) __builtin_prefetch(p + i);
  }
  // The ids apart from the nodes, so a lookup searches one or two cache lines.
  std::size_t lower(ConnectionId conn) const {
    return static_cast<std::size_t>(std::lower_bound(ids_.begin(), ids_.end(), conn) - ids_.begin());
  }
  std::vector<ConnectionId> ids_;
  std::vector<std::unique_ptr<Entry>> nodes_;
};

}  // namespace shoal::peer
