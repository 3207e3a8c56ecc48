// Durable snapshot stores: where a server keeps the bytes save_state() makes.
//
//   auto store = pine::open_store("sqlite:/var/lib/pinevm/state.db", 5);  // or a directory
//   store->save("BTCUSD-rsi", bar_index, pine::save_state(inst));
//   if (auto bytes = store->load("BTCUSD-rsi")) { ... RestoreBuilder(*bytes) ... }
//
// A store keeps, per key (one running script instance), a series of snapshots
// ordered by bar index. The store never looks inside the bytes: validating
// them is RestoreBuilder's job, so a damaged snapshot is listed and loaded
// like any other and the caller falls back to an older one with list() and
// read() when the newest fails to restore.
//
// Contract shared by both backends (tests/snapshot/test_store.cpp checks it
// against each):
//   - Order: newest = highest bar_index. A key holds at most one snapshot per
//     bar_index: saving a bar_index the key already has replaces it.
//   - Durability: when save() returns, the snapshot survives the process being
//     killed and the machine losing power; a crash during save() leaves the
//     previously saved snapshots intact and loadable.
//   - Retention: a store opened with keep = K > 0 keeps the K newest snapshots
//     of each key and deletes the rest at the end of each save(), after the new
//     snapshot is durable (so a snapshot older than the K newest is deleted
//     as soon as it is saved). keep = 0 keeps everything. After a crash
//     the file store may briefly hold K + 1 snapshots, until the next save.
//   - Keys: 1 to kMaxKeyLength bytes, no '/' and no NUL (see validate_key).
//   - bar_index: >= 0 (it is the bar index of a Pine instance).
//   - Errors: std::invalid_argument for a bad key or bar_index,
//     SnapshotError(Kind::Io) when the file system or SQLite fails; its
//     message names the path and the OS or SQLite error text.
//   - Concurrency: several processes may share one directory or one SQLite
//     file. One store object may be used from several threads.
//
// Backends:
//   - file store: one file per snapshot, DIR/<key>-<bar_index>.pvms, written
//     with write_file_atomic (temp file, fsync, rename, fsync of DIR). The
//     names are a CLI contract (`pinevm run --snapshot-dir DIR`).
//   - SQLite store: one table in one database file, WAL journal,
//     synchronous=FULL, each save and its retention in one transaction.
// docs/snapshot-stores.md describes both in more detail.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pine/snapshot/snapshot_error.h"

namespace pine {

/// Longest key a store accepts, in bytes. The file store puts the key in a
/// file name, "<key>-<bar_index>.pvms", and write_file_atomic appends
/// ".tmp-<pid>-<16 hex digits>" for its temporary file: with 19 digits of
/// bar index and a 10-digit pid that is 57 bytes besides the key, and Linux
/// file names are limited to 255 bytes (NAME_MAX). 128 stays well inside that
/// on every common file system and is long enough for "EXCHANGE:TICKER-tf-
/// script-name" style keys. The SQLite store enforces the same limit, so a
/// key that works with one backend works with the other.
inline constexpr std::size_t kMaxKeyLength = 128;

/// One stored snapshot, as list() describes it.
struct SnapshotEntry {
  std::string key;            ///< the key it was saved under
  std::int64_t bar_index = 0; ///< the bar_index it was saved with
  std::uint64_t size = 0;     ///< its length in bytes
  /// Where it lives, for logs and for tools: the file's path for the file
  /// store, "<database path>#<seq>" for the SQLite store (seq numbers the
  /// saves of a key, 1, 2, 3...).
  std::string locator;

  bool operator==(const SnapshotEntry&) const = default;
};

/// A durable series of snapshots per key. See the contract at the top of
/// this file. Implementations: open_file_store(), open_sqlite_store().
class SnapshotStore {
public:
  virtual ~SnapshotStore() = default;

