// Segmenting speed: a 5 Mbit/s H.264 + AAC file through shoal's segmenter
// (remux, SHA-256, atomic chunk files) versus `ffmpeg -c copy -f hls` on the
// same file in the same run. Prints one JSON line.
// Run: build/tests/bench/origin/bench_origin_segment [SECONDS_OF_MEDIA]
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "shoal/origin/chunk_store.hpp"
#include "shoal/origin/ingest.hpp"
#include "shoal/protocol/json_line.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 60;
  std::string tmpl = (fs::temp_directory_path() / "shoal-bench-segment-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) return 1;
  const fs::path dir = tmpl;
  const fs::path clip = dir / "clip.mp4";
  const std::string make =
      "ffmpeg -v error -y -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i "
      "sine=frequency=440:sample_rate=48000 -t " +
      std::to_string(seconds) +
      " -c:v libx264 -preset ultrafast -g 30 -keyint_min 30 -sc_threshold 0 -b:v 5M -maxrate 5M "
      "-bufsize 5M -pix_fmt yuv420p -c:a aac " +
      clip.string() + " </dev/null";
  if (std::system(make.c_str()) != 0) {
    std::cerr << "bench: cannot make the clip\n";
    return 1;
  }

  const auto t0 = Clock::now();
  shoal::origin::StoreConfig sc;
  sc.dir = dir / "shoal";
  shoal::origin::ChunkStore store(sc);
  const std::int64_t media_us = shoal::origin::ingest_vod(clip.string(), std::chrono::seconds(1), store);
  const double shoal_s = std::chrono::duration<double>(Clock::now() - t0).count();

  fs::create_directories(dir / "hls");
  const std::string hls =
      "ffmpeg -v error -y -i " + clip.string() + " -c copy -f hls -hls_time 1 -hls_list_size 0 -hls_segment_filename " +
      (dir / "hls" / "s%05d.ts").string() + " " + (dir / "hls" / "index.m3u8").string() + " </dev/null";
  const auto t1 = Clock::now();
  if (std::system(hls.c_str()) != 0) {
    std::cerr << "bench: ffmpeg -f hls failed\n";
    return 1;
  }
  const double ffmpeg_s = std::chrono::duration<double>(Clock::now() - t1).count();
  std::uintmax_t bytes = fs::file_size(clip);
  fs::remove_all(dir);

  const double media_s = static_cast<double>(media_us) / 1e6;
  std::cout << shoal::JsonLine()
                   .add("bench", "origin_segment")
                   .add("media_s", media_s)
                   .add("file_mbit_s", static_cast<double>(bytes) * 8 / media_s / 1e6)
                   .add("chunks", store.chunks().size())
                   .add("shoal_s", shoal_s)
                   .add("shoal_x_realtime", media_s / shoal_s)
                   .add("ffmpeg_hls_s", ffmpeg_s)
                   .add("ffmpeg_hls_x_realtime", media_s / ffmpeg_s)
                   .add("shoal_time_over_ffmpeg", shoal_s / ffmpeg_s)
                   .str()
            << std::endl;
  return 0;
}
