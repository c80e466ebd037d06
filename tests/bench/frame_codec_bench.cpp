// Frame codec throughput for chunk-sized frames: the figure bounds what a peer
// connection can move per core. Run: build/tests/bench/bench_frame_codec
#include <benchmark/benchmark.h>

#include "shoal/protocol/frame_codec.hpp"

namespace {

using namespace shoal::protocol;

void BM_EncodeDecodeChunk(benchmark::State& state) {
  const auto payload = std::make_shared<const std::string>(static_cast<std::size_t>(state.range(0)), 'G');
  for (auto _ : state) {
    const std::string frame = encode_frame(ChunkData{1, payload});
    FrameDecoder decoder;
    decoder.feed(frame);
    Message m;
    benchmark::DoNotOptimize(decoder.next(m));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_EncodeDecodeChunk)->Arg(64 << 10)->Arg(256 << 10)->Arg(1 << 20);

}  // namespace
