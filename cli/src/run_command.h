// `pinevm run`: one script over a bar file, with outputs, logs, snapshots
// and checkpoints (README, "CLI reference").
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace pine::cli {

/// The options of `pinevm run`, as parsed.
struct RunOptions {
  std::string script, data, out, format = "csv", save_state, restore_state, symbol, timeframe, syminfo, log;
  std::string trades; ///< --trades FILE: the strategy's List of trades
  std::vector<std::string> feeds; ///< --feed [SYMBOL@]TF=FILE, in order
  std::string report; ///< --report FILE.json: the strategy's Performance Summary
  std::string equity; ///< --equity FILE.csv: the strategy's equity bar by bar
  std::vector<std::string> lib_paths; ///< --lib-path folders for imports
  std::vector<std::string> inputs;    ///< --input NAME=VALUE, in order
  bool progress = false, no_progress = false;
  std::int64_t snapshot_every = 0;      ///< --snapshot-every N (0: only at the end)
  std::string snapshot_dir, store, key; ///< --snapshot-dir, --store, --key
  std::int64_t keep = 0;                ///< --keep K (0: keep every snapshot)
  std::optional<std::uint64_t> restore_memory_limit_mib; ///< --restore-memory-limit MIB
  bool force = false; ///< --force: replace a key's snapshots of another script or configuration
  // Run limits (docs/limits.md); unset keeps the engine's default.
  std::optional<std::int64_t> max_bar_work;     ///< --max-bar-work UNITS
  std::optional<double> max_bar_seconds;        ///< --max-bar-seconds S (0: no time limit)
  std::optional<std::uint64_t> max_memory_mib;  ///< --max-memory-mib MIB
};

/// Runs the command; returns the exit code or throws Failure (cli_error.h).
/// `out` is standard output, `err` standard error.
int run_command(const RunOptions& o, std::ostream& out, std::ostream& err);

} // namespace pine::cli
