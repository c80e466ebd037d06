#include "shoal/protocol/swarm_id.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace shoal::protocol {

std::string swarm_id(std::string_view origin_host, std::uint16_t origin_port, std::string_view channel) {
  const std::string text = std::string(origin_host) + ":" + std::to_string(origin_port) + "/" + std::string(channel);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  return std::string(reinterpret_cast<const char*>(digest), length);
}

}  // namespace shoal::protocol
