#include "window.hpp"

#include <algorithm>

namespace shoal::peer {

namespace {
// A manifest that jumps further than this (a restarted channel) starts the window afresh.
constexpr Seq kMaxGap = 1 << 14;
}  // namespace

ChunkSlot* Window::learn(const ChunkMeta& meta) {
  if (slots_.empty() || meta.seq >= end() + kMaxGap || meta.seq + kMaxGap < base_) {
    slots_.clear();
    ++layout_;
    held_bytes_ = 0;
    base_ = meta.seq;
    known_end_ = meta.seq;
  }
  if (meta.seq < base_) {
    // An older chunk than we track: only VoD seeks backwards need it; grow at the front.
    ++layout_;
    while (base_ > meta.seq) {
      reserve_one();
      slots_.push_front(ChunkSlot{});
      --base_;
      slots_.front().meta.seq = base_;
    }
  }
  while (end() <= meta.seq) {
    reserve_one();
    slots_.push_back(ChunkSlot{});
    slots_.back().meta.seq = end() - 1;
  }
  ChunkSlot& slot = *find(meta.seq);
  if (slot.known) return nullptr;
  slot.meta = meta;
  slot.known = true;
  if (meta.seq + 1 > known_end_) known_end_ = meta.seq + 1;
  return &slot;
}

void Window::reserve_one() {
  if (slots_.full()) slots_.set_capacity(std::max<std::size_t>(16, 2 * slots_.capacity()));
}

void Window::store(Seq seq, protocol::ChunkPayload payload) {
  ChunkSlot* slot = find(seq);
  if (!slot || slot->held() || !payload) return;
  held_bytes_ += payload->size();
  slot->payload = std::move(payload);
  ++stores_;
}

void Window::evict(Seq seq) {
  ChunkSlot* slot = find(seq);
  if (!slot || !slot->held()) return;
  held_bytes_ -= slot->payload->size();
  slot->payload.reset();
}

void Window::drop_before(Seq seq) {
  while (!slots_.empty() && base_ < seq) {
    if (slots_.front().held()) held_bytes_ -= slots_.front().payload->size();
    slots_.pop_front();
    ++base_;
  }
  if (slots_.empty()) base_ = seq;
  if (known_end_ < base_) known_end_ = base_;
}

void Window::evict_oldest_below(Seq limit, std::uint64_t budget) {
  for (Seq s = base_; s < limit && s < end() && held_bytes_ > budget; ++s) evict(s);
}

}  // namespace shoal::peer
