// Serving chunks from memory over loopback: a load client (several keep-alive
// connections, one thread each, Beast) fetches chunks from shoal-origin's
// HTTP server, then from nginx serving the same chunk files from disk, in the
// same run. Prints one JSON line with both throughputs.
// Run: build/tests/bench/origin/bench_origin_serve [CONNECTIONS] [SECONDS]
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "shoal/origin/http_server.hpp"
#include "shoal/protocol/json_line.hpp"
#include "shoal/protocol/swarm_id.hpp"

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

namespace {

std::uint16_t free_port() {
  net::io_context io;
  net::ip::tcp::acceptor a(io, {net::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

// Fetches /PREFIX/{seq}.ts round-robin over `chunks` for `seconds`; returns bit/s.
double load(std::uint16_t port, const std::string& prefix, std::size_t chunks, int connections, int seconds) {
  std::atomic<std::uint64_t> bytes{0};
  std::atomic<bool> failed{false};
  const auto end = Clock::now() + std::chrono::seconds(seconds);
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      try {
        net::io_context io;
        beast::tcp_stream stream(io);
        stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
        beast::flat_buffer buffer;
        for (std::size_t i = static_cast<std::size_t>(c); Clock::now() < end; ++i) {
          http::request<http::empty_body> req(http::verb::get, prefix + std::to_string(i % chunks) + ".ts", 11);
          req.set(http::field::host, "127.0.0.1");
          http::write(stream, req);
          http::response_parser<http::string_body> parser;
          parser.body_limit(64u << 20);
          http::read(stream, buffer, parser);
          if (parser.get().result_int() != 200)
            throw std::runtime_error("status " + std::to_string(parser.get().result_int()));
          bytes += parser.get().body().size();
        }
      } catch (const std::exception& e) {
        std::cerr << "bench: client: " << e.what() << "\n";
        failed = true;
      }
    });
  }
  const auto start = Clock::now();
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  return failed ? 0 : static_cast<double>(bytes) * 8 / elapsed;
}

// nginx serving root/html on 127.0.0.1:port, everything it writes inside root; returns its pid.
pid_t start_nginx(const fs::path& root, std::uint16_t port) {
  std::ofstream(root / "nginx.conf")
      << "worker_processes 1;\npid " << (root / "nginx.pid").string() << ";\nerror_log "
      << (root / "error.log").string() << ";\nevents { worker_connections 1024; }\nhttp {\n  access_log off;\n"
      << "  client_body_temp_path " << (root / "tmp").string() << ";\n"
      << "  proxy_temp_path " << (root / "tmp").string() << ";\n"
      << "  fastcgi_temp_path " << (root / "tmp").string() << ";\n"
      << "  uwsgi_temp_path " << (root / "tmp").string() << ";\n"
      << "  scgi_temp_path " << (root / "tmp").string() << ";\n"
      << "  sendfile on;\n  keepalive_requests 1000000;\n  server {\n    listen 127.0.0.1:" << port << ";\n    root "
      << (root / "html").string() << ";\n  }\n}\n";
  const pid_t nginx = ::fork();
  if (nginx == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::execlp("nginx", "nginx", "-p", root.c_str(), "-c", (root / "nginx.conf").c_str(), "-g", "daemon off;",
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return nginx;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace shoal::origin;
  const int connections = argc > 1 ? std::atoi(argv[1]) : 8;
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 5;
  std::string tmpl = (fs::temp_directory_path() / "shoal-bench-serve-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) return 1;
  const fs::path dir = tmpl;
  // nginx workers started by root run as nobody: they must be able to read the files.
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                           fs::perms::others_exec);
  const fs::path clip = dir / "clip.mp4";
  const std::string make =
      "ffmpeg -v error -y -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=sample_rate=48000 -t 20 "
      "-c:v libx264 -preset ultrafast -g 30 -b:v 5M -maxrate 5M -bufsize 5M -pix_fmt yuv420p -c:a aac " +
      clip.string() + " </dev/null";
  if (std::system(make.c_str()) != 0) return 1;

  ChannelMap channels;
  ChannelConfig cc;
  cc.name = "bench";
  cc.input = clip.string();
  cc.data_root = dir / "data";
  auto channel = std::make_unique<Channel>(cc, shoal::protocol::swarm_id("127.0.0.1", 0, "bench"));
  channel->start();
  const std::size_t chunks = channel->store().chunks().size();
  std::uint64_t total = 0;
  for (const auto& c : channel->store().chunks()) total += c.size;
  channels.emplace("bench", std::move(channel));

  Router router(channels);
  net::io_context io;
  HttpServer server(io, {net::ip::make_address("127.0.0.1"), 0}, router);
  server.start();
  std::thread io_thread([&] { io.run(); });
  const double shoal_bps = load(server.local_endpoint().port(), "/c/bench/chunk/", chunks, connections, seconds);
  io.stop();
  io_thread.join();

  // nginx over the same chunk files ("000000000042.ts" linked as "42.ts").
  const fs::path root = dir / "nginx";
  fs::create_directories(root / "html" / "c");
  for (std::size_t i = 0; i < chunks; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "%012zu.ts", i);
    fs::copy_file(cc.data_root / "bench" / name, root / "html" / "c" / (std::to_string(i) + ".ts"));
  }
  const std::uint16_t nginx_port = free_port();
  const pid_t nginx = start_nginx(root, nginx_port);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const double nginx_bps = load(nginx_port, "/c/", chunks, connections, seconds);
  ::kill(nginx, SIGQUIT);
  ::waitpid(nginx, nullptr, 0);
  fs::remove_all(dir);

  std::cout << shoal::JsonLine()
                   .add("bench", "origin_serve")
                   .add("connections", connections)
                   .add("seconds", seconds)
                   .add("chunks", chunks)
                   .add("mean_chunk_bytes", total / std::max<std::size_t>(chunks, 1))
                   .add("shoal_gbit_s", shoal_bps / 1e9)
                   .add("nginx_gbit_s", nginx_bps / 1e9)
                   .add("shoal_over_nginx", nginx_bps > 0 ? shoal_bps / nginx_bps : 0.0)
                   .str()
            << std::endl;
  return shoal_bps > 0 ? 0 : 1;
}
