#include "shoal/protocol/channel_uri.hpp"

#include <stdexcept>

#include "shoal/protocol/channel_key.hpp"

namespace shoal::protocol {

namespace {
constexpr std::string_view kScheme = "shoal://";
constexpr std::string_view kForm = " (want shoal://host:port/channel)";

std::invalid_argument bad(std::string_view uri, const std::string& what) {
  return std::invalid_argument(what + " in '" + std::string(uri) + "'" + std::string(kForm));
}
}  // namespace

bool valid_channel_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '.') return false;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

ChannelUri parse_channel_uri(std::string_view uri) {
  if (uri.size() < kScheme.size() || uri.substr(0, kScheme.size()) != kScheme)
    throw std::invalid_argument("not a shoal:// URI: '" + std::string(uri) + "'" + std::string(kForm));
  auto rest = uri.substr(kScheme.size());
  std::string_view query;
  if (auto mark = rest.find('?'); mark != std::string_view::npos) {
    query = rest.substr(mark + 1);
    rest = rest.substr(0, mark);
  }
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) throw bad(uri, "no channel");
  auto channel = rest.substr(slash + 1);
  if (!channel.empty() && channel.back() == '/') channel.remove_suffix(1);
  if (channel.empty()) throw bad(uri, "no channel");
  if (!valid_channel_name(channel))
    throw bad(uri, "bad channel name '" + std::string(channel) + "' (1-64 letters, digits, - _ ., not first .)");
  ChannelUri out;
  try {
    auto origin = parse_host_port(rest.substr(0, slash));
    out.origin_host = std::move(origin.host);
    out.origin_port = origin.port;
  } catch (const std::invalid_argument& e) {
    throw bad(uri, std::string("bad origin address: ") + e.what());
  }
  if (out.origin_host.empty()) throw bad(uri, "no origin host");
  if (out.origin_port == 0) throw bad(uri, "origin port 0");
  out.channel = std::string(channel);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = param.find('=');
    const auto key = param.substr(0, eq);
    const auto value = eq == std::string_view::npos ? std::string_view{} : param.substr(eq + 1);
    if (key == "listen") {
      try {
        out.listen = parse_host_port(value);
      } catch (const std::invalid_argument& e) {
        throw bad(uri, std::string("bad listen address: ") + e.what());
      }
    } else if (key == "key") {
      if (!valid_fingerprint(value))
        throw bad(uri, "bad key fingerprint '" + std::string(value) + "' (" + std::to_string(kFingerprintLength) +
                           " hex digits, as shoal-origin prints it)");
      out.key = normalize_fingerprint(value);
    } else {
      throw bad(uri, "unknown parameter '" + std::string(key) + "' (known: listen, key)");
    }
  }
  return out;
}

}  // namespace shoal::protocol
