// The origin's HTTP endpoints as a plain function of a request, apart from
// sockets (http_server.hpp), so tests drive every route directly.
//
//   GET  /channels                 JSON list
//   GET  /c/{name}/manifest        wire::SignedManifest (protobuf); ?format=json
//   GET  /c/{name}/index.m3u8      HLS media playlist
//   GET  /c/{name}/chunk/{seq}.ts  chunk bytes (Range, ETag, immutable)
//   POST /c/{name}/announce        wire::AnnounceRequest -> wire::AnnounceReply
//   POST /c/{name}/report          wire::QoeReport -> 204
//   GET  /stats                    JSON;  GET /metrics  Prometheus text
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "shoal/origin/address_rate_limiter.hpp"
#include "shoal/origin/channel.hpp"
#include "shoal/origin/transfer_gate.hpp"
#include "shoal/protocol/signing_key.hpp"

namespace shoal::origin {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query
  std::string body;
  std::string remote_host;    // the connection's source address (IPv4-mapped IPv6 written as IPv4)
  std::string local_host;     // our address as this client reached it
  std::string range;          // Range header, if any
  std::string if_none_match;  // If-None-Match header, if any
};

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain";
  std::vector<std::pair<std::string, std::string>> headers;
  protocol::ChunkPayload body;  // shared: chunk bytes are never copied
  std::size_t offset = 0;       // the part of `body` sent
  std::size_t length = 0;
  std::shared_ptr<void> ticket;  // a TransferGate place, held until the reply is written
  std::string_view view() const { return body ? std::string_view(*body).substr(offset, length) : std::string_view(); }
};

/// Channels by name; filled at start-up, read-only while serving.
using ChannelMap = std::map<std::string, std::unique_ptr<Channel>>;

class Router {
 public:
  /// `max_chunk_transfers`: chunk responses in flight at once, further ones get 503 (0 = unlimited).
  /// `posts`: each address's budget of announces and reports together; past it, 429.
  /// `key` signs every manifest; without one the router makes a key of its own that lives as long as it does.
  explicit Router(ChannelMap& channels, std::size_t max_chunk_transfers = 0,
                  AddressRateLimiter::Limits posts = AddressRateLimiter::Limits{},
                  std::shared_ptr<const protocol::SigningKey> key = nullptr)
      : channels_(channels),
        chunk_gate_(max_chunk_transfers),
        posts_(posts),
        key_(key ? std::move(key) : std::make_shared<const protocol::SigningKey>(protocol::SigningKey::generate())) {}
  HttpReply handle(const HttpRequest& request);

 private:
  HttpReply channel_route(const HttpRequest& request, Channel& channel, const std::string& rest,
                          const std::string& query);
  HttpReply chunk(const HttpRequest& request, Channel& channel, const std::string& seq_text);
  HttpReply stats_json();
  HttpReply metrics();
  HttpReply channels_json();
  HttpReply manifest(Channel& channel, const std::string& query);
  std::uint64_t issue_time();

  ChannelMap& channels_;
  TransferGate chunk_gate_;
  AddressRateLimiter posts_;
  std::shared_ptr<const protocol::SigningKey> key_;
  std::atomic<std::uint64_t> last_issued_ms_{0};
};

HttpReply text_reply(int status, std::string body, std::string content_type = "text/plain");

}  // namespace shoal::origin
