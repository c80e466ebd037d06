// Registers shoalsrc in-process and turns GLib criticals and warnings into
// test failures (a g_return_if_fail in our element is a bug, not noise).
#include <gst/gst.h>
#include <gtest/gtest.h>

#include "shoal_src.hpp"

namespace {

void fail_on_log(const gchar* domain, GLogLevelFlags level, const gchar* message, gpointer) {
  if ((level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING | G_LOG_LEVEL_ERROR)) != 0) {
    ADD_FAILURE() << "GLib " << (domain != nullptr ? domain : "") << ": " << message;
  }
}

}  // namespace

// GLib allocates its quark table in a library constructor and never frees it;
// only allocations made from shared-library constructors are exempt.
// GLib is built without frame pointers, so the stack is only visible with the slow unwinder.
extern "C" const char* __lsan_default_suppressions() { return "leak:_dl_init\n"; }
extern "C" const char* __asan_default_options() { return "fast_unwind_on_malloc=0"; }

int main(int argc, char** argv) {
  // The registry is scanned in-process so LeakSanitizer sees one process it can account for.
  g_setenv("GST_REGISTRY_FORK", "no", TRUE);
  gst_init(&argc, &argv);
  testing::InitGoogleTest(&argc, argv);
  g_log_set_default_handler(fail_on_log, nullptr);
  for (const char* domain : {"GLib", "GLib-GObject", "GStreamer", "GStreamer-Base", "GStreamer-Check"}) {
    g_log_set_handler(domain, static_cast<GLogLevelFlags>(G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION),
                      fail_on_log, nullptr);
  }
  if (!shoal::player::register_shoal_src(nullptr)) return 1;
  const int result = RUN_ALL_TESTS();
  gst_deinit();
  return result;
}
