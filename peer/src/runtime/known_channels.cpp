#include "shoal/peer/runtime/known_channels.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "shoal/protocol/channel_key.hpp"

namespace shoal::peer {

namespace {

// A file of a few lines per channel played; past this it is not ours or broken, and is not read further.
constexpr std::size_t kMaxLines = 100'000;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

std::vector<std::string> read_lines(const std::string& file) {
  std::vector<std::string> lines;
  std::ifstream in(file);
  std::string line;
  while (lines.size() < kMaxLines && std::getline(in, line)) lines.push_back(line);
  return lines;
}

// The channel a line names, empty for a comment or a blank line.
std::string channel_of(const std::string& line) {
  if (line.empty() || line.front() == '#') return {};
  return line.substr(0, line.find(' '));
}

}  // namespace

std::string default_known_channels_file() {
  if (const char* chosen = std::getenv("SHOAL_KNOWN_CHANNELS")) return std::string(chosen) == "off" ? "" : chosen;
  if (const std::string state = env("XDG_STATE_HOME"); !state.empty()) return state + "/shoal/known_channels";
  if (const std::string home = env("HOME"); !home.empty()) return home + "/.local/state/shoal/known_channels";
  return {};
}

std::string channel_address(const protocol::ChannelUri& uri) {
  const bool v6 = uri.origin_host.find(':') != std::string::npos;
  const std::string host = v6 ? "[" + uri.origin_host + "]" : uri.origin_host;
  return host + ":" + std::to_string(uri.origin_port) + "/" + uri.channel;
}

std::optional<std::string> KnownChannels::lookup(const std::string& channel) const {
  if (file_.empty()) return std::nullopt;
  for (const std::string& line : read_lines(file_)) {
    if (channel_of(line) != channel) continue;
    std::istringstream fields(line);
    std::string name, fingerprint;
    fields >> name >> fingerprint;
    // A line we cannot read pins nothing, but must not be silently replaced either: the caller refuses.
    return protocol::valid_fingerprint(fingerprint) ? protocol::normalize_fingerprint(fingerprint) : fingerprint;
  }
  return std::nullopt;
}

void KnownChannels::remember(const std::string& channel, const std::string& fingerprint) const {
  if (file_.empty()) return;
  const std::filesystem::path path(file_);
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  std::vector<std::string> lines = read_lines(file_);
  std::erase_if(lines, [&](const std::string& line) { return channel_of(line) == channel; });
  lines.push_back(channel + " " + fingerprint);
  const std::string temporary = file_ + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::trunc);
    for (const std::string& line : lines) out << line << "\n";
    if (!out.flush()) throw std::runtime_error("cannot write " + temporary + ": " + std::strerror(errno));
  }
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::filesystem::remove(temporary);
    throw std::runtime_error("cannot write " + file_ + ": " + ec.message());
  }
}

}  // namespace shoal::peer
