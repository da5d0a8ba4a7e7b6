// The emitting process's pid, cached (getpid() is a syscall) and refreshed in
// the child after fork() through pthread_atfork, so a forked agent never
// reports its parent's pid.
#pragma once

#include <cstdint>

namespace hostwire {

uint32_t CachedPid();

}  // namespace hostwire
