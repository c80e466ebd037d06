// A channel's key as viewers see it: the origin's Ed25519 public key (raw 32 bytes), its fingerprint (the one
// text form people and files pin: the URI's `key`, the origin's log and /channels, the known-channels file) and
// the check of a signature. The origin's private half lives in origin/signing_key.hpp.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace shoal::protocol {

inline constexpr std::size_t kPublicKeySize = 32;
inline constexpr std::size_t kSignatureSize = 64;
inline constexpr std::size_t kFingerprintLength = 32;

/// Lowercase hex of the first 16 bytes of SHA-256(raw public key): 32 characters. 128 bits: finding another key
/// with the same fingerprint (a second preimage) costs about 2^128 hashes.
std::string key_fingerprint(std::string_view public_key);

/// Whether `text` is a fingerprint: kFingerprintLength hex digits, either case.
bool valid_fingerprint(std::string_view text);

/// The lowercase form of a valid fingerprint (how one is compared and stored).
std::string normalize_fingerprint(std::string_view text);

/// Whether `signature` is `public_key`'s Ed25519 signature over exactly `message`. False (never a throw) for a key
/// or signature of the wrong size or content.
bool verify_signature(std::string_view public_key, std::string_view message, std::string_view signature);

}  // namespace shoal::protocol
