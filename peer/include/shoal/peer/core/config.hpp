// Tunables of one peer. Defaults follow BitTorrent practice (4 regular unchoke
// slots re-evaluated every 10 s, optimistic unchoke every 30 s, 20–40
// neighbors) and the deadline-aware scheduling described in docs/architecture.md.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shoal/peer/core/types.hpp"

namespace shoal::peer {

/// Piece-selection policies, all behind the same selector interface.
enum class Policy { deadline, rarest, inorder, bitos, cs };
/// How neighbors are chosen from tracker and peer-exchange candidates.
enum class NeighborPolicy { random, position };

// The policy registry (peer/src/core/selection/policies.cpp) defines every policy's name.
std::optional<Policy> parse_policy(std::string_view name);
const char* to_string(Policy policy);
/// One line for a help text or a GStreamer enum.
const char* describe(Policy policy);
/// Every policy, the default (deadline) first.
const std::vector<Policy>& all_policies();
/// Their names, joined by `separator`: for help texts and error messages.
std::string policy_names(std::string_view separator = ", ");
std::optional<NeighborPolicy> parse_neighbor_policy(std::string_view name);
const char* to_string(NeighborPolicy policy);

struct PeerConfig {
  std::string peer_id;   // 20 bytes
  std::string swarm_id;  // 32 bytes
  std::uint16_t listen_port = 0;
  std::uint64_t rng_seed = 1;

  /// A seed holds every chunk it is given (add_chunk) and never downloads: the origin's seeder.
  bool seed = false;

  Policy policy = Policy::deadline;
  NeighborPolicy neighbor_policy = NeighborPolicy::random;
  double bitos_high_priority_probability = 0.8;

  /// 0 = unlimited. Enforced by the core's token bucket.
  std::uint64_t max_upload_bps = 0;

  /// Playback starts (and resumes after a stall) once this much is buffered ahead.
  Time buffer_target = std::chrono::seconds(3);
  /// Chunks due within this time are urgent: in deadline order, possibly from the origin.
  Time urgent_window = std::chrono::seconds(4);
  /// Safety margin added to the estimated P2P delivery time when deciding to fall back.
  Time fallback_margin = std::chrono::milliseconds(500);
  /// VoD look-ahead window W; live looks ahead to the live edge.
  Time vod_window = std::chrono::seconds(60);
  /// VoD chunks kept after playback so later viewers can fetch them.
  std::uint64_t vod_cache_bytes = 1ull << 30;

  /// join_live(): start once this many neighbors have sent a chunk map, or after join_wait regardless.
  int join_neighbors = 8;
  Time join_wait = std::chrono::seconds(1);
  /// join_live(): the start-up buffer must be held by at least this share of the neighbors with a map.
  double join_holder_share = 0.75;
  /// join_live(): start no nearer the live edge than this, like HLS's HOLD-BACK (RFC 8216 4.4.3.8, at least
  /// three target durations). The seeder gives each new chunk out once and the mesh doubles its holders
  /// about every second, so a thousand viewers hold it some 13 s after it appears (shoal-sim, docs/peer.md):
  /// a viewer nearer the edge asks for chunks few hold yet and ends up at the origin.
  Time live_hold_back = std::chrono::seconds(15);

  int unchoke_slots = 4;
  /// Interested neighbors holding no chunk yet (newcomers) unchoked at once beyond the regular slots, and
  /// kept unchoked until they hold a start-up buffer: with every slot held by reciprocating neighbors a
  /// newcomer waited for an optimistic unchoke, seconds, before it could ask anyone for its first chunk.
  int newcomer_slots = 6;
  /// Live: requests in flight at once for chunks not yet urgent (prefetches that spread new chunks), over all
  /// neighbors. More only share our downlink with the chunk we need next, so it arrives late and goes to
  /// the origin (seen in shoal-sim's live-mesh as origin bytes above the stream's rate with 4).
  int live_prefetch_requests = 2;
  /// Mesh first: a chunk a neighbor is sending goes to the origin only once that copy is overdue by this
  /// much, and a chunk a neighbor holds is asked of the neighbor, not the origin, as long as it can arrive
  /// within this much of its deadline. A moment's stall costs one viewer; an origin copy per late chunk of
  /// every viewer of a large swarm is the origin's whole bill.
  Time origin_patience = std::chrono::seconds(2);
  /// A live seed (the origin's seeder) gives a neighbor a chunk's first copy only once the last one it gave
  /// that neighbor was seen at another neighbor, or this long after: BitTorrent's super-seeding, so the first
  /// copies go to the peers that pass them on. 0 = give first copies to whoever asks.
  Time seed_pass_on_wait = std::chrono::seconds(3);
  Time rechoke_interval = std::chrono::seconds(10);
  Time optimistic_interval = std::chrono::seconds(30);
  Time rate_window = std::chrono::seconds(20);

