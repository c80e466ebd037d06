// The tracker of one channel: who is watching and where to reach them.
// Peers announce periodically; one that has not re-announced within
// `ttl` is forgotten. Replies prefer peers playing near the caller.
// An announce costs O(log N + want) for N entries: entries are indexed by
// expiry and, when they can be given out, by playhead, so a large swarm (or
// a flood of announces) does not make each one scan the table.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "shoal.pb.h"

namespace shoal::origin {

class Tracker {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::uint32_t kMaxPeers = 50;
  /// Entries one source address may hold (a household behind one NAT; loopback is exempt), and in all: a
  /// flood of made-up ids fills neither the table nor newcomers' replies.
  static constexpr std::size_t kMaxPeersPerAddress = 16;
  static constexpr std::size_t kMaxEntries = 50'000;

  explicit Tracker(std::chrono::seconds interval = std::chrono::seconds(30)) : interval_(interval) {}

  /// `source_host`: the connection's source address, which is what gets listed: a host named in the
  /// request is believed only when it is that address or the request comes from this machine (loopback),
  /// so nobody can list a third party's address. An announce that makes an entry gets a random secret in
  /// its reply; only a request carrying it changes or removes that entry (from any address: a viewer whose
  /// address changes keeps its entry). `local_host`: our own address as the caller reached it,
  /// given out for the origin's seeder. `want` 0 asks for no peers (the entry is only kept alive).
  wire::AnnounceReply announce(const wire::AnnounceRequest& request, const std::string& source_host,
                               const std::string& local_host, Clock::time_point now);
  /// Lists the origin's own seeder, reachable at whatever address a caller reached the tracker at.
  void list_seeder(const std::string& peer_id, std::uint32_t port, std::uint64_t playhead, Clock::time_point now);
  /// Viewers heard from within the ttl (the origin's own seeder is not one).
  std::size_t active(Clock::time_point now);
  /// Of those, the ones a probe found not accepting connections (behind a NAT without a port mapping).
  std::size_t unreachable(Clock::time_point now);

  /// Called (outside the tracker's lock) with each entry whose address is new, so it can be probed.
  using Probe = std::function<void(const std::string& peer_id, const std::string& host, std::uint32_t port)>;
  void set_probe(Probe probe);
  /// A probe's verdict on an entry, if it still has that address. Unreachable entries count as viewers
  /// but are not given out.
  void mark_connectable(const std::string& peer_id, const std::string& host, std::uint32_t port, bool connectable,
                        Clock::time_point now);

  std::chrono::seconds interval() const { return interval_; }
  std::chrono::seconds ttl() const { return interval_ * 3; }

 private:
  struct Peer {
    std::string host;  // empty: the origin's own host (its seeder)
    std::uint32_t port = 0;
    std::uint64_t playhead = 0;
    Clock::time_point expires;
    std::optional<bool> connectable;  // unknown until probed; unknown entries are given out
    std::string source;               // the address it was last announced from (for the per-address cap)
    std::string secret;               // only a request carrying it changes or removes the entry; empty: nobody
    /// Given out in replies: accepts connections, and no probe found it unreachable.
    bool listed() const { return port != 0 && connectable != false; }
    bool viewer() const { return !host.empty(); }
    bool unreachable() const { return port != 0 && connectable == false; }
  };
  using Entry = std::unordered_map<std::string, Peer>::iterator;
  // Every change to an entry goes unindex -> change -> index, so the indices and counts stay exact.
  void index_locked(Entry it);
  void unindex_locked(Entry it);
  void expire_locked(Clock::time_point now);
  void forget_locked(Entry it);
  void release_source_locked(const std::string& source);
  void add_nearest_locked(wire::AnnounceReply& reply, const std::string& caller, std::uint64_t mine, std::uint32_t want,
                          const std::string& local_host) const;
  std::size_t per_source(const std::string& source) const;
  wire::AnnounceReply announce_locked(const wire::AnnounceRequest& request, const std::string& source_host,
                                      const std::string& local_host, Clock::time_point now, Probe& probe,
                                      std::string& probe_host, std::uint32_t& probe_port);

  std::chrono::seconds interval_;
  std::mutex mutex_;
  std::unordered_map<std::string, Peer> peers_;  // by peer_id (nodes never move: the indices view their keys)
  std::unordered_map<std::string, std::size_t> per_source_;             // entries by the address that made them
  std::set<std::pair<Clock::time_point, std::string_view>> by_expiry_;  // every entry
  // The listed entries by playhead; the key's id views the entry's key in peers_ (map nodes do not move).
  std::map<std::pair<std::uint64_t, std::string_view>, const Peer*> by_playhead_;
  std::size_t viewers_ = 0;
  std::size_t unreachable_ = 0;
  Probe probe_;
};

}  // namespace shoal::origin
