#include "dgram/sender.h"

#include <errno.h>
#include <sys/socket.h>

#include "common/bound_method.h"
#include "common/bytes.h"
#include "common/errors.h"
#include "common/integer_arg.h"
#include "dgram/outcome.h"
#include "dgram/socket_options.h"

namespace hostwire {

namespace {

bool ObserverAbsent(int err) { return err == ENOENT || err == ECONNREFUSED; }

// Never block, and never die of SIGPIPE: a gone peer is an outcome.
constexpr int kSendFlags = MSG_NOSIGNAL | MSG_DONTWAIT;

}  // namespace

Napi::Function DgramSender::Define(Napi::Env env) {
  return DefineClass(
      env, "DgramSender",
      {
          InstanceMethod<&DgramSender::Reconnect>("reconnect"),
          InstanceMethod<&DgramSender::Close>("close"),
          InstanceMethod<&DgramSender::WaitWritable>("waitWritable"),
          InstanceMethod<&DgramSender::CancelWait>("cancelWait"),
          InstanceMethod<&DgramSender::Ref>("ref"),
          InstanceMethod<&DgramSender::Unref>("unref"),
          InstanceAccessor<&DgramSender::GetState>("state"),
          InstanceAccessor<&DgramSender::GetFd>("fd"),
          InstanceAccessor<&DgramSender::GetSendBufferSize, &DgramSender::SetSendBufferSize>("sendBufferSize"),
      });
}

// new DgramSender(path: string, requirePeer: boolean)
DgramSender::DgramSender(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DgramSender>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "The \"path\" argument must be a string");
    return;
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  require_peer_ = info[1].ToBoolean().Value();
  int rc = ParseUnixAddress(path, &address_);
  if (rc == 0) rc = OpenAndConnect(&fd_, &state_);
  if (rc < 0) {
    ErrnoError(env, -rc, "connect", path.c_str()).ThrowAsJavaScriptException();
    return;
  }
  async_context_ = std::make_unique<Napi::AsyncContext>(env, "hostwire:DgramSender");
  InstallBoundMethod(env, info.This(), "send", SendCallback, this);
}

DgramSender::~DgramSender() = default;  // poll_ closes its own uv handle

int DgramSender::OpenAndConnect(UniqueFd* fd, State* state) {
  int rc = OpenUnixDgramSocket();
  if (rc < 0) return rc;
  UniqueFd fresh(rc);
  if (::connect(fresh.get(), address_.sockaddr_ptr(), address_.length) == 0) {
    *state = State::kConnected;
  } else {
    const int err = errno;
    if (require_peer_ || !ObserverAbsent(err)) return -err;
    *state = State::kPending;
  }
  *fd = std::move(fresh);
  return 0;
}

// send(bytes: Uint8Array[, offset, length]) -> outcome | errno << 8.
// Raw N-API on purpose: this is the hot path (see bound_method.h).
napi_value DgramSender::SendCallback(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 3;
  napi_value argv[3];
  void* self = nullptr;
  napi_get_cb_info(env, cbinfo, &argc, argv, nullptr, &self);
  uint8_t* data = nullptr;
  size_t length = 0;
  if (argc < 1 || !BorrowBytes(env, argv[0], &data, &length)) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "The \"data\" argument must be a Buffer or Uint8Array");
    return nullptr;
  }
  if (argc > 1) {
    // Checked as doubles so that 2^32 + 1 is refused rather than read as 1.
    double offset = 0;
    double count = 0;
    if (!ReadIntegerArg(env, argv[1], "offset", 0, static_cast<double>(length), &offset)) return nullptr;
    const double rest = static_cast<double>(length) - offset;
    if (argc < 3) {
      count = rest;
    } else if (!ReadIntegerArg(env, argv[2], "length", 0, rest, &count)) {
      return nullptr;
    }
    data += static_cast<size_t>(offset);
    length = static_cast<size_t>(count);
  }
  napi_value result;
  napi_create_int32(env, static_cast<DgramSender*>(self)->SendBytes(data, length), &result);
  return result;
}

