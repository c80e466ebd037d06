#include "choker.hpp"

#include <algorithm>

namespace shoal::peer {

namespace {
// A capped uplink used below this share opens one more slot per housekeeping tick...
constexpr double kOpenBelow = 0.8;
// ...and one used above this gives one back at each rechoke: fewer, faster transfers.
constexpr double kGiveBackAbove = 0.95;
}  // namespace

Choker::Choker(const PeerConfig& config)
    : base_slots_(config.unchoke_slots),
      max_slots_(config.max_neighbors),
      newcomer_slots_(config.newcomer_slots),
      seed_(config.seed),
      rechoke_interval_(config.rechoke_interval),
      optimistic_interval_(config.optimistic_interval),
      rate_window_(config.rate_window),
      slots_(config.unchoke_slots) {}

void Choker::forget(ConnectionId conn) {
  if (optimistic_ == conn) optimistic_ = 0;
}

bool Choker::free_rider(Time now, ChokeCandidate& c) const {
  return now - c.connected_at >= rate_window_ && c.received->bytes(now, rate_window_) < 1.0;
}

std::vector<bool> Choker::tick(Time now, std::vector<ChokeCandidate>& candidates, const ChokeSituation& self,
                               double utilisation, std::mt19937_64& rng) {
  if (now >= next_rechoke_) {
    const bool rotate = now >= next_optimistic_;
    auto unchoke = rechoke(now, candidates, self, utilisation, rotate, rng);
    next_rechoke_ = now + rechoke_interval_;
    if (rotate) next_optimistic_ = now + optimistic_interval_;
    return unchoke;
  }
  if (rotate_to_newcomer(candidates, self)) {
    auto unchoke = rechoke(now, candidates, self, utilisation, /*rotate=*/true, rng);
    next_rechoke_ = now + rechoke_interval_;
    next_optimistic_ = now + optimistic_interval_;
    return unchoke;
  }
  return open_slot_if_idle(now, candidates, self, utilisation);
}

std::vector<bool> Choker::rechoke(Time now, std::vector<ChokeCandidate>& candidates, const ChokeSituation& self,
                                  double utilisation, bool rotate, std::mt19937_64& rng) {
  if (utilisation > kGiveBackAbove && slots_ > base_slots_) --slots_;
  std::vector<ConnectionId> chosen;
  if (self.wants_nothing_back) {
    // Nothing to reciprocate: everyone who wants something may ask (the upload queue keeps it fair).
    // The meters are still read, so their decay points do not depend on what the peer is.
    for (auto& c : candidates) {
      c.received->rate(now, rate_window_);
      c.sent->rate(now, rate_window_);
      if (c.interested && !c.stuck) chosen.push_back(c.conn);
    }
  } else {
    chosen = rank(now, candidates, self.nothing_to_download, rotate, rng);
  }
  std::vector<bool> unchoke(candidates.size());
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const ChokeCandidate& c = candidates[i];
    // A newcomer keeps its slot until it holds a start-up buffer (it has little to trade yet).
    unchoke[i] =
        std::find(chosen.begin(), chosen.end(), c.conn) != chosen.end() || (c.starting_up && c.unchoked && !c.stuck);
  }
  return unchoke;
}

std::vector<ConnectionId> Choker::rank(Time now, std::vector<ChokeCandidate>& candidates, bool nothing_to_download,
                                       bool rotate, std::mt19937_64& rng) {
  struct Ranked {
    const ChokeCandidate* c;
    double key;
  };
  std::vector<Ranked> ranked;
  for (auto& c : candidates) {
    const double received = c.received->rate(now, rate_window_);
    const double sent = c.sent->rate(now, rate_window_);
    // While we download, free-riders are left to the optimistic slot; a peer with nothing to download
    // has no reciprocity to ask for.
    const bool rider = free_rider(now, c);
    if (c.interested && !c.stuck && (nothing_to_download || !rider))
      ranked.push_back({&c, nothing_to_download ? sent : received});
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) { return a.key > b.key; });
  std::vector<ConnectionId> unchoked;
  for (auto& r : ranked) {
    if (static_cast<int>(unchoked.size()) >= slots_) break;
    unchoked.push_back(r.c->conn);
  }
  const bool keep =
      !rotate && optimistic_ != 0 && std::find(unchoked.begin(), unchoked.end(), optimistic_) == unchoked.end() &&
      std::any_of(candidates.begin(), candidates.end(),
                  [&](const ChokeCandidate& c) { return c.conn == optimistic_ && c.interested && !c.stuck; });
  if (!keep) pick_optimistic(candidates, unchoked, rng);
  if (optimistic_ != 0) unchoked.push_back(optimistic_);
  return unchoked;
}

