#include "shoal/origin/ingest.hpp"

#include <sys/stat.h>

#include <chrono>
#include <iostream>

#include "shoal/origin/segmenter.hpp"
#include "shoal/origin/sha256.hpp"

namespace shoal::origin {

namespace {

std::int64_t now_wall_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Segmenter::Sink store_sink(ChunkStore& store) {
  return [&store](SegmentedChunk c) {
    ChunkInfo info;
    info.pts_us = c.pts_us;
    info.duration_us = c.duration_us;
    info.discontinuity = c.discontinuity;
    info.wall_us = now_wall_us();
    store.append(info, std::make_shared<const std::string>(std::move(c.bytes)));
  };
}

}  // namespace

std::string vod_source_id(const std::string& path, std::chrono::microseconds target) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return path + "|" + std::to_string(st.st_size) + "|" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec) + "|" + std::to_string(target.count());
}

std::int64_t ingest_vod(const std::string& url, std::chrono::microseconds target, ChunkStore& store) {
  MediaInput input(url, InputOptions{});
  std::int64_t first_us = -1;
  std::int64_t end_us = 0;
  Segmenter segmenter(target, [&](SegmentedChunk c) {
    if (first_us < 0) first_us = c.pts_us;
    end_us = c.pts_us + c.duration_us;
    store_sink(store)(std::move(c));
  });
  segmenter.begin_input(input, false);
  PacketPtr packet = make_packet();
  for (;;) {
    const int ret = input.read(packet.get());
    if (ret == AVERROR_EOF) break;
    if (ret < 0) {
      throw InputError(url + ": truncated or corrupt input (" + av_error_string(ret) + " after " +
                       std::to_string(segmenter.packets_written()) + " packets)");
    }
    if (packet->flags & AV_PKT_FLAG_CORRUPT) {
      throw InputError(url + ": truncated or corrupt input (damaged packet after " +
                       std::to_string(segmenter.packets_written()) + " packets)");
    }
    segmenter.push(packet.get());
  }
  segmenter.flush();
  if (segmenter.packets_written() == 0) throw InputError(url + ": no media packets (empty or truncated input)");
  return first_us < 0 ? 0 : end_us - first_us;
}

LiveIngest::LiveIngest(LiveConfig config, ChunkStore& store) : config_(std::move(config)), store_(store) {}

LiveIngest::~LiveIngest() { stop(); }

void LiveIngest::start() {
  thread_ = std::thread([this] { run(); });
}

void LiveIngest::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool LiveIngest::sleep_for(std::chrono::steady_clock::duration d) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, d, [this] { return stop_.load(); });
  return !stop_;
}

void LiveIngest::run() {
  using Clock = std::chrono::steady_clock;
  Segmenter segmenter(config_.target, store_sink(store_));
  std::chrono::milliseconds backoff{500};
  bool discontinuity = false;
  // Pacing of file inputs: output time `pace_base_us` is due at `pace_start`.
  bool pacing = false;
  std::int64_t pace_base_us = 0;
  Clock::time_point pace_start;
  while (!stop_) {
    try {
      MediaInput input(config_.url, InputOptions{config_.io_timeout, &stop_});
      ++connects_;
      segmenter.begin_input(input, discontinuity);
      std::cerr << "shoal-origin: live input " << config_.url << " opened\n";
      const bool paced = input.is_file();
      PacketPtr packet = make_packet();
      int ret = 0;
      while (!stop_ && (ret = input.read(packet.get())) >= 0) {
        if (paced) {
          if (auto t = segmenter.output_time_us(*packet)) {
            if (!pacing) {
              pacing = true;
              pace_base_us = *t;
              pace_start = Clock::now();
            }
            const auto due = pace_start + std::chrono::microseconds(*t - pace_base_us);
            if (due > Clock::now() && !sleep_for(due - Clock::now())) break;
          }
        }
        segmenter.push(packet.get());
        backoff = std::chrono::milliseconds(500);
      }
      if (stop_) break;
      if (ret == AVERROR_EOF && paced && config_.loop) {
        discontinuity = false;  // timestamps continue across the loop
        continue;
      }
      std::cerr << "shoal-origin: live input " << config_.url << " "
                << (ret == AVERROR_EOF ? std::string("ended") : "stalled (" + av_error_string(ret) + ")")
                << "; retrying\n";
      segmenter.flush();
    } catch (const std::exception& e) {
      if (stop_) break;
      std::cerr << "shoal-origin: live input: " << e.what() << "; retrying in " << backoff.count() << " ms\n";
    }
    discontinuity = true;
    pacing = false;
    if (!sleep_for(backoff)) break;
    backoff = std::min(backoff * 2, config_.max_backoff);
  }
  segmenter.flush();
}

}  // namespace shoal::origin
