// PeerCore's side of tit-for-tat: it shows the Choker (choking/choker.hpp) each handshaken neighbor and
// carries out its decisions. The policy itself lives in the Choker.
#include <algorithm>

#include "core_state.hpp"

namespace shoal::peer {

bool PeerCore::State::starting_up(const Neighbor& n) const {
  if (n.newcomer_until <= now_) return false;
  const auto target_us = std::max<std::int64_t>(1, window.target_duration.count());
  const auto start_chunks = static_cast<std::uint64_t>((cfg.buffer_target.count() + target_us - 1) / target_us);
  return n.have.announced() < start_chunks;
}

double PeerCore::State::upload_utilisation() {
  if (!uplink.known()) return 1.0;  // unknown capacity: behave like a fixed-slot choker
  return uploaded.rate(now_, cfg.rechoke_interval) / uplink.bytes_per_second(now_);
}

ChokeCandidate PeerCore::State::choke_candidate(Neighbor& n) const {
  ChokeCandidate c;
  c.conn = n.conn;
  c.interested = n.peer_interested;
  c.unchoked = !n.am_choking;
  c.stuck = stuck_reader(n);
  c.holds_nothing = !n.have.any();
  c.starting_up = starting_up(n);
  c.upload_queued = n.upload_queued;
  c.connected_at = n.connected_at;
  c.received = &n.received;
  c.sent = &n.sent;
  return c;
}

std::vector<ChokeCandidate> PeerCore::State::choke_candidates() {
  std::vector<ChokeCandidate> candidates;
  candidates.reserve(neighbors.size());
  for (auto& [id, n] : neighbors)
    if (n.handshaken) candidates.push_back(choke_candidate(n));
  return candidates;
}

ChokeSituation PeerCore::State::choke_situation() { return {unchokes_everyone(), nothing_to_download(), complete()}; }

void PeerCore::State::run_choker() {
  const double utilisation = upload_utilisation();
  auto candidates = choke_candidates();
  const auto unchoke = choker.tick(now_, candidates, choke_situation(), utilisation, rng_);
  if (unchoke.empty()) return;
  for (std::size_t i = 0; i < candidates.size(); ++i) set_choke(*find(candidates[i].conn), !unchoke[i]);
}

void PeerCore::State::on_interested(Neighbor& n) {
  n.peer_interested = true;
  const auto candidates = choke_candidates();
  switch (choker.admit(choke_candidate(n), candidates, choke_situation())) {
    case Choker::Admission::wait:
      return;
    case Choker::Admission::newcomer:
      n.newcomer_until = now_ + cfg.rechoke_interval;
      [[fallthrough]];
    case Choker::Admission::unchoke:
      set_choke(n, false);
  }
}

void PeerCore::State::on_not_interested(Neighbor& n) {
  n.peer_interested = false;
  // Its slot is worth more to a neighbor that wants something: refill it now, not at the next rechoke.
  if (!n.am_choking) {
    set_choke(n, true);
    choker.rechoke_soon(now_);
  }
}

}  // namespace shoal::peer
