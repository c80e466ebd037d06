#include "sha256_verifier.hpp"

#include <openssl/sha.h>

#include <cstring>

namespace shoal::peer {

bool sha256_matches(const ChunkMeta& meta, const std::string& bytes) {
  if (meta.sha256.size() != SHA256_DIGEST_LENGTH) return false;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return std::memcmp(digest, meta.sha256.data(), SHA256_DIGEST_LENGTH) == 0;
}

}  // namespace shoal::peer