int DgramSender::SendBytes(const uint8_t* data, size_t length) {
  int err = 0;
  const bool was_connected = state_ == State::kConnected;
  switch (state_) {
    case State::kConnected:
    case State::kDisconnected:
      if (::send(fd_.get(), data, length, kSendFlags) < 0) err = errno;
      break;
    case State::kPending:
      if (::sendto(fd_.get(), data, length, kSendFlags, address_.sockaddr_ptr(), address_.length) < 0) {
        err = errno;
      } else if (::connect(fd_.get(), address_.sockaddr_ptr(), address_.length) == 0) {
        state_ = State::kConnected;  // the observer is up: later sends skip the lookup
      }
      break;
    case State::kClosed:
      err = EBADF;
      break;
  }
  SendOutcome outcome = ClassifySendErrno(err, was_connected);
  if (outcome == SendOutcome::kPeerGone && state_ == State::kConnected) {
    state_ = State::kDisconnected;  // the kernel has dropped the association too
  }
  return EncodeSendResult(outcome, err);
}

// Builds the new socket before dropping the old one, so a failed reconnect
// leaves the sender exactly as it was.
void DgramSender::Reconnect(const Napi::CallbackInfo& info) {
  if (state_ == State::kClosed) {
    ErrnoError(info.Env(), EBADF, "connect", address_.text.c_str()).ThrowAsJavaScriptException();
    return;
  }
  UniqueFd fresh;
  State fresh_state = State::kPending;
  int rc = OpenAndConnect(&fresh, &fresh_state);
  if (rc < 0) {
    ErrnoError(info.Env(), -rc, "connect", address_.text.c_str()).ThrowAsJavaScriptException();
    return;
  }
  DestroyPoll();  // it watches the old fd
  fd_ = std::move(fresh);
  state_ = fresh_state;
}

void DgramSender::Close(const Napi::CallbackInfo& info) {
  DestroyPoll();
  fd_.reset();
  state_ = State::kClosed;
}

// waitWritable(callback(err|null)): one-shot; fires when the receiver's queue
// has room again (for a connected socket poll reflects the peer's queue).
void DgramSender::WaitWritable(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "The \"callback\" argument must be a function");
    return;
  }
  if (state_ == State::kClosed) {
    ErrnoError(env, EBADF, "poll", address_.text.c_str()).ThrowAsJavaScriptException();
    return;
  }
  StopWaiting();
  if (!poll_) {
    poll_ = std::make_unique<PollHandle>(env, fd_.get(), [this](int status, int) { OnWritable(status); });
  }
  poll_->SetRef(ref_);
  int rc = poll_->Start(UV_WRITABLE);
  if (rc != 0) {
    ErrnoError(env, -rc, "poll", address_.text.c_str()).ThrowAsJavaScriptException();
    return;
  }
  on_writable_ = Napi::Persistent(info[0].As<Napi::Function>());
  waiting_ = true;
  Napi::ObjectWrap<DgramSender>::Ref();  // keep this object alive while libuv may call back into it
}

void DgramSender::CancelWait(const Napi::CallbackInfo& info) { StopWaiting(); }

void DgramSender::StopWaiting() {
  if (!waiting_) return;
  waiting_ = false;
  poll_->Stop();
  on_writable_.Reset();
  Napi::ObjectWrap<DgramSender>::Unref();
}

void DgramSender::DestroyPoll() {
  StopWaiting();
  poll_.reset();
}

void DgramSender::OnWritable(int status) {
  if (!waiting_) return;
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  Napi::FunctionReference callback = std::move(on_writable_);
  StopWaiting();
  Napi::Value arg = status == 0 ? env.Null() : ErrnoError(env, -status, "poll").Value();
  callback.MakeCallback(Value(), {arg}, *async_context_);
}

void DgramSender::Ref(const Napi::CallbackInfo& info) {
  ref_ = true;
  if (poll_) poll_->SetRef(true);
}

void DgramSender::Unref(const Napi::CallbackInfo& info) {
  ref_ = false;
  if (poll_) poll_->SetRef(false);
}

Napi::Value DgramSender::GetState(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<int>(state_));
}

Napi::Value DgramSender::GetFd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), fd_.get()); }

Napi::Value DgramSender::GetSendBufferSize(const Napi::CallbackInfo& info) {
  int size = GetSocketBufferSize(fd_.get(), SO_SNDBUF);
  if (size < 0) {
    ErrnoError(info.Env(), -size, "getsockopt").ThrowAsJavaScriptException();
    return Napi::Value();
  }
  return Napi::Number::New(info.Env(), size);
}

void DgramSender::SetSendBufferSize(const Napi::CallbackInfo& info, const Napi::Value& value) {
  int rc = SetSocketBufferSize(fd_.get(), SO_SNDBUF, value.As<Napi::Number>().Int32Value());
  if (rc < 0) ErrnoError(info.Env(), -rc, "setsockopt").ThrowAsJavaScriptException();
}

}  // namespace hostwire
