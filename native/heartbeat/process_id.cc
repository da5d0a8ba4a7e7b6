#include "heartbeat/process_id.h"

#include <pthread.h>
#include <unistd.h>

#include <atomic>

namespace hostwire {

namespace {

std::atomic<uint32_t> cached_pid{0};

void RefreshAfterFork() { cached_pid.store(static_cast<uint32_t>(::getpid()), std::memory_order_relaxed); }

struct Installer {
  Installer() {
    RefreshAfterFork();
    pthread_atfork(nullptr, nullptr, RefreshAfterFork);
  }
};
const Installer installer;

}  // namespace

uint32_t CachedPid() { return cached_pid.load(std::memory_order_relaxed); }

}  // namespace hostwire
