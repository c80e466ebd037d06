// The driver side of the core's actions: connections between cores, messages
// in FIFO order per direction (a chunk occupies the direction until its flow
// completes, as on a TCP stream), origin fetches and tracker announces.
#include "simulator.hpp"

namespace shoal::sim {

Time Simulator::one_way(std::uint32_t a, std::uint32_t b) const { return peers_[a].latency + peers_[b].latency; }

void Simulator::perform(std::uint32_t p, peer::Action& action) {
  auto& st = peers_[p];
  if (auto* send_msg = std::get_if<peer::SendMessage>(&action)) {
    send(p, send_msg->conn, std::move(send_msg->message));
  } else if (auto* to = std::get_if<peer::ConnectTo>(&action)) {
    connect(p, to->address);
  } else if (auto* disc = std::get_if<peer::Disconnect>(&action)) {
    close_end(disc->conn, true);
  } else if (auto* fetch = std::get_if<peer::FetchFromOrigin>(&action)) {
    schedule(now_ + one_way(p, seed_), Event{Kind::origin_request, p, fetch->seq});
  } else if (auto* announce = std::get_if<peer::AnnounceToTracker>(&action)) {
    schedule(now_ + 2 * one_way(p, seed_), Event{Kind::tracker_reply, p, announce->playhead,
                                                 static_cast<std::uint64_t>(std::max(0, announce->want))});
  } else if (auto* deliver = std::get_if<peer::DeliverChunk>(&action)) {
    if (p == seed_) return;
    auto& row = rows_[p];
    ++row.chunks_delivered;
    delivered_bytes_ += sc_.chunk_bytes;
    if (row.chunks_delivered == 1) st.first = deliver->seq;
    st.next_expected = deliver->seq + 1;
    if (!sc_.live && !st.complete && deliver->seq + 1 >= sc_.chunk_count) {
      st.complete = true;
      row.completion_s = static_cast<double>((now_ - sc_.peers[p].join).count()) * 1e-6;
      account_population();
      if (st.watching) --watching_;
      st.watching = false;
      ++finished_;
      if (sc_.peers[p].leave_after_watching) {
        Time leave_at = now_;
        const auto& stats = st.core->stats();
        if (!sc_.file_download && stats.started) {
          leave_at = std::max(now_, sc_.peers[p].join + stats.startup_delay + stats.stall_time +
                                        sc_.chunk_duration * static_cast<std::int64_t>(sc_.chunk_count - st.first));
        }
        schedule(leave_at + sc_.peers[p].seed_residence, Event{Kind::leave, p});
      }
    }
  }
}

void Simulator::send(std::uint32_t p, peer::ConnectionId conn, protocol::Message message) {
  ConnEnd* found = conns_.find(conn);
  if (!found || !found->open || found->owner != p) return;
  ConnEnd& end = *found;
  if (!end.out.idle()) {
    end.out.queue.push_back(std::move(message));
    return;
  }
  if (!std::holds_alternative<protocol::ChunkData>(message)) {
    schedule(now_ + end.one_way, Event{Kind::message, end.remote, end.remote_conn, 0, std::move(message)});
    return;
  }
  end.out.queue.push_back(std::move(message));
  start_next(end, conn);
}

void Simulator::start_next(ConnEnd& end, peer::ConnectionId conn) {
  auto& out = end.out;
  while (out.head < out.queue.size()) {
    protocol::Message message = std::move(out.queue[out.head++]);
    if (std::holds_alternative<protocol::ChunkData>(message)) {
      const FlowId flow = net_.start_flow(end.owner_node, end.remote_node, sc_.chunk_bytes, now_);
      out.flow = flow;
      out.in_flight = std::move(message);
      flows_[flow] = FlowUse{false, conn, 0, 0};
      return;
    }
    schedule(now_ + end.one_way, Event{Kind::message, end.remote, end.remote_conn, 0, std::move(message)});
  }
  out.queue.clear();
  out.head = 0;
}

void Simulator::flow_done(FlowId flow) {
  auto node = flows_.extract(flow);
  if (node.empty()) return;
  const FlowUse use = node.mapped();
  if (use.http) {
    origin_http_bytes_ += sc_.chunk_bytes;
    bin_origin_bytes_ += sc_.chunk_bytes;
    --http_active_;
    auto& hf = peers_[use.peer].http_flows;
    std::erase(hf, flow);
    schedule(now_ + one_way(seed_, use.peer), Event{Kind::origin_reply, use.peer, use.seq, 1});
    return;
  }
  ConnEnd* found = conns_.find(use.conn);
  if (!found) return;
  ConnEnd& end = *found;
  end.out.flow = 0;
  if (end.owner == seed_) {
    origin_seed_bytes_ += sc_.chunk_bytes;
    bin_origin_bytes_ += sc_.chunk_bytes;
  } else {
    rows_[end.owner].bytes_up += sc_.chunk_bytes;
    bin_mesh_bytes_ += sc_.chunk_bytes;
  }
  schedule(now_ + end.one_way, Event{Kind::message, end.remote, end.remote_conn, 0, std::move(end.out.in_flight)});
  // As a socket's write completion tells shoal-peer's core (PeerCore::on_sent); an event, not a call:
  // the sender's core must not run inside the network model's completion loop.
  schedule(now_, Event{Kind::sent, end.owner, use.conn, sc_.chunk_bytes});
  start_next(end, use.conn);
}

void Simulator::connect(std::uint32_t p, const protocol::PeerAddress& address) {
  auto found = by_host_.find(address.host);
  const std::uint32_t q = found == by_host_.end() ? p : found->second;
  if (q == p || !peers_[q].alive) {
    const std::uint64_t dial = next_failed_dial_++;
    failed_dials_.emplace(dial, address);
    schedule(now_ + 2 * one_way(p, q), Event{Kind::connect_failed, p, dial});
    return;
  }
  ConnEnd a;
  a.owner = p;
  a.remote = q;
  a.outbound = true;
  a.one_way = one_way(p, q);
  a.owner_node = peers_[p].node;
  a.remote_node = peers_[q].node;
  ConnEnd b;
  b.owner = q;
  b.remote = p;
  b.one_way = one_way(q, p);
  b.owner_node = peers_[q].node;
  b.remote_node = peers_[p].node;
  const peer::ConnectionId ca = conns_.emplace(std::move(a));
  const peer::ConnectionId cb = conns_.emplace(std::move(b));
  conns_.find(ca)->remote_conn = cb;
  conns_.find(cb)->remote_conn = ca;
  peers_[p].conns.push_back(ca);
  peers_[q].conns.push_back(cb);
  // The initiator learns of the connection one round trip later, after the acceptor.
  schedule(now_ + 2 * one_way(p, q), Event{Kind::connected, p, ca, 1 + static_cast<std::uint64_t>(q)});
  schedule(now_ + one_way(p, q), Event{Kind::connected, q, cb, 0});
}

void Simulator::close_end(peer::ConnectionId conn, bool tell_remote) {
  ConnEnd* found = conns_.find(conn);
  if (!found || !found->open) return;
  ConnEnd& end = *found;
  end.open = false;
  if (end.out.flow != 0) {
    net_.cancel_flow(end.out.flow, now_);
    flows_.erase(end.out.flow);
    end.out.flow = 0;
  }
  end.out.queue.clear();
  end.out.head = 0;
  auto& mine = peers_[end.owner].conns;
  std::erase(mine, conn);
  ConnEnd* other = conns_.find(end.remote_conn);
  if (tell_remote && other && other->open) {
    schedule(now_ + end.one_way, Event{Kind::disconnected, end.remote, end.remote_conn});
  }
  if (!other || !other->open) {
    if (other) conns_.erase(end.remote_conn);
    conns_.erase(conn);
  }
}

}  // namespace shoal::sim
