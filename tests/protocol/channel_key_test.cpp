// A channel's key: the fingerprint viewers pin, Ed25519 verification (RFC 8032's own test vector, so it is the
// real algorithm), and the origin's key file (made once, read back, private).
#include "shoal/protocol/channel_key.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "shoal/protocol/signing_key.hpp"

namespace shoal::protocol {
namespace {

std::string unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

// RFC 8032 section 7.1, TEST 1: the empty message.
const std::string kRfcKey = unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
const std::string kRfcSignature = unhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe2465"
    "5"
    "141438e7a100b");

std::filesystem::path scratch(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("shoal-key-test-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  return dir;
}

TEST(ChannelKey, TheFingerprintIsTheFirstHalfOfTheKeysSha256InLowercaseHex) {
  EXPECT_EQ(key_fingerprint(kRfcKey), "21fe31dfa154a261626bf854046fd227");
  EXPECT_TRUE(valid_fingerprint("21FE31dfa154a261626bf854046fd227"));
  EXPECT_EQ(normalize_fingerprint("21FE31DFA154A261626BF854046FD227"), "21fe31dfa154a261626bf854046fd227");
  EXPECT_FALSE(valid_fingerprint("21fe31dfa154a261626bf854046fd22"));    // one short
  EXPECT_FALSE(valid_fingerprint("21fe31dfa154a261626bf854046fd22g"));   // not hex
  EXPECT_FALSE(valid_fingerprint("21fe31dfa154a261626bf854046fd2270"));  // one long
}

TEST(ChannelKey, VerifiesRfc8032sSignatureAndNothingElse) {
  EXPECT_TRUE(verify_signature(kRfcKey, "", kRfcSignature));
  EXPECT_FALSE(verify_signature(kRfcKey, "x", kRfcSignature)) << "another message";
  std::string flipped = kRfcSignature;
  flipped[10] = static_cast<char>(flipped[10] ^ 1);
  EXPECT_FALSE(verify_signature(kRfcKey, "", flipped));
  EXPECT_FALSE(verify_signature(kRfcKey, "", kRfcSignature.substr(1))) << "a short signature";
  EXPECT_FALSE(verify_signature(kRfcKey.substr(1), "", kRfcSignature)) << "a short key";
}

TEST(SigningKey, SignsWhatVerifiesUnderItsOwnKeyOnly) {
  const SigningKey key = SigningKey::generate();
  const SigningKey other = SigningKey::generate();
  const std::string signature = key.sign("manifest bytes");
  EXPECT_EQ(signature.size(), kSignatureSize);
  EXPECT_EQ(key.public_key().size(), kPublicKeySize);
  EXPECT_TRUE(verify_signature(key.public_key(), "manifest bytes", signature));
  EXPECT_FALSE(verify_signature(other.public_key(), "manifest bytes", signature));
  EXPECT_FALSE(verify_signature(key.public_key(), "manifest byteS", signature));
  EXPECT_NE(key.fingerprint(), other.fingerprint());
  EXPECT_EQ(key.fingerprint(), key_fingerprint(key.public_key()));
}

TEST(SigningKey, IsMadeAtFirstStartPrivateAndTheSameAfterARestart) {
  const auto dir = scratch("restart");
  const auto file = SigningKey::file_in(dir);
  const SigningKey first = SigningKey::load_or_create(file);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "only the origin's user may read the private key";
  const SigningKey again = SigningKey::load_or_create(file);
  EXPECT_EQ(again.fingerprint(), first.fingerprint());
  EXPECT_TRUE(verify_signature(first.public_key(), "m", again.sign("m")));
  EXPECT_EQ(file.filename().string().front(), '.') << "no channel name can start with '.': no clash with a store";
  std::filesystem::remove_all(dir);
}

TEST(SigningKey, AFileThatIsNoKeyIsRefusedNotReplaced) {
  const auto dir = scratch("garbage");
  std::filesystem::create_directories(dir);
  const auto file = SigningKey::file_in(dir);
  std::ofstream(file) << "not a key\n";
  try {
    SigningKey::load_or_create(file);
    ADD_FAILURE() << "accepted a file that holds no key";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
  }
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "not a key") << "an unreadable key must never be overwritten silently";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace shoal::protocol
