// A PeerCore on a test bench: a channel of small chunks, neighbors described
// by availability strings ("XX.X.." = holds chunks 0, 1 and 3), time that
// only moves when the test says so, and every action recorded.
#pragma once

#include <openssl/sha.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "shoal/peer/core/peer_core.hpp"

namespace shoal::peer::test {

using namespace std::chrono_literals;

inline const std::string kSwarm(32, 's');

inline std::string sha256(const std::string& bytes) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

inline PeerConfig base_config() {
  PeerConfig c;
  c.peer_id = std::string(20, 'm');
  c.swarm_id = kSwarm;
  c.listen_port = 7000;
  c.rng_seed = 42;
  c.peer_timeout = std::chrono::hours(1);
  c.keepalive_interval = std::chrono::hours(1);
  c.useless_timeout = std::chrono::hours(1);
  return c;
}

/// A one-line description of an action, for comparisons and failure messages.
std::string describe(const Action& action);

struct Bench {
  explicit Bench(PeerConfig config = base_config());

  PeerConfig config;
  std::unique_ptr<PeerCore> core;
  Time now{0};
  std::vector<protocol::ChunkPayload> payloads;
  ChannelSnapshot channel;
  std::vector<Action> log;         // every action so far
  std::set<ConnectionId> servers;  // neighbors that answer our requests at once
  bool serve_origin = false;       // answer origin fetches at once
  bool fail_origin = false;        // fail origin fetches at once (an unreachable origin)
  bool writes_complete = true;     // report each chunk we send as written at once (PeerCore::on_sent)
  /// When set, every event fed to the core is also recorded here, for replay on another core.
  std::vector<std::function<void(PeerCore&)>>* recording = nullptr;
  void feed(std::function<void(PeerCore&)> event) {
    if (recording) recording->push_back(event);
    event(*core);
  }
  ConnectionId next_conn = 1;
  std::uint64_t upload_hint = 0;  // the upload_bps the next connect()'s handshake names

  /// A channel of `count` chunks of `bytes` bytes and `duration` each, announced to the core.
  void make_channel(int count, bool live = false, std::size_t bytes = 1000, Time duration = 1s);
  /// Announces chunks [0, count) of the already made channel (live growth).
  void announce_chunks(int count);

  /// Connects a neighbor that completes the handshake, announces `have` ("X" = held) from chunk
  /// `first` on, sends Interested and (if `unchoke`) Unchoke.
  ConnectionId connect(const std::string& have, bool unchoke = true, Seq first = 0);
  static std::string peer_id(ConnectionId conn) { return "peer-" + std::string(14, '0') + std::to_string(conn % 10); }
  protocol::PeerAddress address(ConnectionId conn) const {
    return {"10.0.0." + std::to_string(conn), 7000, peer_id(conn)};
  }

  void message(ConnectionId conn, protocol::Message m);
  void send_chunk(ConnectionId conn, Seq seq);
  /// Moves time to `t`, firing every timer due on the way.
  void run_until(Time t);
  /// Drains the core's actions into the log, answering requests to servers.
  void take();
  std::size_t mark() const { return log.size(); }
  std::vector<Action> since(std::size_t mark) const {
    return {log.begin() + static_cast<std::ptrdiff_t>(mark), log.end()};
  }

  // Filters over a list of actions.
  static std::vector<std::pair<ConnectionId, Seq>> requests(const std::vector<Action>& actions);
  static std::vector<Seq> origin_fetches(const std::vector<Action>& actions);
  static std::vector<Seq> delivered(const std::vector<Action>& actions);
  template <class M>
  static std::vector<std::pair<ConnectionId, M>> sent(const std::vector<Action>& actions) {
    std::vector<std::pair<ConnectionId, M>> out;
    for (auto& a : actions)
      if (auto* s = std::get_if<SendMessage>(&a))
        if (auto* m = std::get_if<M>(&s->message)) out.emplace_back(s->conn, *m);
    return out;
  }
  static std::vector<ConnectionId> disconnects(const std::vector<Action>& actions);
};

}  // namespace shoal::peer::test
