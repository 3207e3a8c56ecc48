// The file snapshot store: one file per snapshot, DIR/<key>-<bar_index>.pvms.
//
// Writing reuses write_file_atomic (envelope.cpp): a temporary file
// "<final name>.tmp-<pid>-<hex>" in DIR, fsync, rename over the final name,
// fsync of DIR. A crash leaves either the old state or the new file complete;
// the worst leftover is a temporary file, which is never listed (it does not
// end in ".pvms") and is deleted by the next save of the same key once the
// process that wrote it is gone.
//
// Names: the bar index is written in canonical decimal (no sign, no leading
// zeros), and only names of exactly that shape count, so every (key,
// bar_index) has one file name and anything else in DIR (other files, other
// keys, "x-007.pvms") is ignored. Keys may contain '-': for key "a" the file
// "a-1-5.pvms" is not a snapshot ("1-5" is not a number), for key "a-1" it is
// bar 5. bar_index must be >= 0, or "a--5.pvms" (key "a", bar -5) would be
// the same name as key "a-", bar 5.
//
// The store keeps no state besides the directory, so several processes and
// threads can share a directory: the last rename of a name wins, and
// retention tolerates files another process deleted first.
#include "pine/snapshot/envelope.h"
#include "pine/snapshot/store.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

namespace pine {

namespace {

namespace fs = std::filesystem;
using Kind = SnapshotError::Kind;

/// The extension of snapshot files.
constexpr std::string_view kExtension = ".pvms";

/// What write_file_atomic appends to the final name for its temporary file,
/// before "<pid>-<hex>".
constexpr std::string_view kTempMarker = ".tmp-";

/// load() re-lists the directory when the newest file vanishes between
/// listing and reading (another process's retention deleted it after saving a
/// newer one). Each retry means a concurrent save finished in between; 8 in a
/// row would need a writer saving faster than we can read one file, and
/// bounds the loop.
constexpr int kLoadAttempts = 8;

/// "<what> '<path>': <strerror(err)>" as an Io error.
SnapshotError io_error(const std::string& what, const fs::path& path, int err) {
  return SnapshotError(Kind::Io, what + " '" + path.string() + "': " + std::strerror(err));
}

/// Parses a canonical non-negative decimal (digits only, no leading zero
/// unless it is "0") that fits an int64; nullopt for anything else.
std::optional<std::int64_t> parse_canonical_index(std::string_view digits) {
  if (digits.empty() || (digits.size() > 1 && digits[0] == '0')) return std::nullopt;
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

/// The bar index of a snapshot file name of `key` ("<key>-<n>.pvms"), or
/// nullopt when `name` is not one.
std::optional<std::int64_t> snapshot_bar_index(std::string_view name, std::string_view key) {
  if (name.size() <= key.size() + 1 + kExtension.size()) return std::nullopt;
  if (!name.starts_with(key) || name[key.size()] != '-' || !name.ends_with(kExtension)) return std::nullopt;
  return parse_canonical_index(name.substr(key.size() + 1, name.size() - key.size() - 1 - kExtension.size()));
}

/// The pid in a temporary file name of `key` ("<key>-<n>.pvms.tmp-<pid>-<hex>"),
/// or nullopt when `name` is not one.
std::optional<pid_t> temp_file_pid(std::string_view name, std::string_view key) {
  if (!name.starts_with(key) || name.size() <= key.size() || name[key.size()] != '-') return std::nullopt;
  const std::size_t marker = name.find(std::string(kExtension) + std::string(kTempMarker), key.size());
  if (marker == std::string_view::npos) return std::nullopt;
  if (!parse_canonical_index(name.substr(key.size() + 1, marker - key.size() - 1))) return std::nullopt;
  const std::string_view rest = name.substr(marker + kExtension.size() + kTempMarker.size());
  const std::size_t dash = rest.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const std::optional<std::int64_t> pid = parse_canonical_index(rest.substr(0, dash));
  if (!pid || *pid <= 0 || *pid > std::numeric_limits<pid_t>::max()) return std::nullopt;
  return static_cast<pid_t>(*pid);
}

/// True when no process `pid` exists on this machine. EPERM means it exists
/// under another user; only ESRCH says it is gone.
bool process_is_gone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

/// fsyncs the directory `dir` so entries created or renamed in it are
/// durable. File systems that cannot sync a directory (EINVAL, ENOTSUP) are
/// accepted, as write_file_atomic does.
void sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw io_error("cannot open directory to sync it", dir, errno);
  if (::fsync(fd) != 0 && errno != EINVAL && errno != ENOTSUP) {
    const int err = errno;
    ::close(fd);
    throw io_error("cannot sync directory", dir, err);
  }
  ::close(fd);
}

/// Creates `dir` and any missing parents, syncing each parent after creating
/// a child in it, so a snapshot saved right after opening a new store does
/// not vanish with its directory on power loss.
void create_directory_durably(const fs::path& dir) {
  struct stat st{};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) throw io_error("snapshot store path is not a directory", dir, ENOTDIR);
    return;
  }
  if (errno != ENOENT) throw io_error("cannot open snapshot store directory", dir, errno);
  const fs::path parent = dir.parent_path();
  if (!parent.empty() && parent != dir) create_directory_durably(parent);
  if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) {
    throw io_error("cannot create snapshot store directory", dir, errno);
  }
  sync_directory(parent.empty() ? fs::path(".") : parent);
}

