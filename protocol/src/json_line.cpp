#include "shoal/protocol/json_line.hpp"

#include <cmath>
#include <cstdio>

namespace shoal {

std::string JsonLine::quote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

JsonLine& JsonLine::add_raw(std::string_view key, std::string_view json) {
  if (body_.size() > 1) body_ += ',';
  body_ += quote(key);
  body_ += ':';
  body_ += json;
  return *this;
}

JsonLine& JsonLine::add(std::string_view key, std::string_view value) { return add_raw(key, quote(value)); }

JsonLine& JsonLine::add(std::string_view key, bool value) { return add_raw(key, value ? "true" : "false"); }

JsonLine& JsonLine::add(std::string_view key, double value) {
  if (!std::isfinite(value)) return add_raw(key, "null");
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  return add_raw(key, buf);
}

}  // namespace shoal
