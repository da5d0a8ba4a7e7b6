#include "common/poll_handle.h"

namespace hostwire {

PollHandle::PollHandle(Napi::Env env, int fd, Callback callback) : env_(env), callback_(std::move(callback)) {
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env_, &loop);
  handle_ = new uv_poll_t;
  if (uv_poll_init(loop, handle_, fd) != 0) {
    delete handle_;
    handle_ = nullptr;
    return;
  }
  handle_->data = this;
  napi_add_env_cleanup_hook(env_, OnEnvCleanup, this);
}

PollHandle::~PollHandle() { Close(); }

int PollHandle::Start(int events) {
  if (handle_ == nullptr) return UV_EBADF;
  int rc = uv_poll_start(handle_, events, OnPoll);
  if (rc != 0) return rc;
  events_ = events;
  if (!ref_) uv_unref(reinterpret_cast<uv_handle_t*>(handle_));
  return 0;
}

void PollHandle::Stop() {
  if (handle_ != nullptr) uv_poll_stop(handle_);
  events_ = 0;
}

void PollHandle::SetRef(bool ref) {
  ref_ = ref;
  if (handle_ == nullptr) return;
  auto* h = reinterpret_cast<uv_handle_t*>(handle_);
  if (ref) {
    uv_ref(h);
  } else {
    uv_unref(h);
  }
}

void PollHandle::Close() {
  if (handle_ == nullptr) return;
  napi_remove_env_cleanup_hook(env_, OnEnvCleanup, this);
  uv_poll_stop(handle_);
  handle_->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(handle_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
  handle_ = nullptr;
  events_ = 0;
}

void PollHandle::OnPoll(uv_poll_t* handle, int status, int events) {
  auto* self = static_cast<PollHandle*>(handle->data);
  if (self != nullptr) self->callback_(status, events);
}

void PollHandle::OnEnvCleanup(void* self) {
  auto* poll = static_cast<PollHandle*>(self);
  if (poll->handle_ == nullptr) return;
  // The hook is being run, so it must not be removed again inside Close().
  uv_poll_stop(poll->handle_);
  poll->handle_->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(poll->handle_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
  poll->handle_ = nullptr;
  poll->events_ = 0;
}

}  // namespace hostwire
