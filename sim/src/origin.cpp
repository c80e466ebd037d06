// The origin as peers see it: chunks appearing every chunk duration (live) or
// all present (VoD), a manifest, HTTP fetches sharing the origin's uplink with
// its seed PeerCore, and a tracker.
#include <algorithm>
#include <cstdio>
#include <unordered_set>

#include "simulator.hpp"

namespace shoal::sim {

protocol::ChunkPayload Simulator::payload(peer::Seq seq) {
  if (seq < payloads_.size()) return payloads_[seq];
  // One buffer of the chunk's real size, shared by every copy in the swarm: the cores measure
  // rates from payload sizes. Cores verify a chunk by identity with this buffer (see core_config).
  auto body = std::make_shared<std::string>(sc_.chunk_bytes, '\0');
  const std::string tag = "shoal-sim chunk " + std::to_string(seq);
  body->replace(0, std::min(tag.size(), body->size()), tag, 0, std::min(tag.size(), body->size()));
  peer::ChunkMeta meta;
  meta.seq = seq;
  meta.pts_us = static_cast<std::int64_t>(seq) * sc_.chunk_duration.count();
  meta.duration_us = static_cast<std::uint32_t>(sc_.chunk_duration.count());
  meta.size = sc_.chunk_bytes;
  meta.sha256.assign(32, static_cast<char>(seq & 0xff));  // unused: verification is by identity
  payloads_.resize(seq + 1);
  metas_.resize(seq + 1);
  payloads_[seq] = std::move(body);
  metas_[seq] = std::move(meta);
  return payloads_[seq];
}

peer::ChannelSnapshot Simulator::snapshot(std::uint32_t newest) const {
  peer::ChannelSnapshot snap;
  snap.live = sc_.live;
  snap.ended = !sc_.live;
  snap.target_duration_ms = static_cast<std::uint32_t>(sc_.chunk_duration.count() / 1000);
  const peer::Seq window = std::min(newest, sc_.manifest_window);
  const peer::Seq from = sc_.live && produced_ > window ? produced_ - window : 0;
  snap.chunks.assign(metas_.begin() + static_cast<std::ptrdiff_t>(from),
                     metas_.begin() + static_cast<std::ptrdiff_t>(produced_));
  return snap;
}

void Simulator::produce(peer::Seq seq) {
  const auto body = payload(seq);
  produced_ = seq + 1;
  if (sc_.origin_seeder && peers_[seed_].alive) {
    peers_[seed_].core->add_chunk(seq, body, now_);
    settle(seed_);
  }
  // Viewers already know the older chunks (the whole DVR window at join): only the new one is news.
  // Sending the window to every viewer each chunk cost a 10,000-viewer run a copy of it per viewer.
  const auto snap = snapshot(1);
  for (std::size_t i = 0; i < alive_.size(); ++i) {
    const std::uint32_t p = alive_[i];
    peers_[p].core->on_channel(snap, now_);
    settle(p);
  }
  if (now_ + sc_.chunk_duration <= end_) schedule(now_ + sc_.chunk_duration, Event{Kind::produce, 0, seq + 1});
}

void Simulator::origin_request(std::uint32_t p, peer::Seq seq) {
  if (!peers_[p].alive) return;
  if (seq >= produced_) {
    schedule(now_ + one_way(seed_, p), Event{Kind::origin_reply, p, seq, 0});
    return;
  }
  if (sc_.origin_max_transfers > 0 && http_active_ >= sc_.origin_max_transfers) {
    // 503 after a round trip, as shoal-origin answers past --max-chunk-transfers.
    schedule(now_ + 2 * one_way(seed_, p), Event{Kind::origin_reply, p, seq, 0});
    return;
  }
  ++http_active_;
  const FlowId flow = net_.start_flow(origin_node_, peers_[p].node, sc_.chunk_bytes, now_);
  flows_[flow] = FlowUse{true, 0, p, seq};
  peers_[p].http_flows.push_back(flow);
}

std::vector<protocol::PeerAddress> Simulator::tracker_reply(std::uint32_t p, peer::Seq playhead, int want) {
  peers_[p].announced_playhead = playhead;
  want = std::min(want, 50);
  std::vector<protocol::PeerAddress> out;
  if (want <= 0) return out;
  if (sc_.origin_seeder) out.push_back(peers_[seed_].address);
  // Random candidates (rejection sampling: the audience is far larger than a reply).
  const std::size_t others = alive_.size() - 1;
  const std::size_t pool = std::min<std::size_t>(
      others, sc_.neighbor_policy == peer::NeighborPolicy::position ? 4 * static_cast<std::size_t>(want) : want);
  std::vector<std::uint32_t> picks;
  std::unordered_set<std::uint32_t> seen{p};
  if (pool * 2 >= others) {
    for (auto q : alive_)
      if (q != p) picks.push_back(q);
    std::shuffle(picks.begin(), picks.end(), rng_);
    picks.resize(pool);
  } else {
    std::uniform_int_distribution<std::size_t> any(0, alive_.size() - 1);
    while (picks.size() < pool) {
      const std::uint32_t q = alive_[any(rng_)];
      if (seen.insert(q).second) picks.push_back(q);
    }
  }
  if (sc_.neighbor_policy == peer::NeighborPolicy::position) {
    auto distance = [&](std::uint32_t q) {
      const auto h = peers_[q].announced_playhead;
      return h > playhead ? h - playhead : playhead - h;
    };
    std::stable_sort(picks.begin(), picks.end(), [&](auto a, auto b) { return distance(a) < distance(b); });
  }
  for (auto q : picks) {
    if (static_cast<int>(out.size()) >= want) break;
    out.push_back(peers_[q].address);
  }
  return out;
}

void Simulator::sample() {
  SeriesRow row;
  row.t_s = static_cast<double>(now_.count()) * 1e-6;
  row.viewers = watching_;
  row.origin_bps = static_cast<double>(bin_origin_bytes_) * 8.0;
  bin_origin_bytes_ = 0;
  row.mesh_bps = static_cast<double>(bin_mesh_bytes_) * 8.0;
  bin_mesh_bytes_ = 0;
  row.cs_bps = watching_ * sc_.bitrate_bps;
  row.bound_bps = watching_ > 0 ? std::max(sc_.bitrate_bps, row.cs_bps - upload_present_bps_) : 0.0;
  series_.push_back(row);
  if (now_ + std::chrono::seconds(1) <= end_) schedule(now_ + std::chrono::seconds(1), Event{Kind::sample});
}

}  // namespace shoal::sim
