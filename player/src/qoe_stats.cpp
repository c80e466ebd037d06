#include "qoe_stats.hpp"

namespace shoal::player {

GstStructure* make_qoe_structure(const char* name, const QoeSnapshot& qoe) {
  const std::uint64_t total = qoe.peer.bytes_from_peers + qoe.peer.bytes_from_origin;
  const double p2p_ratio =
      total == 0 ? 0.0 : static_cast<double>(qoe.peer.bytes_from_peers) / static_cast<double>(total);
  // clang-format off
  return gst_structure_new(name,
      "started", G_TYPE_BOOLEAN, static_cast<gboolean>(qoe.started),
      "startup-delay", G_TYPE_UINT64, static_cast<guint64>(qoe.startup_delay),
      "stall-count", G_TYPE_UINT, static_cast<guint>(qoe.stall_count),
      "stall-duration", G_TYPE_UINT64, static_cast<guint64>(qoe.stall_duration),
      "buffered-ahead", G_TYPE_UINT64, static_cast<guint64>(qoe.buffered_ahead),
      "chunks-played", G_TYPE_UINT64, static_cast<guint64>(qoe.chunks_played),
      "chunks-late", G_TYPE_UINT64, static_cast<guint64>(qoe.peer.chunks_late),
      "bytes-from-peers", G_TYPE_UINT64, static_cast<guint64>(qoe.peer.bytes_from_peers),
      "bytes-from-origin", G_TYPE_UINT64, static_cast<guint64>(qoe.peer.bytes_from_origin),
      "bytes-uploaded", G_TYPE_UINT64, static_cast<guint64>(qoe.peer.bytes_uploaded),
      "peers", G_TYPE_UINT, static_cast<guint>(qoe.peer.neighbors),
      "p2p-ratio", G_TYPE_DOUBLE, p2p_ratio,
      "hash-failures", G_TYPE_UINT, static_cast<guint>(qoe.peer.hash_failures),
      "peers-banned", G_TYPE_UINT, static_cast<guint>(qoe.peer.peers_banned),
      nullptr);
  // clang-format on
}

}  // namespace shoal::player
