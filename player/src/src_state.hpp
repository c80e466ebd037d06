// Everything shoalsrc knows, as C++: the GObject holds only a pointer to this
// (created in instance init, deleted in finalize). Three threads meet here:
// the application (properties, state changes), the streaming thread (create,
// do_seek), the runtime's io thread (chunk/end/error callbacks), plus a
// monitor thread that turns the pipeline's running time into the playhead.
#pragma once

#include <gst/base/gstbasesrc.h>
#include <gst/gst.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "chunk_queue.hpp"
#include "qoe_stats.hpp"
#include "shoal/peer/runtime/peer_handle.hpp"
#include "stall_detector.hpp"

namespace shoal::player {

struct SrcSettings {
  std::string location;
  std::optional<peer::ChannelUri> uri;
  guint buffer_target_ms = 3000;
  guint64 max_upload_bps = 0;
  guint listen_port = 0;
  std::string listen_host;  // empty: every interface
  peer::Policy policy = peer::Policy::deadline;
};

class SrcState {
 public:
  explicit SrcState(GstBaseSrc* element);
  ~SrcState();
  SrcState(const SrcState&) = delete;
  SrcState& operator=(const SrcState&) = delete;

  std::mutex settings_mutex;
  SrcSettings settings;  // guarded by settings_mutex

  /// READY->PAUSED, before basesrc starts: runs the peer and waits (bounded) for
  /// the manifest, so liveness is known before the state change completes.
  /// False after posting a GST_ELEMENT_ERROR.
  bool open();
  /// PAUSED->READY, after the streaming thread stopped.
  void close();

  bool live() const { return live_; }
  /// VoD length in ns, GST_CLOCK_TIME_NONE when unknown or live.
  GstClockTime duration() const;

  // GstBaseSrc / GstPushSrc virtual methods.
  bool start();
  void stop();
  GstFlowReturn create(GstBuffer** out);
  void unlock();
  void unlock_stop();
  bool do_seek(const GstSegment& segment);

  QoeSnapshot snapshot() const;

 private:
  struct Timeline;

  void on_chunk(const peer::ChunkMeta& meta, const protocol::ChunkPayload& payload);
  void on_end();
  void on_error(protocol::ErrorCode code, const std::string& message);
  void post_error(protocol::ErrorCode code, const std::string& message);
  void post_qoe(const char* reason);
  void monitor_loop();
  void tick();
  /// The pipeline's running time; nullopt without a clock, or (require_playing) when not PLAYING.
  std::optional<GstClockTime> running_time(bool require_playing) const;

  GstBaseSrc* element_;
  ChunkQueue queue_;
  mutable std::mutex handle_mutex_;
  std::unique_ptr<peer::PeerHandle> handle_;  // guarded by handle_mutex_
  peer::PeerStats final_stats_;               // the runtime's last word, after close()
  std::atomic<bool> live_{false};
  std::atomic<bool> joined_{false};
  std::atomic<bool> flushing_{false};
  std::atomic<bool> error_posted_{false};

  // Join: the manifest or an error, whichever comes first.
  std::mutex join_mutex_;
  std::condition_variable join_cv_;
  struct JoinError {
    protocol::ErrorCode code;
    std::string message;
  };
  std::optional<JoinError> join_error_;

  // Timeline and QoE, guarded by timeline_mutex_ (taken before the queue's lock).
  mutable std::mutex timeline_mutex_;
  std::unique_ptr<Timeline> timeline_;
  std::condition_variable timeline_cv_;  // live: create() waits out a stall

  std::thread monitor_;
  std::mutex monitor_mutex_;
  std::condition_variable monitor_cv_;
  bool monitor_stop_ = false;
};

}  // namespace shoal::player
