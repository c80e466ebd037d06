// Test fixtures that play the origin's part of signed channels: a manifest wrapped and signed the way
// shoal-origin serves it (origin/manifest.hpp sign_manifest), without linking the origin.
#pragma once

#include <string>

#include "shoal.pb.h"
#include "shoal/protocol/signing_key.hpp"

namespace shoal::peer::test {

/// A serialized wire::SignedManifest around `manifest`'s bytes, signed by `key`.
inline std::string signed_manifest(const wire::Manifest& manifest, const protocol::SigningKey& key) {
  wire::SignedManifest envelope;
  envelope.set_manifest(manifest.SerializeAsString());
  envelope.set_public_key(key.public_key());
  envelope.set_signature(key.sign(envelope.manifest()));
  return envelope.SerializeAsString();
}

}  // namespace shoal::peer::test
