// shoal-origin as a process: --help, one clear line and a non-zero exit for
// each kind of bad input, HLS playback to EOS in GStreamer, kill -9 and
// restart keeping the live sequence monotonic, VoD reuse, clean SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "shoal.pb.h"
#include "shoal/protocol/channel_key.hpp"
#include "support.hpp"

namespace shoal::origin::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct Origin {
  Origin(const TempDir& dir, std::vector<std::string> args, const std::string& tag = "origin")
      : out(dir.path / (tag + ".out")), err(dir.path / (tag + ".err")) {
    args.insert(args.begin(), origin_binary());
    process = std::make_unique<Process>(args, out, err);
  }
  fs::path out, err;
  std::unique_ptr<Process> process;
};

// Runs shoal-origin on bad input; returns {exit status, stderr}.
std::pair<int, std::string> refuse(const TempDir& dir, const std::string& input) {
  Origin origin(dir, {"--vod", "x=" + input, "--listen", "127.0.0.1:0", "--data", (dir.path / "data").string()}, "bad");
  const auto status = origin.process->wait_exit(60s);
  EXPECT_TRUE(status.has_value()) << "shoal-origin did not exit on bad input " << input;
  return {status.value_or(0), read_text(origin.err)};
}

TEST(OriginProcess, HelpDescribesEveryOption) {
  TempDir dir;
  Origin origin(dir, {"--help"});
  EXPECT_EQ(origin.process->wait_exit(30s), 0);
  const std::string text = read_text(origin.out);
  for (const char* option :
       {"--vod", "--live", "--loop", "--listen", "--data", "--chunk-duration", "--dvr", "--seed-upload"}) {
    EXPECT_NE(text.find(option), std::string::npos) << option;
  }
}

TEST(OriginProcess, BadArgumentsGetOneLineAndNonZeroExit) {
  TempDir dir;
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {}, {"--vod", "noequals"}, {"--chunk-duration", "5", "--vod", "a=b"}, {"--bogus"}}) {
    Origin origin(dir, args);
    const auto status = origin.process->wait_exit(30s);
    ASSERT_TRUE(status.has_value());
    EXPECT_NE(*status, 0);
    const std::string err = read_text(origin.err);
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  }
}

TEST(OriginProcess, EachBadInputIsRefusedWithItsOwnMessage) {
  TempDir dir;
  const fs::path garbage = dir.path / "garbage.mp4";
  {
    std::ofstream out(garbage, std::ios::binary);
    for (int i = 0; i < 100000; ++i) out.put(static_cast<char>((i * 7919 + 13) % 251));
  }
  const fs::path wav = dir.path / "pcm.wav";
  ASSERT_EQ(run("ffmpeg -v error -y -f lavfi -i sine=d=1 -c:a pcm_s16le " + wav.string() + " </dev/null"), 0);
  const fs::path source = clip_path(Clip::h264_aac_30);
  const fs::path truncated = dir.path / "truncated.mp4";                      // moov at the end: cut off
  const fs::path truncated_faststart = dir.path / "truncated_faststart.mp4";  // moov first, media cut off
  const fs::path faststart = dir.path / "faststart.mp4";
  ASSERT_EQ(run("ffmpeg -v error -y -i " + source.string() + " -c copy -movflags +faststart " + faststart.string() +
                " </dev/null"),
            0);
  fs::copy_file(source, truncated);
  fs::resize_file(truncated, fs::file_size(source) / 2);
  fs::copy_file(faststart, truncated_faststart);
  fs::resize_file(truncated_faststart, fs::file_size(faststart) / 2);

  const std::vector<std::pair<std::string, std::string>> cases = {
      {(dir.path / "missing.mp4").string(), "no such file"},
      {dir.path.string(), "is a directory"},
      {garbage.string(), "not a media file"},
      {wav.string(), "no usable stream"},
      {truncated.string(), "truncated or corrupt"},
      {truncated_faststart.string(), "truncated or corrupt"},
  };
  for (const auto& [input, message] : cases) {
    SCOPED_TRACE(input);
    const auto [status, err] = refuse(dir, input);
    EXPECT_NE(status, 0);
    EXPECT_NE(err.find(message), std::string::npos) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  }
}

TEST(OriginProcess, HlsPlaylistPlaysToEosInGstreamer) {
  TempDir dir;
  Origin origin(dir, {"--vod", "clip=" + clip_path(Clip::h264_2997_bframes).string(), "--listen", "127.0.0.1:0",
                      "--data", (dir.path / "data").string()});
  const std::uint16_t port = wait_listening(origin.out, 60s);
  ASSERT_NE(port, 0) << read_text(origin.err);
  const fs::path log = dir.path / "gst.log";
  const int status = run("timeout 60 gst-launch-1.0 playbin uri=http://127.0.0.1:" + std::to_string(port) +
                         "/c/clip/index.m3u8 video-sink=fakesink audio-sink=fakesink > " + log.string() + " 2>&1");
  const std::string text = read_text(log);
  EXPECT_EQ(status, 0) << text;
  EXPECT_NE(text.find("Got EOS"), std::string::npos) << text;
  EXPECT_EQ(text.find("ERROR"), std::string::npos) << text;
}

