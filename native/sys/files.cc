// File work that must be one trip to the threadpool. On a busy host each
// libuv fs request costs a thread handoff (~100 µs measured here), and an
// atomic durable replace is six syscalls; loading a store is four per file.
// Doing each sequence in one async work keeps the store near the C limit
// without ever blocking the event loop.
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "common/errors.h"
#include "common/unique_fd.h"
#include "sys/sys.h"

namespace hostwire {

namespace {

struct SysError {
  int err = 0;
  const char* syscall = nullptr;
  std::string path;
};

// Why a bounded read refused a file it opened (errno has no name for these).
struct Refusal {
  enum Kind { kNone, kNotRegular, kTooLarge } kind = kNone;
  std::string path;
  mode_t mode = 0;    // kNotRegular: the file's type bits
  uint64_t size = 0;  // kTooLarge: st_size, or what was read when the file grew
  uint64_t limit = 0;
  bool grew = false;  // kTooLarge: fit at fstat, grew past the limit while read
};

const char* FileTypeName(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFIFO:
      return "fifo";
    case S_IFCHR:
      return "character device";
    case S_IFBLK:
      return "block device";
    case S_IFDIR:
      return "directory";
    case S_IFSOCK:
      return "socket";
    case S_IFLNK:
      return "symbolic link";
    default:
      return "special file";
  }
}

// Returns 0 or -errno.
int WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    done += static_cast<size_t>(n);
  }
  return 0;
}

std::string TempNameFor(const std::string& target) {
  const size_t slash = target.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : target.substr(0, slash);
  const std::string base = slash == std::string::npos ? target : target.substr(slash + 1);
  unsigned char random[6] = {};
  if (::getrandom(random, sizeof(random), 0) != static_cast<ssize_t>(sizeof(random))) {
    // Uniqueness also comes from O_EXCL and the pid; the random part only avoids retries.
    for (auto& b : random) b = static_cast<unsigned char>(::rand());
  }
  static const char hex[] = "0123456789abcdef";
  std::string suffix;
  for (unsigned char b : random) {
    suffix += hex[b >> 4];
    suffix += hex[b & 15];
  }
  return dir + "/." + base + "." + std::to_string(::getpid()) + "." + suffix + ".tmp";
}

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Napi::Value ToJsError(Napi::Env env, const SysError& e) {
  return ErrnoError(env, e.err, e.syscall, e.path.c_str()).Value();
}

// replaceFile(target, data, mode, durable): temp file in the same directory,
// created exclusively with `mode`, written, fsynced, renamed over `target`,
// then the directory fsynced. A crash leaves the old file or the new one.
class ReplaceFileWork : public Napi::AsyncWorker {
 public:
  ReplaceFileWork(Napi::Env env, std::string target, std::string data, mode_t mode, bool durable)
      : Napi::AsyncWorker(env, "hostwire:replaceFile"),
        deferred_(Napi::Promise::Deferred::New(env)),
        target_(std::move(target)),
        data_(std::move(data)),
        mode_(mode),
        durable_(durable) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    const std::string temp = TempNameFor(target_);
    UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_));
    if (!fd.valid()) return Fail(errno, "open", temp);
    if (int rc = WriteAll(fd.get(), data_); rc < 0) return FailAndUnlink(-rc, "write", temp);
    if (durable_ && ::fsync(fd.get()) != 0) return FailAndUnlink(errno, "fsync", temp);
    if (::close(fd.release()) != 0) return FailAndUnlink(errno, "close", temp);
    if (::rename(temp.c_str(), target_.c_str()) != 0) return FailAndUnlink(errno, "rename", target_, temp);
    if (!durable_) return;
    const std::string dir = DirOf(target_);
    UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir_fd.valid()) return Fail(errno, "open", dir);
    if (::fsync(dir_fd.get()) != 0) return Fail(errno, "fsync", dir);
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (error_.err != 0) {
      deferred_.Reject(ToJsError(env, error_));
    } else {
      deferred_.Resolve(env.Undefined());
    }
  }

 private:
  void Fail(int err, const char* syscall, const std::string& path) { error_ = {err, syscall, path}; }
  void FailAndUnlink(int err, const char* syscall, const std::string& path, const std::string& temp = {}) {
    Fail(err, syscall, path);
    ::unlink((temp.empty() ? path : temp).c_str());
  }

  Napi::Promise::Deferred deferred_;
  std::string target_;
  std::string data_;
  mode_t mode_;
  bool durable_;
  SysError error_;
};

// readFiles(paths[, { maxBytes, base }]) -> Promise<(Buffer | Error)[]>, one
// entry per path, in order.
//
// With options the read is bounded, for files that others can plant or grow:
// the file is opened O_NOFOLLOW | O_NONBLOCK (a symlink is ELOOP; a FIFO
// opens without waiting for a writer), fstat'd and refused unless it is a
// regular file (ERR_NOT_REGULAR_FILE) of at most maxBytes (ERR_FILE_TOO_LARGE);
// at most maxBytes + 1 bytes are ever read, so a file growing under the read
// is caught too. With `base`, paths are relative to it and every directory
// below `base` is opened O_NOFOLLOW as well (openat, one component at a time),
// so a symlinked directory is ELOOP with its own path; nothing is read
// through a symlink that was swapped in between a check and the open.
// Without options: plain open and read to EOF, as before.
struct ReadLimits {
  bool bounded = false;
  uint64_t max_bytes = 0;
  std::string base;
};