  int min_neighbors = 20;
  int max_neighbors = 40;
  int max_outstanding_per_neighbor = 8;
  /// Origin fetches in flight at once. One: the origin's uplink is shared by every viewer that falls
  /// back, so parallel fetches add no capacity; they split our share among chunks with different
  /// deadlines and the earliest arrives later, and continuity falls (docs/changelog.md, fd74973).
  int max_origin_fetches = 1;
  Time keepalive_interval = std::chrono::seconds(30);
  Time peer_timeout = std::chrono::seconds(120);

  // ---- added by the core implementation (all optional; defaults are sane)

  /// Checks a received chunk before it is delivered or shared. Empty = SHA-256 of the bytes against
  /// meta.sha256 (OpenSSL). The simulator injects a cheap check because hashing 10,000 peers' chunks
  /// would dominate its run time.
  std::function<bool(const ChunkMeta& meta, const std::string& bytes)> verify_chunk;

  /// Not told our upload rate (max_upload_bps 0), a new chunk starts only while the chunk bytes we handed
  /// out and have not seen written are under this much of the measured rate (at least one chunk may always
  /// be on its way): LEDBAT's target delay, for the queue we build on our own uplink (core/uplink.hpp).
  Time upload_queue_delay = std::chrono::milliseconds(100);
  /// The measured rate is the best sample of this long.
  Time upload_estimate_window = std::chrono::seconds(20);
  /// Our uplink's rate until one is measured.
  std::uint64_t assumed_upload_bps = 1'000'000;
  /// Guesses used until a rate has been measured.
  std::uint64_t assumed_peer_rate_bps = 4'000'000;
  std::uint64_t assumed_origin_rate_bps = 8'000'000;
  Time assumed_rtt = std::chrono::milliseconds(50);
  Time assumed_origin_rtt = std::chrono::milliseconds(100);
  /// A neighbor's request queue is sized to hold about this much transfer time at its measured rate.
  Time request_queue_time = std::chrono::seconds(2);
  /// Live: chunks this far behind the playhead are still kept (and served) before eviction, so a viewer
  /// that fell behind (a stall) finds them at its neighbors, not only at the origin. 30 chunks of a
  /// 2 Mbit/s stream are 7.5 MB.
  int live_keep_behind_chunks = 30;
  /// Requests a neighbor may queue at us before we Reject.
  int max_upload_queue_per_neighbor = 16;
  /// With an upload cap, a request that would wait behind more than this much queued transfer is
  /// refused as busy at once: the requester can still ask another holder or the origin in time,
  /// which it cannot do while waiting in a queue it does not see.
  Time max_upload_queue_time = std::chrono::milliseconds(500);
  /// Chunk bytes handed to the driver for one neighbor and not yet reported written (on_sent): no further
  /// chunk starts towards it above this, so a neighbor that asks and never reads holds at most this plus
  /// one chunk of our memory (a copy per Request filled 800 MB in 3 s before; docs/security.md).
  std::uint64_t max_unsent_bytes_per_neighbor = 1u << 20;
  /// A neighbor with chunk bytes unsent and no write progress for this long is choked; for twice this,
  /// dropped as a slow reader. Longer than any honest transfer of a chunk on a slow uplink.
  Time slow_reader_timeout = std::chrono::seconds(15);
  /// Connections from one IP address at once: a few strangers cannot take every neighbor slot (a seeder's
  /// included). A household behind one NAT needs a few. Loopback is exempt: one machine's own swarms.
  int max_connections_per_address = 4;
  /// A neighbor that refused as busy is not asked again for this long.
  Time busy_backoff = std::chrono::seconds(1);
  /// Housekeeping period: keepalives, timeouts, peer set, rechoke checks.
  Time maintenance_interval = std::chrono::seconds(1);
  /// Re-announce no more often than this while neighbors are below min_neighbors.
  Time announce_interval = std::chrono::seconds(15);
  /// While watching, announce at least this often (asking for no peers when neighbors suffice), so the
  /// tracker, which forgets a peer after three of its 30 s intervals, keeps counting and listing us.
  Time reannounce_interval = std::chrono::seconds(30);
  /// At most once a minute, as libtorrent's ut_pex: a viewer sent one to each neighbor every 30 s, most of a
  /// live simulation's address-set work.
  Time pex_interval = std::chrono::seconds(60);
  Time handshake_timeout = std::chrono::seconds(10);
  /// A neighbor that exchanged no chunk either way for this long is dropped when better ones may exist.
  Time useless_timeout = std::chrono::seconds(60);
  /// Super-seeding: a seed serves each chunk to at most this many neighbors while some neighbor holds it,
  /// so the mesh, not the origin's uplink, makes the other copies. 0 = unlimited. One: once holders refuse
  /// as busy instead of queueing, a second seeded copy cost more origin bytes than the fallbacks it saved
  /// (the 12-viewer e2e swarm's offload is lower with 2).
  int seed_copies_per_chunk = 1;
  /// A failed origin fetch is retried no sooner than this. One second, shoal-origin's Retry-After when at
  /// --max-chunk-transfers: a shorter delay turns a refused crowd into a storm of retries the origin must
  /// answer, while the mesh could deliver those chunks (continuity rises when the viewers wait for it).
  Time origin_retry_delay = std::chrono::seconds(1);
};

}  // namespace shoal::peer
