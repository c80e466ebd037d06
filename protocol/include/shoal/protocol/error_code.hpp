// Why a viewer stopped: the fatal errors of the peer runtime and of the
// GStreamer element, as one contract. Embedders branch on the code (the
// element maps it to a GStreamer error domain, shoal-peer prints its name);
// the message that travels with it is for humans and may change freely.
// The names are stable: scripts and dashboards match on them.
#pragma once

#include <string_view>

namespace shoal::protocol {

enum class ErrorCode {
  /// The location is missing or not shoal://host:port/channel (raised by shoalsrc).
  bad_uri,
  /// Peer connections cannot be accepted on the configured address or port.
  listen_failed,
  /// The origin answered 404 for the channel's manifest.
  channel_not_found,
  /// No connection to the origin (refused, unresolvable, reset, timed out) for the whole join patience.
  origin_unreachable,
  /// The origin answered the manifest request with another HTTP error for the whole join patience.
  origin_error,
  /// The origin's manifest does not parse (another wire version, or corrupt) for the whole join patience.
  bad_manifest,
  /// The manifest is signed by another key than the one pinned for the channel (the URI's `key`, else the one
  /// remembered from an earlier session) for the whole join patience.
  key_mismatch,
  /// The manifest is unsigned, its signature does not verify, it names another channel or it is older than one
  /// already accepted (a replay), for the whole join patience.
  untrusted_manifest,
  /// No manifest and no error within shoalsrc's join timeout (an origin that accepts but never answers).
  join_timeout,
  /// shoalsrc could not start a peer runtime (built without one, or it failed to start).
  runtime_unavailable,
  /// The runtime delivered far beyond its window: shoalsrc's queue bound was crossed.
  queue_overflow,
};

/// The stable snake_case name, e.g. "channel_not_found".
constexpr std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_uri:
      return "bad_uri";
    case ErrorCode::listen_failed:
      return "listen_failed";
    case ErrorCode::channel_not_found:
      return "channel_not_found";
    case ErrorCode::origin_unreachable:
      return "origin_unreachable";
    case ErrorCode::origin_error:
      return "origin_error";
    case ErrorCode::bad_manifest:
      return "bad_manifest";
    case ErrorCode::key_mismatch:
      return "key_mismatch";
    case ErrorCode::untrusted_manifest:
      return "untrusted_manifest";
    case ErrorCode::join_timeout:
      return "join_timeout";
    case ErrorCode::runtime_unavailable:
      return "runtime_unavailable";
    case ErrorCode::queue_overflow:
      return "queue_overflow";
  }
  return "unknown";
}

}  // namespace shoal::protocol
