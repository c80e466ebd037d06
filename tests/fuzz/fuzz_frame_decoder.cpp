// libFuzzer target: any byte stream, cut into reads at fuzzer-chosen points,
// must decode to messages or one clean error, never crash or overrun the cap;
// and every decoded message must re-encode to a frame that decodes to itself.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "shoal/protocol/frame_codec.hpp"

using namespace shoal::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kCap = 64 * 1024;
  FrameDecoder decoder(kCap);
  // The first byte picks the read size, so splits are explored too.
  const std::size_t step = size > 0 ? 1 + data[0] % 64 : 1;
  std::size_t pos = size > 0 ? 1 : 0;
  while (pos < size) {
    const std::size_t n = std::min(step, size - pos);
    decoder.feed(std::span(data + pos, n));
    pos += n;
    if (decoder.buffered() > kCap + kFrameHeaderSize + step) std::abort();
    Message m;
    FrameDecoder::Status status;
    while ((status = decoder.next(m)) == FrameDecoder::Status::message) {
      FrameDecoder again(kCap);
      again.feed(encode_frame(m));
      Message back;
      if (again.next(back) != FrameDecoder::Status::message || !(back == m)) std::abort();
    }
    if (status == FrameDecoder::Status::error) return 0;
  }
  decoder.finish();
  return 0;
}
