// Sending a message: it becomes the driver's SendMessage action, and the neighbor remembers when we last
// spoke to it (keep-alives go only to connections we have been silent on).
#pragma once

#include <utility>
#include <vector>

#include "neighbor.hpp"
#include "shoal/peer/core/action.hpp"

namespace shoal::peer {

inline void send_message(std::vector<Action>& actions, Neighbor& n, protocol::Message message, Time now) {
  n.last_sent = now;
  actions.push_back(SendMessage{n.conn, std::move(message)});
}

}  // namespace shoal::peer
