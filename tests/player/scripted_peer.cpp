#include "scripted_peer.hpp"

#include <thread>

#include "handle_factory.hpp"

namespace shoal::player::test {
namespace {

class ScriptedHandle final : public peer::PeerHandle {
 public:
  explicit ScriptedHandle(std::shared_ptr<ScriptedPeer> peer) : peer_(std::move(peer)) {}
  ~ScriptedHandle() override { stop(); }
  void seek(peer::Time media_time) override {
    std::lock_guard lock(peer_->mutex);
    peer_->seeks.push_back(media_time);
  }
  void set_playhead(peer::Time media_time) override {
    std::lock_guard lock(peer_->mutex);
    peer_->playhead = media_time;
  }
  peer::PeerStats stats() const override {
    std::lock_guard lock(peer_->mutex);
    return peer_->stats;
  }
  std::optional<peer::ChannelInfo> channel() const override {
    std::lock_guard lock(peer_->mutex);
    return peer_->start_error ? std::nullopt : peer_->info;
  }
  void stop() override {
    if (error_thread_.joinable()) error_thread_.join();
    std::lock_guard lock(peer_->mutex);
    peer_->stopped = true;
  }
  void report_error_soon() {
    // Like the runtime's io thread: the error may come before or after the element looks at channel().
    error_thread_ =
        std::thread([peer = peer_] { peer->callbacks.on_error(peer->start_error->code, peer->start_error->message); });
  }

 private:
  std::shared_ptr<ScriptedPeer> peer_;
  std::thread error_thread_;
};

}  // namespace

std::string ScriptedPeer::payload_of(const peer::ChunkMeta& meta) {
  return std::string(meta.size, static_cast<char>('a' + meta.seq % 26));
}

void ScriptedPeer::deliver(peer::Seq seq) {
  peer::ChunkMeta meta;
  {
    std::lock_guard lock(mutex);
    for (const auto& c : info->chunks) {
      if (c.seq == seq) meta = c;
    }
  }
  deliver(meta, payload_of(meta));
}

void ScriptedPeer::deliver(const peer::ChunkMeta& meta, std::string bytes) {
  peer::PeerCallbacks cb;
  {
    std::lock_guard lock(mutex);
    cb = callbacks;
  }
  cb.on_chunk(meta, std::make_shared<const std::string>(std::move(bytes)));
}

void ScriptedPeer::end() {
  peer::PeerCallbacks cb;
  {
    std::lock_guard lock(mutex);
    cb = callbacks;
  }
  cb.on_end();
}

peer::ChannelInfo make_channel(bool live, int count, std::chrono::milliseconds chunk,
                               std::chrono::microseconds first_pts) {
  peer::ChannelInfo info;
  info.live = live;
  for (int i = 0; i < count; ++i) {
    peer::ChunkMeta meta;
    meta.seq = static_cast<peer::Seq>(i);
    meta.pts_us = first_pts.count() + i * std::chrono::duration_cast<std::chrono::microseconds>(chunk).count();
    meta.duration_us = static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(chunk).count());
    meta.size = 188 * (10 + static_cast<std::uint64_t>(i));
    info.chunks.push_back(meta);
  }
  info.duration = std::chrono::duration_cast<peer::Time>(chunk) * count;
  return info;
}

void install(const std::shared_ptr<ScriptedPeer>& peer) {
  set_handle_factory([peer](peer::PeerOptions options, peer::PeerCallbacks callbacks) {
    {
      std::lock_guard lock(peer->mutex);
      peer->options = std::move(options);
      peer->callbacks = std::move(callbacks);
      peer->started = true;
      peer->stopped = false;
    }
    auto handle = std::make_unique<ScriptedHandle>(peer);
    if (peer->start_error) handle->report_error_soon();
    return std::unique_ptr<peer::PeerHandle>(std::move(handle));
  });
}

}  // namespace shoal::player::test
