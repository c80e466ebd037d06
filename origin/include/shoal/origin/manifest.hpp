// The channel manifest peers start from (wire::Manifest), signed into the envelope the origin serves
// (wire::SignedManifest), and its JSON form.
#pragma once

#include <string>

#include "shoal.pb.h"
#include "shoal/origin/channel.hpp"
#include "shoal/protocol/signing_key.hpp"

namespace shoal::origin {

wire::Manifest build_manifest(Channel& channel);
/// The envelope around `manifest`'s serialized bytes, signed as exactly those bytes.
wire::SignedManifest sign_manifest(const wire::Manifest& manifest, const protocol::SigningKey& key);
/// For people: the manifest's fields and `key`, the fingerprint of the key that signs it.
std::string manifest_json(const wire::Manifest& manifest, const std::string& key_fingerprint);

}  // namespace shoal::origin
