// Joining a live channel: where in the DVR window playback starts. CoolStreaming's
// rule: a newcomer reads its partners' buffer maps and starts where they are, not
// at the live edge. A start ahead of the swarm asks for chunks the mesh has not
// spread yet, so the newcomer falls back to the origin and stalls until it has
// drifted back to where its neighbors play (shoal-sim live-mesh, 200 viewers,
// viewers joining a running swarm: start-up p95 18.6 s and 33% of their bytes
// from the origin at the edge; 5.4 s and 8.7% by the maps; docs/results.md).
#include <algorithm>
#include <cmath>

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
  const auto target_us = std::max<std::int64_t>(1, window.target_duration.count());
  const auto buffer =
      static_cast<Seq>(std::max<std::int64_t>(1, (cfg.buffer_target.count() + target_us - 1) / target_us));
  const Seq edge = window.known_end();
  const Seq lowest = window.begin();
  // With no neighbor's map to go by: the buffer target behind the newest chunk, as an HLS player would.
  const Seq at_edge = edge - lowest >= buffer ? edge - buffer : lowest;
  if (maps == 0) return at_edge;
  const auto needed =
      static_cast<std::uint16_t>(std::max(1.0, std::ceil(cfg.join_holder_share * static_cast<double>(maps))));
  // The newest start whose whole start-up buffer enough neighbors hold: found walking down from the edge,
  // counting how many consecutive chunks from here up are held by at least `needed` of them.
  Seq run = 0;
  for (Seq s = edge; s > lowest;) {
    --s;
    const ChunkSlot* slot = window.find(s);
    run = slot && slot->known && slot->availability >= needed ? run + 1 : 0;
    if (run >= buffer) return s;
  }
  return at_edge;
}

}  // namespace shoal::peer
