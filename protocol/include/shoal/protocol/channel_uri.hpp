// The one grammar of a channel's address, used by shoal-peer, shoalsrc, shoal-play and shoal-origin:
//
//   shoal://HOST:PORT/CHANNEL[?listen=HOST:PORT][&key=FINGERPRINT]
//
// HOST:PORT is the origin (IPv6 in brackets). CHANNEL is 1-64 letters, digits, '-', '_' or '.', not
// starting with '.'. `listen` says where the viewer accepts peer connections (default: every interface,
// any port) for players that can set nothing but a URI (playbin, gst-play-1.0). `key` pins the origin's signing
// key: the fingerprint shoal-origin prints (channel_key.hpp); a manifest signed by any other key is refused.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "shoal/protocol/units.hpp"

namespace shoal::protocol {

struct ChannelUri {
  std::string origin_host;
  std::uint16_t origin_port = 0;
  std::string channel;
  std::optional<HostPort> listen;
  std::optional<std::string> key;  // a fingerprint, lowercase (channel_key.hpp)
};

/// Throws std::invalid_argument with a one-line reason naming the URI.
ChannelUri parse_channel_uri(std::string_view uri);

bool valid_channel_name(std::string_view name);

}  // namespace shoal::protocol
