// The `shoal` plugin: shoalsrc wired to the real peer runtime.
#include <gst/gst.h>

#include "handle_factory.hpp"
#include "shoal_src.hpp"

namespace {

gboolean plugin_init(GstPlugin* plugin) {
  shoal::player::set_handle_factory([](shoal::peer::PeerOptions options, shoal::peer::PeerCallbacks callbacks) {
    return shoal::peer::PeerHandle::start(std::move(options), std::move(callbacks));
  });
  return shoal::player::register_shoal_src(plugin);
}

}  // namespace

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, shoal, "Shoal peer-assisted streaming (shoalsrc)", plugin_init,
                  VERSION, "LGPL", PACKAGE, "https://example.invalid/shoal")
