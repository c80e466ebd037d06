// Admission for chunk responses. An origin serving more fallback fetches
// than its uplink carries shares it among all of them, so every transfer
// finishes late and its own mesh seeder starves with them. With a limit it
// refuses the excess at once (503), each admitted transfer keeps its rate,
// and a refused viewer keeps looking in the mesh (docs/origin.md).
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>

namespace shoal::origin {

class TransferGate {
 public:
  /// At most `limit` chunk transfers in flight; 0 = unlimited.
  explicit TransferGate(std::size_t limit = 0) : limit_(limit) {}

  /// A ticket to hold until the response is written, or null when the gate is full.
  std::shared_ptr<void> try_enter() {
    std::size_t now = count_->load();
    do {
      if (limit_ != 0 && now >= limit_) return nullptr;
    } while (!count_->compare_exchange_weak(now, now + 1));
    return std::shared_ptr<void>(count_.get(), [count = count_](void*) { --*count; });
  }
  std::size_t in_flight() const { return count_->load(); }
  std::size_t limit() const { return limit_; }

 private:
  std::size_t limit_;
  std::shared_ptr<std::atomic<std::size_t>> count_ = std::make_shared<std::atomic<std::size_t>>(0);
};

}  // namespace shoal::origin
