#include "src_errors.hpp"

#include <string_view>

namespace shoal::player {

using protocol::ErrorCode;

GstErrorKind gst_error_kind(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_uri:
      return {GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND};
    case ErrorCode::listen_failed:
      // udpsrc reports a failed bind the same way: the address/port settings cannot be used.
      return {GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS};
    case ErrorCode::channel_not_found:
      return {GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND};
    case ErrorCode::origin_unreachable:
    case ErrorCode::origin_error:
    case ErrorCode::join_timeout:
      return {GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ};
    case ErrorCode::bad_manifest:
      return {GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE};
    case ErrorCode::key_mismatch:
    case ErrorCode::untrusted_manifest:
      // Like a refused login: the channel is there, but nothing it sent can be trusted.
      return {GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_AUTHORIZED};
    case ErrorCode::runtime_unavailable:
      return {GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_INIT};
    case ErrorCode::queue_overflow:
      return {GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED};
  }
  return {GST_CORE_ERROR, GST_CORE_ERROR_FAILED};
}

void post_element_error(GstElement* element, ErrorCode code, const std::string& message, const std::string& location) {
  const GstErrorKind kind = gst_error_kind(code);
  const std::string_view name = protocol::to_string(code);
  GstStructure* details =
      gst_structure_new("details", kErrorDetailsField, G_TYPE_STRING, std::string(name).c_str(), nullptr);
  // The _full variant because the domain is a value here, not the token GST_ELEMENT_ERROR pastes together.
  gst_element_message_full_with_details(
      element, GST_MESSAGE_ERROR, kind.domain, kind.code, g_strdup(message.c_str()),
      g_strdup_printf("%.*s; location: %s", static_cast<int>(name.size()), name.data(), location.c_str()), __FILE__,
      GST_FUNCTION, __LINE__, details);
}

}  // namespace shoal::player
