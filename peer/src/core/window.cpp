#include "window.hpp"

namespace shoal::peer {

namespace {
// A manifest that jumps further than this (a restarted channel) starts the window afresh.
constexpr Seq kMaxGap = 1 << 14;
}  // namespace

ChunkSlot* Window::learn(const ChunkMeta& meta) {
  if (slots_.empty() || meta.seq >= end() + kMaxGap || meta.seq + kMaxGap < base_) {
    slots_.clear();
    held_bytes_ = 0;
    base_ = meta.seq;
    known_end_ = meta.seq;
  }
  if (meta.seq < base_) {
    // An older chunk than we track: only VoD seeks backwards need it; grow at the front.
    while (base_ > meta.seq) {
      slots_.emplace_front();
      --base_;
      slots_.front().meta.seq = base_;
    }
  }
  while (end() <= meta.seq) {
    slots_.emplace_back();
    slots_.back().meta.seq = end() - 1;
  }
  ChunkSlot& slot = *find(meta.seq);
  if (slot.known) return nullptr;
  slot.meta = meta;
  slot.known = true;
  if (meta.seq + 1 > known_end_) known_end_ = meta.seq + 1;
  return &slot;
}

void Window::store(Seq seq, protocol::ChunkPayload payload) {
  ChunkSlot* slot = find(seq);
  if (!slot || slot->held() || !payload) return;
  held_bytes_ += payload->size();
  slot->payload = std::move(payload);
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
