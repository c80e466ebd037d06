// Where a viewer fetches chunks over HTTP when a CDN (or any HTTP cache, e.g. nginx's proxy_cache) sits in front
// of the origin: http://HOST:PORT[/PATH]. Only chunk fetches go there; the manifest, announces and reports still
// go to the origin named in the channel URI, and the swarm stays the origin's (protocol/swarm_id.hpp), so viewers
// given different CDNs still share one swarm.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace shoal::protocol {

struct CdnUrl {
  std::string host;
  std::uint16_t port = 80;
  /// Put before the origin's own paths ("/shoal" + "/c/news/chunk/7.ts"); empty or "/..." without a trailing '/'.
  std::string path_prefix;
};

/// Throws std::invalid_argument with a one-line reason naming the URL, e.g. "not an http:// URL: 'ftp://x'
/// (want http://host:port[/path], e.g. http://cdn.example:8080)".
CdnUrl parse_cdn_url(std::string_view url);

}  // namespace shoal::protocol
