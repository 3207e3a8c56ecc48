// Path checks and checked output streams (output_paths.h has the rules).
#include "output_paths.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_error.h"
#include "pine/snapshot/envelope.h"

namespace pine::cli {

namespace {

namespace fs = std::filesystem;

/// What identifies a path for collision checks.
struct PathId {
  bool exists = false;
  bool comparable = false; ///< a regular file, or nothing yet (it will be one)
  dev_t dev = 0;
  ino_t ino = 0;
  std::string normal; ///< normalized absolute path
};

/// Identifies `path` (following symbolic links, as opening it would).
PathId identify(const std::string& path) {
  PathId id;
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0) {
    id.exists = true;
    id.comparable = S_ISREG(st.st_mode);
    id.dev = st.st_dev;
    id.ino = st.st_ino;
  } else {
    id.comparable = true;
  }
  std::error_code ec;
  fs::path normal = fs::weakly_canonical(fs::absolute(path, ec), ec);
  id.normal = ec ? fs::absolute(path).lexically_normal().string() : normal.string();
  return id;
}

/// A stat of `path` following links; nullopt when it does not exist.
std::optional<struct stat> stat_of(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return st;
}

/// Opens an output for writing, failing with exit 2 on error. Without
/// O_TRUNC: a later failure (another output that cannot be opened) must not
/// have emptied this one; OutputFile::truncate() empties it once every open
/// succeeded.
int open_output(const std::string& path, const std::string& what) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) fail(kUsage, "cannot write '" + path + "' (" + what + "): " + std::strerror(errno));
  return fd;
}

} // namespace

// A directory passed where a file is expected used to surface as a read error
// or as an empty script ("no indicator() declaration"); say what it is.
void require_not_directory(const std::string& path, const std::string& what) {
  const std::optional<struct stat> st = stat_of(path);
  if (st && S_ISDIR(st->st_mode)) fail(kUsage, "'" + path + "' is a directory; " + what + " must be a file");
}

// Mirrors snapshot::write_file_atomic's own refusal, but as a usage error
// raised before the run, so nothing is computed for a write that cannot happen.
void check_atomic_target(const std::string& path, const std::string& what) {
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) fail(kUsage, "cannot use '" + path + "' (" + what + "): " + std::strerror(errno));
    const fs::path parent = fs::path(path).parent_path();
    const std::optional<struct stat> dir = stat_of(parent.empty() ? "." : parent.string());
    if (!dir) fail(kUsage, "cannot write '" + path + "' (" + what + "): its directory '" + parent.string() + "' does not exist");
    if (!S_ISDIR(dir->st_mode)) fail(kUsage, "cannot write '" + path + "' (" + what + "): '" + parent.string() + "' is not a directory");
    require_writable_directory(parent.empty() ? "." : parent.string(), path, what);
    return;
  }
  if (S_ISLNK(st.st_mode)) {
    const std::optional<struct stat> target = stat_of(path);
    if (!target) fail(kUsage, "'" + path + "' (" + what + ") is a symbolic link whose target does not exist");
    st = *target;
  }
  if (S_ISDIR(st.st_mode))
    fail(kUsage, "'" + path + "' is a directory; " + what + " takes the path of the file to write (e.g. '" +
                     (fs::path(path) / "name").string() + "')");
  if (!S_ISREG(st.st_mode))
    fail(kUsage, "'" + path + "' is " + snapshot::file_kind_text(st.st_mode) + "; " + what +
                     " atomically replaces a regular file (write to a temporary file, then rename), so give a file path");
  // The temporary file goes next to the final target (a link's target).
  std::error_code ec;
  const fs::path target = fs::canonical(path, ec);
  const fs::path dir = (ec ? fs::path(path) : target).parent_path();
  require_writable_directory(dir.empty() ? "." : dir.string(), path, what);
}

// access() answers for the real user, which is the user writing here; as
// root it says yes to everything, so root only gets the other checks.
void require_writable_directory(const std::string& dir, const std::string& path, const std::string& what) {
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    fail(kUsage, "cannot write '" + path + "' (" + what + "): its directory '" + dir + "' is not writable (" +
                     std::strerror(errno) + ")");
}

