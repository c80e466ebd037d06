// shoalsrc's fatal errors: one ErrorCode (protocol/error_code.hpp) becomes one
// GStreamer error domain and code, so applications can branch on the GError
// while the message stays human. The code's name travels in the message's
// details (field "shoal-error") for those who want the finer distinction.
#pragma once

#include <gst/gst.h>

#include <string>

#include "shoal/protocol/error_code.hpp"

namespace shoal::player {

struct GstErrorKind {
  GQuark domain;
  gint code;
};

/// Every ErrorCode has exactly one kind (docs/player.md, "Errors").
GstErrorKind gst_error_kind(protocol::ErrorCode code);

/// The field of the error message's details structure that carries to_string(code).
inline constexpr const char* kErrorDetailsField = "shoal-error";

/// Posts an ERROR message from `element`: `message` as its text, `location` in its debug string.
void post_element_error(GstElement* element, protocol::ErrorCode code, const std::string& message,
                        const std::string& location);

}  // namespace shoal::player