void Choker::pick_optimistic(const std::vector<ChokeCandidate>& candidates, const std::vector<ConnectionId>& regular,
                             std::mt19937_64& rng) {
  auto eligible = [&](const ChokeCandidate& c) {
    return c.interested && !c.stuck && std::find(regular.begin(), regular.end(), c.conn) == regular.end();
  };
  // A neighbor holding nothing first; then anyone but the current one (unless it is the only neighbor);
  // then anyone.
  std::vector<ConnectionId> pool;
  for (auto& c : candidates)
    if (eligible(c) && c.holds_nothing && c.conn != optimistic_) pool.push_back(c.conn);
  if (pool.empty()) {
    for (auto& c : candidates)
      if (eligible(c) && (c.conn != optimistic_ || candidates.size() == 1)) pool.push_back(c.conn);
  }
  if (pool.empty()) {
    for (auto& c : candidates)
      if (eligible(c)) pool.push_back(c.conn);
  }
  optimistic_ = pool.empty() ? 0 : pool[std::uniform_int_distribution<std::size_t>(0, pool.size() - 1)(rng)];
}

bool Choker::rotate_to_newcomer(const std::vector<ChokeCandidate>& candidates, const ChokeSituation& self) const {
  // The optimistic slot did its work once that neighbor holds a chunk it can pass on (and has nothing
  // of ours still queued): at the next housekeeping tick a neighbor holding nothing gets the slot, not
  // at the next rotation, or a swarm that starts together waits a rotation per generation of holders.
  if (self.complete || optimistic_ == 0) return false;
  auto opt = std::find_if(candidates.begin(), candidates.end(),
                          [&](const ChokeCandidate& c) { return c.conn == optimistic_; });
  if (opt == candidates.end() || opt->holds_nothing || opt->upload_queued > 0) return false;
  return std::any_of(candidates.begin(), candidates.end(),
                     [](const ChokeCandidate& c) { return !c.unchoked && c.interested && c.holds_nothing; });
}

std::vector<bool> Choker::open_slot_if_idle(Time now, std::vector<ChokeCandidate>& candidates,
                                            const ChokeSituation& self, double utilisation) {
  // Four slots rarely fill a capped uplink while a swarm ramps up (everyone asks the first peers that
  // answered, and those peers hold few chunks): one more interested, non-free-riding neighbor each tick.
  if (utilisation >= kOpenBelow || slots_ >= max_slots_) return {};
  std::size_t best = candidates.size();
  double best_rate = -1;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    ChokeCandidate& c = candidates[i];
    if (c.unchoked || !c.interested || c.stuck) continue;
    if (free_rider(now, c) && !self.nothing_to_download) continue;
    const double rate = c.received->rate(now, rate_window_);
    if (rate > best_rate) {
      best = i;
      best_rate = rate;
    }
  }
  if (best == candidates.size()) return {};
  ++slots_;
  std::vector<bool> unchoke(candidates.size());
  for (std::size_t i = 0; i < candidates.size(); ++i) unchoke[i] = candidates[i].unchoked || i == best;
  return unchoke;
}

Choker::Admission Choker::admit(const ChokeCandidate& asker, const std::vector<ChokeCandidate>& candidates,
                                const ChokeSituation& self) const {
  if (asker.stuck) return Admission::wait;  // it has not read what we sent: no slot until it does
  const auto unchoked = std::count_if(candidates.begin(), candidates.end(), [](auto& c) { return c.unchoked; });
  if (unchoked < slots_ + 1 || self.wants_nothing_back) return Admission::unchoke;
  if (!asker.holds_nothing || newcomer_slots_ <= 0 || seed_) return Admission::wait;
  const auto newcomers =
      std::count_if(candidates.begin(), candidates.end(), [](auto& c) { return c.unchoked && c.starting_up; });
  return newcomers < newcomer_slots_ ? Admission::newcomer : Admission::wait;
}

}  // namespace shoal::peer
