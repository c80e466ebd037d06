#include "shoal/origin/ts_chunk_muxer.hpp"

#include <stdexcept>

extern "C" {
#include <libavutil/opt.h>
}

namespace shoal::origin {

namespace {
constexpr int kIoBufferSize = 64 * 1024;
}

int TsChunkMuxer::on_write(void* opaque, uint8_t* data, int size) {
  static_cast<TsChunkMuxer*>(opaque)->bytes_.append(reinterpret_cast<const char*>(data),
                                                    static_cast<std::size_t>(size));
  return size;
}

TsChunkMuxer::TsChunkMuxer(const std::vector<const AVCodecParameters*>& streams) {
  if (avformat_alloc_output_context2(&ctx_, nullptr, "mpegts", nullptr) < 0 || ctx_ == nullptr) {
    throw std::runtime_error("cannot create the MPEG-TS muxer");
  }
  auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBufferSize));
  ctx_->pb = avio_alloc_context(buffer, kIoBufferSize, 1, this, nullptr, &TsChunkMuxer::on_write, nullptr);
  if (ctx_->pb == nullptr) {
    av_free(buffer);
    avformat_free_context(ctx_);
    throw std::bad_alloc();
  }
  ctx_->flags |= AVFMT_FLAG_CUSTOM_IO;
  for (const AVCodecParameters* par : streams) {
    AVStream* out = avformat_new_stream(ctx_, nullptr);
    if (out == nullptr || avcodec_parameters_copy(out->codecpar, par) < 0) {
      release();
      throw std::runtime_error("cannot add a stream to the MPEG-TS muxer");
    }
    out->codecpar->codec_tag = 0;  // MP4 tags (avc1, mp4a) mean nothing in TS
    out->time_base = kTsTimeBase;
  }
  AVDictionary* options = nullptr;
  // Keep the input's timeline: chunk N+1 continues chunk N's timestamps.
  av_dict_set(&options, "mpegts_copyts", "1", 0);
  const int header = avformat_write_header(ctx_, &options);
  av_dict_free(&options);
  if (header < 0) {
    release();
    throw std::runtime_error("MPEG-TS muxer refused the streams: " + av_error_string(header));
  }
}

TsChunkMuxer::~TsChunkMuxer() { release(); }

void TsChunkMuxer::release() {
  if (ctx_ == nullptr) return;
  if (ctx_->pb != nullptr) {
    av_freep(&ctx_->pb->buffer);
    avio_context_free(&ctx_->pb);
  }
  avformat_free_context(ctx_);
  ctx_ = nullptr;
}

void TsChunkMuxer::write(AVPacket* packet) {
  AVStream* st = ctx_->streams[packet->stream_index];
  av_packet_rescale_ts(packet, kTsTimeBase, st->time_base);
  const int ret = av_write_frame(ctx_, packet);
  av_packet_unref(packet);
  if (ret < 0) throw std::runtime_error("MPEG-TS muxer: " + av_error_string(ret));
}

std::string TsChunkMuxer::cut() {
  av_write_frame(ctx_, nullptr);  // flush the muxer's queued audio PES
  avio_flush(ctx_->pb);
  // Tables first in the next chunk (as ffmpeg's HLS muxer does).
  av_opt_set(ctx_->priv_data, "mpegts_flags", "+resend_headers", 0);
  std::string out = std::move(bytes_);
  bytes_.clear();
  return out;
}

std::string TsChunkMuxer::finish() {
  if (!finished_) {
    finished_ = true;
    av_write_frame(ctx_, nullptr);  // flush the muxer's queued audio PES
    const int ret = av_write_trailer(ctx_);
    avio_flush(ctx_->pb);
    if (ret < 0) throw std::runtime_error("MPEG-TS muxer trailer: " + av_error_string(ret));
  }
  return std::move(bytes_);
}

}  // namespace shoal::origin
