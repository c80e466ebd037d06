// The `shoal` plugin: shoalsrc wired to the real peer runtime.
#include <gst/gst.h>

#include "handle_factory.hpp"
#include "shoal/peer/runtime/known_channels.hpp"
#include "shoal_src.hpp"

namespace {

gboolean plugin_init(GstPlugin* plugin) {
  shoal::player::set_handle_factory([](shoal::peer::PeerOptions options, shoal::peer::PeerCallbacks callbacks) {
    // Like shoal-peer, the element remembers the key of each channel it plays ($SHOAL_KNOWN_CHANNELS chooses
    // where, "off" nowhere); a URI's ?key= pins one outright.
    options.known_channels = shoal::peer::default_known_channels_file();
    return shoal::peer::PeerHandle::start(std::move(options), std::move(callbacks));
  });
  return shoal::player::register_shoal_src(plugin);
}

}  // namespace

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, shoal, "Shoal peer-assisted streaming (shoalsrc)", plugin_init,
                  VERSION, "LGPL", PACKAGE, "https://example.invalid/shoal")
