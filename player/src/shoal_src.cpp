#include "shoal_src.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "debug.hpp"
#include "shoal/protocol/cdn_url.hpp"
#include "shoal/protocol/channel_uri.hpp"
#include "src_state.hpp"

GST_DEBUG_CATEGORY(shoal_src_debug);
#define GST_CAT_DEFAULT shoal_src_debug

using shoal::player::SrcState;

struct _GstShoalSrc {
  GstPushSrc parent;
  SrcState* state;  // C++ lives behind this pointer: created in init, deleted in finalize
};

namespace {

enum {
  PROP_0,
  PROP_LOCATION,
  PROP_BUFFER_TARGET,
  PROP_MAX_UPLOAD,
  PROP_LISTEN_PORT,
  PROP_LISTEN_ADDRESS,
  PROP_POLICY,
  PROP_CDN,
  PROP_STATS,
};

GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS("video/mpegts, systemstream=(boolean)true"));

SrcState& state_of(gpointer object) { return *GST_SHOAL_SRC(object)->state; }

// Validates and stores a location; false with a reason when it is not a shoal:// URI.
bool store_location(GstShoalSrc* self, const char* uri, std::string& error) {
  std::optional<shoal::protocol::ChannelUri> parsed;
  try {
    if (uri != nullptr) parsed = shoal::protocol::parse_channel_uri(uri);
  } catch (const std::invalid_argument& e) {
    error = e.what();
  }
  SrcState& state = *self->state;
  std::lock_guard lock(state.settings_mutex);
  state.settings.location = uri != nullptr ? uri : "";
  state.settings.uri = parsed;
  return uri == nullptr || parsed.has_value();
}

bool stopped(GstShoalSrc* self) {
  GST_OBJECT_LOCK(self);
  const bool ok = GST_STATE(self) <= GST_STATE_READY;
  GST_OBJECT_UNLOCK(self);
  return ok;
}

}  // namespace

// ---- URI handler ---------------------------------------------------------

static GstURIType uri_get_type(GType) { return GST_URI_SRC; }

static const gchar* const* uri_get_protocols(GType) {
  static const gchar* const protocols[] = {"shoal", nullptr};
  return protocols;
}

static gchar* uri_get_uri(GstURIHandler* handler) {
  SrcState& state = state_of(handler);
  std::lock_guard lock(state.settings_mutex);
  return state.settings.location.empty() ? nullptr : g_strdup(state.settings.location.c_str());
}

static gboolean uri_set_uri(GstURIHandler* handler, const gchar* uri, GError** error) {
  GstShoalSrc* self = GST_SHOAL_SRC(handler);
  if (!stopped(self)) {
    g_set_error(error, GST_URI_ERROR, GST_URI_ERROR_BAD_STATE,
                "Changing the URI of shoalsrc while it runs is not supported");
    return FALSE;
  }
  std::string reason;
  if (!store_location(self, uri, reason)) {
    g_set_error(error, GST_URI_ERROR, GST_URI_ERROR_BAD_URI, "%s", reason.c_str());
    return FALSE;
  }
  return TRUE;
}

static void uri_handler_init(gpointer g_iface, gpointer) {
  auto* iface = static_cast<GstURIHandlerInterface*>(g_iface);
  iface->get_type = uri_get_type;
  iface->get_protocols = uri_get_protocols;
  iface->get_uri = uri_get_uri;
  iface->set_uri = uri_set_uri;
}

// GLib's type macros cast in C style; the casts are theirs, not ours.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
G_DEFINE_TYPE_WITH_CODE(GstShoalSrc, gst_shoal_src, GST_TYPE_PUSH_SRC,
                        G_IMPLEMENT_INTERFACE(GST_TYPE_URI_HANDLER, uri_handler_init);
                        GST_DEBUG_CATEGORY_INIT(shoal_src_debug, "shoalsrc", 0, "Shoal peer-assisted source"))
