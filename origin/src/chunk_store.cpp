#include "shoal/origin/chunk_store.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "shoal/origin/sha256.hpp"

namespace shoal::origin {

namespace fs = std::filesystem;

namespace {

constexpr const char* kIndexName = "index.txt";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Sequence number of a chunk file name ("000000000042.ts"), or nullopt.
std::optional<std::uint64_t> chunk_file_seq(const fs::path& path) {
  if (path.extension() != ".ts") return std::nullopt;
  const std::string stem = path.stem().string();
  if (stem.empty() || stem.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoull(stem);
}

}  // namespace

void write_file_atomically(const fs::path& path, std::string_view data) {
  fs::path tmp = path;
  tmp += ".tmp";  // a name no chunk or index file has; the rename below is atomic
  std::FILE* file = std::fopen(tmp.c_str(), "wb");
  if (file == nullptr) throw std::runtime_error("cannot write " + tmp.string());
  const bool ok = std::fwrite(data.data(), 1, data.size(), file) == data.size() && std::fflush(file) == 0 &&
                  ::fdatasync(fileno(file)) == 0;
  std::fclose(file);
  std::error_code ec;
  if (!ok) {
    fs::remove(tmp, ec);
    throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, path, ec);
  if (ec) throw std::runtime_error("cannot rename " + tmp.string() + ": " + ec.message());
}

ChunkStore::ChunkStore(StoreConfig config) : config_(std::move(config)) {
  std::error_code ec;
  fs::create_directories(config_.dir, ec);
  if (ec || !fs::is_directory(config_.dir)) {
    throw std::runtime_error("cannot create data directory " + config_.dir.string());
  }
}

fs::path ChunkStore::chunk_path(std::uint64_t seq) const {
  char name[32];
  std::snprintf(name, sizeof name, "%012llu.ts", static_cast<unsigned long long>(seq));
  return config_.dir / name;
}

void ChunkStore::write_index_locked() const {
  std::ostringstream out;
  out << "shoal-index v1 " << (config_.live ? "live" : "vod") << " complete=" << (complete_ ? 1 : 0)
      << " evicted_disc=" << evicted_discontinuities_ << " next=" << next_seq_ << " source=" << source_id_ << "\n";
  for (const Entry& e : entries_) {
    const ChunkInfo& c = e.info;
    out << c.seq << ' ' << c.pts_us << ' ' << c.duration_us << ' ' << c.size << ' ' << to_hex(c.sha256) << ' '
        << (c.discontinuity ? 1 : 0) << ' ' << c.wall_us << "\n";
  }
  write_file_atomically(config_.dir / kIndexName, out.str());
}

std::vector<ChunkStore::Entry> ChunkStore::read_index(std::string& header) const {
  std::vector<Entry> out;
  std::istringstream in(read_file(config_.dir / kIndexName));
  std::string line;
  if (!std::getline(in, header)) return out;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    Entry e;
    std::string hex;
    int disc = 0;
    if (!(fields >> e.info.seq >> e.info.pts_us >> e.info.duration_us >> e.info.size >> hex >> disc >>
          e.info.wall_us)) {
      continue;  // a damaged line: the chunk is dropped
    }
    e.info.sha256 = from_hex(hex);
    e.info.discontinuity = disc != 0;
    if (e.info.sha256.size() == 32) out.push_back(std::move(e));
  }
  return out;
}

void ChunkStore::clear_dir() {
  std::error_code ec;
  for (const auto& item : fs::directory_iterator(config_.dir, ec)) fs::remove(item.path(), ec);
}

std::size_t ChunkStore::load_live() {
  std::lock_guard lock(mutex_);
  std::string header;
  std::vector<Entry> loaded = read_index(header);
  std::uint64_t max_seq_seen = 0;
  bool any = false;
  // Chunk files written after the last index rewrite (a crash in between)
  // still hold their numbers: never reuse them.
  std::error_code ec;
  for (const auto& item : fs::directory_iterator(config_.dir, ec)) {
    if (auto seq = chunk_file_seq(item.path())) {
      max_seq_seen = std::max(max_seq_seen, *seq);
      any = true;
    }
  }
  const auto pos = header.find(" next=");
  if (pos != std::string::npos) {
    const std::uint64_t next = std::strtoull(header.c_str() + pos + 6, nullptr, 10);
    if (next > 0) {
      max_seq_seen = std::max(max_seq_seen, next - 1);
      any = true;
    }
  }
  entries_.clear();
  for (Entry& e : loaded) {
    max_seq_seen = std::max(max_seq_seen, e.info.seq);
    any = true;
    const std::string bytes = read_file(chunk_path(e.info.seq));
    if (bytes.size() != e.info.size || sha256(bytes) != e.info.sha256) continue;
    if (!entries_.empty() && e.info.seq != entries_.back().info.seq + 1) entries_.clear();  // keep contiguous
    e.payload = std::make_shared<const std::string>(bytes);
    cached_bytes_ += bytes.size();
    window_us_ += e.info.duration_us;
    entries_.push_back(std::move(e));
  }
  next_seq_ = any ? max_seq_seen + 1 : 0;
  pending_discontinuity_ = any;
  // Remove files no longer indexed.
  for (const auto& item : fs::directory_iterator(config_.dir, ec)) {
    if (item.path().extension() == ".tmp") fs::remove(item.path(), ec);  // a write cut short
    auto seq = chunk_file_seq(item.path());
    if (!seq) continue;
    const bool kept = !entries_.empty() && *seq >= entries_.front().info.seq && *seq <= entries_.back().info.seq;
    if (!kept) fs::remove(item.path(), ec);
  }
  evict_locked();
  write_index_locked();
  return entries_.size();
}

bool ChunkStore::load_vod(const std::string& source_id) {
  std::lock_guard lock(mutex_);
  std::string header;
  std::vector<Entry> loaded = read_index(header);
  const bool header_ok =
      header.rfind("shoal-index v1 vod complete=1 ", 0) == 0 && header.size() >= source_id.size() + 7 &&
      header.compare(header.size() - source_id.size() - 7, std::string::npos, "source=" + source_id) == 0;
  bool intact = header_ok && !loaded.empty();
  std::size_t cached = 0;
  for (std::size_t i = 0; intact && i < loaded.size(); ++i) {
    Entry& e = loaded[i];
    const std::string bytes = read_file(chunk_path(e.info.seq));
    intact = e.info.seq == i && bytes.size() == e.info.size && sha256(bytes) == e.info.sha256;
    if (intact && cached + bytes.size() <= config_.memory_cache_bytes) {
      cached += bytes.size();
      e.payload = std::make_shared<const std::string>(bytes);
    }
  }
  entries_.clear();
  cached_bytes_ = 0;
  if (!intact) {
    clear_dir();
    next_seq_ = 0;
    return false;
  }
  entries_.assign(std::make_move_iterator(loaded.begin()), std::make_move_iterator(loaded.end()));
  cached_bytes_ = cached;
  next_seq_ = entries_.back().info.seq + 1;
  complete_ = true;
  source_id_ = source_id;
  return true;
}

void ChunkStore::finish_vod(const std::string& source_id) {
  std::lock_guard lock(mutex_);
  complete_ = true;
  source_id_ = source_id;
  write_index_locked();
}

void ChunkStore::mark_discontinuity() {
  std::lock_guard lock(mutex_);
  pending_discontinuity_ = true;
}

ChunkInfo ChunkStore::append(ChunkInfo info, protocol::ChunkPayload payload) {
  Chunk chunk;
  {
    std::lock_guard lock(mutex_);
    info.seq = next_seq_;
    info.size = payload->size();
    if (info.sha256.size() != 32) info.sha256 = sha256(*payload);
    info.discontinuity = info.discontinuity || pending_discontinuity_;
    pending_discontinuity_ = false;
    write_file_atomically(chunk_path(info.seq), *payload);
    ++next_seq_;
    Entry e{info, nullptr};
    if (config_.live || cached_bytes_ + payload->size() <= config_.memory_cache_bytes) {
      e.payload = payload;
      cached_bytes_ += payload->size();
    }
    entries_.push_back(std::move(e));
    window_us_ += info.duration_us;
    evict_locked();
    if (config_.live) write_index_locked();
    chunk = Chunk{info, std::move(payload)};
  }
  std::lock_guard lock(listeners_mutex_);
  for (auto& [id, listener] : listeners_) listener(chunk);
  return chunk.info;
}

void ChunkStore::evict_locked() {
  if (!config_.live) return;
  while (entries_.size() > 1 && window_us_ - entries_.front().info.duration_us >= config_.dvr_window.count()) {
    Entry& old = entries_.front();
    window_us_ -= old.info.duration_us;
    if (old.payload) cached_bytes_ -= old.payload->size();
    if (old.info.discontinuity) ++evicted_discontinuities_;
    std::error_code ec;
    fs::remove(chunk_path(old.info.seq), ec);
    entries_.pop_front();
  }
}

std::vector<ChunkInfo> ChunkStore::chunks() const {
  std::lock_guard lock(mutex_);
  std::vector<ChunkInfo> out;
  out.reserve(entries_.size());
  for (const Entry& e : entries_) out.push_back(e.info);
  return out;
}

std::optional<ChunkInfo> ChunkStore::info(std::uint64_t seq) const {
  std::lock_guard lock(mutex_);
  if (entries_.empty() || seq < entries_.front().info.seq || seq > entries_.back().info.seq) return std::nullopt;
  return entries_[seq - entries_.front().info.seq].info;
}

protocol::ChunkPayload ChunkStore::payload(std::uint64_t seq) const {
  ChunkInfo info;
  {
    std::lock_guard lock(mutex_);
    if (entries_.empty() || seq < entries_.front().info.seq || seq > entries_.back().info.seq) return nullptr;
    const Entry& e = entries_[seq - entries_.front().info.seq];
    if (e.payload) return e.payload;
    info = e.info;
  }
  // Not cached: read from disk outside the lock; a damaged file is not served.
  auto bytes = std::make_shared<const std::string>(read_file(chunk_path(seq)));
  if (bytes->size() != info.size) return nullptr;
  return bytes;
}

std::uint64_t ChunkStore::next_seq() const {
  std::lock_guard lock(mutex_);
  return next_seq_;
}

std::uint64_t ChunkStore::first_seq() const {
  std::lock_guard lock(mutex_);
  return entries_.empty() ? next_seq_ : entries_.front().info.seq;
}

std::uint64_t ChunkStore::evicted_discontinuities() const {
  std::lock_guard lock(mutex_);
  return evicted_discontinuities_;
}

bool ChunkStore::complete() const {
  std::lock_guard lock(mutex_);
  return complete_;
}

std::uint64_t ChunkStore::on_new_chunk(Listener listener) {
  std::lock_guard lock(listeners_mutex_);
  const std::uint64_t id = next_listener_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void ChunkStore::remove_listener(std::uint64_t id) {
  std::lock_guard lock(listeners_mutex_);
  listeners_.erase(id);
}

}  // namespace shoal::origin
