#include "shoal/origin/segmenter.hpp"

#include <algorithm>

namespace shoal::origin {

namespace {
// Output timestamps start here rather than at 0: PCR runs ahead of DTS and
// must not go negative, and players expect ffmpeg-like positive times.
constexpr std::int64_t kTimelineStart = 10 * 90000;
constexpr std::size_t kMaxPending = 2000;

std::int64_t to_us(std::int64_t ts90k) { return av_rescale(ts90k, 1000000, 90000); }
}  // namespace

struct Segmenter::Params {
  AVCodecParameters* par = avcodec_parameters_alloc();
  std::int64_t frame_duration = 3000;  // 90 kHz
  int video_delay = 1;                 // frames of B-frame reordering
  std::int64_t last_dts = AV_NOPTS_VALUE;
  ~Params() { avcodec_parameters_free(&par); }
};

Segmenter::Segmenter(std::chrono::microseconds target, Sink sink)
    : target_(av_rescale(target.count(), 90000, 1000000)), sink_(std::move(sink)) {}

Segmenter::~Segmenter() = default;

void Segmenter::begin_input(const MediaInput& input, bool discontinuity) {
  flush();
  AVFormatContext* ctx = input.context();
  params_.clear();
  output_of_input_.assign(ctx->nb_streams, -1);
  input_time_base_.assign(ctx->nb_streams, AVRational{1, 1});
  for (std::size_t out = 0; out < input.selected().size(); ++out) {
    const int in = input.selected()[out];
    output_of_input_[static_cast<std::size_t>(in)] = static_cast<int>(out);
    input_time_base_[static_cast<std::size_t>(in)] = ctx->streams[in]->time_base;
    auto params = std::make_unique<Params>();
    avcodec_parameters_copy(params->par, ctx->streams[in]->codecpar);
    const AVRational rate = ctx->streams[in]->avg_frame_rate;
    params->frame_duration = rate.num > 0 && rate.den > 0 ? av_rescale_q(1, av_inv_q(rate), kTsTimeBase) : 3000;
    params->video_delay = std::max(params->par->video_delay, 1);
    params_.push_back(std::move(params));
  }
  has_video_ = input.video_index() >= 0;
  offset_.reset();
  last_key_ = -1;
  next_discontinuity_ = next_discontinuity_ || discontinuity;
}

void Segmenter::ensure_offset(const AVPacket& packet) {
  if (offset_) return;
  const std::int64_t ts = packet.dts != AV_NOPTS_VALUE ? packet.dts : packet.pts;
  const auto in = static_cast<std::size_t>(packet.stream_index);
  const std::int64_t first = av_rescale_q(ts, input_time_base_[in], kTsTimeBase);
  offset_ = (any_written_ ? end_ : kTimelineStart) - first;
}

std::optional<std::int64_t> Segmenter::output_time_us(const AVPacket& packet) {
  const auto in = static_cast<std::size_t>(packet.stream_index);
  if (in >= output_of_input_.size() || output_of_input_[in] < 0) return std::nullopt;
  const std::int64_t ts = packet.dts != AV_NOPTS_VALUE ? packet.dts : packet.pts;
  if (ts == AV_NOPTS_VALUE) return std::nullopt;
  ensure_offset(packet);
  return to_us(av_rescale_q(ts, input_time_base_[in], kTsTimeBase) + *offset_);
}

void Segmenter::push(AVPacket* packet) {
  PacketPtr owned(av_packet_clone(packet));
  av_packet_unref(packet);
  const auto in = static_cast<std::size_t>(owned->stream_index);
  if (in >= output_of_input_.size() || output_of_input_[in] < 0) return;
  if (owned->pts == AV_NOPTS_VALUE) owned->pts = owned->dts;
  if (owned->pts == AV_NOPTS_VALUE) {
    ++dropped_;
    return;
  }
  ensure_offset(*owned);
  av_packet_rescale_ts(owned.get(), input_time_base_[in], kTsTimeBase);
  owned->stream_index = output_of_input_[in];
  owned->pts += *offset_;
  if (owned->dts != AV_NOPTS_VALUE) owned->dts += *offset_;
  fix_dts(*owned, *params_[static_cast<std::size_t>(owned->stream_index)]);
  owned->pos = -1;

  const std::int64_t pts = owned->pts;
  const bool video = has_video_ && owned->stream_index == 0;
  const bool key = (owned->flags & AV_PKT_FLAG_KEY) != 0;

  if (has_video_) {
    if (!chunk_open_) {
      if (!video) {
        if (pending_.size() >= kMaxPending) {
          pending_.erase(pending_.begin());
          ++dropped_;
        }
        pending_.push_back(std::move(owned));
        return;
      }
      if (!key) {
        ++dropped_;
        return;
      }
      open_chunk(pts);
      for (auto& early : pending_) write(early.get());
      pending_.clear();
    } else if (video && key) {
      const std::int64_t elapsed = pts - chunk_start_;
      const std::int64_t interval = last_key_ >= 0 ? pts - last_key_ : 0;
      // Cut here when this keyframe is at least as close to the target as the
      // next one (expected one interval later) would be.
      if (elapsed > 0 && 2 * elapsed + interval >= 2 * target_) {
        close_chunk(pts, false);
        open_chunk(pts);
      }
    }
    if (video && key) last_key_ = pts;
  } else {
    if (!chunk_open_) {
      open_chunk(pts);
    } else if (pts - chunk_start_ >= target_) {
      close_chunk(pts, false);
      open_chunk(pts);
    }
  }
  write(owned.get());
}

// Some containers (Matroska with B-frames) leave the first DTS unset. MPEG-TS
// needs DTS <= PTS, increasing: guess as ffmpeg does, from the previous DTS
// plus a frame, starting the reorder delay before the first PTS.
void Segmenter::fix_dts(AVPacket& packet, Params& params) {
  if (packet.dts == AV_NOPTS_VALUE) {
    const std::int64_t step = packet.duration > 0 ? packet.duration : params.frame_duration;
    packet.dts =
        params.last_dts != AV_NOPTS_VALUE ? params.last_dts + step : packet.pts - (params.video_delay + 1) * step;
  }
  if (params.last_dts != AV_NOPTS_VALUE && packet.dts <= params.last_dts) packet.dts = params.last_dts + 1;
  if (packet.dts > packet.pts) packet.dts = packet.pts;
  params.last_dts = packet.dts;
}

void Segmenter::write(AVPacket* packet) {
  end_ = std::max(end_, packet->pts + std::max<std::int64_t>(packet->duration, 0));
  any_written_ = true;
  ++written_;
  muxer_->write(packet);
}

void Segmenter::open_chunk(std::int64_t start) {
  if (!muxer_) {
    std::vector<const AVCodecParameters*> pars;
    for (const auto& p : params_) pars.push_back(p->par);
    muxer_ = std::make_unique<TsChunkMuxer>(pars);
  }
  chunk_open_ = true;
  chunk_start_ = start;
}

void Segmenter::close_chunk(std::int64_t end, bool last) {
  SegmentedChunk chunk;
  chunk.pts_us = to_us(chunk_start_);
  chunk.duration_us = static_cast<std::uint32_t>(std::max<std::int64_t>(to_us(end) - to_us(chunk_start_), 0));
  chunk.bytes = last ? muxer_->finish() : muxer_->cut();
  chunk.discontinuity = next_discontinuity_;
  next_discontinuity_ = false;
  chunk_open_ = false;
  if (last) muxer_.reset();
  sink_(std::move(chunk));
}

void Segmenter::flush() {
  dropped_ += pending_.size();
  pending_.clear();
  if (chunk_open_) close_chunk(end_, true);
  muxer_.reset();
}

}  // namespace shoal::origin
