#include "shoal/protocol/signing_key.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "shoal/protocol/channel_key.hpp"

namespace shoal::protocol {

namespace {

std::runtime_error key_error(const std::filesystem::path& file, const std::string& what) {
  return std::runtime_error("signing key " + file.string() + ": " + what);
}

std::shared_ptr<evp_pkey_st> adopt(EVP_PKEY* key) { return std::shared_ptr<evp_pkey_st>(key, &EVP_PKEY_free); }

std::shared_ptr<evp_pkey_st> read_key(const std::filesystem::path& file) {
  std::FILE* in = std::fopen(file.c_str(), "r");
  if (in == nullptr) throw key_error(file, std::strerror(errno));
  EVP_PKEY* key = PEM_read_PrivateKey(in, nullptr, nullptr, nullptr);
  std::fclose(in);
  if (key == nullptr || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(key);
    throw key_error(file, "not an Ed25519 private key in PEM (move it away to make a new one)");
  }
  return adopt(key);
}

// O_EXCL: two origins starting on one --data never overwrite each other's key; the loser reads the winner's.
void write_key(const std::filesystem::path& file, EVP_PKEY* key) {
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) throw key_error(file, std::strerror(errno));
  std::FILE* out = ::fdopen(fd, "w");
  if (out == nullptr) {
    ::close(fd);
    throw key_error(file, std::strerror(errno));
  }
  const bool written = PEM_write_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  const bool closed = std::fclose(out) == 0;
  if (!written || !closed) throw key_error(file, "cannot write the key");
}

}  // namespace

std::filesystem::path SigningKey::file_in(const std::filesystem::path& data_dir) {
  return data_dir / ".origin-key.pem";
}

SigningKey::SigningKey(std::shared_ptr<evp_pkey_st> key) : key_(std::move(key)) {
  unsigned char raw[kPublicKeySize];
  std::size_t length = sizeof raw;
  if (EVP_PKEY_get_raw_public_key(key_.get(), raw, &length) != 1 || length != sizeof raw)
    throw std::runtime_error("cannot read the Ed25519 public key");
  public_key_.assign(reinterpret_cast<const char*>(raw), length);
}

SigningKey SigningKey::generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) throw std::runtime_error("cannot generate an Ed25519 key");
  return SigningKey(adopt(key));
}

SigningKey SigningKey::load_or_create(const std::filesystem::path& file) {
  if (std::filesystem::exists(file)) return SigningKey(read_key(file));
  SigningKey fresh = generate();
  try {
    write_key(file, fresh.key_.get());
  } catch (const std::runtime_error&) {
    if (std::filesystem::exists(file)) return SigningKey(read_key(file));  // another process made it first
    throw;
  }
  return fresh;
}

std::string SigningKey::sign(std::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::string signature(kSignatureSize, '\0');
  std::size_t length = signature.size();
  // Ed25519 hashes internally: no digest is named, and the message goes in one call.
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      length != signature.size())
    throw std::runtime_error("Ed25519 signing failed");
  return signature;
}

std::string SigningKey::fingerprint() const { return key_fingerprint(public_key_); }

}  // namespace shoal::protocol
