// Everything shoalsrc knows, as C++: the GObject holds only a pointer to this
// (created in instance init, deleted in finalize). Three threads meet here:
// the application (properties, state changes), the streaming thread (create,
// do_seek), the runtime's io thread (chunk/end/error callbacks), plus a
// monitor thread that ticks on the pipeline's clock and turns its running
// time into the playhead (src_timeline.cpp).
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
#include "element_clock.hpp"
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
  std::string cdn_text;                 // the `cdn` property as set
  std::optional<protocol::CdnUrl> cdn;  // parsed from it; unset: chunks from the origin
};

class SrcState {
 public:
  explicit SrcState(GstBaseSrc* element);
  ~SrcState();
  SrcState(const SrcState&) = delete;
  SrcState& operator=(const SrcState&) = delete;

  std::mutex settings_mutex;
  SrcSettings settings;  // guarded by settings_mutex

  /// READY->PAUSED, before basesrc starts: runs the peer and waits (bounded, on the clock) for
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
  /// GstElement::set_clock, after the element took `clock` (null: taken away).
  void on_clock_changed(GstClock* clock);

  QoeSnapshot snapshot() const;
  /// The hand-off to create(); tests watch it to know create() is blocked.
  ChunkQueue& queue() { return queue_; }

 private:
  struct Timeline;
  struct JoinError {
    protocol::ErrorCode code;
    std::string message;
  };

  // src_state.cpp: the run of a peer, its callbacks, errors, create().
  void reset_for_open(const SrcSettings& s);
  peer::PeerHandle* start_peer(const SrcSettings& s);
  std::optional<peer::ChannelInfo> wait_for_join(peer::PeerHandle& handle, const SrcSettings& s);
  void adopt_channel(const peer::ChannelInfo& info);
  void on_join_timeout(std::uint64_t run);
  void on_chunk(const peer::ChunkMeta& meta, const protocol::ChunkPayload& payload);
  void on_end();
  void on_error(protocol::ErrorCode code, const std::string& message);
  void post_error(protocol::ErrorCode code, const std::string& message);
  GstClockTime stamp(const QueuedChunk& chunk, bool& discont, bool& first);

  // src_timeline.cpp: the pipeline's clock turned into playhead, stalls and QoE.
  void post_qoe(const char* reason);
  void monitor_loop();
  void run_ticks(GstClock* clock);
  void tick(GstClock* clock);
  StallUpdate update_stall(GstClockTime clock_now);

  GstBaseSrc* element_;
  ChunkQueue queue_;
  mutable std::mutex handle_mutex_;
  std::unique_ptr<peer::PeerHandle> handle_;  // guarded by handle_mutex_
  peer::PeerStats final_stats_;               // the runtime's last word, after close()
  std::atomic<bool> live_{false};
  std::atomic<bool> joined_{false};
  std::atomic<bool> flushing_{false};
  std::atomic<bool> error_posted_{false};

  // Join: the manifest, an error or the timeout on the clock, whichever comes first.
  std::mutex join_mutex_;
  std::condition_variable join_cv_;
  std::optional<JoinError> join_error_;
  bool join_timed_out_ = false;
  std::uint64_t join_run_ = 0;  // a late timeout callback of an earlier open() must not end this one

  // Timeline and QoE, guarded by timeline_mutex_ (taken before the queue's lock).
  mutable std::mutex timeline_mutex_;
  std::unique_ptr<Timeline> timeline_;
  std::condition_variable timeline_cv_;  // live: create() waits out a stall

  std::thread monitor_;
  std::mutex monitor_mutex_;
  std::condition_variable monitor_cv_;  // a clock arrived, or stop
  bool monitor_stop_ = false;
  GstClockID monitor_id_ = nullptr;    // the tick the monitor waits for; unscheduled to wake it
  GstClock* monitor_clock_ = nullptr;  // the clock it ticks on (identity only, not a reference)
};

}  // namespace shoal::player