#pragma GCC diagnostic pop

GType gst_shoal_policy_get_type(void) {
  static gsize type = 0;
  if (g_once_init_enter(&type)) {
    // From the policy registry; GLib keeps the table for the process's life.
    static std::vector<GEnumValue> values;
    for (auto policy : shoal::peer::all_policies())
      values.push_back({static_cast<gint>(policy), shoal::peer::describe(policy), shoal::peer::to_string(policy)});
    values.push_back({0, nullptr, nullptr});
    g_once_init_leave(&type, g_enum_register_static("GstShoalPolicy", values.data()));
  }
  return type;
}

// ---- GObject -------------------------------------------------------------

static void gst_shoal_src_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  GstShoalSrc* self = GST_SHOAL_SRC(object);
  SrcState& state = *self->state;
  switch (prop_id) {
    case PROP_LOCATION: {
      std::string reason;
      if (!store_location(self, g_value_get_string(value), reason)) {
        GST_WARNING_OBJECT(self, "%s", reason.c_str());
      }
      return;
    }
    default:
      break;
  }
  std::lock_guard lock(state.settings_mutex);
  switch (prop_id) {
    case PROP_BUFFER_TARGET:
      state.settings.buffer_target_ms = g_value_get_uint(value);
      break;
    case PROP_MAX_UPLOAD:
      state.settings.max_upload_bps = g_value_get_uint64(value);
      break;
    case PROP_LISTEN_PORT:
      state.settings.listen_port = g_value_get_uint(value);
      break;
    case PROP_LISTEN_ADDRESS: {
      const char* host = g_value_get_string(value);
      state.settings.listen_host = host != nullptr ? host : "";
      break;
    }
    case PROP_POLICY:
      state.settings.policy = static_cast<shoal::peer::Policy>(g_value_get_enum(value));
      break;
    case PROP_CDN: {
      const char* url = g_value_get_string(value);
      try {
        state.settings.cdn =
            url != nullptr && *url != '\0' ? std::optional(shoal::protocol::parse_cdn_url(url)) : std::nullopt;
        state.settings.cdn_text = state.settings.cdn ? url : "";
      } catch (const std::invalid_argument& e) {
        GST_WARNING_OBJECT(object, "cdn not changed: %s", e.what());  // as an invalid location: kept as it was
      }
      break;
    }
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
}

static void gst_shoal_src_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  SrcState& state = state_of(object);
  if (prop_id == PROP_STATS) {
    g_value_take_boxed(value, shoal::player::make_qoe_structure("shoal-stats", state.snapshot()));
    return;
  }
  std::lock_guard lock(state.settings_mutex);
  switch (prop_id) {
    case PROP_LOCATION:
      g_value_set_string(value, state.settings.location.empty() ? nullptr : state.settings.location.c_str());
      break;
    case PROP_BUFFER_TARGET:
      g_value_set_uint(value, state.settings.buffer_target_ms);
      break;
    case PROP_MAX_UPLOAD:
      g_value_set_uint64(value, state.settings.max_upload_bps);
      break;
    case PROP_LISTEN_PORT:
      g_value_set_uint(value, state.settings.listen_port);
      break;
    case PROP_LISTEN_ADDRESS:
      g_value_set_string(value, state.settings.listen_host.empty() ? nullptr : state.settings.listen_host.c_str());
      break;
    case PROP_POLICY:
      g_value_set_enum(value, static_cast<gint>(state.settings.policy));
      break;
    case PROP_CDN:
      g_value_set_string(value, state.settings.cdn_text.empty() ? nullptr : state.settings.cdn_text.c_str());
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
}

static void gst_shoal_src_finalize(GObject* object) {
  GstShoalSrc* self = GST_SHOAL_SRC(object);
  delete self->state;
  self->state = nullptr;
  G_OBJECT_CLASS(gst_shoal_src_parent_class)->finalize(object);
}

