#include "shoal/origin/manifest.hpp"

#include "shoal/origin/sha256.hpp"
#include "shoal/protocol/json_line.hpp"

namespace shoal::origin {

wire::Manifest build_manifest(Channel& channel) {
  wire::Manifest m;
  m.set_channel(channel.name());
  m.set_live(channel.live());
  m.set_target_duration_ms(static_cast<std::uint32_t>(channel.target().count() / 1000));
  m.set_swarm_id(channel.swarm_id());
  m.set_ended(!channel.live());
  std::uint64_t bytes = 0;
  std::uint64_t duration_us = 0;
  for (const ChunkInfo& c : channel.store().chunks()) {
    wire::ChunkInfo* out = m.add_chunks();
    out->set_seq(c.seq);
    out->set_pts_us(c.pts_us);
    out->set_duration_us(c.duration_us);
    out->set_size(c.size);
    out->set_sha256(c.sha256);
    out->set_discontinuity(c.discontinuity);
    bytes += c.size;
    duration_us += c.duration_us;
    m.set_live_edge(c.seq);
  }
  if (duration_us > 0) m.set_bitrate_bps(bytes * 8 * 1'000'000 / duration_us);
  return m;
}

wire::SignedManifest sign_manifest(const wire::Manifest& manifest, const protocol::SigningKey& key) {
  wire::SignedManifest envelope;
  envelope.set_manifest(manifest.SerializeAsString());
  envelope.set_public_key(key.public_key());
  envelope.set_signature(key.sign(envelope.manifest()));
  return envelope;
}

std::string manifest_json(const wire::Manifest& m, const std::string& key_fingerprint) {
  std::string chunks = "[";
  for (const wire::ChunkInfo& c : m.chunks()) {
    if (chunks.size() > 1) chunks += ",";
    chunks += JsonLine()
                  .add("seq", c.seq())
                  .add("pts_us", c.pts_us())
                  .add("duration_us", c.duration_us())
                  .add("size", c.size())
                  .add("sha256", to_hex(c.sha256()))
                  .add("discontinuity", c.discontinuity())
                  .str();
  }
  chunks += "]";
  return JsonLine()
      .add("channel", m.channel())
      .add("live", m.live())
      .add("target_duration_ms", m.target_duration_ms())
      .add("live_edge", m.live_edge())
      .add("ended", m.ended())
      .add("bitrate_bps", m.bitrate_bps())
      .add("swarm_id", to_hex(m.swarm_id()))
      .add("issued_at_ms", m.issued_at_ms())
      .add("key", key_fingerprint)
      .add_raw("chunks", chunks)
      .str();
}

}  // namespace shoal::origin
