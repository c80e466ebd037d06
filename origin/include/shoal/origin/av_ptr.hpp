// Owning handles for the FFmpeg objects the origin uses, so every early
// return and exception releases them.
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <memory>
#include <string>

namespace shoal::origin {

struct InputContextDeleter {
  void operator()(AVFormatContext* ctx) const { avformat_close_input(&ctx); }
};
using InputContextPtr = std::unique_ptr<AVFormatContext, InputContextDeleter>;

struct PacketDeleter {
  void operator()(AVPacket* pkt) const { av_packet_free(&pkt); }
};
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;

inline PacketPtr make_packet() { return PacketPtr(av_packet_alloc()); }

/// av_strerror as a string.
std::string av_error_string(int error);

}  // namespace shoal::origin
