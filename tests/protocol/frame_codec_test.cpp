#include "shoal/protocol/frame_codec.hpp"

#include <gtest/gtest.h>

#include <set>

#include "shoal.pb.h"

namespace shoal::protocol {
namespace {

std::vector<Message> every_message() {
  return {
      Handshake{kProtocolVersion, std::string(32, 's'), std::string(20, 'p'), 7000},
      Handshake{kProtocolVersion, std::string(32, 's'), std::string(20, 'q'), 7001, /*upload_bps=*/6'000'000},
      Have{42},
      HaveRange{100, {true, false, true, true, false, false, false, false, true}},
      Interested{},
      NotInterested{},
      Choke{},
      Unchoke{},
      Request{7},
      Request{12, /*urgent=*/true},
      Cancel{8},
      ChunkData{9, std::make_shared<const std::string>(std::string(100000, '\x47'))},
      Reject{10},
      Reject{11, /*busy=*/true},
      PeerExchange{{{"127.0.0.1", 7001, "a"}, {"::1", 7002, "b"}}, {{"10.0.0.1", 1, "c"}}},
      KeepAlive{},
  };
}

// Builds a raw frame with any length prefix, type byte and body.
std::string raw_frame(std::uint32_t length, std::uint8_t type, std::string_view body) {
  std::string out;
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((length >> (24 - 8 * i)) & 0xff));
  out.push_back(static_cast<char>(type));
  out.append(body);
  return out;
}

std::string raw_frame(std::uint8_t type, std::string_view body) {
  return raw_frame(static_cast<std::uint32_t>(body.size() + 1), type, body);
}

TEST(FrameCodec, EveryMessageRoundTrips) {
  for (const Message& original : every_message()) {
    FrameDecoder decoder;
    decoder.feed(encode_frame(original));
    Message decoded;
    ASSERT_EQ(decoder.next(decoded), FrameDecoder::Status::message) << message_name(original);
    EXPECT_EQ(decoded, original) << message_name(original);
    EXPECT_EQ(decoder.next(decoded), FrameDecoder::Status::need_more);
    EXPECT_EQ(decoder.buffered(), 0u);
  }
}

TEST(FrameCodec, DecodesAnyByteByByteSplitOfAStream) {
  std::string stream;
  const auto messages = every_message();
  for (const auto& m : messages) encode_frame(m, stream);
  FrameDecoder decoder;
  std::vector<Message> decoded;
  for (const char c : stream) {
    decoder.feed(std::string_view(&c, 1));
    Message m;
    while (decoder.next(m) == FrameDecoder::Status::message) decoded.push_back(m);
  }
  EXPECT_EQ(decoded, messages);
  EXPECT_EQ(decoder.finish(), FrameDecoder::Status::need_more);
}

TEST(FrameCodec, HaveRangeKeepsBitsAcrossByteBoundaries) {
  std::vector<bool> held(77);
  for (std::size_t i = 0; i < held.size(); i += 3) held[i] = true;
  held.back() = true;
  FrameDecoder decoder;
  decoder.feed(encode_frame(HaveRange{5, held}));
  Message m;
  ASSERT_EQ(decoder.next(m), FrameDecoder::Status::message);
  EXPECT_EQ(std::get<HaveRange>(m).held, held);
}

TEST(FrameCodec, RejectsOversizedLengthBeforeBufferingIt) {
  FrameDecoder decoder(1024);
  decoder.feed(raw_frame(0xfffffff0u, 1, ""));
  Message m;
  EXPECT_EQ(decoder.next(m), FrameDecoder::Status::error);
  EXPECT_EQ(decoder.error(), DecodeError::oversized);
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(FrameCodec, OversizedIsSeenFromTheHeaderAlone) {
  FrameDecoder decoder(1024);
  decoder.feed(std::string("\x00\x00\x04\x01", 4));  // 1025 bytes announced, none sent
  Message m;
  EXPECT_EQ(decoder.next(m), FrameDecoder::Status::error);
  EXPECT_EQ(decoder.error(), DecodeError::oversized);
}

TEST(FrameCodec, AcceptsAFrameExactlyAtTheCap) {
  const std::string frame = encode_frame(ChunkData{1, std::make_shared<const std::string>(500, 'x')});
  FrameDecoder decoder(frame.size() - kFrameHeaderSize);
  decoder.feed(frame);
  Message m;
  EXPECT_EQ(decoder.next(m), FrameDecoder::Status::message);
}

TEST(FrameCodec, StreamEndingInsideAFrameIsTruncated) {
  const std::string frame = encode_frame(Have{3});
  FrameDecoder decoder;
  decoder.feed(std::string_view(frame).substr(0, frame.size() - 1));
  Message m;
  EXPECT_EQ(decoder.next(m), FrameDecoder::Status::need_more);
  EXPECT_EQ(decoder.finish(), FrameDecoder::Status::error);
  EXPECT_EQ(decoder.error(), DecodeError::truncated);
}

TEST(FrameCodec, ZeroLengthFrameIsTruncated) {
  FrameDecoder decoder;
  decoder.feed(std::string("\0\0\0\0", 4));
  Message m;
  EXPECT_EQ(decoder.next(m), FrameDecoder::Status::error);
  EXPECT_EQ(decoder.error(), DecodeError::truncated);
}

TEST(FrameCodec, UnknownTypeByte) {
  FrameDecoder decoder;
  decoder.feed(raw_frame(kMessageTypeCount, ""));
  Message m;
  EXPECT_EQ(decoder.next(m), FrameDecoder::Status::error);
  EXPECT_EQ(decoder.error(), DecodeError::unknown_type);
}

TEST(FrameCodec, MalformedProtobufBody) {
  FrameDecoder decoder;
  decoder.feed(raw_frame(1, "\x08"));  // field 1 varint with no value
  Message m;
  EXPECT_EQ(decoder.next(m), FrameDecoder::Status::error);
  EXPECT_EQ(decoder.error(), DecodeError::malformed_body);
}

TEST(FrameCodec, BodyOnAnEmptyMessageIsMalformed) {
  FrameDecoder decoder;
  decoder.feed(raw_frame(5, "junk"));  // choke carries no body
  Message m;
  EXPECT_EQ(decoder.next(m), FrameDecoder::Status::error);
  EXPECT_EQ(decoder.error(), DecodeError::malformed_body);
}

TEST(FrameCodec, PortOutOfRangeIsMalformed) {
  wire::Handshake w;
  w.set_protocol_version(kProtocolVersion);
  w.set_listen_port(70000);
  FrameDecoder decoder;
  decoder.feed(raw_frame(0, w.SerializeAsString()));
  Message m;
  EXPECT_EQ(decoder.next(m), FrameDecoder::Status::error);
  EXPECT_EQ(decoder.error(), DecodeError::malformed_body);
}

TEST(FrameCodec, HandshakeOfAnotherVersion) {
  FrameDecoder decoder;
  decoder.feed(encode_frame(Handshake{kProtocolVersion + 1, "s", "p", 1}));
  Message m;
  EXPECT_EQ(decoder.next(m), FrameDecoder::Status::error);
  EXPECT_EQ(decoder.error(), DecodeError::version_mismatch);
}

TEST(FrameCodec, ErrorIsSticky) {
  FrameDecoder decoder;
  decoder.feed(raw_frame(200, ""));
  Message m;
  EXPECT_EQ(decoder.next(m), FrameDecoder::Status::error);
  decoder.feed(encode_frame(Have{1}));
  EXPECT_EQ(decoder.next(m), FrameDecoder::Status::error);
  EXPECT_EQ(decoder.error(), DecodeError::unknown_type);
}

TEST(FrameCodec, EachErrorHasItsOwnDescription) {
  std::set<std::string> texts;
  for (auto e : {DecodeError::oversized, DecodeError::truncated, DecodeError::unknown_type, DecodeError::malformed_body,
                 DecodeError::version_mismatch})
    texts.insert(to_string(e));
  EXPECT_EQ(texts.size(), 5u);
}

}  // namespace
}  // namespace shoal::protocol
