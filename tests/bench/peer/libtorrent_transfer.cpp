// Baseline for bench_peer_transfer: two libtorrent sessions on loopback move
// the same bytes (COUNT pieces of SIZE bytes, one file in a RAM-backed dir).
// Prints one JSON line: {"libtorrent_bytes":…,"libtorrent_seconds":…}.
// Own executable: libtorrent compiles Asio with other macros than ours.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/alert_types.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/settings_pack.hpp>
#include <libtorrent/torrent_handle.hpp>
#include <libtorrent/torrent_info.hpp>
#include <memory>
#include <string>
#include <thread>

namespace fs = std::filesystem;

namespace {

// A session on 127.0.0.1:port (0 = any), TCP only, no discovery.
std::unique_ptr<lt::session> make_session(int port) {
  // libtorrent's own preset for fast uploads (large send buffers, deep request queues).
  lt::settings_pack pack = lt::high_performance_seed();
  // TCP only: outgoing connections would otherwise try uTP first, whose delay-based congestion control
  // (LEDBAT) makes a loopback transfer slow; Shoal uses TCP.
  pack.set_bool(lt::settings_pack::enable_outgoing_utp, false);
  pack.set_bool(lt::settings_pack::enable_incoming_utp, false);
  pack.set_str(lt::settings_pack::listen_interfaces, "127.0.0.1:" + std::to_string(port));
  pack.set_bool(lt::settings_pack::enable_dht, false);
  pack.set_bool(lt::settings_pack::enable_lsd, false);
  pack.set_bool(lt::settings_pack::enable_upnp, false);
  pack.set_bool(lt::settings_pack::enable_natpmp, false);
  pack.set_bool(lt::settings_pack::allow_multiple_connections_per_ip, true);
  pack.set_int(lt::settings_pack::alert_mask, lt::alert_category::status | lt::alert_category::error);
  return std::make_unique<lt::session>(pack);
}

// DIR/seed/stream.ts: COUNT pieces of PIECE bytes.
void write_stream(const fs::path& dir, long count, long piece) {
  std::ofstream out(dir / "seed" / "stream.ts", std::ios::binary);
  std::string block(static_cast<std::size_t>(piece), '\0');
  for (long i = 0; i < count; ++i) {
    for (std::size_t j = 0; j < block.size(); j += 4096) block[j] = static_cast<char>(i + static_cast<long>(j));
    out.write(block.data(), static_cast<std::streamsize>(block.size()));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: libtorrent_transfer DIR COUNT PIECE_BYTES\n";
    return 2;
  }
  fs::path dir = argv[1];
  const long count = std::atol(argv[2]);
  const long piece = std::atol(argv[3]);
  fs::create_directories(dir / "seed");
  fs::create_directories(dir / "leech");
  write_stream(dir, count, piece);
  lt::file_storage files;
  lt::add_files(files, (dir / "seed" / "stream.ts").string());
  lt::create_torrent maker(files, static_cast<int>(piece));
  lt::set_piece_hashes(maker, (dir / "seed").string());
  auto info = std::make_shared<lt::torrent_info>(maker.generate_buf());

  auto seed = make_session(0);
  auto leech = make_session(0);

  lt::add_torrent_params seed_params;
  seed_params.ti = info;
  seed_params.save_path = (dir / "seed").string();
  // No seed_mode: that hashes each piece when first served, which Shoal's seed (given trusted chunks) does
  // not do; the seed checks the file before the clock starts instead.
  auto seed_handle = seed->add_torrent(seed_params);

  lt::add_torrent_params leech_params;
  leech_params.ti = info;
  leech_params.save_path = (dir / "leech").string();
  auto leech_handle = leech->add_torrent(leech_params);

  // Wait for the seed to listen and to hold every piece, then connect the leecher to it directly.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (auto waited = std::chrono::steady_clock::now(); !seed_handle.status().is_seeding;) {
    if (std::chrono::steady_clock::now() - waited > std::chrono::seconds(120)) {
      std::cerr << "libtorrent seed did not finish checking\n";
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto seed_port = seed->listen_port();
  const auto started = std::chrono::steady_clock::now();
  leech_handle.connect_peer(lt::tcp::endpoint(lt::make_address("127.0.0.1"), seed_port));
  for (;;) {
    auto status = leech_handle.status();
    if (status.is_seeding || status.is_finished) break;
    if (std::chrono::steady_clock::now() - started > std::chrono::seconds(120)) {
      std::cerr << "libtorrent transfer timed out\n";
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("{\"libtorrent_bytes\":%ld,\"libtorrent_seconds\":%.4f}\n", count * piece, seconds);
  fs::remove_all(dir);
  return 0;
}
