#include "qoe_stats.hpp"

#include <string>

namespace shoal::player {
namespace {

using protocol::StatsFieldId;

// A table field's value in the element's units (durations in ns). The element measures start-up, stalls and
// chunks pushed itself, on the pipeline clock; the rest comes from the peer runtime. No default: a field added
// to the table does not compile until it is mapped here.
guint64 element_value(const QoeSnapshot& qoe, StatsFieldId id) {
  switch (id) {
    case StatsFieldId::startup_delay_ms:
      return qoe.startup_delay;
    case StatsFieldId::stalls:
      return qoe.stall_count;
    case StatsFieldId::stall_ms:
      return qoe.stall_duration;
    case StatsFieldId::chunks_played:
      return qoe.chunks_played;
    case StatsFieldId::chunks_late:
      return qoe.peer.chunks_late;
    case StatsFieldId::bytes_from_peers:
      return qoe.peer.bytes_from_peers;
    case StatsFieldId::bytes_from_origin:
      return qoe.peer.bytes_from_origin;
    case StatsFieldId::bytes_uploaded:
      return qoe.peer.bytes_uploaded;
    case StatsFieldId::hash_failures:
      return qoe.peer.hash_failures;
    case StatsFieldId::peers_banned:
      return qoe.peer.peers_banned;
  }
  return 0;
}

}  // namespace

GType element_type(const protocol::StatsField& field) {
  return field.unit == protocol::StatsUnit::ms || field.bits == 64 ? G_TYPE_UINT64 : G_TYPE_UINT;
}

GstStructure* make_qoe_structure(const char* name, const QoeSnapshot& qoe) {
  const std::uint64_t total = qoe.peer.bytes_from_peers + qoe.peer.bytes_from_origin;
  const double p2p_ratio =
      total == 0 ? 0.0 : static_cast<double>(qoe.peer.bytes_from_peers) / static_cast<double>(total);
  GstStructure* s = gst_structure_new(name, "started", G_TYPE_BOOLEAN, static_cast<gboolean>(qoe.started), nullptr);
  for (const protocol::StatsField& f : protocol::kStatsFields) {
    const std::string field(f.element_field);
    const guint64 value = element_value(qoe, f.id);
    if (element_type(f) == G_TYPE_UINT64)
      gst_structure_set(s, field.c_str(), G_TYPE_UINT64, value, nullptr);
    else
      gst_structure_set(s, field.c_str(), G_TYPE_UINT, static_cast<guint>(value), nullptr);
    // The element's own fields stay where they were before the table existed: gst-launch -m prints in order.
    if (f.id == StatsFieldId::stall_ms)
      gst_structure_set(s, "buffered-ahead", G_TYPE_UINT64, static_cast<guint64>(qoe.buffered_ahead), nullptr);
    if (f.id == StatsFieldId::bytes_uploaded)
      gst_structure_set(s, "peers", G_TYPE_UINT, static_cast<guint>(qoe.peer.neighbors), "p2p-ratio", G_TYPE_DOUBLE,
                        p2p_ratio, nullptr);
  }
  return s;
}

protocol::StatsValues qoe_values(const GstStructure* structure) {
  protocol::StatsValues values{};
  gboolean started = FALSE;
  gst_structure_get_boolean(structure, "started", &started);
  for (const protocol::StatsField& f : protocol::kStatsFields) {
    const std::string field(f.element_field);
    guint64 value = 0;
    if (element_type(f) == G_TYPE_UINT64) {
      gst_structure_get_uint64(structure, field.c_str(), &value);
    } else {
      guint narrow = 0;
      gst_structure_get_uint(structure, field.c_str(), &narrow);
      value = narrow;
    }
    // ns -> whole ms, truncated as the peer's Time -> ms is.
    if (f.unit == protocol::StatsUnit::ms) value /= GST_MSECOND;
    values[static_cast<std::size_t>(f.id)] = static_cast<std::int64_t>(value);
  }
  if (started == FALSE) values[static_cast<std::size_t>(StatsFieldId::startup_delay_ms)] = -1;
  return values;
}

}  // namespace shoal::player
