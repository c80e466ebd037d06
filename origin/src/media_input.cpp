#include "shoal/origin/media_input.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace shoal::origin {

struct MediaInput::Interrupt {
  std::chrono::steady_clock::time_point deadline;
  const std::atomic<bool>* stop = nullptr;
  std::chrono::milliseconds timeout{};
  void arm() { deadline = std::chrono::steady_clock::now() + timeout; }
  static int callback(void* opaque) {
    auto* self = static_cast<Interrupt*>(opaque);
    if (self->stop && self->stop->load()) return 1;
    return std::chrono::steady_clock::now() > self->deadline ? 1 : 0;
  }
};

std::string codec_name(AVCodecID id) { return avcodec_get_name(id); }

namespace {

bool is_video_codec(AVCodecID id) { return id == AV_CODEC_ID_H264 || id == AV_CODEC_ID_HEVC; }
bool is_audio_codec(AVCodecID id) {
  return id == AV_CODEC_ID_AAC || id == AV_CODEC_ID_MP3 || id == AV_CODEC_ID_MP2 || id == AV_CODEC_ID_AC3;
}

std::string local_path(const std::string& url, bool& is_file) {
  if (url.rfind("file:", 0) == 0) {
    is_file = true;
    return url.substr(5);
  }
  is_file = url.find("://") == std::string::npos;
  return is_file ? url : std::string();
}

// Checks a local file before libavformat sees it, so each problem gets its own message.
void check_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw InputError(path + ": " + (errno == ENOENT ? std::string("no such file") : std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) throw InputError(path + ": is a directory, not a media file");
  if (::access(path.c_str(), R_OK) != 0) throw InputError(path + ": not readable (" + std::strerror(errno) + ")");
  if (st.st_size == 0) throw InputError(path + ": empty file");
}

}  // namespace

MediaInput::MediaInput(const std::string& url, const InputOptions& options)
    : url_(url), interrupt_(std::make_unique<Interrupt>()) {
  const std::string path = local_path(url, is_file_);
  if (is_file_) check_file(path);
  interrupt_->stop = options.stop;
  interrupt_->timeout = options.io_timeout;

  const AVInputFormat* format = nullptr;
  if (is_file_) {
    // Probe ourselves: garbage (no format recognised) and a damaged file of a
    // known format deserve different messages.
    AVIOContext* probe_io = nullptr;
    if (avio_open(&probe_io, path.c_str(), AVIO_FLAG_READ) < 0) throw InputError(path + ": cannot open");
    // By content only (no file name): an extension must not vouch for garbage.
    const int probed = av_probe_input_buffer2(probe_io, &format, nullptr, nullptr, 0, 0);
    avio_closep(&probe_io);
    if (probed < AVPROBE_SCORE_RETRY || format == nullptr) {
      throw InputError(path + ": not a media file (no container format recognised)");
    }
  }

  AVFormatContext* raw = avformat_alloc_context();
  if (raw == nullptr) throw std::bad_alloc();
  raw->interrupt_callback.callback = &Interrupt::callback;
  raw->interrupt_callback.opaque = interrupt_.get();
  AVDictionary* dict = nullptr;
  if (url.rfind("udp://", 0) == 0) {
    // A burst from the sender must not kill the input; a large FIFO absorbs it.
    av_dict_set(&dict, "overrun_nonfatal", "1", 0);
    av_dict_set(&dict, "fifo_size", "278876", 0);
  }
  if (url.rfind("rtmp://", 0) == 0) av_dict_set(&dict, "listen", "1", 0);
  interrupt_->arm();
  const int opened = avformat_open_input(&raw, is_file_ ? path.c_str() : url.c_str(), format, &dict);
  av_dict_free(&dict);
  if (opened < 0) {
    // avformat_open_input frees the context on failure.
    if (options.stop && options.stop->load()) throw InputError(url + ": stopped");
    if (is_file_) {
      throw InputError(path + ": truncated or corrupt " + format->name + " file (" + av_error_string(opened) + ")");
    }
    throw InputError(url + ": cannot open (" + av_error_string(opened) + ")");
  }
  ctx_.reset(raw);
  interrupt_->arm();
  const int info = avformat_find_stream_info(raw, nullptr);
  if (info < 0) {
    throw InputError(url + ": truncated or corrupt input, no stream information (" + av_error_string(info) + ")");
  }

  int audio_index = -1;
  std::string found;
  for (unsigned i = 0; i < raw->nb_streams; ++i) {
    const AVCodecParameters* par = raw->streams[i]->codecpar;
    if (!found.empty()) found += ", ";
    found += codec_name(par->codec_id);
    raw->streams[i]->discard = AVDISCARD_ALL;
    if (par->codec_type == AVMEDIA_TYPE_VIDEO && video_index_ < 0 && is_video_codec(par->codec_id) &&
        !(raw->streams[i]->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
      video_index_ = static_cast<int>(i);
    }
    if (par->codec_type == AVMEDIA_TYPE_AUDIO && audio_index < 0 && is_audio_codec(par->codec_id)) {
      audio_index = static_cast<int>(i);
    }
  }
  if (video_index_ < 0 && audio_index < 0) {
    throw InputError(url + ": no usable stream (need H.264/H.265 video or AAC/MP3/AC-3 audio; found: " +
                     (found.empty() ? std::string("nothing") : found) + ")");
  }
  if (video_index_ >= 0) selected_.push_back(video_index_);
  if (audio_index >= 0) selected_.push_back(audio_index);
  for (int index : selected_) raw->streams[index]->discard = AVDISCARD_DEFAULT;
}

MediaInput::~MediaInput() = default;

int MediaInput::read(AVPacket* packet) {
  interrupt_->arm();
  return av_read_frame(ctx_.get(), packet);
}

}  // namespace shoal::origin
