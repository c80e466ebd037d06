// Runs the libFuzzer harness (tests/fuzz/fuzz_frame_decoder.cpp) in the
// ordinary test build: over the committed seeds, and over seeded random and
// mutated streams, so the fuzz properties are checked on every test run.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

#include "shoal/protocol/frame_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(FuzzHarness, SeedsDecodeCleanly) {
  int seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SHOAL_FUZZ_SEEDS)) {
    const auto bytes = read_file(entry.path());
    EXPECT_EQ(LLVMFuzzerTestOneInput(bytes.data(), bytes.size()), 0) << entry.path();
    ++seeds;
  }
  EXPECT_GE(seeds, 5);
}

TEST(FuzzHarness, MutatedValidStreams) {
  using namespace shoal::protocol;
  std::string stream = "\x07";
  for (const Message& m : {Message{Have{1}}, Message{HaveRange{3, {true, true}}}, Message{Request{9}},
                           Message{PeerExchange{{{"h", 1, "p"}}, {}}}, Message{Choke{}}})
    encode_frame(m, stream);
  std::mt19937 rng(42);
  for (int i = 0; i < 20000; ++i) {
    std::vector<std::uint8_t> bytes(stream.begin(), stream.end());
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) bytes[rng() % bytes.size()] = static_cast<std::uint8_t>(rng());
    bytes.resize(1 + rng() % bytes.size());
    ASSERT_EQ(LLVMFuzzerTestOneInput(bytes.data(), bytes.size()), 0);
  }
}

}  // namespace
