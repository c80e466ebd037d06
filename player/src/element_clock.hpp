// shoalsrc's own timing runs on the pipeline's clock (GST_ELEMENT_CLOCK and
// the base time): start-up delay, the join timeout, stall detection and QoE
// intervals all read it, and every wait for time is a clock id on it, so a
// pipeline with a GstTestClock drives the element deterministically.
#pragma once

#include <gst/gst.h>

#include <memory>
#include <optional>

namespace shoal::player {

struct ObjectUnref {
  void operator()(GstClock* clock) const { gst_object_unref(clock); }
};
using ClockPtr = std::unique_ptr<GstClock, ObjectUnref>;

struct ClockIdUnref {
  void operator()(GstClockID id) const { gst_clock_id_unref(id); }
};
using ClockIdPtr = std::unique_ptr<void, ClockIdUnref>;

/// The element's clock, null until one is set (a pipeline hands its clock out on PAUSED->PLAYING).
ClockPtr element_clock(GstElement* element);

/// The element's clock, or the system clock while none is set. READY->PAUSED (the join, the start of the
/// start-up delay) comes before any pipeline distributes a clock; the system clock is what a pipeline
/// picks when no element provides one, and a test that wants control sets its clock on the element first.
ClockPtr element_clock_or_system(GstElement* element);

/// The pipeline's running time (element clock minus base time); nullopt without a clock, or
/// (require_playing) when the element is not PLAYING.
std::optional<GstClockTime> running_time(GstElement* element, bool require_playing);

}  // namespace shoal::player
