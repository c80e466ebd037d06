// Cuts a packet stream into MPEG-TS chunks. With video, a chunk starts on a
// keyframe and ends at the keyframe nearest the target duration (judged from
// the last keyframe interval); audio-only streams are cut on time. Timestamps
// keep increasing across inputs (loops, reconnects): each new input is
// shifted to start where the previous one ended.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shoal/origin/av_ptr.hpp"
#include "shoal/origin/media_input.hpp"
#include "shoal/origin/ts_chunk_muxer.hpp"

namespace shoal::origin {

struct SegmentedChunk {
  std::int64_t pts_us = 0;
  std::uint32_t duration_us = 0;
  std::string bytes;  // MPEG-TS
  bool discontinuity = false;
};

class Segmenter {
 public:
  using Sink = std::function<void(SegmentedChunk)>;

  Segmenter(std::chrono::microseconds target, Sink sink);
  ~Segmenter();

  /// Reads from `input` from now on; ends the open chunk. `discontinuity`
  /// marks the next chunk (the media does not follow what came before).
  void begin_input(const MediaInput& input, bool discontinuity);
  /// Where `packet` (from the current input) lands on the output timeline, in µs.
  std::optional<std::int64_t> output_time_us(const AVPacket& packet);
  /// Consumes `packet`.
  void push(AVPacket* packet);
  /// Ends the open chunk (end of input, stall).
  void flush();

  /// Packets written into chunks so far, and packets dropped (before the first keyframe, no timestamp).
  std::uint64_t packets_written() const { return written_; }
  std::uint64_t packets_dropped() const { return dropped_; }

 private:
  struct Params;
  void ensure_offset(const AVPacket& packet);
  void open_chunk(std::int64_t start);
  void close_chunk(std::int64_t end, bool last);
  void write(AVPacket* packet);
  static void fix_dts(AVPacket& packet, Params& params);

  std::int64_t target_;  // 90 kHz
  Sink sink_;
  std::vector<std::unique_ptr<Params>> params_;
  std::vector<int> output_of_input_;
  std::vector<AVRational> input_time_base_;
  bool has_video_ = false;
  std::optional<std::int64_t> offset_;  // 90 kHz, added to the current input's timestamps
  std::int64_t end_ = 0;                // end of media written so far, output timeline
  bool any_written_ = false;
  std::unique_ptr<TsChunkMuxer> muxer_;  // spans the chunks of one input
  bool chunk_open_ = false;
  std::int64_t chunk_start_ = 0;
  std::int64_t last_key_ = -1;
  bool next_discontinuity_ = false;
  std::vector<PacketPtr> pending_;  // audio read before the first keyframe of an input
  std::uint64_t written_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace shoal::origin
