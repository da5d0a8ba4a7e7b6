#include "dgram/receiver.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "common/errors.h"
#include "dgram/socket_options.h"

namespace hostwire {

namespace {

constexpr uint32_t kMaxBatch = 1024;
constexpr uint32_t kMaxMessageSize = 1 << 20;
// Bound the work done per loop wakeup; poll is level-triggered, so whatever
// is left wakes us again after other callbacks had their turn.
constexpr int kMaxBatchesPerWakeup = 16;
// Room for credentials plus a few passed fds, which are closed on arrival.
constexpr int kMaxPassedFds = 16;
constexpr size_t kControlSize = CMSG_SPACE(sizeof(ucred)) + CMSG_SPACE(sizeof(int) * kMaxPassedFds);

// A socket file left by a process that died answers connect() with
// ECONNREFUSED; anything else that answers is live and must not be stolen.
// Returns 0 or -errno.
int ClearStaleSocketFile(const UnixAddress& address, const char** detail) {
  struct stat st;
  if (::lstat(address.addr.sun_path, &st) != 0) return errno == ENOENT ? 0 : -errno;
  if (!S_ISSOCK(st.st_mode)) {
    *detail = "the path exists and is not a socket";
    return -EEXIST;
  }
  int probe = OpenUnixDgramSocket();
  if (probe < 0) return probe;
  UniqueFd probe_fd(probe);
  if (::connect(probe, address.sockaddr_ptr(), address.length) == 0 || errno == EPROTOTYPE) {
    *detail = "a live socket already answers on this path";
    return -EADDRINUSE;
  }
  if (errno != ECONNREFUSED) return -errno;
  if (::unlink(address.addr.sun_path) != 0 && errno != ENOENT) return -errno;
  return 0;
}

}  // namespace

Napi::Function DgramReceiver::Define(Napi::Env env) {
  return DefineClass(env, "DgramReceiver",
                     {
                         InstanceMethod<&DgramReceiver::Start>("start"),
                         InstanceMethod<&DgramReceiver::Stop>("stop"),
                         InstanceMethod<&DgramReceiver::Close>("close"),
                         InstanceMethod<&DgramReceiver::Ref>("ref"),
                         InstanceMethod<&DgramReceiver::Unref>("unref"),
                         InstanceAccessor<&DgramReceiver::GetData>("data"),
                         InstanceAccessor<&DgramReceiver::GetMeta>("meta"),
                         InstanceAccessor<&DgramReceiver::GetFd>("fd"),
                         InstanceAccessor<&DgramReceiver::GetFdsClosed>("fdsClosed"),
                         InstanceAccessor<&DgramReceiver::GetTruncated>("truncated"),
                         InstanceAccessor<&DgramReceiver::GetReceiveBufferSize, &DgramReceiver::SetReceiveBufferSize>(
                             "receiveBufferSize"),
                     });
}

// new DgramReceiver({ path, mode, credentials, batchSize, messageSize, onBatch(count), onError(err) })
DgramReceiver::DgramReceiver(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DgramReceiver>(info) {
  Napi::Env env = info.Env();
  Napi::Object options = info[0].IsObject() ? info[0].As<Napi::Object>() : Napi::Object::New(env);
  const Napi::Value path_value = options.Get("path");
  const Napi::Value mode_value = options.Get("mode");
  const Napi::Value batch_size = options.Get("batchSize");
  const Napi::Value message_size = options.Get("messageSize");
  const Napi::Value on_batch = options.Get("onBatch");
  const Napi::Value on_error = options.Get("onError");
  if (env.IsExceptionPending()) return;
  if (!path_value.IsString() || !mode_value.IsNumber() || !batch_size.IsNumber() || !message_size.IsNumber() ||
      !on_batch.IsFunction() || !on_error.IsFunction()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE",
                   "DgramReceiver({ path, mode, credentials, batchSize, messageSize, onBatch, onError })");
    return;
  }
  std::string path = path_value.As<Napi::String>().Utf8Value();
  const mode_t mode = mode_value.As<Napi::Number>().Uint32Value() & 07777;
  credentials_ = options.Get("credentials").ToBoolean().Value();
  batch_size_ = batch_size.As<Napi::Number>().Uint32Value();
  message_size_ = message_size.As<Napi::Number>().Uint32Value();
  if (batch_size_ < 1 || batch_size_ > kMaxBatch || message_size_ < 1 || message_size_ > kMaxMessageSize) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "batchSize must be 1..1024 and messageSize 1..1048576");
    return;
  }

  int rc = ParseUnixAddress(path, &address_);
  if (rc < 0) {
    ErrnoError(env, -rc, "bind", path.c_str()).ThrowAsJavaScriptException();
    return;
  }
  rc = OpenUnixDgramSocket();
  if (rc < 0) {
    ErrnoError(env, -rc, "socket").ThrowAsJavaScriptException();
    return;
  }
  fd_.reset(rc);
  const int on = 1;
  if (credentials_ && ::setsockopt(fd_.get(), SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) != 0) {
    ErrnoError(env, errno, "setsockopt", path.c_str()).ThrowAsJavaScriptException();
    return;
  }

  if (address_.abstract) {
    if (::bind(fd_.get(), address_.sockaddr_ptr(), address_.length) != 0) {
      ErrnoError(env, errno, "bind", path.c_str()).ThrowAsJavaScriptException();
      return;
    }
  } else {
    const char* detail = nullptr;
    rc = ClearStaleSocketFile(address_, &detail);
    if (rc == 0) rc = BindPathname(mode);
    if (rc < 0) {
      ErrnoError(env, -rc, "bind", path.c_str(), detail).ThrowAsJavaScriptException();
      return;
    }
  }

  Napi::Uint8Array data = Napi::Uint8Array::New(env, static_cast<size_t>(batch_size_) * message_size_);
  Napi::Int32Array meta = Napi::Int32Array::New(env, static_cast<size_t>(batch_size_) * kMetaFields);
  data_ = data.Data();
  meta_ = meta.Data();
  data_ref_ = Napi::Persistent(data);
  meta_ref_ = Napi::Persistent(meta);
  messages_.resize(batch_size_);
  iovecs_.resize(batch_size_);
  control_.resize(static_cast<size_t>(batch_size_) * kControlSize);
  batch_memory_.Set(env, static_cast<int64_t>(messages_.capacity() * sizeof(mmsghdr) +
                                              iovecs_.capacity() * sizeof(iovec) + control_.capacity()));

  on_batch_ = Napi::Persistent(on_batch.As<Napi::Function>());
  on_error_ = Napi::Persistent(on_error.As<Napi::Function>());
  async_context_ = std::make_unique<Napi::AsyncContext>(env, "hostwire:DgramReceiver");
  poll_ = std::make_unique<PollHandle>(env, fd_.get(), [this](int status, int) { OnReadable(status); });
}

