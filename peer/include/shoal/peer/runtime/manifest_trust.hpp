// Whether a manifest from the origin may be trusted, decided before any of its hashes is used: the body must be a
// wire::SignedManifest whose key is the one pinned for the channel (the URI's `key`, else the key this viewer
// accepted earlier in the session, else the one the known-channels file remembers, else the first one seen,
// which is then remembered) and whose signature over the manifest bytes verifies; the manifest must name this
// channel and be no older than the newest one accepted (a replay). Every hash the core learns passes here, so
// the first hash a viewer keeps for a chunk is one the origin signed.
#pragma once

#include <optional>
#include <string>

#include "shoal/peer/runtime/known_channels.hpp"
#include "shoal/peer/runtime/origin_wire.hpp"
#include "shoal/protocol/channel_uri.hpp"
#include "shoal/protocol/error_code.hpp"

namespace shoal::peer {

struct ManifestVerdict {
  std::optional<ParsedManifest> manifest;                              // set when accepted
  protocol::ErrorCode code = protocol::ErrorCode::untrusted_manifest;  // when refused
  std::string problem;                                                 // when refused: one line, for people
  std::string note;  // when accepted: something worth a log line (a key remembered, a file not writable)
};

class ManifestTrust {
 public:
  /// `known`: where keys of played channels are remembered (empty file: nowhere).
  ManifestTrust(protocol::ChannelUri uri, KnownChannels known);

  /// Checks a GET /c/{name}/manifest answer and, when it is accepted, pins its key and its time.
  ManifestVerdict check(const std::string& body);

  /// The fingerprint manifests must be signed with from now on; empty before the first one is accepted
  /// (unless the URI or the file named one).
  const std::string& pinned() const { return pinned_; }

 private:
  ManifestVerdict refuse(protocol::ErrorCode code, const std::string& why) const;
  std::string remember(const std::string& fingerprint);

  protocol::ChannelUri uri_;
  KnownChannels known_;
  std::string address_;    // channel_address(uri_)
  std::string pinned_;     // fingerprint
  std::string pinned_by_;  // where the pin came from, for the refusal's message
  bool in_file_ = false;   // the file already holds pinned_ for this channel
  std::uint64_t newest_ms_ = 0;
};

}  // namespace shoal::peer
