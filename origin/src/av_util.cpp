#include "shoal/origin/av_ptr.hpp"

namespace shoal::origin {

std::string av_error_string(int error) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(error, buf, sizeof buf);
  return buf;
}

}  // namespace shoal::origin
