// The seam between shoalsrc and the peer runtime. The plugin installs the real
// PeerHandle::start when it loads; tests install a scripted handle so the
// element's queue, seek and QoE logic run without sockets.
#pragma once

#include <functional>
#include <memory>

#include "shoal/peer/runtime/peer_handle.hpp"

namespace shoal::player {

using HandleFactory =
    std::function<std::unique_ptr<peer::PeerHandle>(peer::PeerOptions options, peer::PeerCallbacks callbacks)>;

/// Replaces the factory used by every shoalsrc started afterwards.
void set_handle_factory(HandleFactory factory);
/// Empty when none was installed (the element then fails to start with a clear error).
HandleFactory handle_factory();

}  // namespace shoal::player
