// Muxes one chunk into MPEG-TS in memory with libavformat's mpegts muxer. A
// fresh muxer per chunk is what makes each chunk start with PAT/PMT and
// decode alone; the muxer itself adds the Annex B / ADTS conversions that
// MP4-style input needs (h264_mp4toannexb, hevc_mp4toannexb, ADTS headers).
#pragma once

#include <string>
#include <vector>

#include "shoal/origin/av_ptr.hpp"

namespace shoal::origin {

/// Timestamps handed to TsChunkMuxer::write are in this time base.
inline constexpr AVRational kTsTimeBase{1, 90000};

class TsChunkMuxer {
 public:
  /// One output stream per entry, in that order. Throws std::runtime_error.
  explicit TsChunkMuxer(const std::vector<const AVCodecParameters*>& streams);
  ~TsChunkMuxer();
  TsChunkMuxer(const TsChunkMuxer&) = delete;
  TsChunkMuxer& operator=(const TsChunkMuxer&) = delete;

  /// `packet` has the output stream index and 90 kHz timestamps; it is consumed.
  void write(AVPacket* packet);
  /// Writes the trailer and hands over the chunk's bytes.
  std::string finish();

 private:
  void release();
  static int on_write(void* opaque, uint8_t* data, int size);

  AVFormatContext* ctx_ = nullptr;
  std::string bytes_;
  bool finished_ = false;
};

}  // namespace shoal::origin
