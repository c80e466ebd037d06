// shoal-peer: a headless viewer. Joins a channel, plays the core's virtual
// playhead in real time, optionally writes the stream out, prints its QoE.
#include <pthread.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "peer_cli.hpp"
#include "shoal/peer/core/qoe_json.hpp"
#include "shoal/protocol/json_line.hpp"

namespace {

using namespace shoal;
using namespace shoal::peer;

struct Session {
  std::mutex mutex;
  bool ended = false;
  bool write_failed = false;
  std::optional<std::string> error;
  std::optional<ErrorCode> error_code;
  std::FILE* out = nullptr;
  std::optional<Seq> first_seq;
  std::optional<Seq> last_seq;
  std::uint64_t chunks_written = 0;
  std::uint64_t bytes_written = 0;
};

std::string final_json(const PeerStats& s, const Session& session) {
  JsonLine json = qoe_exit_json(s);
  if (session.first_seq) json.add("first_seq", *session.first_seq).add("last_seq", *session.last_seq);
  json.add("chunks_written", session.chunks_written).add("bytes_written", session.bytes_written);
  if (session.error) json.add("error", *session.error);
  if (session.error_code) json.add("error_code", protocol::to_string(*session.error_code));
  return json.str();
}

}  // namespace

int main(int argc, char** argv) {
  CliOptions cli;
  try {
    cli = parse_cli(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::cerr << "shoal-peer: " << e.what() << "\n";
    return 2;
  }
  if (cli.help) {
    std::cout << cli_usage();
    return 0;
  }

  Session session;
  if (cli.out == "-") {
    session.out = stdout;
  } else if (!cli.out.empty()) {
    session.out = std::fopen(cli.out.c_str(), "wb");
    if (!session.out) {
      std::cerr << "shoal-peer: cannot write " << cli.out << ": " << std::strerror(errno) << "\n";
      return 2;
    }
  }
  std::FILE* trace_out = nullptr;
  if (!cli.trace.empty()) {
    trace_out = std::fopen(cli.trace.c_str(), "w");
    if (!trace_out) {
      std::cerr << "shoal-peer: cannot write " << cli.trace << ": " << std::strerror(errno) << "\n";
      return 2;
    }
  }
  std::FILE* stats_out = cli.out == "-" ? stderr : stdout;
  if (!cli.stats.empty()) {
    stats_out = std::fopen(cli.stats.c_str(), "w");
    if (!stats_out) {
      std::cerr << "shoal-peer: cannot write " << cli.stats << ": " << std::strerror(errno) << "\n";
      return 2;
    }
  }

  // Signals are taken synchronously by this thread; the io thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a reader that goes away (ffplay closed) is a write error, not a death

  const bool quiet = cli.quiet;
  PeerCallbacks callbacks;
  callbacks.on_chunk = [&session](const ChunkMeta& meta, const protocol::ChunkPayload& payload) {
    std::lock_guard lock(session.mutex);
    if (!session.first_seq) session.first_seq = meta.seq;
    session.last_seq = meta.seq;
    ++session.chunks_written;
    if (!session.out || !payload || session.write_failed) return;
    if (std::fwrite(payload->data(), 1, payload->size(), session.out) != payload->size() ||
        std::fflush(session.out) != 0) {
      session.write_failed = true;
      return;
    }
    session.bytes_written += payload->size();
  };
  callbacks.on_end = [&session] {
    std::lock_guard lock(session.mutex);
    session.ended = true;
  };
  callbacks.on_error = [&session](ErrorCode code, const std::string& message) {
    std::lock_guard lock(session.mutex);
    if (session.error) return;
    session.error = message;
    session.error_code = code;
  };
  callbacks.on_log = [quiet](const std::string& line) {
    if (!quiet) std::cerr << "shoal-peer: " << line << "\n";
  };

  if (trace_out) {
    callbacks.on_trace = [trace_out](const std::string& line) {
      std::fputs(line.c_str(), trace_out);
      std::fputc('\n', trace_out);
    };
  }
  auto handle = PeerHandle::start(cli.peer, callbacks);
  const auto started = std::chrono::steady_clock::now();
  auto next_status = started + std::chrono::seconds(10);
  std::string reason = "signal";
  for (;;) {
    timespec wait{0, 100'000'000};
    int sig = sigtimedwait(&signals, nullptr, &wait);
    if (sig == SIGINT || sig == SIGTERM) break;
    {
      std::lock_guard lock(session.mutex);
      if (session.error) {
        reason = "error";
        break;
      }
      if (session.ended) {
        reason = "end of stream";
        break;
      }
      if (session.write_failed) {
        reason = "output closed";
        break;
      }
    }
    auto now = std::chrono::steady_clock::now();
    if (cli.duration && now - started >= *cli.duration) {
      reason = "duration over";
      break;
    }
    if (!quiet && now >= next_status) {
      next_status += std::chrono::seconds(10);
      auto s = handle->stats();
      std::cerr << "shoal-peer: played " << s.chunks_played << " chunks, " << s.stalls << " stalls, " << s.neighbors
                << " neighbors, " << s.bytes_from_peers << " B from peers, " << s.bytes_from_origin
                << " B from origin, " << s.bytes_uploaded << " B uploaded\n";
    }
  }
  handle->stop();
  auto stats = handle->stats();
  handle.reset();

  std::lock_guard lock(session.mutex);
  if (session.error)
    std::cerr << "shoal-peer: " << protocol::to_string(*session.error_code) << ": " << *session.error << "\n";
  else if (!quiet)
    std::cerr << "shoal-peer: leaving (" << reason << ")\n";
  if (session.out && session.out != stdout) std::fclose(session.out);
  if (trace_out) std::fclose(trace_out);  // the io thread, its only writer, has been joined
  std::fprintf(stats_out, "%s\n", final_json(stats, session).c_str());
  std::fflush(stats_out);
  if (stats_out != stdout && stats_out != stderr) std::fclose(stats_out);
  return session.error ? 1 : 0;
}
