#include "shoal/origin/channel_stats.hpp"

#include <algorithm>

namespace shoal::origin {
namespace {

// A field of the stats table as the report carries it (the report declares every reported field by its name and
// width, checked by StatsFields.QoeReportDeclaresTheReportedFields).
std::uint64_t field_of(const wire::QoeReport& report, const protocol::StatsField& f) {
  const auto* field = wire::QoeReport::descriptor()->FindFieldByName(std::string(f.name));
  if (field == nullptr) return 0;
  const auto* reflection = report.GetReflection();
  return field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_UINT32 ? reflection->GetUInt32(report, field)
                                                                                : reflection->GetUInt64(report, field);
}

double in_base_units(const protocol::StatsField& f, std::uint64_t value) {
  return static_cast<double>(value) * protocol::base_unit_scale(f.unit);
}

}  // namespace

void ChannelStats::observe_locked(const wire::QoeReport& report, const wire::QoeReport* previous) {
  for (const protocol::StatsField& f : protocol::kStatsFields) {
    if (f.metric_kind != protocol::OriginMetric::histogram) continue;
    const std::uint64_t value = field_of(report, f);
    // Once per session: the first report that carries the value (it does not change afterwards).
    if (value > 0 && (previous == nullptr || field_of(*previous, f) == 0))
      histograms_.settled[static_cast<std::size_t>(f.id)].observe(in_base_units(f, value));
  }
}

void ChannelStats::observe_ended_locked(const wire::QoeReport& report) {
  for (const protocol::StatsField& f : protocol::kStatsFields) {
    if (!f.ended_histogram.empty())
      histograms_.ended[static_cast<std::size_t>(f.id)].observe(in_base_units(f, field_of(report, f)));
  }
}

void ChannelStats::Totals::add(const wire::QoeReport& r) {
  ++sum.sessions;
  if (r.startup_delay_ms() > 0) {
    ++sum.startup_count;
    startup_sum_ms += static_cast<double>(r.startup_delay_ms());
    sum.startup_max_ms = std::max<std::uint64_t>(sum.startup_max_ms, r.startup_delay_ms());
  }
  sum.stalls += r.stalls();
  sum.stall_ms += r.stall_ms();
  if (r.stalls() > 0) ++sum.sessions_with_stalls;
  sum.bytes_from_peers += r.bytes_from_peers();
  sum.bytes_from_origin += r.bytes_from_origin();
  sum.bytes_uploaded += r.bytes_uploaded();
  sum.hash_failures += r.hash_failures();
}

bool ChannelStats::add_report(const wire::QoeReport& report) {
  const std::string& id = report.peer_id();
  if (id.empty() || id.size() > 64) return false;
  std::lock_guard lock(mutex_);
  auto forget = [&](const std::string& peer) {
    if (auto t = open_ticket_.find(peer); t != open_ticket_.end()) {
      open_order_.erase(t->second);
      open_ticket_.erase(t);
    }
    open_.erase(peer);
  };
  const auto previous = open_.find(id);
  observe_locked(report, previous == open_.end() ? nullptr : &previous->second);
  if (report.final()) {
    forget(id);
    finished_.add(report);
    observe_ended_locked(report);
    return true;
  }
  forget(id);
  while (open_.size() >= kMaxOpenSessions) {
    const std::string oldest = open_order_.begin()->second;
    finished_.add(open_.at(oldest));
    observe_ended_locked(open_.at(oldest));
    forget(oldest);
  }
  open_[id] = report;
  open_order_[next_ticket_] = id;
  open_ticket_[id] = next_ticket_++;
  return true;
}

QoeAggregate ChannelStats::qoe() const {
  std::lock_guard lock(mutex_);
  Totals all = finished_;
  for (const auto& [id, r] : open_) all.add(r);
  QoeAggregate a = all.sum;
  if (a.startup_count > 0) a.startup_mean_ms = all.startup_sum_ms / static_cast<double>(a.startup_count);
  return a;
}

QoeHistograms ChannelStats::histograms() const {
  std::lock_guard lock(mutex_);
  return histograms_;
}

double reported_value(const QoeAggregate& q, protocol::StatsFieldId id) {
  using F = protocol::StatsFieldId;
  // No default: a field added to the table does not compile until it is decided here.
  switch (id) {
    case F::startup_delay_ms:
      return q.startup_mean_ms;
    case F::stalls:
      return static_cast<double>(q.stalls);
    case F::stall_ms:
      return static_cast<double>(q.stall_ms);
    case F::bytes_from_peers:
      return static_cast<double>(q.bytes_from_peers);
    case F::bytes_from_origin:
      return static_cast<double>(q.bytes_from_origin);
    case F::bytes_uploaded:
      return static_cast<double>(q.bytes_uploaded);
    case F::hash_failures:
      return static_cast<double>(q.hash_failures);
    case F::chunks_played:
    case F::chunks_late:
    case F::peers_banned:
      return 0;
  }
  return 0;
}

double ChannelStats::offload_ratio() const {
  const QoeAggregate a = qoe();
  const double received = static_cast<double>(a.bytes_from_peers + a.bytes_from_origin);
  if (received <= 0) return 0;
  const double sent = static_cast<double>(http_bytes() + mesh_bytes_seeded());
  return std::clamp(1.0 - sent / received, 0.0, 1.0);
}

}  // namespace shoal::origin