static GstStateChangeReturn gst_shoal_src_change_state(GstElement* element, GstStateChange transition) {
  SrcState& state = state_of(element);
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    if (!state.open()) return GST_STATE_CHANGE_FAILURE;
    gst_base_src_set_live(GST_BASE_SRC(element), state.live());
  }
  const GstStateChangeReturn ret = GST_ELEMENT_CLASS(gst_shoal_src_parent_class)->change_state(element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY ||
      (transition == GST_STATE_CHANGE_READY_TO_PAUSED && ret == GST_STATE_CHANGE_FAILURE)) {
    state.close();
  }
  return ret;
}

static gboolean gst_shoal_src_set_clock(GstElement* element, GstClock* clock) {
  const gboolean ok = GST_ELEMENT_CLASS(gst_shoal_src_parent_class)->set_clock(element, clock);
  state_of(element).on_clock_changed(clock);
  return ok;
}

static gboolean gst_shoal_src_start(GstBaseSrc* src) { return state_of(src).start(); }

static gboolean gst_shoal_src_stop(GstBaseSrc* src) {
  state_of(src).stop();
  return TRUE;
}

static gboolean gst_shoal_src_is_seekable(GstBaseSrc* src) { return !state_of(src).live(); }

static gboolean gst_shoal_src_do_seek(GstBaseSrc* src, GstSegment* segment) { return state_of(src).do_seek(*segment); }

static gboolean gst_shoal_src_unlock(GstBaseSrc* src) {
  state_of(src).unlock();
  return TRUE;
}

static gboolean gst_shoal_src_unlock_stop(GstBaseSrc* src) {
  state_of(src).unlock_stop();
  return TRUE;
}

static gboolean gst_shoal_src_query(GstBaseSrc* src, GstQuery* query) {
  SrcState& state = state_of(src);
  switch (GST_QUERY_TYPE(query)) {
    case GST_QUERY_DURATION: {
      GstFormat format;
      gst_query_parse_duration(query, &format, nullptr);
      const GstClockTime duration = state.duration();
      if (format != GST_FORMAT_TIME || !GST_CLOCK_TIME_IS_VALID(duration)) break;
      gst_query_set_duration(query, GST_FORMAT_TIME, static_cast<gint64>(duration));
      return TRUE;
    }
    case GST_QUERY_SEEKING: {
      GstFormat format;
      gst_query_parse_seeking(query, &format, nullptr, nullptr, nullptr);
      if (format != GST_FORMAT_TIME) break;
      const GstClockTime duration = state.duration();
      const bool seekable = !state.live() && GST_CLOCK_TIME_IS_VALID(duration);
      gst_query_set_seeking(query, GST_FORMAT_TIME, seekable, 0, seekable ? static_cast<gint64>(duration) : -1);
      return TRUE;
    }
    default:
      break;
  }
  return GST_BASE_SRC_CLASS(gst_shoal_src_parent_class)->query(src, query);
}

static GstFlowReturn gst_shoal_src_create(GstPushSrc* src, GstBuffer** buffer) { return state_of(src).create(buffer); }