// A store directory is created (with its parents) at the first save: the
// directory itself when it exists, else its nearest existing ancestor, must
// be a writable directory.
void check_store_directory(const std::string& dir, const std::string& what) {
  fs::path p = dir;
  for (;;) {
    const std::optional<struct stat> st = stat_of(p.empty() ? "." : p.string());
    if (st) {
      if (!S_ISDIR(st->st_mode))
        fail(kUsage, "cannot use '" + dir + "' (" + what + "): '" + (p.empty() ? "." : p.string()) + "' is " +
                         snapshot::file_kind_text(st->st_mode) + ", not a directory");
      require_writable_directory(p.empty() ? "." : p.string(), dir, what);
      return;
    }
    if (errno != ENOENT) fail(kUsage, "cannot use '" + dir + "' (" + what + "): " + std::strerror(errno));
    if (p.empty() || p == p.parent_path()) return;
    p = p.parent_path();
  }
}

// SQLite opens anything it is given: a FIFO blocks or fails with "disk I/O
// error", /dev/full fills, a block device would be overwritten. Only a
// regular file or a new file in a writable directory is a database.
void check_sqlite_path(const std::string& path, const std::string& what) {
  const std::optional<struct stat> st = stat_of(path);
  if (st && !S_ISREG(st->st_mode))
    fail(kUsage, "'" + path + "' (" + what + ") is " + snapshot::file_kind_text(st->st_mode) +
                     "; an SQLite store is a regular file: give a file path");
  const fs::path parent = fs::path(path).parent_path();
  const std::string dir = parent.empty() ? "." : parent.string();
  const std::optional<struct stat> d = stat_of(dir);
  if (!d) fail(kUsage, "cannot use '" + path + "' (" + what + "): its directory '" + dir + "' does not exist");
  if (!S_ISDIR(d->st_mode)) fail(kUsage, "cannot use '" + path + "' (" + what + "): '" + dir + "' is not a directory");
  require_writable_directory(dir, path, what); // the -wal and -shm files go there
  if (st && ::access(path.c_str(), W_OK) != 0)
    fail(kUsage, "cannot write '" + path + "' (" + what + "): " + std::strerror(errno));
}

// FIFOs, devices and /dev/stdout are fine for plain outputs; only a
// directory can never be opened for writing.
void check_plain_output(const std::string& path, const std::string& what) {
  const std::optional<struct stat> st = stat_of(path);
  if (st && S_ISDIR(st->st_mode)) fail(kUsage, "'" + path + "' is a directory; " + what + " must be a file");
}

// "" and "-" are the standard streams, never files of their own.
void PathSet::add(const std::string& path, const std::string& what, bool output) {
  if (path.empty() || path == "-") return;
  entries_.push_back({path, what, output});
}

// Quadratic, but a command has at most a handful of paths.
void PathSet::check() const {
  std::vector<PathId> ids;
  for (const Entry& e : entries_) ids.push_back(identify(e.path));
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (!entries_[i].output && !entries_[j].output) continue;
      if (!ids[i].comparable || !ids[j].comparable) continue;
      const bool same = (ids[i].exists && ids[j].exists) ? ids[i].dev == ids[j].dev && ids[i].ino == ids[j].ino
                                                         : ids[i].normal == ids[j].normal;
      if (!same) continue;
      bool allowed = false;
      for (const auto& [a, b] : allowed_)
        allowed |= (a == entries_[i].what && b == entries_[j].what) || (a == entries_[j].what && b == entries_[i].what);
      if (allowed) continue;
      const Entry& in = entries_[j].output ? entries_[i] : entries_[j];
      const Entry& out = entries_[j].output ? entries_[j] : entries_[i];
      fail(kUsage, out.what + " '" + out.path + "' is the same file as " + in.what + " '" + in.path + "'" +
                       (in.output ? "; writing both would lose one" : "; writing it would destroy the input") +
                       ": give another path");
    }
  }
}

