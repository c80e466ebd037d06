// SHA-256 of chunk payloads (OpenSSL EVP): the 32 raw bytes go on the wire,
// the hex form is the HTTP ETag and the store's index entry.
#pragma once

#include <string>
#include <string_view>

namespace shoal::origin {

/// 32 raw bytes.
std::string sha256(std::string_view data);
std::string to_hex(std::string_view bytes);
/// Empty string when `hex` is not valid hex.
std::string from_hex(std::string_view hex);

}  // namespace shoal::origin
