// The default chunk check: SHA-256 of the bytes equals the manifest's digest.
#pragma once

#include <string>

#include "shoal/peer/core/types.hpp"

namespace shoal::peer {

bool sha256_matches(const ChunkMeta& meta, const std::string& bytes);

}  // namespace shoal::peer
