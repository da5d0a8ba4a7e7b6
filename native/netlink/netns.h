// Opening a socket inside another network namespace, the way `ip -n` does,
// without moving the calling thread: a short-lived thread joins the namespace,
// creates the socket and exits. A socket stays in the namespace it was
// created in for its whole life, whichever thread uses it afterwards.
#pragma once

#include <string>

namespace hostwire {

// The file to open for `netns`: a name under /run/netns, or a path (anything
// containing '/', e.g. /proc/1234/ns/net) as given.
std::string NetnsPath(const char* netns);

// Opens a namespace file read-only; returns the fd or -errno. A path of
// PATH_MAX bytes or more is -ENAMETOOLONG: it is never cut short, which could
// name another namespace.
int OpenNetnsFile(const std::string& path);

// Creates a socket inside the namespace `netns_fd` refers to, or in the
// caller's own when it is -1. Returns the fd, or -errno with `failed_syscall`
// naming the step that failed ("setns", "socket").
int OpenSocketInNetns(int netns_fd, int domain, int type, int protocol, const char** failed_syscall);

}  // namespace hostwire
