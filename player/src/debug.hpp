// The `shoalsrc` debug category (GST_DEBUG=shoalsrc:5), shared by the element's files.
#pragma once

#include <gst/gst.h>

GST_DEBUG_CATEGORY_EXTERN(shoal_src_debug);