// 64 KiB: rows are written one at a time, and a syscall per row would
// dominate the run of a cheap script.
FdStreamBuf::FdStreamBuf(int fd, bool owns) : fd_(fd), owns_(owns), buffer_(std::size_t{64} << 10) {
  setp(buffer_.data(), buffer_.data() + buffer_.size());
}

// Destruction flushes what it can; errors were reported by close() or
// check_stream() when the command cared.
FdStreamBuf::~FdStreamBuf() { close(); }

bool FdStreamBuf::close() {
  const bool flushed = flush_buffer();
  if (owns_ && fd_ >= 0) {
    if (::close(fd_) != 0 && error_ == 0) error_ = errno;
    fd_ = -1;
  }
  return flushed && error_ == 0;
}

// Retries EINTR and short writes; remembers the first error.
bool FdStreamBuf::write_all(const char* p, std::size_t n) {
  if (error_ != 0 || fd_ < 0) {
    if (error_ == 0) error_ = EBADF;
    return false;
  }
  while (n > 0) {
    const ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      error_ = errno;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// Empties the put area into the descriptor.
bool FdStreamBuf::flush_buffer() {
  const std::size_t n = static_cast<std::size_t>(pptr() - pbase());
  setp(buffer_.data(), buffer_.data() + buffer_.size());
  if (n == 0) return error_ == 0;
  return write_all(buffer_.data(), n);
}

// The put area is full: flush it, then take the character.
FdStreamBuf::int_type FdStreamBuf::overflow(int_type ch) {
  if (!flush_buffer()) return traits_type::eof();
  if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
  *pptr() = traits_type::to_char_type(ch);
  pbump(1);
  return ch;
}

// Large writes bypass the buffer once it has been flushed.
std::streamsize FdStreamBuf::xsputn(const char* s, std::streamsize n) {
  if (error_ != 0) return 0;
  const auto size = static_cast<std::size_t>(n);
  if (size <= static_cast<std::size_t>(epptr() - pptr())) {
    std::memcpy(pptr(), s, size);
    pbump(static_cast<int>(size));
    return n;
  }
  if (!flush_buffer()) return 0;
  if (size < buffer_.size()) {
    std::memcpy(pptr(), s, size);
    pbump(static_cast<int>(size));
    return n;
  }
  return write_all(s, size) ? n : 0;
}

// std::ostream::flush() lands here.
int FdStreamBuf::sync() { return flush_buffer() ? 0 : -1; }

OutputFile::OutputFile(const std::string& path, const std::string& what)
    : path_(path), what_(what), buf_(open_output(path, what), true), stream_(&buf_) {}

// Regular files only: ftruncate of a FIFO or device fails or means nothing.
void OutputFile::truncate() {
  struct stat st{};
  if (::fstat(buf_.fd(), &st) == 0 && S_ISREG(st.st_mode) && ::ftruncate(buf_.fd(), 0) != 0)
    fail(kUsage, "cannot write '" + path_ + "' (" + what_ + "): " + std::strerror(errno));
}

// Called after each row so a full disk stops the run at once.
void OutputFile::check() const {
  if (!stream_) fail(kUsage, "cannot write '" + path_ + "' (" + what_ + "): " + std::strerror(buf_.error()));
}

void OutputFile::close() {
  stream_.flush();
  if (!buf_.close() || !stream_) {
    const int e = buf_.error();
    fail(kUsage, "cannot write '" + path_ + "' (" + what_ + "): " + (e ? std::strerror(e) : "write failed"));
  }
}

std::string stream_error_text(const std::ostream& out) {
  if (const auto* fd = dynamic_cast<const FdStreamBuf*>(out.rdbuf()); fd && fd->error() != 0)
    return std::strerror(fd->error());
  return "write failed";
}

void check_stream(std::ostream& out, const std::string& name) {
  out.flush();
  if (!out) fail(kUsage, "cannot write to " + name + ": " + stream_error_text(out));
}

} // namespace pine::cli
