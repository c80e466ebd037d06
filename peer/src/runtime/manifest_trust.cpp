#include "shoal/peer/runtime/manifest_trust.hpp"

#include <stdexcept>

#include "shoal.pb.h"
#include "shoal/protocol/channel_key.hpp"

namespace shoal::peer {

using protocol::ErrorCode;

ManifestTrust::ManifestTrust(protocol::ChannelUri uri, KnownChannels known)
    : uri_(std::move(uri)), known_(std::move(known)), address_(channel_address(uri_)) {
  const std::optional<std::string> remembered = known_.lookup(address_);
  if (uri_.key) {
    pinned_ = *uri_.key;
    pinned_by_ = "by the URI's key";
  } else if (remembered) {
    pinned_ = *remembered;
    pinned_by_ = "remembered in " + known_.file();
  }
  in_file_ = remembered && *remembered == pinned_;
}

ManifestVerdict ManifestTrust::refuse(ErrorCode code, const std::string& why) const {
  ManifestVerdict verdict;
  verdict.code = code;
  verdict.problem = "manifest of " + address_ + " refused: " + why;
  return verdict;
}

ManifestVerdict ManifestTrust::check(const std::string& body) {
  wire::SignedManifest envelope;
  if (!envelope.ParseFromString(body)) return refuse(ErrorCode::bad_manifest, "malformed");
  if (envelope.signature().empty() || envelope.public_key().empty())
    return refuse(ErrorCode::untrusted_manifest, "unsigned (an origin without signed channels, or a forgery)");
  const std::string fingerprint = protocol::key_fingerprint(envelope.public_key());
  if (!pinned_.empty() && fingerprint != pinned_)
    return refuse(ErrorCode::key_mismatch,
                  "signed by key " + fingerprint + ", but the channel's key is " + pinned_ + " (" + pinned_by_ + ")");
  if (!protocol::verify_signature(envelope.public_key(), envelope.manifest(), envelope.signature()))
    return refuse(ErrorCode::untrusted_manifest, "its signature does not verify (forged, or altered on the way)");
  std::optional<ParsedManifest> parsed = parse_manifest(envelope.manifest());
  if (!parsed) return refuse(ErrorCode::bad_manifest, "signed, but malformed");
  if (parsed->channel != uri_.channel)
    return refuse(ErrorCode::untrusted_manifest,
                  "signed for channel '" + parsed->channel + "' (replayed from another channel)");
  if (parsed->issued_at_ms < newest_ms_)
    return refuse(ErrorCode::untrusted_manifest, "issued at " + std::to_string(parsed->issued_at_ms) +
                                                     " ms, older than one already accepted (" +
                                                     std::to_string(newest_ms_) + " ms): a replay");
  newest_ms_ = parsed->issued_at_ms;
  ManifestVerdict verdict;
  if (pinned_.empty()) {
    pinned_ = fingerprint;
    pinned_by_ = "accepted first in this session";
  }
  if (!in_file_) verdict.note = remember(fingerprint);
  verdict.manifest = std::move(parsed);
  return verdict;
}

std::string ManifestTrust::remember(const std::string& fingerprint) {
  if (known_.file().empty()) return {};
  in_file_ = true;  // one attempt per session: a file we cannot write is said once, not every poll
  try {
    known_.remember(address_, fingerprint);
  } catch (const std::runtime_error& e) {
    return "cannot remember the key of " + address_ + ": " + e.what();
  }
  return "remembered key " + fingerprint + " for " + address_ + " in " + known_.file();
}

}  // namespace shoal::peer
