// How a live seed (the origin's seeder) puts each new chunk into the mesh: once,
// to one neighbor. BitTorrent's super-seeding announces each piece to a single
// peer and gives that peer another only once the last one was seen passed on,
// so the seed's copies go to the peers that spread them. Here the first copy
// goes to the neighbor with the highest upload hint that has passed on its last
// one: a 3x uploader hands the chunk on three times a second, a 0.5x one every
// two seconds, and the whole swarm waits on the first hops. A neighbor connected
// for less than a rechoke interval comes after the settled ones: a newcomer is
// still joining, chokes the peers that would take the chunk from it, and at
// 10,000 viewers a first copy given to one never spread (every viewer stalled on
// that chunk and fetched it from the origin).
#include "core_state.hpp"

namespace shoal::peer {

bool PeerCore::State::injects() const { return cfg.seed && window.live && cfg.seed_pass_on_wait.count() > 0; }

bool PeerCore::State::passed_on(const Neighbor& n) const {
  if (!n.seeded_pending) return true;
  const ChunkSlot* last = window.find(n.seeded_seq);
  return !last || !last->held() || last->availability >= 2 || now_ - n.seeded_at >= cfg.seed_pass_on_wait;
}

bool PeerCore::State::settled(const Neighbor& n) const { return now_ - n.connected_at >= cfg.rechoke_interval; }

bool PeerCore::State::first_copy_reserved(const ChunkSlot& slot, const Neighbor& n) const {
  return slot.copies_served == 0 && slot.injected_to != 0 && slot.injected_to != n.conn &&
         now_ - slot.injected_at < cfg.seed_pass_on_wait;
}

void PeerCore::State::inject(ChunkSlot& slot) {
  Neighbor* best = nullptr;
  for (auto& [id, n] : neighbors) {
    if (!n.handshaken || !n.peer_interested || n.have.test(slot.meta.seq) || id == slot.injected_to) continue;
    const bool ready = passed_on(n);
    const bool is_settled = settled(n);
    if (best) {
      const bool best_ready = passed_on(*best);
      const bool best_settled = settled(*best);
      if (ready != best_ready) {
        if (!ready) continue;
      } else if (is_settled != best_settled) {
        if (!is_settled) continue;
      } else if (n.upload_bps != best->upload_bps) {
        if (n.upload_bps < best->upload_bps) continue;
      } else if (n.seeded_at >= best->seeded_at) {
        continue;  // round robin among equals: the one seeded longest ago
      }
    }
    best = &n;
  }
  if (!best) return;
  slot.injected_to = best->conn;
  slot.injected_at = now_;
  best->seeded_pending = true;
  best->seeded_seq = slot.meta.seq;
  best->seeded_at = now_;
  send(*best, protocol::Have{slot.meta.seq});
}

void PeerCore::State::reinject_stale() {
  // A chunk whose chosen neighbor never asked for it (gone, or too busy to) goes to another, and so does one
  // whose every holder we know of has left: a first copy whose one recipient departed before passing it on
  // leaves a chunk nobody in the mesh hears of, which every viewer then stalls on and takes from the origin
  // (at 10,000 viewers, with a departure every 60 ms, a few times in ten minutes). If the recipient did pass it
  // on to peers we are not connected to, the cost is one more copy.
  // Only the newest chunks: older ones are in the DVR window for newcomers, shown in our chunk map.
  constexpr Seq kRecent = 16;
  for (Seq s = window.end() > window.begin() + kRecent ? window.end() - kRecent : window.begin(); s < window.end();
       ++s) {
    ChunkSlot* slot = window.find(s);
    if (!slot->held() || (slot->copies_served > 0 && slot->availability > 0)) continue;
    if (now_ - slot->injected_at >= cfg.seed_pass_on_wait) inject(*slot);
  }
}

bool PeerCore::State::make_room_for_newcomer() {
  // A seed's places are the swarm's way to first copies. A neighbor that moved no chunk either way for
  // useless_timeout holds one for nothing; viewers drop such neighbors themselves (maintain), a seed only
  // when a newcomer needs the place, so a few strangers that connect and sit still cannot keep it full.
  ConnectionId idlest = 0;
  Time since{0};
  for (auto& [id, n] : neighbors) {
    if (!n.handshaken || now_ - n.last_useful <= cfg.useless_timeout) continue;
    if (idlest == 0 || n.last_useful < since) {
      idlest = id;
      since = n.last_useful;
    }
  }
  if (idlest == 0) return false;
  remove_neighbor(idlest, "idle, for a newcomer", true);
  return true;
}

}  // namespace shoal::peer