class ReadFilesWork : public Napi::AsyncWorker {
 public:
  ReadFilesWork(Napi::Env env, std::vector<std::string> paths, ReadLimits limits)
      : Napi::AsyncWorker(env, "hostwire:readFiles"),
        deferred_(Napi::Promise::Deferred::New(env)),
        paths_(std::move(paths)),
        limits_(std::move(limits)),
        contents_(paths_.size()),
        errors_(paths_.size()),
        refusals_(paths_.size()) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    UniqueFd base;
    if (!limits_.base.empty()) {
      base.reset(::open(limits_.base.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!base.valid()) {
        for (auto& e : errors_) e = {errno, "open", limits_.base};
        return;
      }
    }
    for (size_t i = 0; i < paths_.size(); i++) {
      UniqueFd fd = limits_.bounded ? OpenBounded(base.get(), i)
                                    : OpenOrRecord(::open(paths_[i].c_str(), O_RDONLY | O_CLOEXEC), i);
      if (!fd.valid()) continue;
      if (limits_.bounded) {
        ReadBounded(fd.get(), i);
      } else {
        ReadToEnd(fd.get(), i, UINT64_MAX);
      }
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Array out = Napi::Array::New(env, paths_.size());
    for (size_t i = 0; i < paths_.size(); i++) {
      if (errors_[i].err != 0) {
        out.Set(static_cast<uint32_t>(i), ToJsError(env, errors_[i]));
      } else if (refusals_[i].kind != Refusal::kNone) {
        out.Set(static_cast<uint32_t>(i), RefusalError(env, refusals_[i]));
      } else {
        out.Set(static_cast<uint32_t>(i), Napi::Buffer<char>::Copy(env, contents_[i].data(), contents_[i].size()));
      }
    }
    deferred_.Resolve(out);
  }

 private:
  std::string FullPath(size_t i) const { return limits_.base.empty() ? paths_[i] : limits_.base + "/" + paths_[i]; }

  // Opens paths_[i] without following any symlink below `base` (or, without
  // a base, in its last component). On failure errors_[i] names the component.
  UniqueFd OpenBounded(int base, size_t i) {
    const int file_flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
    if (base < 0) return OpenOrRecord(::open(paths_[i].c_str(), file_flags), i);
    const std::string& rel = paths_[i];
    UniqueFd dir;
    size_t start = 0;
    for (;;) {
      const size_t slash = rel.find('/', start);
      const int at = dir.valid() ? dir.get() : base;
      if (slash == std::string::npos) return OpenOrRecord(::openat(at, rel.c_str() + start, file_flags), i);
      const std::string component = rel.substr(start, slash - start);
      UniqueFd next(::openat(at, component.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!next.valid()) {
        int err = errno;
        // O_DIRECTORY | O_NOFOLLOW says ENOTDIR for a symlink; name it for what it is.
        struct stat st;
        if (err == ENOTDIR && ::fstatat(at, component.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
          err = ELOOP;
        }
        errors_[i] = {err, "open", limits_.base + "/" + rel.substr(0, slash)};
        return next;
      }
      dir = std::move(next);
      start = slash + 1;
    }
  }

  UniqueFd OpenOrRecord(int fd, size_t i) {
    if (fd < 0) errors_[i] = {errno, "open", FullPath(i)};
    return UniqueFd(fd);
  }

  void ReadBounded(int fd, size_t i) {
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      errors_[i] = {errno, "fstat", FullPath(i)};
      return;
    }
    if (!S_ISREG(st.st_mode)) {
      refusals_[i] = {Refusal::kNotRegular, FullPath(i), st.st_mode, 0, limits_.max_bytes};
      return;
    }
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    if (size > limits_.max_bytes) {
      refusals_[i] = {Refusal::kTooLarge, FullPath(i), st.st_mode, size, limits_.max_bytes};
      return;
    }
    contents_[i].reserve(size);
    // One byte past the limit tells a file that grew after fstat from one that fits.
    ReadToEnd(fd, i, limits_.max_bytes + 1);
    if (errors_[i].err == 0 && contents_[i].size() > limits_.max_bytes) {
      refusals_[i] = {Refusal::kTooLarge, FullPath(i), st.st_mode, contents_[i].size(), limits_.max_bytes, true};
      contents_[i].clear();
      contents_[i].shrink_to_fit();
    }
  }

  void ReadToEnd(int fd, size_t i, uint64_t most) {
    char chunk[16384];
    while (contents_[i].size() < most) {
      const uint64_t room = most - contents_[i].size();
      ssize_t n = ::read(fd, chunk, room < sizeof(chunk) ? static_cast<size_t>(room) : sizeof(chunk));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        errors_[i] = {errno, "read", FullPath(i)};
        return;
      }
      if (n == 0) return;
      contents_[i].append(chunk, static_cast<size_t>(n));
    }
  }

  static Napi::Value RefusalError(Napi::Env env, const Refusal& r) {
    std::string message;
    Napi::Error error;
    if (r.kind == Refusal::kNotRegular) {
      message = std::string("not a regular file (a ") + FileTypeName(r.mode) + "): '" + r.path + "'";
      error = Napi::Error::New(env, message);
      error.Set("code", Napi::String::New(env, "ERR_NOT_REGULAR_FILE"));
      error.Set("fileType", Napi::String::New(env, FileTypeName(r.mode)));
    } else {
      message = "file is larger than " + std::to_string(r.limit) + " bytes: '" + r.path + "'";
      error = Napi::Error::New(env, message);
      error.Set("code", Napi::String::New(env, "ERR_FILE_TOO_LARGE"));
      error.Set("size", Napi::Number::New(env, static_cast<double>(r.size)));
      error.Set("limit", Napi::Number::New(env, static_cast<double>(r.limit)));
      error.Set("grew", Napi::Boolean::New(env, r.grew));
    }
    error.Set("path", Napi::String::New(env, r.path));
    return error.Value();
  }

  Napi::Promise::Deferred deferred_;
  std::vector<std::string> paths_;
  ReadLimits limits_;
  std::vector<std::string> contents_;
  std::vector<SysError> errors_;
  std::vector<Refusal> refusals_;
};

Napi::Value ReplaceFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !(info[1].IsString() || info[1].IsTypedArray()) || !info[2].IsNumber()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE",
                   "replaceFile(path: string, data: string | Uint8Array, mode: number, durable: boolean)");
    return Napi::Value();
  }
  std::string data;
  if (info[1].IsString()) {
    data = info[1].As<Napi::String>().Utf8Value();
  } else {
    Napi::Uint8Array bytes = info[1].As<Napi::Uint8Array>();
    data.assign(reinterpret_cast<const char*>(bytes.Data()), bytes.ByteLength());
  }
  auto* work = new ReplaceFileWork(env, info[0].As<Napi::String>().Utf8Value(), std::move(data),
                                   info[2].As<Napi::Number>().Uint32Value() & 07777, info[3].ToBoolean().Value());
  Napi::Promise promise = work->Promise();
  work->Queue();
  return promise;
}

