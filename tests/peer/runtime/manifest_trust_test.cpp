// Signed channels from the viewer's side: what ManifestTrust accepts (a manifest signed by the channel's key)
// and each thing it refuses before any hash is used: unsigned, altered, signed by another key, replayed (older,
// or another channel's), and a key other than the one the URI or the known-channels file pins.
#include "shoal/peer/runtime/manifest_trust.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "signed_manifest.hpp"

namespace shoal::peer {
namespace {

using protocol::ErrorCode;
using protocol::SigningKey;
using test::signed_manifest;

protocol::ChannelUri tv_uri(std::optional<std::string> key = std::nullopt) {
  return protocol::ChannelUri{"127.0.0.1", 8080, "tv", std::nullopt, std::move(key)};
}

wire::Manifest tv_manifest(std::uint64_t issued_at_ms, const std::string& hash = std::string(32, 'h')) {
  wire::Manifest m;
  m.set_channel("tv");
  m.set_live(true);
  m.set_target_duration_ms(1000);
  m.set_issued_at_ms(issued_at_ms);
  auto* c = m.add_chunks();
  c->set_seq(7);
  c->set_duration_us(1'000'000);
  c->set_size(1000);
  c->set_sha256(hash);
  return m;
}

std::string known_file(const std::string& name) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("shoal-known-" + std::to_string(::getpid()) + "-" + name) / "known_channels";
  std::filesystem::remove_all(path.parent_path());
  return path.string();
}

TEST(ManifestTrust, AcceptsAManifestSignedByTheChannelsKeyAndPinsThatKey) {
  const SigningKey origin = SigningKey::generate();
  ManifestTrust trust(tv_uri(), KnownChannels(""));
  const auto verdict = trust.check(signed_manifest(tv_manifest(1000), origin));
  ASSERT_TRUE(verdict.manifest) << verdict.problem;
  EXPECT_EQ(verdict.manifest->snapshot.chunks.at(0).sha256, std::string(32, 'h'));
  EXPECT_EQ(trust.pinned(), origin.fingerprint());
}

TEST(ManifestTrust, RefusesAnUnsignedManifest) {
  ManifestTrust trust(tv_uri(), KnownChannels(""));
  const auto verdict = trust.check(tv_manifest(1000).SerializeAsString());
  EXPECT_FALSE(verdict.manifest);
  EXPECT_EQ(verdict.code, ErrorCode::untrusted_manifest);
  EXPECT_NE(verdict.problem.find("unsigned"), std::string::npos) << verdict.problem;
  EXPECT_EQ(trust.pinned(), "") << "nothing refused is pinned";
}

TEST(ManifestTrust, RefusesAManifestWhoseBytesWereAlteredAfterSigning) {
  const SigningKey origin = SigningKey::generate();
  wire::SignedManifest envelope;
  ASSERT_TRUE(envelope.ParseFromString(signed_manifest(tv_manifest(1000), origin)));
  // The attacker's hash in place of the origin's, under the origin's key and signature.
  envelope.set_manifest(tv_manifest(1000, std::string(32, 'X')).SerializeAsString());
  ManifestTrust trust(tv_uri(), KnownChannels(""));
  const auto verdict = trust.check(envelope.SerializeAsString());
  EXPECT_FALSE(verdict.manifest);
  EXPECT_EQ(verdict.code, ErrorCode::untrusted_manifest);
  EXPECT_NE(verdict.problem.find("signature does not verify"), std::string::npos) << verdict.problem;
}

TEST(ManifestTrust, RefusesAnotherKeyOnceTheChannelsKeyIsKnown) {
  const SigningKey origin = SigningKey::generate();
  const SigningKey forger = SigningKey::generate();
  ManifestTrust trust(tv_uri(), KnownChannels(""));
  ASSERT_TRUE(trust.check(signed_manifest(tv_manifest(1000), origin)).manifest);
  const auto verdict = trust.check(signed_manifest(tv_manifest(2000, std::string(32, 'X')), forger));
  EXPECT_FALSE(verdict.manifest);
  EXPECT_EQ(verdict.code, ErrorCode::key_mismatch);
  EXPECT_NE(verdict.problem.find(forger.fingerprint()), std::string::npos) << verdict.problem;
  EXPECT_NE(verdict.problem.find(origin.fingerprint()), std::string::npos) << verdict.problem;
  EXPECT_TRUE(trust.check(signed_manifest(tv_manifest(3000), origin)).manifest) << "the origin is still believed";
}

TEST(ManifestTrust, TheUrisKeyPinsTheFirstManifestToo) {
  const SigningKey origin = SigningKey::generate();
  const SigningKey forger = SigningKey::generate();
  ManifestTrust pinned(tv_uri(origin.fingerprint()), KnownChannels(""));
  const auto verdict = pinned.check(signed_manifest(tv_manifest(1000), forger));
  EXPECT_EQ(verdict.code, ErrorCode::key_mismatch);
  EXPECT_NE(verdict.problem.find("URI"), std::string::npos) << verdict.problem;
  EXPECT_TRUE(pinned.check(signed_manifest(tv_manifest(1000), origin)).manifest);
}

TEST(ManifestTrust, RefusesAManifestOlderThanOneAlreadyAccepted) {
  const SigningKey origin = SigningKey::generate();
  ManifestTrust trust(tv_uri(), KnownChannels(""));
  const std::string old_poll = signed_manifest(tv_manifest(1000), origin);
  ASSERT_TRUE(trust.check(old_poll).manifest);
  ASSERT_TRUE(trust.check(signed_manifest(tv_manifest(2000), origin)).manifest);
  const auto replay = trust.check(old_poll);
  EXPECT_FALSE(replay.manifest);
  EXPECT_EQ(replay.code, ErrorCode::untrusted_manifest);
  EXPECT_NE(replay.problem.find("replay"), std::string::npos) << replay.problem;
  EXPECT_TRUE(trust.check(signed_manifest(tv_manifest(2000), origin)).manifest) << "the same time is no replay";
}

TEST(ManifestTrust, RefusesAManifestSignedForAnotherChannel) {
  const SigningKey origin = SigningKey::generate();
  wire::Manifest radio = tv_manifest(1000);
  radio.set_channel("radio");
  ManifestTrust trust(tv_uri(), KnownChannels(""));
  const auto verdict = trust.check(signed_manifest(radio, origin));
  EXPECT_FALSE(verdict.manifest);
  EXPECT_NE(verdict.problem.find("'radio'"), std::string::npos) << verdict.problem;
}

TEST(ManifestTrust, RemembersAChannelsKeyAcrossSessions) {
  const std::string file = known_file("tofu");
  const SigningKey origin = SigningKey::generate();
  const SigningKey forger = SigningKey::generate();
  {
    ManifestTrust first_session(tv_uri(), KnownChannels(file));
    const auto verdict = first_session.check(signed_manifest(tv_manifest(1000), origin));
    ASSERT_TRUE(verdict.manifest);
    EXPECT_NE(verdict.note.find("remembered"), std::string::npos) << verdict.note;
  }
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "127.0.0.1:8080/tv " + origin.fingerprint());
  ManifestTrust next_session(tv_uri(), KnownChannels(file));
  const auto forged = next_session.check(signed_manifest(tv_manifest(5000), forger));
  EXPECT_EQ(forged.code, ErrorCode::key_mismatch) << "a forger's key on the first manifest of a later session";
  EXPECT_NE(forged.problem.find(file), std::string::npos) << forged.problem;
  EXPECT_TRUE(next_session.check(signed_manifest(tv_manifest(5000), origin)).manifest);
  std::filesystem::remove_all(std::filesystem::path(file).parent_path());
}

