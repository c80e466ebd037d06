#include "harness.hpp"

#include <sstream>

namespace shoal::peer::test {

std::string describe(const Action& action) {
  std::ostringstream out;
  std::visit(
      [&](auto& a) {
        using A = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<A, SendMessage>) {
          out << "send " << a.conn << ' ' << protocol::message_name(a.message);
          std::visit(
              [&](auto& m) {
                if constexpr (requires { m.seq; }) out << ' ' << m.seq;
              },
              a.message);
        } else if constexpr (std::is_same_v<A, ConnectTo>) {
          out << "connect " << a.address.host << ':' << a.address.port;
        } else if constexpr (std::is_same_v<A, Disconnect>) {
          out << "disconnect " << a.conn << ' ' << a.reason;
        } else if constexpr (std::is_same_v<A, FetchFromOrigin>) {
          out << "origin " << a.seq;
        } else if constexpr (std::is_same_v<A, AnnounceToTracker>) {
          out << "announce " << a.playhead;
        } else if constexpr (std::is_same_v<A, DeliverChunk>) {
          out << "deliver " << a.seq;
        }
      },
      action);
  return out.str();
}

Bench::Bench(PeerConfig c) : config(std::move(c)), core(std::make_unique<PeerCore>(config)) {}

void Bench::make_channel(int count, bool live, std::size_t bytes, Time duration) {
  channel.live = live;
  channel.ended = !live;
  channel.target_duration_ms = static_cast<std::uint32_t>(duration.count() / 1000);
  channel.chunks.clear();
  payloads.clear();
  for (int i = 0; i < count; ++i) {
    std::string body = "chunk " + std::to_string(i) + " ";
    body.resize(bytes, static_cast<char>('a' + i % 26));
    payloads.push_back(std::make_shared<const std::string>(body));
    ChunkMeta meta;
    meta.seq = static_cast<Seq>(i);
    meta.pts_us = static_cast<std::int64_t>(i) * duration.count();
    meta.duration_us = static_cast<std::uint32_t>(duration.count());
    meta.size = bytes;
    meta.sha256 = sha256(body);
    channel.chunks.push_back(meta);
  }
  if (!live) {
    feed([ch = channel, t = now](PeerCore& c) { c.on_channel(ch, t); });
    take();
  }
}

void Bench::announce_chunks(int count) {
  ChannelSnapshot partial = channel;
  partial.chunks.resize(static_cast<std::size_t>(count));
  feed([partial, t = now](PeerCore& c) { c.on_channel(partial, t); });
  take();
}

ConnectionId Bench::connect(const std::string& have, bool unchoke, Seq first) {
  ConnectionId conn = next_conn++;
  feed([conn, a = address(conn), t = now](PeerCore& c) { c.on_connected(conn, a, true, t); });
  message(conn, protocol::Handshake{protocol::kProtocolVersion, kSwarm, peer_id(conn), 7000, upload_hint});
  if (have.find('X') != std::string::npos) {
    protocol::HaveRange range{first, {}};
    for (char c : have) range.held.push_back(c == 'X');
    message(conn, range);
  }
  message(conn, protocol::Interested{});
  if (unchoke) message(conn, protocol::Unchoke{});
  return conn;
}

void Bench::message(ConnectionId conn, protocol::Message m) {
  feed([conn, m = std::move(m), t = now](PeerCore& c) { c.on_message(conn, m, t); });
  take();
}

void Bench::send_chunk(ConnectionId conn, Seq seq) {
  message(conn, protocol::ChunkData{seq, payloads.at(static_cast<std::size_t>(seq))});
}

void Bench::run_until(Time t) {
  for (int guard = 0; guard < 1'000'000; ++guard) {
    Time next = core->next_deadline();
    if (next > t) break;
    now = std::max(now, next);
    feed([t = now](PeerCore& c) { c.on_timer(t); });
    take();
  }
  now = t;
  feed([t](PeerCore& c) { c.on_timer(t); });
  take();
}

void Bench::take() {
  for (auto actions = core->take_actions(); !actions.empty(); actions = core->take_actions()) {
    for (auto& a : actions) log.push_back(a);
    for (auto& a : actions) {
      if (auto* f = std::get_if<FetchFromOrigin>(&a); f && serve_origin) {
        feed([seq = f->seq, p = payloads.at(static_cast<std::size_t>(f->seq)), t = now](PeerCore& c) {
          c.on_origin_chunk(seq, p, t);
        });
      } else if (f && fail_origin) {
        feed([seq = f->seq, t = now](PeerCore& c) { c.on_origin_chunk(seq, nullptr, t); });
      }
      auto* s = std::get_if<SendMessage>(&a);
      if (!s) continue;
      if (const auto* data = std::get_if<protocol::ChunkData>(&s->message); data && writes_complete) {
        feed([conn = s->conn, bytes = data->payload->size(), t = now](PeerCore& c) { c.on_sent(conn, bytes, t); });
      }
      if (!servers.count(s->conn)) continue;
      if (auto* r = std::get_if<protocol::Request>(&s->message)) {
        protocol::Message reply = protocol::ChunkData{r->seq, payloads.at(static_cast<std::size_t>(r->seq))};
        feed([conn = s->conn, reply, t = now](PeerCore& c) { c.on_message(conn, reply, t); });
      }
    }
  }
}

std::vector<std::pair<ConnectionId, Seq>> Bench::requests(const std::vector<Action>& actions) {
  std::vector<std::pair<ConnectionId, Seq>> out;
  for (auto& [conn, r] : sent<protocol::Request>(actions)) out.emplace_back(conn, r.seq);
  return out;
}

std::vector<Seq> Bench::origin_fetches(const std::vector<Action>& actions) {
  std::vector<Seq> out;
  for (auto& a : actions)
    if (auto* f = std::get_if<FetchFromOrigin>(&a)) out.push_back(f->seq);
  return out;
}

std::vector<Seq> Bench::delivered(const std::vector<Action>& actions) {
  std::vector<Seq> out;
  for (auto& a : actions)
    if (auto* d = std::get_if<DeliverChunk>(&a)) out.push_back(d->seq);
  return out;
}

std::vector<ConnectionId> Bench::disconnects(const std::vector<Action>& actions) {
  std::vector<ConnectionId> out;
  for (auto& a : actions)
    if (auto* d = std::get_if<Disconnect>(&a)) out.push_back(d->conn);
  return out;
}

}  // namespace shoal::peer::test