/// The file store. Stateless besides the directory and the retention.
class FileStore final : public SnapshotStore {
public:
  FileStore(fs::path dir, std::size_t keep) : dir_(std::move(dir)), keep_(keep) {}

  // First the leftovers of crashed saves (stale temporaries, and snapshots
  // beyond K when a crash hit between a rename and its retention; trimming
  // to K keeps K durable snapshots while the new one is written), then the
  // atomic write, then retention over the now durable set. So the key never
  // holds more than K + 1 snapshots, however many saves crash in a row.
  void save(std::string_view key, std::int64_t bar_index, std::span<const std::uint8_t> bytes) override {
    validate_key(key);
    if (bar_index < 0) {
      throw std::invalid_argument("snapshot store bar_index " + std::to_string(bar_index) + " is negative");
    }
    const Scan before = scan(key);
    for (const fs::path& temp : before.stale_temp_files) {
      if (::unlink(temp.c_str()) != 0 && errno != ENOENT) {
        throw io_error("cannot delete a stale temporary snapshot file", temp, errno);
      }
    }
    delete_beyond_retention(before.entries, "cannot delete an old snapshot beyond the retention of ");
    snapshot::write_file_atomic(file_path(key, bar_index).string(), bytes);
    delete_beyond_retention(scan(key).entries,
                            "snapshot saved, but cannot delete an old snapshot beyond the retention of ");
  }

  // Re-lists when the newest vanished under us (see kLoadAttempts).
  std::optional<std::vector<std::uint8_t>> load(std::string_view key) override {
    validate_key(key);
    for (int attempt = 0; attempt < kLoadAttempts; ++attempt) {
      const std::vector<SnapshotEntry> entries = list(key);
      if (entries.empty()) return std::nullopt;
      try {
        return snapshot::read_file(entries.front().locator);
      } catch (const SnapshotError&) {
        struct stat st{};
        if (::lstat(entries.front().locator.c_str(), &st) == 0 || errno != ENOENT) throw;
      }
    }
    throw SnapshotError(Kind::Io, "cannot load the newest snapshot of key '" + std::string(key) + "' from '" +
                                      dir_.string() + "': it was deleted " + std::to_string(kLoadAttempts) +
                                      " times while being read");
  }

  // The snapshots of one scan of the directory (see scan()).
  std::vector<SnapshotEntry> list(std::string_view key) override {
    validate_key(key);
    return scan(key).entries;
  }

  // The path is rebuilt from key and bar_index rather than taken from the
  // locator, so an entry can only ever read a file of this store.
  std::vector<std::uint8_t> read(const SnapshotEntry& entry) override {
    validate_key(entry.key);
    return snapshot::read_file(file_path(entry.key, entry.bar_index).string());
  }

  // Header first (snapshot::read_snapshot_file): a 1.5 GB file named like a
  // snapshot must not be read whole before its magic is found wrong.
  std::vector<std::uint8_t> read_snapshot(const SnapshotEntry& entry) override {
    validate_key(entry.key);
    return snapshot::read_snapshot_file(file_path(entry.key, entry.bar_index).string());
  }

