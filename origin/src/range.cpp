#include "shoal/origin/range.hpp"

#include <charconv>
#include <optional>

namespace shoal::origin {

namespace {
std::optional<std::size_t> number(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::size_t value = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return std::nullopt;
  return value;
}
}  // namespace

ByteRange parse_range(std::string_view header, std::size_t size) {
  constexpr std::string_view kPrefix = "bytes=";
  ByteRange whole;
  if (header.substr(0, kPrefix.size()) != kPrefix) return whole;
  const std::string_view spec = header.substr(kPrefix.size());
  if (spec.find(',') != std::string_view::npos) return whole;
  const auto dash = spec.find('-');
  if (dash == std::string_view::npos) return whole;
  const std::string_view a = spec.substr(0, dash);
  const std::string_view b = spec.substr(dash + 1);
  ByteRange out;
  out.kind = ByteRange::Kind::range;
  if (a.empty()) {  // suffix: the last N bytes
    const auto n = number(b);
    if (!n) return whole;
    if (*n == 0 || size == 0) return ByteRange{ByteRange::Kind::unsatisfiable};
    out.first = *n >= size ? 0 : size - *n;
    out.last = size - 1;
    return out;
  }
  const auto first = number(a);
  if (!first) return whole;
  std::size_t last = size == 0 ? 0 : size - 1;
  if (!b.empty()) {
    const auto l = number(b);
    if (!l || *l < *first) return whole;
    last = std::min(*l, last);
  }
  if (*first >= size) return ByteRange{ByteRange::Kind::unsatisfiable};
  out.first = *first;
  out.last = last;
  return out;
}

}  // namespace shoal::origin
