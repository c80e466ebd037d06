#include "handle_factory.hpp"

#include <mutex>
#include <utility>

namespace shoal::player {
namespace {

std::mutex& factory_mutex() {
  static std::mutex mutex;
  return mutex;
}

HandleFactory& factory_slot() {
  static HandleFactory factory;
  return factory;
}

}  // namespace

void set_handle_factory(HandleFactory factory) {
  std::lock_guard lock(factory_mutex());
  factory_slot() = std::move(factory);
}

HandleFactory handle_factory() {
  std::lock_guard lock(factory_mutex());
  return factory_slot();
}

}  // namespace shoal::player
