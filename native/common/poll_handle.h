// A libuv poll watcher on Node's loop for one fd. The uv_poll_t lives on the
// heap so it can outlive its owner until libuv's close callback runs, and an
// environment cleanup hook closes it if the owning thread (a worker) exits first.
#pragma once

#include <napi.h>
#include <uv.h>

#include <functional>

namespace hostwire {

class PollHandle {
 public:
  using Callback = std::function<void(int status, int events)>;

  PollHandle(Napi::Env env, int fd, Callback callback);
  ~PollHandle();
  PollHandle(const PollHandle&) = delete;
  PollHandle& operator=(const PollHandle&) = delete;

  // Returns 0 or a negative libuv error.
  int Start(int events);
  void Stop();
  bool active() const { return events_ != 0; }

  // Whether an active watcher keeps the process alive (uv_ref/uv_unref).
  void SetRef(bool ref);
  bool ref() const { return ref_; }

  // Stops watching and releases the uv handle; safe to call twice. The fd is
  // not closed here: it belongs to the owner, who may close it right after.
  void Close();

 private:
  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnEnvCleanup(void* self);

  napi_env env_;
  uv_poll_t* handle_ = nullptr;
  Callback callback_;
  int events_ = 0;
  bool ref_ = true;
};

}  // namespace hostwire