  /// Stores `bytes` as the snapshot of `key` at `bar_index`, replacing one
  /// already stored at that bar_index, durably: when save returns, it survives
  /// a crash or power loss. Then deletes the snapshots of `key` beyond the
  /// store's retention. Throws std::invalid_argument for a bad key or a
  /// negative bar_index, SnapshotError(Io) when storing fails (the snapshots
  /// saved before are then still intact).
  virtual void save(std::string_view key, std::int64_t bar_index, std::span<const std::uint8_t> bytes) = 0;

  /// The bytes of the newest snapshot of `key` (highest bar_index), or
  /// nullopt when the key has none.
  virtual std::optional<std::vector<std::uint8_t>> load(std::string_view key) = 0;

  /// Every snapshot of `key`, newest (highest bar_index) first; empty when
  /// the key has none.
  virtual std::vector<SnapshotEntry> list(std::string_view key) = 0;

  /// The bytes of one snapshot list() returned, found again by its key and
  /// bar_index (if that bar was saved again since, the new bytes).
  /// SnapshotError(Io) if it is gone since (retention of a later save,
  /// another process).
  virtual std::vector<std::uint8_t> read(const SnapshotEntry& entry) = 0;

  /// read() for a caller about to restore the bytes: a backend that can
  /// check the snapshot header before reading the rest does (the file store
  /// reads a file's 128-byte header first, so a huge file that is no
  /// snapshot is rejected at once with SnapshotError instead of being read
  /// whole). The default is read(), since RestoreBuilder checks the bytes.
  virtual std::vector<std::uint8_t> read_snapshot(const SnapshotEntry& entry) { return read(entry); }

  /// Deletes every snapshot of `key` (nothing when it has none), durably:
  /// when it returns, the key holds nothing, even after a crash. For a host
  /// that reuses a key for another script or configuration (`pinevm run
  /// --force`). std::invalid_argument for a bad key, SnapshotError(Io) when
  /// a deletion fails (some snapshots may then remain).
  virtual void remove(std::string_view key) = 0;

  /// How many snapshots per key the store keeps (0 = all).
  virtual std::size_t keep() const = 0;

  /// Describes the store for messages: "file store DIR" or "sqlite store FILE".
  virtual std::string describe() const = 0;
};

/// Throws std::invalid_argument, naming the rule, unless `key` is 1 to
/// kMaxKeyLength bytes long with no '/' (it would be a path in the file
/// store) and no NUL (it would cut the file name short). Every store method
/// that takes a key calls it.
void validate_key(std::string_view key);

/// Opens (creating it and its parents if needed) the directory `dir` as a
/// file store keeping `keep` snapshots per key (0 = all). SnapshotError(Io)
/// when it cannot be created or is not a directory.
std::unique_ptr<SnapshotStore> open_file_store(std::filesystem::path dir, std::size_t keep);

/// Opens (creating it if needed; its directory must exist) the SQLite
/// database `file` as a store keeping `keep` snapshots per key (0 = all).
/// SnapshotError(Io) when it cannot be opened, is not an SQLite database,
/// holds a newer schema than this build knows, or cannot use WAL mode.
std::unique_ptr<SnapshotStore> open_sqlite_store(std::filesystem::path file, std::size_t keep);

/// Opens a store from a command-line style spec: "sqlite:PATH" opens the
/// SQLite database PATH; a spec that begins with any other URI-like scheme
/// (see store_spec_scheme: "sqlite3:x", "SQLITE:x", "redis://h") is refused;
/// anything else is a directory for the file store ("./name:x" for a
/// directory whose name has a ':' before any '/'). std::invalid_argument for
/// an empty spec, "sqlite:" without a path, or an unknown scheme.
std::unique_ptr<SnapshotStore> open_store(std::string_view spec, std::size_t keep);

/// The checks open_store() makes on `spec` before opening anything: throws
/// the same std::invalid_argument, opens and creates nothing.
void validate_store_spec(std::string_view spec);

/// The scheme of a store spec, when it starts with one: a letter, then
/// letters, digits, '+', '-' or '.', then ':' ("sqlite" for "sqlite:x.db",
/// "redis" for "redis://h"); nullopt otherwise ("./a:b", "data/run:1", "dir").
std::optional<std::string_view> store_spec_scheme(std::string_view spec);

} // namespace pine
