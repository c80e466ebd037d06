// One JSON object on one line: the machine-readable output of every Shoal
// binary (stdout), e.g. JsonLine().add("stalls", 0).add("policy", "deadline").str().
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>

namespace shoal {

class JsonLine {
 public:
  JsonLine& add(std::string_view key, std::string_view value);
  JsonLine& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
  JsonLine& add(std::string_view key, bool value);
  JsonLine& add(std::string_view key, double value);
  template <std::integral T>
  requires(!std::same_as<T, bool>) JsonLine& add(std::string_view key, T value) {
    return add_raw(key, std::to_string(value));
  }
  /// Inserts `json` as it is (an array or object written elsewhere).
  JsonLine& add_raw(std::string_view key, std::string_view json);

  /// The object, without a trailing newline.
  std::string str() const { return body_ + "}"; }

  static std::string quote(std::string_view text);

 private:
  std::string body_ = "{";
};

}  // namespace shoal
