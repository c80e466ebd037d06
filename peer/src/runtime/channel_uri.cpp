#include <stdexcept>

#include "shoal/peer/runtime/peer_handle.hpp"
#include "shoal/protocol/units.hpp"

namespace shoal::peer {

ChannelUri parse_channel_uri(std::string_view uri) {
  constexpr std::string_view kScheme = "shoal://";
  if (!uri.starts_with(kScheme))
    throw std::invalid_argument("not a shoal:// URI: '" + std::string(uri) + "' (want shoal://host:port/channel)");
  auto rest = uri.substr(kScheme.size());
  auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash + 1 >= rest.size())
    throw std::invalid_argument("no channel in '" + std::string(uri) + "' (want shoal://host:port/channel)");
  auto channel = rest.substr(slash + 1);
  if (!channel.empty() && channel.back() == '/') channel.remove_suffix(1);
  for (char c : channel) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok || channel == "." || channel == "..")
      throw std::invalid_argument("bad channel name '" + std::string(channel) + "' in '" + std::string(uri) +
                                  "' (letters, digits, - _ .)");
  }
  if (channel.empty()) throw std::invalid_argument("no channel in '" + std::string(uri) + "'");
  HostPort origin;
  try {
    origin = parse_host_port(rest.substr(0, slash));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("bad origin address in '" + std::string(uri) + "': " + e.what());
  }
  if (origin.port == 0) throw std::invalid_argument("origin port 0 in '" + std::string(uri) + "'");
  return ChannelUri{origin.host, origin.port, std::string(channel)};
}

}  // namespace shoal::peer
