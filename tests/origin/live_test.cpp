// A live channel fed by `ffmpeg -re ... -f mpegts udp://`: chunks arrive at
// real-time pace (±5% over 30 s); when the sender stops the channel keeps
// its chunks, and when it comes back numbering resumes with no gap, marked
// as a discontinuity.
#include <gtest/gtest.h>

#include <boost/asio/ip/udp.hpp>
#include <mutex>
#include <thread>

#include "shoal/origin/ingest.hpp"
#include "support.hpp"

namespace shoal::origin::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::uint16_t free_udp_port() {
  boost::asio::io_context io;
  boost::asio::ip::udp::socket s(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return s.local_endpoint().port();
}

TEST(LiveIngest, UdpFeedMakesChunksAtRealTimePaceAndSurvivesTheSenderStopping) {
  TempDir dir;
  StoreConfig sc;
  sc.dir = dir.path / "live";
  sc.live = true;
  ChunkStore store(sc);
  struct Arrival {
    Clock::time_point at;
    ChunkInfo info;
  };
  std::mutex mutex;
  std::vector<Arrival> arrivals;
  store.on_new_chunk([&](const Chunk& c) {
    std::lock_guard lock(mutex);
    arrivals.push_back({Clock::now(), c.info});
  });
  const std::uint16_t port = free_udp_port();
  const std::string url = "udp://127.0.0.1:" + std::to_string(port);
  LiveConfig lc;
  lc.url = url;
  lc.io_timeout = 3s;
  lc.max_backoff = 1s;
  LiveIngest ingest(lc, store);
  ingest.start();
  auto sender = [&](int seconds, const std::string& tag) {
    return std::make_unique<Process>(
        std::vector<std::string>{"ffmpeg", "-v", "error", "-re", "-stream_loop", "-1", "-i",
                                 clip_path(Clip::h264_aac_30).string(), "-t", std::to_string(seconds), "-c", "copy",
                                 "-f", "mpegts", url + "?pkt_size=1316"},
        dir.path / (tag + ".out"), dir.path / (tag + ".err"));
  };
  auto feed = sender(38, "feed1");
  // Measure over 30 s once chunks flow.
  const auto deadline = Clock::now() + 60s;
  while (Clock::now() < deadline) {
    {
      std::lock_guard lock(mutex);
      if (arrivals.size() >= 2 && arrivals.back().at - arrivals[1].at >= 31s) break;
    }
    std::this_thread::sleep_for(100ms);
  }
  {
    std::lock_guard lock(mutex);
    ASSERT_GE(arrivals.size(), 25u);
    // Chunk k arrives when chunk k+1's keyframe does: compare the wall time
    // between arrivals with the media duration made in between.
    const std::size_t first = 1;
    const std::size_t last = arrivals.size() - 1;
    double media_s = 0;
    for (std::size_t i = first + 1; i <= last; ++i) media_s += arrivals[i].info.duration_us / 1e6;
    const double wall_s = std::chrono::duration<double>(arrivals[last].at - arrivals[first].at).count();
    EXPECT_GE(wall_s, 30.0);
    EXPECT_NEAR(media_s / wall_s, 1.0, 0.05) << "media " << media_s << " s in " << wall_s << " s";
    for (std::size_t i = 1; i < arrivals.size(); ++i) EXPECT_EQ(arrivals[i].info.seq, arrivals[i - 1].info.seq + 1);
  }
  feed.reset();  // the sender stops: the input stalls
  std::size_t before = 0;
  {
    std::this_thread::sleep_for(5s);
    std::lock_guard lock(mutex);
    before = arrivals.size();
  }
  EXPECT_EQ(store.chunks().size(), before) << "the channel keeps what it has";
  auto feed2 = sender(6, "feed2");
  const auto resume_deadline = Clock::now() + 30s;
  while (Clock::now() < resume_deadline) {
    {
      std::lock_guard lock(mutex);
      if (arrivals.size() >= before + 2) break;
    }
    std::this_thread::sleep_for(100ms);
  }
  ingest.stop();
  std::lock_guard lock(mutex);
  ASSERT_GE(arrivals.size(), before + 2) << "no chunks after the sender came back";
  EXPECT_EQ(arrivals[before].info.seq, arrivals[before - 1].info.seq + 1);
  EXPECT_TRUE(arrivals[before].info.discontinuity);
  EXPECT_GT(arrivals[before].info.pts_us, arrivals[before - 1].info.pts_us);
  EXPECT_GE(ingest.connects(), 2u);
}

}  // namespace
}  // namespace shoal::origin::test
