// HTTP Range (RFC 9110 §14): one "bytes=" range. Several ranges or a
// malformed header are ignored (the whole body is sent), as the RFC allows.
#pragma once

#include <cstddef>
#include <string_view>

namespace shoal::origin {

struct ByteRange {
  enum class Kind { whole, range, unsatisfiable };
  Kind kind = Kind::whole;
  std::size_t first = 0;
  std::size_t last = 0;  // inclusive
};

ByteRange parse_range(std::string_view header, std::size_t size);

}  // namespace shoal::origin
