// Joining a live channel: where in the DVR window playback starts. CoolStreaming's
// rule: a newcomer reads its partners' buffer maps and starts where they are, not
// at the live edge. A start ahead of the swarm asks for chunks the mesh has not
// spread yet, so the newcomer falls back to the origin and stalls until it has
// drifted back to where its neighbors play (the join's effect on start-up and
// origin bytes: docs/changelog.md, f23b0d9).
// And never nearer the edge than live_hold_back: each new chunk starts as one
// copy and needs seconds to reach everyone (docs/peer.md, "Live hold-back").
#include <algorithm>
#include <cmath>
#include <limits>

#include "core_state.hpp"

namespace shoal::peer {

void PeerCore::State::start_join() {
  if (cfg.seed) return;
  joining = true;
  join_requested = now_;
  join_by = now_ + cfg.join_wait;
  if (!joined) announce();
}

void PeerCore::State::try_join() {
  if (!joining || !have_channel || !window.has_known()) return;
  std::uint32_t maps = 0;
  for (auto& [id, n] : neighbors)
    if (n.handshaken && n.have.any()) ++maps;
  // A small swarm may never have join_neighbors maps to give: once every peer the tracker named is
  // connected and has sent its map, waiting longer only delays the start (a lone viewer and the seeder).
  const bool everyone_heard = tracker_answered && pending_connects.empty() && peer_set.candidates() == 0 && maps > 0 &&
                              maps == neighbors.size();
  if (now_ < join_by && maps < static_cast<std::uint32_t>(std::max(1, cfg.join_neighbors)) && !everyone_heard) return;
  joining = false;
  join_by = Time::max();
  const Seq first = join_point(maps);
  playhead.start(first, now_, join_requested);
  next_deliver = first;
  delivering = true;
  dirty = true;
}

Seq PeerCore::State::join_point(std::uint32_t maps) const {
  const auto chunks = [&](Time t) {
    const auto target_us = std::max<std::int64_t>(1, window.target_duration.count());
    return static_cast<Seq>(std::max<std::int64_t>(1, (t.count() + target_us - 1) / target_us));
  };
  const Seq buffer = chunks(cfg.buffer_target);
  const Seq back = std::max(buffer, chunks(cfg.live_hold_back));
  const Seq lowest = window.begin();
  // No nearer the edge than the hold-back; with no neighbor's map to go by, there, as an HLS player would.
  const Seq at_hold_back = window.known_end() - lowest >= back ? window.known_end() - back : lowest;
  if (maps == 0) return at_hold_back;
  const Seq top = std::min(window.known_end(), at_hold_back + buffer);
  const auto needed =
      static_cast<std::uint16_t>(std::max(1.0, std::ceil(cfg.join_holder_share * static_cast<double>(maps))));
  // Neighbors keep chunks this far behind their playheads: a start further back is one they evict.
  const auto keep = static_cast<Seq>(std::max(0, cfg.live_keep_behind_chunks));
  // The newest start whose whole start-up buffer enough neighbors hold: found walking down from the top,
  // counting how many consecutive chunks from here up are held by at least `needed` of them. When no start
  // has that many holders (a flash crowd, whose maps are thin and scattered), the start within `keep` of the
  // hold-back whose least-held start-up chunk has the most holders: the hold-back itself may be a start
  // nobody can serve yet.
  Seq run = 0;
  Seq best = at_hold_back;
  std::uint16_t best_holders = 0;
  for (Seq s = top; s > lowest;) {
    --s;
    const ChunkSlot* slot = window.find(s);
    run = slot && slot->known && slot->availability >= needed ? run + 1 : 0;
    if (run >= buffer) return s;
    if (s + buffer > top || s + keep < at_hold_back) continue;
    std::uint16_t holders = std::numeric_limits<std::uint16_t>::max();
    for (Seq k = s; k < s + buffer; ++k) {
      const ChunkSlot* c = window.find(k);
      holders = std::min<std::uint16_t>(holders, c && c->known ? c->availability : 0);
    }
    if (holders > best_holders) {
      best = s;
      best_holders = holders;
    }
  }
  return best;
}

}  // namespace shoal::peer
