// The files `pinevm` reads and writes: checks made before anything is
// written, and output streams whose every write error is reported.
//
// Rules (README, "CLI reference"):
// - A path that must be a file (script, --data, --syminfo, a snapshot to
//   inspect...) and is a directory is a usage error: "'X' is a directory".
// - Atomic outputs (--save-state, compile -o) replace a regular file with a
//   rename. A symbolic link is followed: its final target is replaced and the
//   link kept. An existing target that is not a regular file (directory,
//   FIFO, device, socket) or a dangling link is refused (exit 2).
// - Plain outputs (--out, --log) are opened and written in place, so
//   `-`, /dev/stdout, FIFOs and devices work; a directory is refused.
// - No output may be the same file as an input or as another output: same
//   device and inode for existing files, same normalized absolute path
//   (symbolic links of existing parents resolved) for files not yet there.
//   Only regular files and not-yet-existing paths are compared (writing
//   /dev/null twice is harmless). One pair is allowed: --restore-state FILE
//   and --save-state FILE (resume, then checkpoint to the same file).
// - Every write, flush and close of an output is checked; a failure is a
//   usage-class error (exit 2) naming the file (or "standard output") and
//   the OS error.
#pragma once

#include <memory>
#include <ostream>
#include <streambuf>
#include <string>
#include <vector>

namespace pine::cli {

/// Fails (exit 2) when `path` is a directory: `what` names the argument
/// ("--data", "the script"). Missing files are left to the reader, whose
/// message names the OS error.
void require_not_directory(const std::string& path, const std::string& what);

/// Fails (exit 2) unless `path` can be replaced atomically (rules above);
/// `what` names the option ("--save-state", "-o").
void check_atomic_target(const std::string& path, const std::string& what);

/// Fails (exit 2) unless the directory `dir` can receive new files (where
/// `path`, named by `what`, is written).
void require_writable_directory(const std::string& dir, const std::string& path, const std::string& what);

/// Fails (exit 2) unless the store directory `dir` (--snapshot-dir, --store
/// DIR) is a writable directory, or can be created in a writable one.
void check_store_directory(const std::string& dir, const std::string& what);

/// Fails (exit 2) unless the SQLite store `path` is a regular file or a new
/// file, in an existing writable directory.
void check_sqlite_path(const std::string& path, const std::string& what);

/// Fails (exit 2) when the plain output `path` is a directory.
void check_plain_output(const std::string& path, const std::string& what);

/// The inputs and outputs of one command, checked for collisions.
class PathSet {
public:
  /// Registers a file the command reads; `what` names its option.
  void input(const std::string& path, const std::string& what) { add(path, what, false); }
  /// Registers a file the command writes.
  void output(const std::string& path, const std::string& what) { add(path, what, true); }
  /// Allows the pair of options `a` and `b` to name the same file.
  void allow_same(const std::string& a, const std::string& b) { allowed_.push_back({a, b}); }
  /// Fails (exit 2) when an output is the same file as an input or another
  /// output, naming both options.
  void check() const;

private:
  struct Entry {
    std::string path, what;
    bool output;
  };
  /// Records one path ("" and "-" are standard streams and never collide).
  void add(const std::string& path, const std::string& what, bool output);
  std::vector<Entry> entries_;
  std::vector<std::pair<std::string, std::string>> allowed_;
};

/// A stream buffer over a file descriptor that remembers the errno of the
/// first failed write, so errors can name the OS cause. After a failure
/// every later write fails too (the stream's badbit is set).
class FdStreamBuf : public std::streambuf {
public:
  /// Writes to `fd`; closes it at close() or destruction when `owns`.
  FdStreamBuf(int fd, bool owns);
  ~FdStreamBuf() override;
  FdStreamBuf(const FdStreamBuf&) = delete;
  FdStreamBuf& operator=(const FdStreamBuf&) = delete;

  /// Flushes and, when owned, closes the descriptor; false on any failure.
  bool close();
  /// The descriptor written to (-1 once closed).
  int fd() const { return fd_; }
  /// errno of the first failure, 0 if none.
  int error() const { return error_; }

protected:
  int_type overflow(int_type ch) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

private:
  /// Writes the buffered bytes; false (and error_ set) on failure.
  bool flush_buffer();
  /// write(2) of all `n` bytes, retrying EINTR and short writes.
  bool write_all(const char* p, std::size_t n);

  int fd_;
  bool owns_;
  int error_ = 0;
  std::vector<char> buffer_;
};

/// A plain output file opened for writing, not truncated until truncate():
/// a command opens all its outputs first, then empties the regular ones.
class OutputFile {
public:
  /// Opens `path`; fails (exit 2) naming `what` and the OS error.
  OutputFile(const std::string& path, const std::string& what);
  /// Empties a regular file (before the first write); fails (exit 2).
  void truncate();
  /// The stream to write to.
  std::ostream& stream() { return stream_; }
  /// Fails (exit 2) if a write failed so far.
  void check() const;
  /// Flushes and closes; fails (exit 2) on any error.
  void close();

private:
  std::string path_, what_;
  FdStreamBuf buf_;
  std::ostream stream_;
};

/// The OS error text of the first failed write of `out` (strerror of its
/// FdStreamBuf's errno), or a generic text for other streams.
std::string stream_error_text(const std::ostream& out);

/// Flushes `out` (`name` names it, e.g. "standard output") and fails (exit 2)
/// when any write to it failed.
void check_stream(std::ostream& out, const std::string& name);

} // namespace pine::cli
