// Shared by the origin suites: test clips made with ffmpeg lavfi (cached per
// test binary run), a subprocess handle that always stops what it started,
// a small Beast HTTP client, and demux/decode probes of TS bytes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace shoal::origin::test {

/// A temp directory removed at destruction.
struct TempDir {
  TempDir();
  ~TempDir();
  std::filesystem::path path;
};

/// The per-run directory clips are cached in.
const std::filesystem::path& clip_dir();
/// Runs `command` through /bin/sh; returns its exit status.
int run(const std::string& command);

enum class Clip { h264_aac_30, hevc_aac, aac_only, h264_2997_bframes };
struct ClipSpec {
  const char* name;
  const char* file;
  std::chrono::microseconds gop;  // keyframe interval (audio-only: one frame)
  bool video;
};
ClipSpec spec(Clip clip);
/// Makes the clip once per run (4 s, 320x240) and returns its path.
std::filesystem::path clip_path(Clip clip);

/// A child process (argv[0] is the program); killed (SIGKILL) and reaped at destruction.
class Process {
 public:
  Process(std::vector<std::string> argv, const std::filesystem::path& stdout_file,
          const std::filesystem::path& stderr_file);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  pid_t pid() const { return pid_; }
  void signal(int sig);
  /// Waits up to `timeout`; returns the exit status (or -signal), or nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

/// Starts shoal-origin with `args` and waits for its "listening" line; returns the port (0 on failure).
std::uint16_t wait_listening(const std::filesystem::path& stdout_file, std::chrono::seconds timeout);
std::string read_text(const std::filesystem::path& path);
const char* origin_binary();

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};
Response http(std::uint16_t port, const std::string& method, const std::string& target, const std::string& body = {},
              const std::map<std::string, std::string>& headers = {});
/// Sends raw bytes and returns whatever comes back before the server closes.
std::string raw_exchange(std::uint16_t port, const std::string& bytes);

struct StreamProbe {
  std::string codec;
  bool video = false;
  std::vector<std::int64_t> pts;  // µs, in packet order
  std::vector<bool> key;
  std::int64_t decoded_frames = 0;
  std::int64_t decode_errors = 0;
};
/// Demuxes (and with `decode`, decodes) the media in `path`; streams by index.
std::vector<StreamProbe> probe(const std::filesystem::path& path, bool decode);

}  // namespace shoal::origin::test