TEST(ManifestTrust, AKeyTheUriNamesReplacesTheRememberedOne) {
  const std::string file = known_file("rotate");
  const SigningKey old_key = SigningKey::generate();
  const SigningKey new_key = SigningKey::generate();
  KnownChannels(file).remember("127.0.0.1:8080/tv", old_key.fingerprint());
  KnownChannels(file).remember("127.0.0.1:9/other", old_key.fingerprint());
  ManifestTrust trust(tv_uri(new_key.fingerprint()), KnownChannels(file));
  ASSERT_TRUE(trust.check(signed_manifest(tv_manifest(1000), new_key)).manifest);
  EXPECT_EQ(KnownChannels(file).lookup("127.0.0.1:8080/tv"), new_key.fingerprint());
  EXPECT_EQ(KnownChannels(file).lookup("127.0.0.1:9/other"), old_key.fingerprint()) << "other lines are kept";
  std::filesystem::remove_all(std::filesystem::path(file).parent_path());
}

TEST(KnownChannels, TheDefaultFileFollowsTheEnvironment) {
  ::setenv("SHOAL_KNOWN_CHANNELS", "off", 1);
  EXPECT_EQ(default_known_channels_file(), "");
  ::setenv("SHOAL_KNOWN_CHANNELS", "/x/known", 1);
  EXPECT_EQ(default_known_channels_file(), "/x/known");
  ::unsetenv("SHOAL_KNOWN_CHANNELS");
  ::setenv("XDG_STATE_HOME", "/state", 1);
  EXPECT_EQ(default_known_channels_file(), "/state/shoal/known_channels");
  ::unsetenv("XDG_STATE_HOME");
  ::setenv("HOME", "/home/v", 1);
  EXPECT_EQ(default_known_channels_file(), "/home/v/.local/state/shoal/known_channels");
  EXPECT_EQ(channel_address(protocol::ChannelUri{"::1", 9, "tv", std::nullopt, std::nullopt}), "[::1]:9/tv");
}

}  // namespace
}  // namespace shoal::peer
