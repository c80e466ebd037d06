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
#include "shoal/protocol/cli.hpp"
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

// Where the stream, the trace and the final JSON go; nullptr = nowhere.
struct Outputs {
  std::FILE* out = nullptr;
  std::FILE* trace = nullptr;
  std::FILE* stats = stdout;
};

std::FILE* open_or_complain(const std::string& path, const char* mode) {
  std::FILE* f = std::fopen(path.c_str(), mode);
  if (!f) std::cerr << "shoal-peer: cannot write " << path << ": " << std::strerror(errno) << "\n";
  return f;
}

bool open_outputs(const CliOptions& cli, Outputs& o) {
  if (cli.out == "-") {
    o.out = stdout;
  } else if (!cli.out.empty() && !(o.out = open_or_complain(cli.out, "wb"))) {
    return false;
  }
  if (!cli.trace.empty() && !(o.trace = open_or_complain(cli.trace, "w"))) return false;
  o.stats = cli.out == "-" ? stderr : stdout;
  if (!cli.stats.empty() && !(o.stats = open_or_complain(cli.stats, "w"))) return false;
  return true;
}

PeerCallbacks make_callbacks(Session& session, bool quiet, std::FILE* trace_out) {
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
  return callbacks;
}

// Why the session ended, or nullopt while it goes on.
std::optional<std::string> ended(Session& session) {
  std::lock_guard lock(session.mutex);
  if (session.error) return "error";
  if (session.ended) return "end of stream";
  if (session.write_failed) return "output closed";
  return std::nullopt;
}

// Plays until a signal, the end, an error or --duration; logs a status line every 10 s. Returns why it stopped.
std::string play(PeerHandle& handle, Session& session, const CliOptions& cli, const sigset_t& signals) {
  const auto started = std::chrono::steady_clock::now();
  auto next_status = started + std::chrono::seconds(10);
  for (;;) {
    timespec wait{0, 100'000'000};
    int sig = sigtimedwait(&signals, nullptr, &wait);
    if (sig == SIGINT || sig == SIGTERM) return "signal";
    if (auto reason = ended(session)) return *reason;
    auto now = std::chrono::steady_clock::now();
    if (cli.duration && now - started >= *cli.duration) return "duration over";
    if (!cli.quiet && now >= next_status) {
      next_status += std::chrono::seconds(10);
      auto s = handle.stats();
      std::cerr << "shoal-peer: played " << s.chunks_played << " chunks, " << s.stalls << " stalls, " << s.neighbors
                << " neighbors, " << s.bytes_from_peers << " B from peers, " << s.bytes_from_origin
                << " B from origin, " << s.bytes_uploaded << " B uploaded\n";
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  CliOptions cli;
  CLI::App app("", "shoal-peer");
  add_peer_options(app, cli);
  if (const auto status = shoal::cli::parse(app, argc, argv)) return *status;

  Outputs outputs;
  if (!open_outputs(cli, outputs)) return 2;
  Session session;
  session.out = outputs.out;

  // Signals are taken synchronously by this thread; the io thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a reader that goes away (ffplay closed) is a write error, not a death

  auto handle = PeerHandle::start(cli.peer, make_callbacks(session, cli.quiet, outputs.trace));
  const std::string reason = play(*handle, session, cli, signals);
  handle->stop();
  auto stats = handle->stats();
  handle.reset();

  std::lock_guard lock(session.mutex);
  if (session.error)
    std::cerr << "shoal-peer: " << protocol::to_string(*session.error_code) << ": " << *session.error << "\n";
  else if (!cli.quiet)
    std::cerr << "shoal-peer: leaving (" << reason << ")\n";
  if (session.out && session.out != stdout) std::fclose(session.out);
  if (outputs.trace) std::fclose(outputs.trace);  // the io thread, its only writer, has been joined
  std::fprintf(outputs.stats, "%s\n", final_json(stats, session).c_str());
  std::fflush(outputs.stats);
  if (outputs.stats != stdout && outputs.stats != stderr) std::fclose(outputs.stats);
  return session.error ? 1 : 0;
}
