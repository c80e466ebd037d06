// Muxes a stream into MPEG-TS in memory with libavformat's mpegts muxer and
// hands it over chunk by chunk. One muxer spans many chunks so continuity
// counters run on across chunk boundaries (the concatenation is one clean
// TS); at each cut the muxer flushes its queued PES and re-emits PAT/PMT, so
// each chunk still starts with the tables. The muxer itself adds the Annex B
// / ADTS conversions MP4-style input needs (h264_mp4toannexb, hevc_mp4toannexb).
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
  /// Ends the current chunk: flushes queued PES and returns the bytes since
  /// the previous cut. The next chunk starts with PAT/PMT.
  std::string cut();
  /// Writes the trailer and returns the last chunk's bytes.
  std::string finish();

 private:
  void release();
  static int on_write(void* opaque, uint8_t* data, int size);

  AVFormatContext* ctx_ = nullptr;
  std::string bytes_;
  bool finished_ = false;
};

}  // namespace shoal::origin
