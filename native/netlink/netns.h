// Opening a socket inside another network namespace, the way `ip -n` does,
// without moving the calling thread: a short-lived thread joins the namespace,
// creates the socket and exits. A socket stays in the namespace it was
// created in for its whole life, whichever thread uses it afterwards.
#pragma once

namespace hostwire {

// `netns` is null (the caller's namespace), a name under /run/netns, or a
// path (anything containing '/', e.g. /proc/1234/ns/net). Returns the fd, or
// -errno; `failedSyscall` names the step that failed ("open", "setns", "socket").
int OpenSocketInNetns(const char* netns, int domain, int type, int protocol, const char** failedSyscall,
                      char* resolvedPath, unsigned resolvedPathSize);

}  // namespace hostwire
