// Snapshot file IO (envelope.h): the atomic writer, the plain reader and the
// header-first snapshot reader. Split from envelope.cpp, which keeps the
// format itself (header, hashes, zstd, validation).
#include "pine/snapshot/envelope.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pine::snapshot {
namespace {

using Kind = SnapshotError::Kind;

/// "<what> '<path>': <strerror(err)>" as an Io error.
SnapshotError io_error(const std::string& what, const std::string& path, int err) {
  return SnapshotError(Kind::Io, what + " '" + path + "': " + std::strerror(err));
}

/// "N bytes (K GiB)" for the size-limit message.
std::string size_text(std::uint64_t n) {
  std::string s = std::to_string(n) + " bytes";
  if (n >= (std::uint64_t{1} << 30) && n % (std::uint64_t{1} << 30) == 0) s += " (" + std::to_string(n >> 30) + " GiB)";
  return s;
}


/// The directory holding `path`, for the temporary file and the directory
/// fsync: "." for a bare name, "/" for a file at the root.
std::string parent_dir(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

/// close() that retries nothing: on Linux the descriptor is gone even when
/// close fails with EINTR, and retrying could close someone else's descriptor.
int close_fd(int fd) { return ::close(fd); }

/// Owns the temporary file of write_file_atomic: closes the descriptor and
/// removes the file on any exit that did not commit (an exception), so no
/// half-written temporary is left behind.
struct TempFile {
  std::string path;
  int fd = -1;
  bool renamed = false;
  ~TempFile() {
    if (fd >= 0) close_fd(fd);
    if (!renamed && !path.empty()) ::unlink(path.c_str());
  }
};

/// Creates a new temporary file next to `path` with O_EXCL, so it never
/// opens an existing file. The name mixes pid, a process-wide counter and the
/// clock; 100 attempts is far more than collisions need and bounds the loop.
void create_temp(const std::string& path, TempFile& tmp, const std::string& kind) {
  static std::atomic<std::uint64_t> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    const auto now = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    char suffix[64];
    std::snprintf(suffix, sizeof suffix, ".tmp-%ld-%" PRIx64, static_cast<long>(::getpid()),
                  (now << 8) ^ counter.fetch_add(1));
    const std::string name = path + suffix;
    const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      tmp.path = name;
      tmp.fd = fd;
      return;
    }
    if (errno != EEXIST) throw io_error("cannot create a temporary file to write " + kind, path, errno);
  }
  throw io_error("cannot create a temporary file to write " + kind, path, EEXIST);
}

/// The file write_file_atomic replaces for `path`: `path` itself, or the
/// final target of a symbolic link, so the link survives. Refuses (Io) an
/// existing target that is not a regular file, since renaming over it would
/// replace a directory entry such as /dev/full or a FIFO, and a dangling link.
std::string atomic_write_target(const std::string& path) {
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return path;
    throw io_error("cannot examine snapshot target", path, errno);
  }
  std::string target = path;
  if (S_ISLNK(st.st_mode)) {
    char* resolved = ::realpath(path.c_str(), nullptr);
    if (resolved == nullptr) {
      throw SnapshotError(Kind::Io, "cannot write snapshot through the symbolic link '" + path +
                                        "': its target cannot be resolved (" + std::strerror(errno) + ")");
    }
    target = resolved;
    std::free(resolved);
    if (::stat(target.c_str(), &st) != 0) throw io_error("cannot examine snapshot target", target, errno);
  }
  if (!S_ISREG(st.st_mode)) {
    throw SnapshotError(Kind::Io, "cannot write snapshot to '" + path + "': it is " + file_kind_text(st.st_mode) +
                                      ", and a snapshot atomically replaces a regular file; give a file path");
  }
  return target;
}

/// read() of up to `n` bytes into `out`, retrying EINTR and short reads until
/// `n` bytes or end of file; returns the bytes read.
std::size_t read_fully(int fd, std::uint8_t* out, std::size_t n, const std::string& path) {
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = ::read(fd, out + done, n - done);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw io_error("cannot read snapshot", path, errno);
    }
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

/// An open descriptor closed on scope exit.
struct Fd {
  int fd;
  ~Fd() { close_fd(fd); }
};

/// Opens `path` for reading and stats it; both readers start here. A
/// directory is refused (EISDIR) before anything is read.
int open_for_reading(const std::string& path, struct stat& st) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw io_error("cannot open snapshot", path, errno);
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    const int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
    close_fd(fd);
    throw io_error(err == EISDIR ? "cannot read snapshot" : "cannot stat snapshot", path, err);
  }
  return fd;
}

} // namespace

