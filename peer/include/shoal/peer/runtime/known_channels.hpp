// The channels a viewer has played and the key each was signed by (trust on first use, as ssh's known_hosts):
// a small text file, one line per channel, "HOST:PORT/CHANNEL FINGERPRINT". A channel's first accepted manifest
// writes its line; later sessions refuse a manifest signed by another key (manifest_trust.hpp).
#pragma once

#include <optional>
#include <string>

#include "shoal/protocol/channel_uri.hpp"

namespace shoal::peer {

/// Where embedders keep the file unless told otherwise: $SHOAL_KNOWN_CHANNELS ("off": nowhere, an empty path),
/// else $XDG_STATE_HOME/shoal/known_channels, else $HOME/.local/state/shoal/known_channels, else nowhere.
std::string default_known_channels_file();

/// "HOST:PORT/CHANNEL" (an IPv6 host in brackets): how the file names a channel.
std::string channel_address(const protocol::ChannelUri& uri);

class KnownChannels {
 public:
  /// `file` empty: nothing is remembered or read.
  explicit KnownChannels(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }
  /// The fingerprint remembered for `channel` (a channel_address), read from the file now.
  std::optional<std::string> lookup(const std::string& channel) const;
  /// Sets `channel`'s line, keeping every other line. Written to a temporary file and renamed over the old one,
  /// so a crash never leaves half a file. Throws std::runtime_error with a one-line reason.
  void remember(const std::string& channel, const std::string& fingerprint) const;

 private:
  std::string file_;
};

}  // namespace shoal::peer
