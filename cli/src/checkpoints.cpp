// Periodic checkpoints and newest-valid restores for `pinevm run`
// (checkpoints.h).
#include "checkpoints.h"

#include <filesystem>

#include "pine/snapshot/snapshot.h"

namespace pine::cli {

// The stem keeps keys short and readable; the store validates them.
std::string checkpoint_key(const std::string& key_option, const std::string& script_path) {
  if (!key_option.empty()) return key_option;
  return std::filesystem::path(script_path).stem().string();
}

// The one place the CLI's restore checks are applied.
Instance restore_checked(std::span<const std::uint8_t> bytes, const RestoreChecks& checks) {
  RestoreBuilder builder(bytes);
  builder.expect_program(checks.program).expect_config(checks.config);
  if (checks.memory_limit) builder.memory_limit(*checks.memory_limit);
  return builder.build();
}

// Newest first; a snapshot that cannot be read or restored is reported and
// the next older one is tried, so a crash that damaged the newest file (or
// a bad disk block) costs the bars since the previous checkpoint, not the
// whole history.
std::optional<Instance> restore_newest(SnapshotStore& store, const std::string& key, const RestoreChecks& checks,
                                       std::vector<std::string>& skipped) {
  const std::vector<SnapshotEntry> entries = store.list(key);
  if (entries.empty()) return std::nullopt;
  std::optional<SnapshotError> newest_error;
  for (const SnapshotEntry& entry : entries) {
    try {
      const std::vector<std::uint8_t> bytes = store.read_snapshot(entry);
      return restore_checked(bytes, checks);
    } catch (const SnapshotError& e) {
      if (e.kind() == SnapshotError::Kind::ProgramMismatch || e.kind() == SnapshotError::Kind::ConfigMismatch ||
          e.kind() == SnapshotError::Kind::MemoryLimit)
        throw SnapshotError(e.kind(), entry.locator + ": " + e.what());
      skipped.push_back("skipped snapshot " + entry.locator + " (" + snapshot_error_kind_name(e.kind()) + "): " + e.what());
      if (!newest_error) newest_error = e;
    }
  }
  throw SnapshotError(newest_error->kind(), "no snapshot of '" + key + "' in the " + store.describe() + " restores (" +
                                                std::to_string(entries.size()) + " damaged)");
}

// Newest readable first, like restore_newest, so the verdict is the one a
// later resume of this key would meet.
std::optional<std::string> key_conflict(SnapshotStore& store, const std::string& key, const RestoreChecks& checks) {
  for (const SnapshotEntry& entry : store.list(key)) {
    try {
      const std::vector<std::uint8_t> bytes = store.read_snapshot(entry);
      restore_checked(bytes, checks);
      return std::nullopt;
    } catch (const SnapshotError& e) {
      if (e.kind() == SnapshotError::Kind::ProgramMismatch)
        return "snapshots of another program (" + entry.locator + ": " + e.what() + ")";
      if (e.kind() == SnapshotError::Kind::ConfigMismatch)
        return "snapshots of another configuration (" + entry.locator + ": " + e.what() + ")";
      if (e.kind() == SnapshotError::Kind::MemoryLimit) return std::nullopt;  // same script, a big state
    }
  }
  return std::nullopt;
}

// bars_processed counts the instance's whole life, so checkpoints keep their
// cadence across restarts.
void Checkpointer::after_bar(Instance& instance) {
  if (policy_.due(instance.bars_processed())) save(instance);
}

// The final state, unless the last after_bar() already saved it.
void Checkpointer::at_end(Instance& instance) {
  if (instance.bars_processed() > 0 && instance.bars_processed() != last_saved_bars_) save(instance);
}

// A snapshot is named by the index of the last bar it has seen.
void Checkpointer::save(Instance& instance) {
  if (pending_warning_) {
    store_->remove(key_);
    *warn_ << *pending_warning_ << std::flush;
    pending_warning_.reset();
  }
  store_->save(key_, instance.bars_processed() - 1, save_state(instance));
  last_saved_bars_ = instance.bars_processed();
  ++saved_;
}

} // namespace pine::cli