std::vector<wire::ChunkInfo> manifest_chunks(std::uint16_t port, const std::string& channel) {
  wire::SignedManifest envelope;
  envelope.ParseFromString(http(port, "GET", "/c/" + channel + "/manifest").body);
  wire::Manifest m;
  m.ParseFromString(envelope.manifest());
  return {m.chunks().begin(), m.chunks().end()};
}

// The signing key's fingerprint as the origin's "listening" line names it.
std::string listening_key(const std::filesystem::path& stdout_file) {
  const std::string text = read_text(stdout_file);
  const auto at = text.find("\"key\":\"");
  return at == std::string::npos ? std::string() : text.substr(at + 7, protocol::kFingerprintLength);
}

std::vector<wire::ChunkInfo> wait_chunks(std::uint16_t port, std::size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  std::vector<wire::ChunkInfo> chunks;
  while (std::chrono::steady_clock::now() < deadline) {
    chunks = manifest_chunks(port, "live");
    if (chunks.size() >= n) break;
    std::this_thread::sleep_for(200ms);
  }
  return chunks;
}

TEST(OriginProcess, KillNineAndRestartKeepsTheLiveSequenceMonotonic) {
  TempDir dir;
  const std::vector<std::string> args = {"--live",
                                         "live=" + clip_path(Clip::h264_aac_30).string(),
                                         "--loop",
                                         "--listen",
                                         "127.0.0.1:0",
                                         "--data",
                                         (dir.path / "data").string()};
  std::uint64_t last_before = 0;
  {
    Origin first(dir, args, "first");
    const std::uint16_t port = wait_listening(first.out, 60s);
    ASSERT_NE(port, 0) << read_text(first.err);
    const auto chunks = wait_chunks(port, 3);
    ASSERT_GE(chunks.size(), 3u) << read_text(first.err);
    first.process->signal(SIGKILL);
    first.process->wait_exit(10s);
    // Whatever was written before the kill counts: read the store's view after.
    last_before = chunks.back().seq();
  }
  Origin second(dir, args, "second");
  const std::uint16_t port = wait_listening(second.out, 60s);
  ASSERT_NE(port, 0) << read_text(second.err);
  const auto before = manifest_chunks(port, "live");
  ASSERT_FALSE(before.empty());
  const std::uint64_t old_edge = before.back().seq();
  EXPECT_GE(old_edge, last_before);
  const auto after = wait_chunks(port, before.size() + 2);
  ASSERT_GE(after.size(), before.size() + 2);
  bool restarted = false;
  for (std::size_t i = 1; i < after.size(); ++i) {
    EXPECT_EQ(after[i].seq(), after[i - 1].seq() + 1) << "numbering has a gap or reuse";
    if (after[i].seq() == old_edge + 1) {
      EXPECT_TRUE(after[i].discontinuity()) << "the first chunk after a restart is a discontinuity";
      restarted = true;
    }
  }
  EXPECT_TRUE(restarted);
  const std::string playlist = http(port, "GET", "/c/live/index.m3u8").body;
  EXPECT_NE(playlist.find("#EXT-X-MEDIA-SEQUENCE:" + std::to_string(after.front().seq()) + "\n"), std::string::npos)
      << playlist;
  EXPECT_NE(playlist.find("#EXT-X-PROGRAM-DATE-TIME:"), std::string::npos);
  EXPECT_NE(playlist.find("#EXT-X-DISCONTINUITY\n"), std::string::npos);
  EXPECT_EQ(playlist.find("#EXT-X-ENDLIST"), std::string::npos);
  // A clean stop on SIGTERM.
  second.process->signal(SIGTERM);
  EXPECT_EQ(second.process->wait_exit(20s), 0);
}

TEST(OriginProcess, VodChunksOnDiskAndTheSigningKeyAreReusedOnRestart) {
  TempDir dir;
  const std::vector<std::string> args = {"--vod",    "v=" + clip_path(Clip::hevc_aac).string(),
                                         "--listen", "127.0.0.1:0",
                                         "--data",   (dir.path / "data").string()};
  std::vector<wire::ChunkInfo> first_chunks;
  std::string first_key;
  {
    Origin first(dir, args, "first");
    const std::uint16_t port = wait_listening(first.out, 60s);
    ASSERT_NE(port, 0);
    first_chunks = manifest_chunks(port, "v");
    first_key = listening_key(first.out);
  }
  Origin second(dir, args, "second");
  const std::uint16_t port = wait_listening(second.out, 60s);
  ASSERT_NE(port, 0);
  EXPECT_NE(read_text(second.err).find("reused from disk"), std::string::npos);
  EXPECT_TRUE(protocol::valid_fingerprint(first_key)) << read_text(second.out);
  EXPECT_EQ(listening_key(second.out), first_key) << "a restarted origin signs with the key its viewers pinned";
  EXPECT_NE(read_text(second.err).find(first_key), std::string::npos) << "the log names the key";
  const auto again = manifest_chunks(port, "v");
  ASSERT_EQ(again.size(), first_chunks.size());
  for (std::size_t i = 0; i < again.size(); ++i) EXPECT_EQ(again[i].sha256(), first_chunks[i].sha256());
}

}  // namespace
}  // namespace shoal::origin::test
