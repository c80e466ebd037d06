#include "element_clock.hpp"

namespace shoal::player {

ClockPtr element_clock(GstElement* element) { return ClockPtr(gst_element_get_clock(element)); }

ClockPtr element_clock_or_system(GstElement* element) {
  ClockPtr clock = element_clock(element);
  return clock ? std::move(clock) : ClockPtr(gst_system_clock_obtain());
}

std::optional<GstClockTime> running_time(GstElement* element, bool require_playing) {
  GST_OBJECT_LOCK(element);
  const bool playing = GST_STATE(element) == GST_STATE_PLAYING;
  ClockPtr clock(element->clock != nullptr ? GST_CLOCK_CAST(gst_object_ref(element->clock)) : nullptr);
  const GstClockTime base = element->base_time;
  GST_OBJECT_UNLOCK(element);
  if (!clock) return std::nullopt;
  const GstClockTime now = gst_clock_get_time(clock.get());
  if (require_playing && !playing) return std::nullopt;
  return now > base ? now - base : 0;
}

}  // namespace shoal::player
