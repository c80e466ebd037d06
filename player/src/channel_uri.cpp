#include "channel_uri.hpp"

#include <gst/gst.h>

namespace shoal::player {

std::optional<peer::ChannelUri> channel_uri_from_string(std::string_view uri, std::string& error) {
  const std::string text(uri);
  GstUri* parsed = gst_uri_from_string(text.c_str());
  if (parsed == nullptr) {
    error = "not a URI: '" + text + "'";
    return std::nullopt;
  }
  std::optional<peer::ChannelUri> result;
  const char* scheme = gst_uri_get_scheme(parsed);
  const char* host = gst_uri_get_host(parsed);
  const guint port = gst_uri_get_port(parsed);
  gchar* path = gst_uri_get_path(parsed);  // transfer full
  std::string channel = path != nullptr ? path : "";
  g_free(path);
  while (!channel.empty() && channel.front() == '/') channel.erase(0, 1);
  while (!channel.empty() && channel.back() == '/') channel.pop_back();
  if (scheme == nullptr || g_ascii_strcasecmp(scheme, "shoal") != 0) {
    error = "expected shoal://host:port/channel, got '" + text + "'";
  } else if (host == nullptr || *host == '\0') {
    error = "no origin host in '" + text + "'";
  } else if (port == GST_URI_NO_PORT || port == 0 || port > 65535) {
    error = "no origin port in '" + text + "'";
  } else if (channel.empty() || channel.find('/') != std::string::npos) {
    error = "expected one channel name after the port in '" + text + "'";
  } else {
    result = peer::ChannelUri{host, static_cast<std::uint16_t>(port), channel};
  }
  gst_uri_unref(parsed);
  return result;
}

}  // namespace shoal::player
