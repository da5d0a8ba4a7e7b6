// Last words on a native crash. On SIGSEGV, SIGBUS, SIGFPE, SIGILL or SIGABRT
// the handler encodes a Critical + NONCE_TERMINAL frame and sends it with
// sendto() — only async-signal-safe calls: clock_gettime, getpid, memcpy,
// arithmetic, sendto, sigaction, raise — then lets the signal kill the process.
//
// Node (V8) may already own SIGSEGV/SIGBUS to turn WebAssembly out-of-bounds
// accesses into exceptions. Its handler runs first; if it handled a trap, the
// disposition is still ours afterwards and nothing is sent. If it was a real
// crash, Node resets the disposition to SIG_DFL and re-raises: then we send.
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/errors.h"
#include "dgram/address.h"
#include "dgram/socket_options.h"
#include "heartbeat/heartbeat.h"
#include "vlp/frame.h"

namespace hostwire {

namespace {

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
constexpr int kSignalCount = sizeof(kSignals) / sizeof(kSignals[0]);

struct HookState {
  int fd = -1;
  sockaddr_un addr{};
  socklen_t addr_len = 0;
  uint8_t version = 2;
  uint64_t origin_ns = 0;
  bool installed = false;
  struct sigaction previous[kSignalCount];
};
HookState hook;
volatile sig_atomic_t sent = 0;

uint64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

void SendTerminal(int signo) {
  if (sent) return;
  sent = 1;
  uint8_t frame[vlp::kFrameSize];
  const uint64_t now = NowNs();
  const uint64_t ts = now > hook.origin_ns ? now - hook.origin_ns : 0;
  // The payload carries the signal number, so the observer can tell why.
  if (vlp::Encode(frame, hook.version, vlp::kCritical, static_cast<uint32_t>(getpid()), ts, vlp::kNonceTerminal,
                  static_cast<uint64_t>(signo)) == vlp::Result::kOk) {
    sendto(hook.fd, frame, sizeof(frame), MSG_DONTWAIT | MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&hook.addr),
           hook.addr_len);
  }
}

int IndexOf(int signo) {
  for (int i = 0; i < kSignalCount; i++) {
    if (kSignals[i] == signo) return i;
  }
  return -1;
}

void OnFatalSignal(int signo, siginfo_t* info, void* context) {
  const int i = IndexOf(signo);
  const struct sigaction& prev = hook.previous[i];
  if ((prev.sa_flags & SA_SIGINFO) && prev.sa_sigaction != nullptr) {
    prev.sa_sigaction(signo, info, context);
    struct sigaction now;
    sigaction(signo, nullptr, &now);
    // Still ours: the previous handler dealt with it (a WebAssembly trap). Carry on.
    if ((now.sa_flags & SA_SIGINFO) && now.sa_sigaction == OnFatalSignal) return;
    SendTerminal(signo);
    return;  // the previous handler re-raised; the pending signal now kills us
  }
  if (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN && prev.sa_handler != nullptr) {
    prev.sa_handler(signo);
    return;
  }
  SendTerminal(signo);
  struct sigaction dfl;
  memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  sigaction(signo, &dfl, nullptr);
  raise(signo);  // blocked while we run; delivered with the default action on return
}

// installFatalSignalHook(path, version): process-wide; a second call retargets it.
Napi::Value Install(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsNumber()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "installFatalSignalHook(path: string, version: 1 | 2)");
    return Napi::Value();
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  UnixAddress address;
  int rc = ParseUnixAddress(path, &address);
  if (rc < 0) {
    ErrnoError(env, -rc, "connect", path.c_str()).ThrowAsJavaScriptException();
    return Napi::Value();
  }
  int fd = OpenUnixDgramSocket();
  if (fd < 0) {
    ErrnoError(env, -fd, "socket").ThrowAsJavaScriptException();
    return Napi::Value();
  }
  // Block the signals while the shared state changes under a possible handler.
  sigset_t block, old;
  sigemptyset(&block);
  for (int s : kSignals) sigaddset(&block, s);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  const int old_fd = hook.fd;
  hook.fd = fd;
  hook.addr = address.addr;
  hook.addr_len = address.length;
  hook.version = static_cast<uint8_t>(info[1].As<Napi::Number>().Uint32Value() == 1 ? 1 : 2);
  hook.origin_ns = NowNs();
  if (!hook.installed) {
    for (int i = 0; i < kSignalCount; i++) {
      struct sigaction sa;
      memset(&sa, 0, sizeof(sa));
      sa.sa_sigaction = OnFatalSignal;
      sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
      sigemptyset(&sa.sa_mask);
      sigaction(kSignals[i], &sa, &hook.previous[i]);
    }
    hook.installed = true;
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (old_fd >= 0) close(old_fd);
  return env.Undefined();
}

}  // namespace

void InitFatalSignals(Napi::Env env, Napi::Object heartbeat) {
  heartbeat.Set("installFatalSignalHook", Napi::Function::New(env, Install, "installFatalSignalHook"));
}

}  // namespace hostwire