// Classic temp + fsync + rename + fsync(dir) (SQLite, Redis RDB). Partial
// writes and EINTR are retried; every other failure removes the temporary
// file (TempFile's destructor) and throws.
void write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes, std::string_view kind_view) {
  const std::string kind(kind_view);
  const std::string target = atomic_write_target(path);
  TempFile tmp;
  create_temp(target, tmp, kind);
  // The replaced file's permissions are the user's choice (a 0600 state
  // file holds private data): the temporary file takes them over.
  struct stat old{};
  if (::stat(target.c_str(), &old) == 0 && S_ISREG(old.st_mode) &&
      ::fchmod(tmp.fd, old.st_mode & 07777) != 0)
    throw io_error("cannot keep the permissions of the " + kind, path, errno);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(tmp.fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw io_error("cannot write " + kind, path, errno);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(tmp.fd) != 0) throw io_error("cannot flush " + kind + " to disk", path, errno);
  const int fd = tmp.fd;
  tmp.fd = -1;
  if (close_fd(fd) != 0) throw io_error("cannot close " + kind, path, errno);
  if (::rename(tmp.path.c_str(), target.c_str()) != 0) throw io_error("cannot move " + kind + " into place at", path, errno);
  tmp.renamed = true;

  // Make the rename durable. Some file systems cannot sync a directory and say
  // so with EINVAL/ENOTSUP; the data itself is synced, so that is accepted.
  const std::string dir = parent_dir(target);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) throw io_error("snapshot written but cannot open its directory to sync it", dir, errno);
  if (::fsync(dfd) != 0 && errno != EINVAL && errno != ENOTSUP) {
    const int err = errno;
    close_fd(dfd);
    throw io_error("snapshot written but cannot sync its directory", dir, err);
  }
  close_fd(dfd);
}

const char* file_kind_text(unsigned mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// Reads through the descriptor in growing chunks, so pipes and files whose
// size changes while being read work too; the cap is enforced on both the
// stat size (before reading) and the bytes actually read.
std::vector<std::uint8_t> read_file(const std::string& path) {
  struct stat st{};
  const int fd = open_for_reading(path, st);
  const Fd closer{fd};
  const auto too_big = [&](std::uint64_t size) {
    return SnapshotError(Kind::SizeLimit, "snapshot '" + path + "' is " + std::to_string(size) +
                                              " bytes or more, above the " + size_text(kMaxFileSize) +
                                              " a snapshot can be: check the file name");
  };
  if (S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) > kMaxFileSize) {
    throw too_big(static_cast<std::uint64_t>(st.st_size));
  }

  std::vector<std::uint8_t> data;
  // One extra byte so a regular file is read to EOF in one pass; 64 KiB start
  // for pipes and special files whose size is unknown.
  std::size_t capacity = S_ISREG(st.st_mode) ? static_cast<std::size_t>(st.st_size) + 1 : std::size_t{64} << 10;
  data.resize(capacity);
  std::size_t used = 0;
  for (;;) {
    if (used == data.size()) {
      if (used > kMaxFileSize) throw too_big(used);
      data.resize(std::min<std::size_t>(used * 2, kMaxFileSize + 1));
    }
    const std::size_t n = read_fully(fd, data.data() + used, data.size() - used, path);
    used += n;
    if (used < data.size()) break;  // end of file before the buffer filled
  }
  if (used > kMaxFileSize) throw too_big(used);
  data.resize(used);
  return data;
}

// The header comes first and is validated before anything else is read: a
// wrong file (/dev/zero, a CSV, a disk image) fails on its first 8 bytes,
// and a real header bounds the rest of the read to the payload it declares
// plus one byte (to notice trailing garbage), growing the buffer as bytes
// arrive so a lying header cannot make it allocate more than the file holds.
std::vector<std::uint8_t> read_snapshot_file(const std::string& path) {
  struct stat st{};
  const int fd = open_for_reading(path, st);
  const Fd closer{fd};

  std::vector<std::uint8_t> data(kHeaderSize);
  std::size_t used = read_fully(fd, data.data(), kHeaderSize, path);
  data.resize(used);
  const SnapshotHeader h = read_header_alone(data);  // BadMagic, Truncated, ... on the header alone
  if (h.payload_compressed_size > kMaxFileSize - kHeaderSize) {
    throw SnapshotError(Kind::SizeLimit, "snapshot '" + path + "' declares a payload of " +
                                             std::to_string(h.payload_compressed_size) + " bytes, above the " +
                                             size_text(kMaxFileSize) + " a snapshot can be");
  }
  const std::size_t want = kHeaderSize + static_cast<std::size_t>(h.payload_compressed_size) + 1;
  std::size_t capacity = std::min<std::size_t>(want, std::size_t{1} << 20);
  if (S_ISREG(st.st_mode)) capacity = std::min<std::size_t>(want, std::max<std::size_t>(used, st.st_size) + 1);
  for (;;) {
    data.resize(std::max(capacity, used));
    const std::size_t n = read_fully(fd, data.data() + used, data.size() - used, path);
    used += n;
    if (used < data.size() || used >= want) break;  // end of file, or everything declared and one more byte
    capacity = std::min(want, data.size() * 2);
  }
  data.resize(used);
  read_header(data);  // the full checks, now that the payload is here
  return data;
}

} // namespace pine::snapshot
