// The channel manifest peers start from (wire::Manifest), and its JSON form.
#pragma once

#include <string>

#include "shoal.pb.h"
#include "shoal/origin/channel.hpp"

namespace shoal::origin {

wire::Manifest build_manifest(Channel& channel);
std::string manifest_json(const wire::Manifest& manifest);

}  // namespace shoal::origin
