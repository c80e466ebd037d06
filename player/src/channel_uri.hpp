// shoal://host:port/channel as the element's URI handler accepts it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "shoal/peer/runtime/peer_handle.hpp"

namespace shoal::player {

/// nullopt and a one-line reason in `error` when `uri` is not shoal://host:port/channel.
std::optional<peer::ChannelUri> channel_uri_from_string(std::string_view uri, std::string& error);

}  // namespace shoal::player
