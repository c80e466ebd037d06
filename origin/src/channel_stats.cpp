#include "shoal/origin/channel_stats.hpp"

#include <algorithm>

namespace shoal::origin {

namespace {
constexpr std::size_t kMaxSessions = 100'000;  // bounds memory against report floods
}

void ChannelStats::add_report(const wire::QoeReport& report) {
  std::lock_guard lock(mutex_);
  auto it = reports_.find(report.peer_id());
  if (it == reports_.end() && reports_.size() >= kMaxSessions) return;
  reports_[report.peer_id()] = report;
}

QoeAggregate ChannelStats::qoe() const {
  std::lock_guard lock(mutex_);
  QoeAggregate a;
  double startup_sum = 0;
  for (const auto& [id, r] : reports_) {
    ++a.sessions;
    if (r.startup_delay_ms() > 0) {
      ++a.startup_count;
      startup_sum += static_cast<double>(r.startup_delay_ms());
      a.startup_max_ms = std::max<std::uint64_t>(a.startup_max_ms, r.startup_delay_ms());
    }
    a.stalls += r.stalls();
    a.stall_ms += r.stall_ms();
    if (r.stalls() > 0) ++a.sessions_with_stalls;
    a.bytes_from_peers += r.bytes_from_peers();
    a.bytes_from_origin += r.bytes_from_origin();
    a.bytes_uploaded += r.bytes_uploaded();
    a.hash_failures += r.hash_failures();
  }
  if (a.startup_count > 0) a.startup_mean_ms = startup_sum / static_cast<double>(a.startup_count);
  return a;
}

double ChannelStats::offload_ratio() const {
  const QoeAggregate a = qoe();
  const double received = static_cast<double>(a.bytes_from_peers + a.bytes_from_origin);
  if (received <= 0) return 0;
  const double sent = static_cast<double>(http_bytes() + mesh_bytes_seeded());
  return std::clamp(1.0 - sent / received, 0.0, 1.0);
}

}  // namespace shoal::origin