  // Unlinks every snapshot file of the key (another process deleting one
  // first is fine), then fsyncs DIR so the deletions survive power loss: a
  // resurrected snapshot of the replaced script would block the key again.
  void remove(std::string_view key) override {
    validate_key(key);
    for (const SnapshotEntry& entry : scan(key).entries) {
      if (::unlink(entry.locator.c_str()) != 0 && errno != ENOENT) {
        throw io_error("cannot delete snapshot", entry.locator, errno);
      }
    }
    sync_directory(dir_);
  }

  // Interface accessors (store.h).
  std::size_t keep() const override { return keep_; }

  std::string describe() const override { return "file store " + dir_.string(); }

private:
  /// DIR/<key>-<bar_index>.pvms.
  fs::path file_path(std::string_view key, std::int64_t bar_index) const {
    return dir_ / (std::string(key) + "-" + std::to_string(bar_index) + std::string(kExtension));
  }

  /// What one pass over the directory finds for a key.
  struct Scan {
    std::vector<SnapshotEntry> entries;       ///< its snapshots, newest first
    std::vector<fs::path> stale_temp_files;   ///< its temporaries whose writer is gone
  };

  /// Lists the directory once and sorts out the files of `key`. Snapshots
  /// that vanish between readdir and stat are skipped, like files that were
  /// never there. Temporary files of live processes may be a save in
  /// progress, in this process or another, and are not reported as stale.
  Scan scan(std::string_view key) const {
    Scan found;
    std::error_code ec;
    fs::directory_iterator it(dir_, ec);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
      const fs::path& path = it->path();
      const std::string name = path.filename().string();
      if (const std::optional<std::int64_t> bar_index = snapshot_bar_index(name, key)) {
        struct stat st{};
        if (::stat(path.c_str(), &st) != 0) {
          if (errno == ENOENT) continue;
          throw io_error("cannot stat snapshot", path, errno);
        }
        if (!S_ISREG(st.st_mode)) continue;
        found.entries.push_back(
            SnapshotEntry{std::string(key), *bar_index, static_cast<std::uint64_t>(st.st_size), path.string()});
      } else if (const std::optional<pid_t> pid = temp_file_pid(name, key); pid && process_is_gone(*pid)) {
        found.stale_temp_files.push_back(path);
      }
    }
    if (ec) throw io_error("cannot list snapshot store directory", dir_, ec.value());
    std::sort(found.entries.begin(), found.entries.end(),
              [](const SnapshotEntry& a, const SnapshotEntry& b) { return a.bar_index > b.bar_index; });
    return found;
  }

  /// Deletes the entries after the first keep_ of `entries` (newest first);
  /// nothing when keep_ is 0. ENOENT is fine: another process sharing the
  /// directory deleted the file first. The deletions are not synced: if
  /// power loss undoes one, the file is an intact older snapshot and the
  /// next save deletes it again. `what` starts the error message.
  void delete_beyond_retention(const std::vector<SnapshotEntry>& entries, const std::string& what) const {
    if (keep_ == 0) return;
    for (std::size_t i = keep_; i < entries.size(); ++i) {
      if (::unlink(entries[i].locator.c_str()) != 0 && errno != ENOENT) {
        throw io_error(what + std::to_string(keep_) + ":", entries[i].locator, errno);
      }
    }
  }

  fs::path dir_;
  std::size_t keep_;
};

} // namespace

// The path is made absolute so locators and messages stay meaningful if the
// process changes directory.
std::unique_ptr<SnapshotStore> open_file_store(fs::path dir, std::size_t keep) {
  if (dir.empty()) throw std::invalid_argument("snapshot store directory is empty");
  std::error_code ec;
  fs::path absolute = fs::absolute(dir, ec).lexically_normal();
  if (ec) throw io_error("cannot resolve snapshot store directory", dir, ec.value());
  // lexically_normal keeps a trailing separator ("a/b/"); drop it so
  // parent_path() walks up one real level.
  if (!absolute.has_filename() && absolute.has_parent_path() && absolute != absolute.root_path()) {
    absolute = absolute.parent_path();
  }
  create_directory_durably(absolute);
  return std::make_unique<FileStore>(std::move(absolute), keep);
}

} // namespace pine
