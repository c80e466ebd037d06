#include "seeder.hpp"

#include <boost/asio/post.hpp>
#include <random>

#include "shoal.pb.h"

namespace shoal::origin {

namespace {

std::string seeder_peer_id() {
  std::random_device device;
  std::string id = "shoal-seed-";
  while (id.size() < 20) id.push_back(static_cast<char>(device() & 0xffu));
  return id;
}

peer::ChunkMeta to_meta(const ChunkInfo& info) {
  return peer::ChunkMeta{info.seq, info.pts_us, info.duration_us, info.size, info.sha256};
}

}  // namespace

Seeder::Seeder(boost::asio::io_context& io, Channel& channel, const std::string& host, std::uint64_t upload_bps)
    : io_(io),
      channel_(channel),
      host_(host),
      peer_id_(seeder_peer_id()),
      driver_(io, peer::CoreDriver::Hooks{.fetch_from_origin = {},
                                          .announce = {},
                                          .deliver = {},
                                          .version_mismatch = {},
                                          .after_pump = [this] { count_upload(); },
                                          .trace = {}}),
      announce_timer_(io) {
  port_ = driver_.mesh().listen(host_, 0);
  peer::PeerConfig config;
  config.seed = true;
  config.peer_id = peer_id_;
  config.swarm_id = channel_.swarm_id();
  config.listen_port = port_;
  config.max_upload_bps = upload_bps;
  driver_.attach(std::make_unique<peer::PeerCore>(config));
  driver_.mesh().start_accepting();

  peer::ChannelSnapshot snapshot;
  snapshot.live = channel_.live();
  snapshot.target_duration_ms = static_cast<std::uint32_t>(channel_.target().count() / 1000);
  for (const auto& info : channel_.store().chunks()) {
    snapshot.chunks.push_back(to_meta(info));
    latest_seq_ = info.seq;
  }
  driver_.feed([&](peer::PeerCore& core, peer::Time now) {
    core.on_channel(snapshot, now);
    for (const auto& meta : snapshot.chunks)
      if (auto payload = channel_.store().payload(meta.seq)) core.add_chunk(meta.seq, payload, now);
  });
  // The store calls back on its ingest thread; the core lives on the io thread.
  listener_ = channel_.store().on_new_chunk([this, alive = alive_](const Chunk& chunk) {
    boost::asio::post(io_, [this, alive, chunk] {
      if (*alive) add(chunk);
    });
  });
  announce_self();
}

Seeder::~Seeder() {
  *alive_ = false;
  channel_.store().remove_listener(listener_);
  announce_timer_.cancel();
  driver_.shutdown();
}

void Seeder::add(const Chunk& chunk) {
  latest_seq_ = chunk.info.seq;
  peer::ChannelSnapshot snapshot;
  snapshot.live = channel_.live();
  snapshot.target_duration_ms = static_cast<std::uint32_t>(channel_.target().count() / 1000);
  snapshot.chunks.push_back(to_meta(chunk.info));
  driver_.feed([&](peer::PeerCore& core, peer::Time now) {
    core.on_channel(snapshot, now);
    core.add_chunk(chunk.info.seq, chunk.payload, now);
  });
}

// The seeder is listed by the tracker like a viewer at the live edge, refreshed before its entry expires.
void Seeder::announce_self() {
  channel_.tracker().list_seeder(peer_id_, port_, latest_seq_, Tracker::Clock::now());
  announce_timer_.expires_after(channel_.tracker().interval() / 2);
  announce_timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (!ec && *alive) announce_self();
  });
}

void Seeder::count_upload() {
  auto uploaded = driver_.core().stats().bytes_uploaded;
  if (uploaded > counted_upload_) channel_.stats().add_mesh_bytes_seeded(uploaded - counted_upload_);
  counted_upload_ = uploaded;
}

}  // namespace shoal::origin
