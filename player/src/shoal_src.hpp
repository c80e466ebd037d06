// shoalsrc: a GstPushSrc (TIME format) playing shoal://host:port/channel
// through the peer runtime; see docs/player.md.
#pragma once

#include <gst/base/gstpushsrc.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_SHOAL_SRC (gst_shoal_src_get_type())
G_DECLARE_FINAL_TYPE(GstShoalSrc, gst_shoal_src, GST, SHOAL_SRC, GstPushSrc)

#define GST_TYPE_SHOAL_POLICY (gst_shoal_policy_get_type())
GType gst_shoal_policy_get_type(void);

G_END_DECLS

namespace shoal::player {

class SrcState;

/// Registers shoalsrc at PRIMARY rank; `plugin` may be null (static registration in tests).
gboolean register_shoal_src(GstPlugin* plugin);

/// The C++ state behind a shoalsrc instance, for tests that observe it (e.g. a blocked create()).
SrcState& shoal_src_state(GstElement* element);

}  // namespace shoal::player
