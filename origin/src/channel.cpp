#include "shoal/origin/channel.hpp"

namespace shoal::origin {

Channel::Channel(ChannelConfig config, std::string swarm_id)
    : config_(std::move(config)),
      swarm_id_(std::move(swarm_id)),
      store_(StoreConfig{config_.data_root / config_.name, config_.live, config_.dvr}) {}

Channel::~Channel() { stop(); }

void Channel::start() {
  if (!config_.live) {
    const std::string source = vod_source_id(config_.input, config_.target);
    reused_ = store_.load_vod(source);
    if (!reused_) {
      ingest_vod(config_.input, config_.target, store_);
      store_.finish_vod(source);
    }
    return;
  }
  if (config_.input.find("://") == std::string::npos) {
    MediaInput check(config_.input, InputOptions{});  // refuse a bad file now, not in the thread
  }
  store_.load_live();
  ingest_ = std::make_unique<LiveIngest>(LiveConfig{config_.input, config_.loop, config_.target}, store_);
  ingest_->start();
}

void Channel::stop() {
  if (ingest_) ingest_->stop();
}

}  // namespace shoal::origin
