#include "support.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

namespace shoal::origin::test {

namespace fs = std::filesystem;
namespace beast = boost::beast;
namespace http_ns = beast::http;
namespace net = boost::asio;

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "shoal-origin-test-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path, ec);
}

const fs::path& clip_dir() {
  static TempDir dir;
  return dir.path;
}

int run(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

ClipSpec spec(Clip clip) {
  using std::chrono::microseconds;
  switch (clip) {
    case Clip::h264_aac_30:
      return {"h264_aac_30", "h264_aac_30.mp4", microseconds(500'000), true};
    case Clip::hevc_aac:
      return {"hevc_aac", "hevc_aac.mp4", microseconds(1'000'000), true};
    case Clip::aac_only:
      return {"aac_only", "aac_only.m4a", microseconds(21'334), false};
    case Clip::h264_2997_bframes:
      return {"h264_2997_bframes", "h264_2997_bframes.mkv", microseconds(800'800), true};
  }
  return {};
}

fs::path clip_path(Clip clip) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  const ClipSpec s = spec(clip);
  const fs::path out = clip_dir() / s.file;
  if (fs::exists(out)) return out;
  const std::string video = "-f lavfi -i testsrc2=size=320x240:rate=";
  const std::string audio = " -f lavfi -i sine=frequency=440:sample_rate=48000 ";
  std::string cmd = "ffmpeg -v error -y ";
  switch (clip) {
    case Clip::h264_aac_30:
      cmd += video + "30" + audio +
             "-t 4 -c:v libx264 -preset ultrafast -g 15 -keyint_min 15 -sc_threshold 0 -pix_fmt yuv420p -c:a aac ";
      break;
    case Clip::hevc_aac:
      cmd += video + "30" + audio +
             "-t 4 -c:v libx265 -preset ultrafast -x265-params "
             "keyint=30:min-keyint=30:scenecut=0:open-gop=0:log-level=error "
             "-tag:v hvc1 -pix_fmt yuv420p -c:a aac ";
      break;
    case Clip::aac_only:
      cmd += "-f lavfi -i sine=frequency=440:sample_rate=48000 -t 4 -c:a aac ";
      break;
    case Clip::h264_2997_bframes:
      cmd += video + "30000/1001" + audio +
             "-t 4 -c:v libx264 -preset veryfast -bf 2 -g 24 -keyint_min 24 -sc_threshold 0 -pix_fmt yuv420p "
             "-c:a aac ";
      break;
  }
  cmd += out.string() + " </dev/null";
  if (run(cmd) != 0) throw std::runtime_error("cannot make clip: " + cmd);
  return out;
}

Process::Process(std::vector<std::string> argv, const fs::path& stdout_file, const fs::path& stderr_file) {
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    const int out = ::open(stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int in = ::open("/dev/null", O_RDONLY);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::dup2(in, 0);
    ::setpgid(0, 0);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
}

Process::~Process() {
  if (!reaped_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

void Process::signal(int sig) {
  if (!reaped_) ::kill(pid_, sig);
}

std::optional<int> Process::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

const char* origin_binary() { return SHOAL_ORIGIN_BIN; }

std::uint16_t wait_listening(const fs::path& stdout_file, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = read_text(stdout_file);
    const auto pos = text.find("\"address\":\"");
    if (pos != std::string::npos) {
      const auto colon = text.find(':', pos + 11);
      const auto end = text.find('"', colon);
      if (colon != std::string::npos && end != std::string::npos) {
        return static_cast<std::uint16_t>(std::stoi(text.substr(colon + 1, end - colon - 1)));
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return 0;
}

Response http(std::uint16_t port, const std::string& method, const std::string& target, const std::string& body,
              const std::map<std::string, std::string>& headers) {
  net::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(20));
  stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  http_ns::request<http_ns::string_body> req(http_ns::string_to_verb(method), target, 11);
  req.set(http_ns::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  http_ns::write(stream, req);
  beast::flat_buffer buffer;
  http_ns::response_parser<http_ns::string_body> parser;
  parser.body_limit(256u << 20);
  if (method == "HEAD") parser.skip(true);
  http_ns::read(stream, buffer, parser);
  Response out;
  out.status = static_cast<int>(parser.get().result_int());
  for (const auto& field : parser.get()) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(field.value());
  }
  out.body = parser.get().body();
  return out;
}

std::string raw_exchange(std::uint16_t port, const std::string& bytes) {
  net::io_context io;
  net::ip::tcp::socket socket(io);
  socket.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  net::write(socket, net::buffer(bytes));
  std::string out;
  boost::system::error_code ec;
  char buf[4096];
  for (;;) {
    const std::size_t n = socket.read_some(net::buffer(buf), ec);
    if (ec) break;
    out.append(buf, n);
    if (out.find("\r\n\r\n") != std::string::npos && out.size() > 12) {
      // Headers plus a short body are enough for these tests; wait for close briefly.
    }
  }
  return out;
}

std::vector<StreamProbe> probe(const fs::path& path, bool decode) {
  AVFormatContext* ctx = nullptr;
  if (avformat_open_input(&ctx, path.c_str(), nullptr, nullptr) < 0) return {};
  avformat_find_stream_info(ctx, nullptr);
  std::vector<StreamProbe> streams(ctx->nb_streams);
  std::vector<AVCodecContext*> decoders(ctx->nb_streams, nullptr);
  for (unsigned i = 0; i < ctx->nb_streams; ++i) {
    const AVCodecParameters* par = ctx->streams[i]->codecpar;
    streams[i].codec = avcodec_get_name(par->codec_id);
    streams[i].video = par->codec_type == AVMEDIA_TYPE_VIDEO;
    if (decode) {
      const AVCodec* codec = avcodec_find_decoder(par->codec_id);
      decoders[i] = avcodec_alloc_context3(codec);
      avcodec_parameters_to_context(decoders[i], par);
      decoders[i]->err_recognition = AV_EF_EXPLODE;
      if (avcodec_open2(decoders[i], codec, nullptr) < 0) ++streams[i].decode_errors;
    }
  }
  AVPacket* pkt = av_packet_alloc();
  AVFrame* frame = av_frame_alloc();
  auto drain = [&](unsigned i) {
    while (avcodec_receive_frame(decoders[i], frame) == 0) {
      ++streams[i].decoded_frames;
      av_frame_unref(frame);
    }
  };
  while (av_read_frame(ctx, pkt) >= 0) {
    const auto i = static_cast<unsigned>(pkt->stream_index);
    const AVRational tb = ctx->streams[i]->time_base;
    streams[i].pts.push_back(av_rescale_q(pkt->pts, tb, AVRational{1, 1000000}));
    streams[i].key.push_back((pkt->flags & AV_PKT_FLAG_KEY) != 0);
    if (decode) {
      if (avcodec_send_packet(decoders[i], pkt) < 0) ++streams[i].decode_errors;
      drain(i);
    }
    av_packet_unref(pkt);
  }
  for (unsigned i = 0; decode && i < ctx->nb_streams; ++i) {
    avcodec_send_packet(decoders[i], nullptr);
    drain(i);
    avcodec_free_context(&decoders[i]);
  }
  av_frame_free(&frame);
  av_packet_free(&pkt);
  avformat_close_input(&ctx);
  return streams;
}

}  // namespace shoal::origin::test