DgramReceiver::~DgramReceiver() {
  poll_.reset();
  CloseSocket();
}

// The kernel creates the file with the socket inode's mode minus the umask,
// so setting the mode on the fd first means the file is never wider than
// asked; chmod afterwards restores any bits the umask took away. Returns 0 or -errno.
int DgramReceiver::BindPathname(mode_t mode) {
  if (::fchmod(fd_.get(), mode) != 0) return -errno;
  if (::bind(fd_.get(), address_.sockaddr_ptr(), address_.length) != 0) return -errno;
  owns_path_ = true;
  struct stat st;
  if (::lstat(address_.addr.sun_path, &st) != 0) return -errno;
  bound_dev_ = st.st_dev;
  bound_ino_ = st.st_ino;
  if ((st.st_mode & 07777) != mode && ::chmod(address_.addr.sun_path, mode) != 0) return -errno;
  return 0;
}

void DgramReceiver::Start(const Napi::CallbackInfo& info) {
  if (!fd_.valid() || polling_) return;
  int rc = poll_->Start(UV_READABLE);
  if (rc != 0) {
    ErrnoError(info.Env(), -rc, "poll", address_.text.c_str()).ThrowAsJavaScriptException();
    return;
  }
  polling_ = true;
  Napi::ObjectWrap<DgramReceiver>::Ref();  // alive while libuv may call back
}

