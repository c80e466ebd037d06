// The origin's Ed25519 signing key (OpenSSL 3 EVP): the private half of the channel key viewers pin
// (protocol/channel_key.hpp). Generated at first start and kept under --data, so a restarted origin signs with
// the key its viewers remember. In protocol/ (not origin/) so test fixtures can sign as an origin does.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

struct evp_pkey_st;

namespace shoal::protocol {

class SigningKey {
 public:
  /// The key file under a --data directory: a name no channel can take (channel names never start with '.').
  static std::filesystem::path file_in(const std::filesystem::path& data_dir);

  /// A fresh key, held in memory only.
  static SigningKey generate();
  /// Loads `file` (PKCS#8 PEM), or generates a key and writes it there (mode 0600, parent folders created) when
  /// there is none. Throws std::runtime_error with a one-line reason naming the file.
  static SigningKey load_or_create(const std::filesystem::path& file);

  /// The 64-byte Ed25519 signature over exactly `message`.
  std::string sign(std::string_view message) const;
  /// The raw 32-byte public key.
  const std::string& public_key() const { return public_key_; }
  /// protocol::key_fingerprint of the public key.
  std::string fingerprint() const;

 private:
  explicit SigningKey(std::shared_ptr<evp_pkey_st> key);

  std::shared_ptr<evp_pkey_st> key_;
  std::string public_key_;
};

}  // namespace shoal::protocol
