// Snapshots during and around `pinevm run`: periodic checkpoints into a
// store (--snapshot-every N with --snapshot-dir DIR or --store SPEC, --keep
// K), and restoring the newest valid snapshot of a store or a directory,
// falling back to older ones when the newest is damaged.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "pine/snapshot/policy.h"
#include "pine/snapshot/snapshot.h"
#include "pine/snapshot/store.h"
#include "pine/vm/instance.h"

namespace pine::cli {

/// The key snapshots of a run are stored under: `key_option` (--key) when
/// given, else the script's file name without its extension ("rsi.pine" ->
/// "rsi"), so `DIR/rsi-1999.pvms` names the script and the bar.
std::string checkpoint_key(const std::string& key_option, const std::string& script_path);

/// What a restore of `pinevm run` checks the snapshot against.
struct RestoreChecks {
  const KnownProgram& program;
  const InstanceConfig& config;
  std::optional<std::uint64_t> memory_limit; ///< --restore-memory-limit; unset: the default
};

/// Restores `bytes` with RestoreBuilder under `checks`.
Instance restore_checked(std::span<const std::uint8_t> bytes, const RestoreChecks& checks);

/// Restores the newest snapshot of `key` in `store` that passes every check
/// of RestoreBuilder under `checks`, skipping damaged ones (each skip is
/// appended to `skipped`: which snapshot, and why). A program or
/// configuration mismatch, or a snapshot above the memory limit, is not
/// damage: it stops the search at once, since the key's older snapshots come
/// from the same script and the user has to decide. Returns nullopt when the
/// store holds nothing for `key`; throws SnapshotError when nothing restores.
std::optional<Instance> restore_newest(SnapshotStore& store, const std::string& key, const RestoreChecks& checks,
                                       std::vector<std::string>& skipped);

/// Whether `key` in `store` holds snapshots of another script or
/// configuration: its newest snapshot that can be read is restored under
/// `checks`; a program or configuration mismatch returns the reason (the
/// restore's message), success or no readable snapshot returns nullopt
/// (damaged snapshots are the restore's business, not a conflict). Saving a
/// run's checkpoints under a conflicting key would mix two series whose
/// newest never restores for the other script.
std::optional<std::string> key_conflict(SnapshotStore& store, const std::string& key, const RestoreChecks& checks);

/// Saves checkpoints of one run into a store as its policy says.
class Checkpointer {
public:
  /// Saves into `store` under `key` whenever `policy` is due.
  Checkpointer(std::unique_ptr<SnapshotStore> store, std::string key, SnapshotPolicy policy)
      : store_(std::move(store)), key_(std::move(key)), policy_(policy) {}

  /// Called after each bar: saves a snapshot when one is due. Throws
  /// SnapshotError when the store fails.
  void after_bar(Instance& instance);
  /// Saves the final state (a run that processed bars ends with a snapshot
  /// in the store, whatever the interval), unless after_bar just saved it.
  void at_end(Instance& instance);
  /// --force: deletes the key's snapshots just before the first save (not
  /// earlier, so a run that fails first leaves them intact), then prints
  /// `warning` to `err`.
  void replace_key_first(std::string warning, std::ostream& err) {
    pending_warning_ = std::move(warning);
    warn_ = &err;
  }
  /// The snapshots saved so far in this run.
  std::int64_t saved() const { return saved_; }

private:
  /// Saves the instance under its last bar index.
  void save(Instance& instance);

  std::unique_ptr<SnapshotStore> store_;
  std::string key_;
  SnapshotPolicy policy_;
  std::int64_t saved_ = 0;
  std::int64_t last_saved_bars_ = -1; ///< bars_processed at the last save
  std::optional<std::string> pending_warning_; ///< set: remove the key before the first save
  std::ostream* warn_ = nullptr;
};

} // namespace pine::cli
