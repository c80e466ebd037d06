#include "uplink.hpp"

#include <algorithm>

namespace shoal::peer {

namespace {
// A sample shorter than this says more about socket buffers than about the link.
constexpr Time kMinSample = std::chrono::milliseconds(50);
// Long busy periods are cut into samples of this length, so the estimate follows a link that changes.
constexpr Time kMaxSample = std::chrono::seconds(2);

double seconds(Time t) { return static_cast<double>(t.count()) / 1e6; }
}  // namespace

Uplink::Uplink(std::uint64_t ceiling_bps, std::uint64_t assumed_bps, Time queue_delay, Time window)
    : ceiling_(static_cast<double>(ceiling_bps) / 8.0),
      assumed_(static_cast<double>(assumed_bps) / 8.0),
      queue_delay_(queue_delay),
      window_(window) {}

void Uplink::on_handoff(std::uint64_t unsent_before, Time now) {
  if (unsent_before > 0 && busy_) return;
  busy_ = true;
  busy_since_ = now;
  busy_bytes_ = 0;
}

void Uplink::on_written(std::uint64_t bytes, std::uint64_t unsent_after, Time now) {
  if (!busy_) return;
  busy_bytes_ += bytes;
  const Time span = now - busy_since_;
  const bool ends = unsent_after == 0;
  if ((ends && span >= kMinSample) || span >= kMaxSample) {
    newest_ = static_cast<double>(busy_bytes_) / seconds(span);
    samples_[next_] = Sample{now, newest_};
    next_ = (next_ + 1) % samples_.size();
  }
  if (ends) {
    busy_ = false;
  } else if (span >= kMaxSample) {
    busy_since_ = now;
    busy_bytes_ = 0;
  }
}

double Uplink::measured(Time now) const {
  double best = 0;
  for (const Sample& s : samples_)
    if (s.rate > 0 && now - s.at <= window_) best = std::max(best, s.rate);
  return best > 0 ? best : newest_;
}

double Uplink::bytes_per_second(Time now) const {
  if (ceiling_ > 0) return ceiling_;
  const double rate = measured(now);
  return rate > 0 ? rate : assumed_;
}

bool Uplink::room(std::uint64_t unsent, std::uint64_t chunk_bytes, Time now) const {
  if (ceiling_ > 0 || unsent == 0) return true;
  const double budget = std::max(static_cast<double>(chunk_bytes), bytes_per_second(now) * seconds(queue_delay_));
  return static_cast<double>(unsent + chunk_bytes) <= budget;
}

}  // namespace shoal::peer