void DgramReceiver::Stop(const Napi::CallbackInfo& info) { StopPolling(); }

void DgramReceiver::StopPolling() {
  if (!polling_) return;
  polling_ = false;
  if (poll_) poll_->Stop();
  Napi::ObjectWrap<DgramReceiver>::Unref();
}

// Releases everything the closed receiver held. The callbacks close over the
// JS receiver, which holds this wrapper: as long as they stay referenced from
// here, neither side can ever be collected.
void DgramReceiver::Close(const Napi::CallbackInfo& info) {
  StopPolling();
  if (poll_) poll_->Close();  // the PollHandle itself may be mid-call (close from onBatch): keep it
  CloseSocket();
  ReleaseBatch();
  on_batch_.Reset();
  on_error_.Reset();
}

// The typed arrays stay alive only as long as JS holds them.
void DgramReceiver::ReleaseBatch() {
  data_ = nullptr;
  meta_ = nullptr;
  data_ref_.Reset();
  meta_ref_.Reset();
  std::vector<mmsghdr>().swap(messages_);
  std::vector<iovec>().swap(iovecs_);
  std::vector<uint8_t>().swap(control_);
  batch_memory_.Set(Env(), 0);
}

// Removes the socket file only if it is still the one this receiver bound:
// another process may have replaced it after a stale-file cleanup.
void DgramReceiver::CloseSocket() {
  if (!fd_.valid()) return;
  fd_.reset();
  if (!owns_path_) return;
  owns_path_ = false;
  struct stat st;
  if (::lstat(address_.addr.sun_path, &st) == 0 && st.st_dev == bound_dev_ && st.st_ino == bound_ino_) {
    ::unlink(address_.addr.sun_path);
  }
}

void DgramReceiver::PrepareBatch() {
  for (uint32_t i = 0; i < batch_size_; i++) {
    iovecs_[i].iov_base = data_ + static_cast<size_t>(i) * message_size_;
    iovecs_[i].iov_len = message_size_;
    msghdr& hdr = messages_[i].msg_hdr;
    hdr.msg_name = nullptr;
    hdr.msg_namelen = 0;
    hdr.msg_iov = &iovecs_[i];
    hdr.msg_iovlen = 1;
    hdr.msg_control = control_.data() + static_cast<size_t>(i) * kControlSize;
    hdr.msg_controllen = kControlSize;
    hdr.msg_flags = 0;
    messages_[i].msg_len = 0;
  }
}

int DgramReceiver::ReadBatch() {
  PrepareBatch();
  int n;
  do {
    n = ::recvmmsg(fd_.get(), messages_.data(), batch_size_, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC, nullptr);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return -errno;

  for (int i = 0; i < n; i++) {
    msghdr& hdr = messages_[i].msg_hdr;
    int32_t* record = meta_ + static_cast<size_t>(i) * kMetaFields;
    int flags = 0;
    if (hdr.msg_flags & MSG_TRUNC) {
      flags |= kFlagTruncated;
      truncated_ += 1;
    }
    if (hdr.msg_flags & MSG_CTRUNC) flags |= kFlagControlTruncated;
    record[kMetaLength] = static_cast<int32_t>(messages_[i].msg_len);
    record[kMetaPid] = -1;
    record[kMetaUid] = -1;
    record[kMetaGid] = -1;
    for (cmsghdr* c = CMSG_FIRSTHDR(&hdr); c != nullptr; c = CMSG_NXTHDR(&hdr, c)) {
      if (c->cmsg_level != SOL_SOCKET) continue;
      if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(ucred))) {
        ucred cred;
        memcpy(&cred, CMSG_DATA(c), sizeof(cred));
        record[kMetaPid] = cred.pid;
        record[kMetaUid] = static_cast<int32_t>(cred.uid);
        record[kMetaGid] = static_cast<int32_t>(cred.gid);
      } else if (c->cmsg_type == SCM_RIGHTS) {
        // Nobody asked for descriptors: close them so a sender cannot make
        // the observer run out of fds.
        const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t k = 0; k < count; k++) {
          int passed;
          memcpy(&passed, CMSG_DATA(c) + k * sizeof(int), sizeof(int));
          ::close(passed);
        }
        fds_closed_ += static_cast<double>(count);
        flags |= kFlagFdsClosed;
      }
    }
    record[kMetaFlags] = flags;
  }
  return n;
}