// { maxBytes: 1..2^31-1, base?: string }; with a base, every path must be
// relative and made of plain names (no "", ".", ".."), so it stays below it.
bool ParseReadLimits(Napi::Env env, Napi::Value value, const std::vector<std::string>& paths, ReadLimits& limits) {
  if (!value.IsObject()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "readFiles: options must be an object { maxBytes, base? }");
    return false;
  }
  Napi::Object options = value.As<Napi::Object>();
  Napi::Value max = options.Get("maxBytes");
  if (!max.IsNumber()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "readFiles: options.maxBytes must be a number");
    return false;
  }
  const double max_bytes = max.As<Napi::Number>().DoubleValue();
  if (!(max_bytes >= 1 && max_bytes <= 2147483647.0) ||
      max_bytes != static_cast<double>(static_cast<int64_t>(max_bytes))) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "readFiles: options.maxBytes must be an integer from 1 to 2^31-1");
    return false;
  }
  limits.bounded = true;
  limits.max_bytes = static_cast<uint64_t>(max_bytes);
  Napi::Value base = options.Get("base");
  if (base.IsUndefined()) return true;
  if (!base.IsString() || base.As<Napi::String>().Utf8Value().empty()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "readFiles: options.base must be a non-empty string");
    return false;
  }
  limits.base = base.As<Napi::String>().Utf8Value();
  for (const std::string& p : paths) {
    size_t start = 0;
    for (;;) {
      const size_t slash = p.find('/', start);
      const std::string component = p.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      if (component.empty() || component == "." || component == "..") {
        ThrowTypeError(
            env, "ERR_INVALID_ARG_VALUE",
            "readFiles: with options.base, paths must be relative, without \"\", \".\" or \"..\" components: " + p);
        return false;
      }
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
  }
  return true;
}

Napi::Value ReadFiles(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "readFiles(paths: string[])");
    return Napi::Value();
  }
  Napi::Array list = info[0].As<Napi::Array>();
  std::vector<std::string> paths;
  paths.reserve(list.Length());
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value p = list.Get(i);
    if (!p.IsString()) {
      ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "readFiles: every path must be a string");
      return Napi::Value();
    }
    paths.push_back(p.As<Napi::String>().Utf8Value());
  }
  ReadLimits limits;
  if (info.Length() > 1 && !info[1].IsUndefined()) {
    if (!ParseReadLimits(env, info[1], paths, limits)) return Napi::Value();
  }
  auto* work = new ReadFilesWork(env, std::move(paths), std::move(limits));
  Napi::Promise promise = work->Promise();
  work->Queue();
  return promise;
}

}  // namespace

void InitFiles(Napi::Env env, Napi::Object sys) {
  sys.Set("replaceFile", Napi::Function::New(env, ReplaceFile, "replaceFile"));
  sys.Set("readFiles", Napi::Function::New(env, ReadFiles, "readFiles"));
}

}  // namespace hostwire
