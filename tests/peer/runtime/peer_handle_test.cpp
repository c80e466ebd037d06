// PeerHandle against a fake origin: a VoD channel plays to its end with the
// origin's bytes; a missing channel and a dead origin end in on_error.
#include "shoal/peer/runtime/peer_handle.hpp"

#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "fake_origin.hpp"
#include "shoal.pb.h"
#include "shoal/protocol/frame_codec.hpp"
#include "signed_manifest.hpp"

namespace shoal::peer {
namespace {

using test::FakeOrigin;
using test::FakeReply;

std::string sha256(const std::string& data) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

struct VodChannel {
  std::vector<std::string> chunks;
  std::string manifest;
  protocol::SigningKey key = protocol::SigningKey::generate();
  explicit VodChannel(int count, std::optional<protocol::SigningKey> signer = std::nullopt) {
    wire::Manifest m;
    m.set_channel("vod");
    m.set_target_duration_ms(500);
    m.set_ended(true);
    m.set_live_edge(static_cast<std::uint64_t>(count - 1));
    for (int i = 0; i < count; ++i) {
      chunks.push_back(std::string(20'000 + i, static_cast<char>('A' + i)));
      auto* c = m.add_chunks();
      c->set_seq(static_cast<std::uint64_t>(i));
      c->set_pts_us(i * 500'000);
      c->set_duration_us(500'000);
      c->set_size(chunks.back().size());
      c->set_sha256(sha256(chunks.back()));
    }
    manifest = test::signed_manifest(m, signer.value_or(key));
  }
  FakeReply serve(const std::string& method, const std::string& target) const {
    if (target == "/c/vod/manifest") return FakeReply::ok(manifest);
    if (method == "POST") return FakeReply::ok(wire::AnnounceReply().SerializeAsString());
    for (std::size_t i = 0; i < chunks.size(); ++i)
      if (target == "/c/vod/chunk/" + std::to_string(i) + ".ts") return FakeReply::ok(chunks[i]);
    return FakeReply::status_of(404);
  }
};

struct Outcome {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::pair<Seq, std::string>> chunks;
  bool ended = false;
  bool channel_announced = false;
  std::string error;
  std::optional<ErrorCode> code;

  PeerCallbacks callbacks() {
    PeerCallbacks cb;
    cb.on_chunk = [this](const ChunkMeta& meta, const protocol::ChunkPayload& payload) {
      std::lock_guard lock(mutex);
      chunks.emplace_back(meta.seq, payload ? *payload : std::string());
    };
    cb.on_channel = [this] {
      std::lock_guard lock(mutex);
      channel_announced = true;
    };
    cb.on_end = [this] {
      std::lock_guard lock(mutex);
      ended = true;
      cv.notify_all();
    };
    cb.on_error = [this](ErrorCode error_code, const std::string& message) {
      std::lock_guard lock(mutex);
      error = message;
      code = error_code;
      cv.notify_all();
    };
    return cb;
  }
  bool wait(std::chrono::seconds limit) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, limit, [&] { return ended || !error.empty(); });
  }
};

PeerOptions options_for(std::uint16_t port, const std::string& channel) {
  PeerOptions options;
  options.uri = ChannelUri{"127.0.0.1", port, channel, {}, {}};
  options.listen_host = "127.0.0.1";
  options.core.buffer_target = std::chrono::milliseconds(500);
  return options;
}

TEST(PeerHandle, PlaysAVodChannelToItsEndAndReports) {
  VodChannel channel(4);
  FakeOrigin origin([&](const std::string& method, const std::string& target, const std::string&) {
    return channel.serve(method, target);
  });
  Outcome outcome;
  auto handle = PeerHandle::start(options_for(origin.port(), "vod"), outcome.callbacks());
  ASSERT_TRUE(outcome.wait(std::chrono::seconds(20)));
  EXPECT_EQ(outcome.error, "");
  EXPECT_TRUE(outcome.ended);
  auto info = handle->channel();
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->live);
  EXPECT_EQ(info->chunks.size(), 4u);
  EXPECT_TRUE(outcome.channel_announced) << "on_channel tells embedders the manifest is there";
  handle->stop();
  handle->stop();  // idempotent
  auto stats = handle->stats();
  EXPECT_EQ(stats.bytes_from_origin, 20'000u * 4 + 6);
  EXPECT_EQ(stats.hash_failures, 0u);
  ASSERT_EQ(outcome.chunks.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(outcome.chunks[i].first, i);
    EXPECT_EQ(outcome.chunks[i].second, channel.chunks[i]);
  }
  auto targets = origin.targets();
  EXPECT_NE(std::find(targets.begin(), targets.end(), "POST /c/vod/report"), targets.end());
}

TEST(PeerHandle, SendsBackTheTrackersSecretSoItsEntryStaysItsOwn) {
  // Issue 16: the tracker lets only the holder of an entry's secret change or remove it; a viewer that did
  // not send it back would fall out of the tracker while it watches.
  VodChannel channel(4);
  std::mutex mutex;
  std::vector<wire::AnnounceRequest> announces;
  FakeOrigin origin([&](const std::string& method, const std::string& target, const std::string& body) {
    if (target != "/c/vod/announce") return channel.serve(method, target);
    wire::AnnounceRequest request;
    EXPECT_TRUE(request.ParseFromString(body));
    std::lock_guard lock(mutex);
    announces.push_back(request);
    wire::AnnounceReply reply;
    if (announces.size() == 1) reply.set_secret("s3cret");
    return FakeReply::ok(reply.SerializeAsString());
  });
  Outcome outcome;
  auto handle = PeerHandle::start(options_for(origin.port(), "vod"), outcome.callbacks());
  ASSERT_TRUE(outcome.wait(std::chrono::seconds(20)));
  handle->stop();
  std::lock_guard lock(mutex);
  ASSERT_GE(announces.size(), 2u);
  EXPECT_EQ(announces.front().event(), wire::AnnounceRequest::STARTED);
  EXPECT_EQ(announces.front().secret(), "");
  EXPECT_EQ(announces.back().event(), wire::AnnounceRequest::STOPPED);
  for (std::size_t i = 1; i < announces.size(); ++i) EXPECT_EQ(announces[i].secret(), "s3cret") << "announce " << i;
}

TEST(PeerHandle, AStrangerSpeakingAnotherVersionDropsOnlyItsConnection) {
  // Issue 16: such a frame on a fresh viewer's first connection used to end the whole session.
  std::uint16_t listen_port = 0;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    listen_port = probe.local_endpoint().port();
  }
  VodChannel channel(4);
  FakeOrigin origin([&](const std::string& method, const std::string& target, const std::string&) {
    return channel.serve(method, target);
  });
  Outcome outcome;
  auto options = options_for(origin.port(), "vod");
  options.core.listen_port = listen_port;
  auto handle = PeerHandle::start(options, outcome.callbacks());
  for (int i = 0; i < 200 && !handle->channel(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(handle->channel()) << "the manifest never arrived";
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket stranger(io);
  stranger.connect({boost::asio::ip::make_address("127.0.0.1"), listen_port});
  boost::asio::write(
      stranger,
      boost::asio::buffer(protocol::encode_frame(protocol::Handshake{protocol::kProtocolVersion + 1, "s", "p", 1})));
  // The viewer closes that connection: the read ends.
  char byte = 0;
  boost::system::error_code ec;
  while (!ec) stranger.read_some(boost::asio::buffer(&byte, 1), ec);
  ASSERT_TRUE(outcome.wait(std::chrono::seconds(20)));
  EXPECT_EQ(outcome.error, "");
  EXPECT_TRUE(outcome.ended);
  handle->stop();
}

TEST(PeerHandle, MissingChannelIsAnError) {
  FakeOrigin origin(
      [](const std::string&, const std::string&, const std::string&) { return FakeReply::status_of(404); });
  Outcome outcome;
  auto handle = PeerHandle::start(options_for(origin.port(), "nope"), outcome.callbacks());
  ASSERT_TRUE(outcome.wait(std::chrono::seconds(10)));
  EXPECT_EQ(outcome.code, ErrorCode::channel_not_found) << outcome.error;
  EXPECT_NE(outcome.error.find("channel not found"), std::string::npos) << outcome.error;
  handle->stop();
}

TEST(PeerHandle, DeadOriginIsAnErrorWithinSeconds) {
  std::uint16_t port;
  {
    FakeOrigin gone([](const std::string&, const std::string&, const std::string&) { return FakeReply{}; });
    port = gone.port();
  }
  Outcome outcome;
  auto started = std::chrono::steady_clock::now();
  auto handle = PeerHandle::start(options_for(port, "tv"), outcome.callbacks());
  ASSERT_TRUE(outcome.wait(std::chrono::seconds(10)));
  EXPECT_EQ(outcome.code, ErrorCode::origin_unreachable) << outcome.error;
  EXPECT_NE(outcome.error.find("origin unreachable"), std::string::npos) << outcome.error;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  handle->stop();
}

TEST(PeerHandle, AnOriginThatKeepsFailingTheManifestIsOriginError) {
  FakeOrigin origin(
      [](const std::string&, const std::string&, const std::string&) { return FakeReply::status_of(500); });
  Outcome outcome;
  auto handle = PeerHandle::start(options_for(origin.port(), "tv"), outcome.callbacks());
  ASSERT_TRUE(outcome.wait(std::chrono::seconds(10)));
  EXPECT_EQ(outcome.code, ErrorCode::origin_error) << outcome.error;
  EXPECT_NE(outcome.error.find("HTTP 500"), std::string::npos) << outcome.error;
  handle->stop();
}

TEST(PeerHandle, AManifestThatDoesNotParseIsBadManifest) {
  wire::Manifest manifest;
  manifest.set_channel("tv");
  auto* chunk = manifest.add_chunks();
  chunk->set_seq(0);
  chunk->set_sha256("short");  // a digest must be 32 bytes
  const std::string body = test::signed_manifest(manifest, protocol::SigningKey::generate());
  FakeOrigin origin([&](const std::string&, const std::string&, const std::string&) { return FakeReply::ok(body); });
  Outcome outcome;
  auto handle = PeerHandle::start(options_for(origin.port(), "tv"), outcome.callbacks());
  ASSERT_TRUE(outcome.wait(std::chrono::seconds(10)));
  EXPECT_EQ(outcome.code, ErrorCode::bad_manifest) << outcome.error;
  handle->stop();
}

TEST(PeerHandle, AnUnsignedManifestIsUntrustedManifest) {
  wire::Manifest manifest;
  manifest.set_channel("tv");
  const std::string body = manifest.SerializeAsString();
  FakeOrigin origin([&](const std::string&, const std::string&, const std::string&) { return FakeReply::ok(body); });
  Outcome outcome;
  auto handle = PeerHandle::start(options_for(origin.port(), "tv"), outcome.callbacks());
  ASSERT_TRUE(outcome.wait(std::chrono::seconds(10)));
  EXPECT_EQ(outcome.code, ErrorCode::untrusted_manifest) << outcome.error;
  EXPECT_NE(outcome.error.find("unsigned"), std::string::npos) << outcome.error;
  EXPECT_FALSE(handle->channel()) << "nothing of a refused manifest is used";
  handle->stop();
}

TEST(PeerHandle, AManifestSignedByAnotherKeyThanTheUrisIsKeyMismatchAndPlaysNothing) {
  const protocol::SigningKey forger = protocol::SigningKey::generate();
  VodChannel channel(2, forger);
  FakeOrigin origin([&](const std::string& method, const std::string& target, const std::string&) {
    return channel.serve(method, target);
  });
  Outcome outcome;
  auto options = options_for(origin.port(), "vod");
  options.uri.key = channel.key.fingerprint();  // the origin's real key, as its operator published it
  auto handle = PeerHandle::start(options, outcome.callbacks());
  ASSERT_TRUE(outcome.wait(std::chrono::seconds(10)));
  EXPECT_EQ(outcome.code, ErrorCode::key_mismatch) << outcome.error;
  EXPECT_NE(outcome.error.find(forger.fingerprint()), std::string::npos) << outcome.error;
  handle->stop();
  EXPECT_TRUE(outcome.chunks.empty());
}

TEST(PeerHandle, ATakenListenPortIsListenFailed) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor taken(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  FakeOrigin origin([](const std::string&, const std::string&, const std::string&) { return FakeReply::silent(); });
  Outcome outcome;
  auto options = options_for(origin.port(), "tv");
  options.core.listen_port = taken.local_endpoint().port();
  auto handle = PeerHandle::start(options, outcome.callbacks());
  ASSERT_TRUE(outcome.wait(std::chrono::seconds(10)));
  EXPECT_EQ(outcome.code, ErrorCode::listen_failed) << outcome.error;
  handle->stop();
}

TEST(PeerHandle, StopBeforeJoinCompletesIsClean) {
  FakeOrigin origin([](const std::string&, const std::string&, const std::string&) { return FakeReply::silent(); });
  Outcome outcome;
  auto handle = PeerHandle::start(options_for(origin.port(), "tv"), outcome.callbacks());
  handle->stop();
  EXPECT_TRUE(outcome.error.empty());
}

}  // namespace
}  // namespace shoal::peer
