// The swarm id: which swarm a channel's peers join. The origin puts it in the manifest (Manifest.swarm_id) and
// every peer sends it in its handshake; a peer whose manifest carries none derives the same value here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace shoal::protocol {

/// SHA-256 (32 raw bytes) of "HOST:PORT/CHANNEL", HOST:PORT the origin's address as its listening line prints it
/// (e.g. "127.0.0.1:8080/news").
std::string swarm_id(std::string_view origin_host, std::uint16_t origin_port, std::string_view channel);

}  // namespace shoal::protocol
