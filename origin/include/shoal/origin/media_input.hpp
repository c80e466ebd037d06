// An opened libavformat input with the streams MPEG-TS can carry picked out:
// at most one video stream (H.264/H.265) and one audio stream (AAC, MP3,
// MP2, AC-3). Opening refuses bad input with one clear line (InputError).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "shoal/origin/av_ptr.hpp"

namespace shoal::origin {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct InputOptions {
  /// Longest wait for any single open or read; a network input that stays
  /// silent longer counts as stalled.
  std::chrono::milliseconds io_timeout{10'000};
  /// Set from another thread to abort a blocking open or read.
  const std::atomic<bool>* stop = nullptr;
};

class MediaInput {
 public:
  /// Throws InputError naming what is wrong with `url`.
  MediaInput(const std::string& url, const InputOptions& options);
  ~MediaInput();
  MediaInput(const MediaInput&) = delete;
  MediaInput& operator=(const MediaInput&) = delete;

  AVFormatContext* context() const { return ctx_.get(); }
  /// Input stream indices that go into chunks, video first when present.
  const std::vector<int>& selected() const { return selected_; }
  int video_index() const { return video_index_; }
  const std::string& url() const { return url_; }
  /// True when the input is a local file (paths and file: URLs).
  bool is_file() const { return is_file_; }

  /// av_read_frame with the io timeout armed. 0, AVERROR_EOF or an error.
  int read(AVPacket* packet);

 private:
  struct Interrupt;
  std::string url_;
  bool is_file_ = false;
  std::unique_ptr<Interrupt> interrupt_;
  InputContextPtr ctx_;
  std::vector<int> selected_;
  int video_index_ = -1;
};

/// "h264", "aac"... for messages.
std::string codec_name(AVCodecID id);

}  // namespace shoal::origin