void DgramReceiver::OnReadable(int status) {
  if (!polling_) return;
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  if (status < 0) {
    ReportError(-status, "poll");
    return;
  }
  for (int round = 0; round < kMaxBatchesPerWakeup && polling_ && fd_.valid(); round++) {
    int n = ReadBatch();
    if (n < 0) {
      if (n != -EAGAIN && n != -EWOULDBLOCK) ReportError(-n, "recvmmsg");
      return;
    }
    if (n == 0) return;
    Deliver(n);
    if (static_cast<uint32_t>(n) < batch_size_) return;  // drained
  }
}

void DgramReceiver::Deliver(int count) {
  if (on_batch_.IsEmpty()) return;
  Napi::Env env = Env();
  on_batch_.MakeCallback(Value(), {Napi::Number::New(env, count)}, *async_context_);
  if (env.IsExceptionPending()) {
    // A throwing handler behaves like a throwing event listener.
    napi_fatal_exception(env, env.GetAndClearPendingException().Value());
  }
}

void DgramReceiver::ReportError(int err, const char* syscall) {
  if (on_error_.IsEmpty()) return;
  Napi::Env env = Env();
  Napi::Error error = ErrnoError(env, err, syscall, address_.text.c_str());
  on_error_.MakeCallback(Value(), {error.Value()}, *async_context_);
  if (env.IsExceptionPending()) {
    napi_fatal_exception(env, env.GetAndClearPendingException().Value());
  }
}

void DgramReceiver::Ref(const Napi::CallbackInfo& info) {
  if (poll_) poll_->SetRef(true);
}

void DgramReceiver::Unref(const Napi::CallbackInfo& info) {
  if (poll_) poll_->SetRef(false);
}

Napi::Value DgramReceiver::GetData(const Napi::CallbackInfo& info) {
  return data_ref_.IsEmpty() ? info.Env().Null() : data_ref_.Value();
}
Napi::Value DgramReceiver::GetMeta(const Napi::CallbackInfo& info) {
  return meta_ref_.IsEmpty() ? info.Env().Null() : meta_ref_.Value();
}

Napi::Value DgramReceiver::GetFd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), fd_.get()); }

Napi::Value DgramReceiver::GetFdsClosed(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), fds_closed_);
}

Napi::Value DgramReceiver::GetTruncated(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), truncated_);
}

Napi::Value DgramReceiver::GetReceiveBufferSize(const Napi::CallbackInfo& info) {
  int size = GetSocketBufferSize(fd_.get(), SO_RCVBUF);
  if (size < 0) {
    ErrnoError(info.Env(), -size, "getsockopt").ThrowAsJavaScriptException();
    return Napi::Value();
  }
  return Napi::Number::New(info.Env(), size);
}

void DgramReceiver::SetReceiveBufferSize(const Napi::CallbackInfo& info, const Napi::Value& value) {
  int rc = SetSocketBufferSize(fd_.get(), SO_RCVBUF, value.As<Napi::Number>().Int32Value());
  if (rc < 0) ErrnoError(info.Env(), -rc, "setsockopt").ThrowAsJavaScriptException();
}

}  // namespace hostwire
