// Chunk throughput between two Shoal peers on loopback, beside libtorrent
// moving the same bytes in the same run. Each peer is a full PeerCore driven
// by the runtime's CoreDriver on its own io thread: a seed holding a VoD
// channel and a viewer whose window covers it all, so transfer is bound by
// the protocol, the core and the runtime, not by playback pace.
//
// usage: bench_peer_transfer [CHUNKS] [CHUNK_BYTES]   (default 256 × 1 MiB)
// Prints JSON lines; the last one holds both figures and the ratio.
#include <openssl/sha.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>

#include "shoal/peer/runtime/core_driver.hpp"

using namespace shoal;
using namespace shoal::peer;
namespace asio = boost::asio;

namespace {

std::string sha256(const std::string& data) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

struct Node {
  asio::io_context io;
  std::unique_ptr<CoreDriver> driver;
  std::thread thread;
  template <class F>
  void run_on(F f) {
    std::promise<void> done;
    asio::post(io, [&] {
      f();
      done.set_value();
    });
    done.get_future().wait();
  }
  void start() {
    thread = std::thread([this] {
      auto guard = asio::make_work_guard(io);
      io.run();
    });
  }
  void stop() {
    run_on([this] { driver->shutdown(); });
    io.stop();
    thread.join();
  }
};

// A VoD channel of `count` chunks of `chunk_bytes` each, and their payloads.
struct Content {
  ChannelSnapshot channel;
  std::vector<protocol::ChunkPayload> payloads;
};

Content make_content(long count, long chunk_bytes) {
  Content c;
  c.channel.live = false;
  c.channel.ended = true;
  for (long i = 0; i < count; ++i) {
    std::string bytes(static_cast<std::size_t>(chunk_bytes), '\0');
    for (std::size_t j = 0; j < bytes.size(); j += 4096) bytes[j] = static_cast<char>(i + static_cast<long>(j));
    c.channel.chunks.push_back(ChunkMeta{static_cast<Seq>(i), i * 1'000'000, 1'000'000,
                                         static_cast<std::uint64_t>(chunk_bytes), sha256(bytes)});
    c.payloads.push_back(std::make_shared<const std::string>(std::move(bytes)));
  }
  return c;
}

// Starts `seed` holding every chunk of `content`; returns the port it listens on.
std::uint16_t start_seed(Node& seed, const Content& content, const std::string& swarm, std::uint64_t total) {
  std::uint16_t seed_port = 0;
  seed.driver = std::make_unique<CoreDriver>(seed.io, CoreDriver::Hooks{});
  seed.start();
  seed.run_on([&] {
    seed_port = seed.driver->mesh().listen("127.0.0.1", 0);
    PeerConfig config;
    config.seed = true;
    config.peer_id = std::string(20, 'S');
    config.swarm_id = swarm;
    config.listen_port = seed_port;
    config.vod_cache_bytes = total * 2;
    config.vod_window = std::chrono::hours(1000);
    seed.driver->attach(std::make_unique<PeerCore>(config));
    seed.driver->mesh().start_accepting();
    seed.driver->feed([&](PeerCore& core, Time now) {
      core.on_channel(content.channel, now);
      for (std::size_t i = 0; i < content.payloads.size(); ++i)
        core.add_chunk(static_cast<Seq>(i), content.payloads[i], now);
    });
  });
  return seed_port;
}

double shoal_transfer(long count, long chunk_bytes) {
  const Content content = make_content(count, chunk_bytes);
  const ChannelSnapshot& channel = content.channel;
  const std::string swarm(32, 's');

  Node seed, viewer;
  std::atomic<std::uint64_t> received{0};
  std::promise<void> complete;
  std::atomic<bool> completed{false};
  const auto total = static_cast<std::uint64_t>(count * chunk_bytes);
  const std::uint16_t seed_port = start_seed(seed, content, swarm, total);

  CoreDriver::Hooks hooks;
  CoreDriver* viewer_driver = nullptr;
  hooks.announce = [&](Seq, int) {
    asio::post(viewer.io, [&] {
      viewer_driver->feed([&](PeerCore& core, Time now) {
        core.on_tracker_peers({protocol::PeerAddress{"127.0.0.1", seed_port, std::string(20, 'S')}}, now);
      });
    });
  };
  // No origin here: every fallback fails, so the bytes can only come from the seed.
  hooks.fetch_from_origin = [&](Seq seq) {
    asio::post(viewer.io, [&, seq] {
      viewer_driver->feed([&](PeerCore& core, Time now) { core.on_origin_chunk(seq, nullptr, now); });
    });
  };
  hooks.after_pump = [&] {
    received = viewer_driver->core().stats().bytes_from_peers;
    if (received >= total && !completed.exchange(true)) complete.set_value();
  };
  viewer.driver = std::make_unique<CoreDriver>(viewer.io, hooks);
  viewer_driver = viewer.driver.get();
  viewer.start();

  const auto started = std::chrono::steady_clock::now();
  viewer.run_on([&] {
    auto port = viewer.driver->mesh().listen("127.0.0.1", 0);
    PeerConfig config;
    config.peer_id = std::string(20, 'V');
    config.swarm_id = swarm;
    config.listen_port = port;
    config.policy = Policy::inorder;
    config.vod_window = std::chrono::hours(1000);
    config.vod_cache_bytes = total * 2;
    config.buffer_target = std::chrono::seconds(1);
    viewer.driver->attach(std::make_unique<PeerCore>(config));
    viewer.driver->mesh().start_accepting();
    viewer.driver->feed([&](PeerCore& core, Time now) {
      core.on_channel(channel, now);
      core.start_playback(0, now);
    });
  });
  auto status = complete.get_future().wait_for(std::chrono::seconds(120));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  viewer.stop();
  seed.stop();
  if (status != std::future_status::ready) {
    std::fprintf(stderr, "shoal transfer timed out after %.1f s with %llu of %llu bytes\n", seconds,
                 static_cast<unsigned long long>(received.load()), static_cast<unsigned long long>(total));
    return -1;
  }
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  const long count = argc > 1 ? std::atol(argv[1]) : 256;
  const long chunk_bytes = argc > 2 ? std::atol(argv[2]) : 1 << 20;
  const double bits = static_cast<double>(count) * static_cast<double>(chunk_bytes) * 8;

  const double shoal_seconds = shoal_transfer(count, chunk_bytes);
  if (shoal_seconds < 0) return 1;
  const double shoal_gbps = bits / shoal_seconds / 1e9;
  std::printf("{\"bench\":\"shoal_peer_transfer\",\"bytes\":%.0f,\"seconds\":%.4f,\"gbit_per_s\":%.3f}\n", bits / 8,
              shoal_seconds, shoal_gbps);
  std::fflush(stdout);

  std::string command = std::string(SHOAL_LIBTORRENT_TRANSFER) + " /dev/shm/shoal-bench-lt." +
                        std::to_string(::getpid()) + " " + std::to_string(count) + " " + std::to_string(chunk_bytes);
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return 1;
  char line[256] = {};
  double lt_bytes = 0, lt_seconds = 0;
  bool parsed = std::fgets(line, sizeof line, pipe) &&
                std::sscanf(line, "{\"libtorrent_bytes\":%lf,\"libtorrent_seconds\":%lf}", &lt_bytes, &lt_seconds) == 2;
  if (::pclose(pipe) != 0 || !parsed || lt_seconds <= 0) {
    std::fprintf(stderr, "libtorrent baseline failed\n");
    return 1;
  }
  const double lt_gbps = lt_bytes * 8 / lt_seconds / 1e9;
  std::printf("{\"bench\":\"libtorrent_transfer\",\"bytes\":%.0f,\"seconds\":%.4f,\"gbit_per_s\":%.3f}\n", lt_bytes,
              lt_seconds, lt_gbps);
  std::printf(
      "{\"bench\":\"peer_transfer_ratio\",\"shoal_gbit_per_s\":%.3f,\"libtorrent_gbit_per_s\":%.3f,"
      "\"ratio\":%.3f}\n",
      shoal_gbps, lt_gbps, shoal_gbps / lt_gbps);
  return 0;
}