static void gst_shoal_src_class_init(GstShoalSrcClass* klass) {
  GObjectClass* gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  GstBaseSrcClass* basesrc_class = GST_BASE_SRC_CLASS(klass);
  GstPushSrcClass* pushsrc_class = GST_PUSH_SRC_CLASS(klass);

  gobject_class->set_property = gst_shoal_src_set_property;
  gobject_class->get_property = gst_shoal_src_get_property;
  gobject_class->finalize = gst_shoal_src_finalize;

  const auto rw = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  g_object_class_install_property(
      gobject_class, PROP_LOCATION,
      g_param_spec_string("location", "Location", "The channel to play: shoal://host:port/channel", nullptr, rw));
  g_object_class_install_property(
      gobject_class, PROP_BUFFER_TARGET,
      g_param_spec_uint("buffer-target", "Buffer target",
                        "Media (ms) to have ahead before resuming after a stall; live channels join this far "
                        "behind the live edge",
                        0, 600000, 3000, rw));
  g_object_class_install_property(
      gobject_class, PROP_MAX_UPLOAD,
      g_param_spec_uint64("max-upload", "Max upload", "Upload cap towards other peers in bit/s (0 = unlimited)", 0,
                          G_MAXUINT64, 0, rw));
  g_object_class_install_property(
      gobject_class, PROP_LISTEN_PORT,
      g_param_spec_uint("listen-port", "Listen port", "TCP port for incoming peer connections (0 = any free port)", 0,
                        65535, 0, rw));
  g_object_class_install_property(
      gobject_class, PROP_LISTEN_ADDRESS,
      g_param_spec_string("listen-address", "Listen address",
                          "IP address for incoming peer connections (unset = every interface; the tracker then lists "
                          "the address this viewer's announces come from). The URI's ?listen=HOST:PORT overrides it",
                          nullptr, rw));
  g_object_class_install_property(
      gobject_class, PROP_POLICY,
      g_param_spec_enum("policy", "Policy", "Piece-selection policy of the embedded peer", GST_TYPE_SHOAL_POLICY,
                        static_cast<gint>(shoal::peer::Policy::deadline), rw));
  g_object_class_install_property(
      gobject_class, PROP_CDN,
      g_param_spec_string("cdn", "CDN",
                          "http://host:port[/path] of a CDN or cache in front of the origin: chunk fetches go there, "
                          "the manifest, announces and reports still go to the origin (unset = the origin)",
                          nullptr, rw));
  g_object_class_install_property(
      gobject_class, PROP_STATS,
      g_param_spec_boxed("stats", "Statistics",
                         "QoE and transfer counters (startup-delay, stall-count, stall-duration, buffered-ahead in "
                         "ns; bytes-from-peers, bytes-from-origin, bytes-uploaded, peers, p2p-ratio, ...)",
                         GST_TYPE_STRUCTURE, static_cast<GParamFlags>(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));

  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(element_class, "Shoal peer-assisted source", "Source/Network",
                                        "Plays a Shoal channel (shoal://host:port/channel), fetching verified MPEG-TS "
                                        "chunks from peers and falling back to the origin",
                                        "Shoal project");
  element_class->change_state = gst_shoal_src_change_state;
  element_class->set_clock = gst_shoal_src_set_clock;

  basesrc_class->start = gst_shoal_src_start;
  basesrc_class->stop = gst_shoal_src_stop;
  basesrc_class->is_seekable = gst_shoal_src_is_seekable;
  basesrc_class->do_seek = gst_shoal_src_do_seek;
  basesrc_class->unlock = gst_shoal_src_unlock;
  basesrc_class->unlock_stop = gst_shoal_src_unlock_stop;
  basesrc_class->query = gst_shoal_src_query;
  pushsrc_class->create = gst_shoal_src_create;

  gst_type_mark_as_plugin_api(GST_TYPE_SHOAL_POLICY, static_cast<GstPluginAPIFlags>(0));
}

static void gst_shoal_src_init(GstShoalSrc* self) {
  self->state = new SrcState(GST_BASE_SRC(self));
  GstBaseSrc* base = GST_BASE_SRC(self);
  gst_base_src_set_format(base, GST_FORMAT_TIME);
  gst_base_src_set_live(base, FALSE);
  gst_base_src_set_do_timestamp(base, FALSE);
  gst_base_src_set_automatic_eos(base, FALSE);
}

namespace shoal::player {

gboolean register_shoal_src(GstPlugin* plugin) {
  return gst_element_register(plugin, "shoalsrc", GST_RANK_PRIMARY, GST_TYPE_SHOAL_SRC);
}

SrcState& shoal_src_state(GstElement* element) { return state_of(element); }

}  // namespace shoal::player
