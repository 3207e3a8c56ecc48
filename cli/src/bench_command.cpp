// `pinevm bench`: measures one script's compile, run, save and restore.
//
// Timing happens here, in a harness, never in tests. Each phase is timed on
// its own so a regression points at its cause: CSV parsing is excluded from
// the run throughput (it is measured separately).
#include "bench_command.h"

#include <chrono>
#include <fstream>
#include <iomanip>
#include <new>
#include <sstream>

#include "bars_csv.h"
#include "cli_error.h"
#include "output_paths.h"
#include "pine/compiler/compile.h"
#include "pine/snapshot/snapshot.h"
#include "script_loader.h"

namespace pine::cli {

namespace {

using Clock = std::chrono::steady_clock;

/// Seconds elapsed since `start`.
double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

} // namespace

// Failures go through fail() like every other command, so bench has the
// same exit codes and `pinevm: error:` first line as run.
int run_bench(const std::string& script_path, const std::string& data_path, int repeat, std::ostream& out,
              std::ostream& err) {
  // load_program, like run: a .pvmc program or a snapshot given as the
  // script gets the same handling and exit codes; only compile() is timed.
  require_not_directory(data_path, "--data");
  double compile_s = 0;
  const std::shared_ptr<const Program> program =
      load_program(script_path, {}, err, ScriptUse::Run, &compile_s);

  auto t0 = Clock::now();
  std::vector<Bar> bars;
  try {
    bars = read_bars_file(data_path);
  } catch (const DataError& e) {
    fail(kData, e.what());
  } catch (const std::bad_alloc&) {
    fail(kUsage, "out of memory while reading --data '" + data_path + "'");
  }
  const double parse_s = seconds_since(t0);

  double best_run = 1e300;
  std::vector<std::uint8_t> snapshot;
  for (int r = 0; r < repeat; ++r) {
    Instance inst = InstanceBuilder(program).build();
    inst.set_last_bar_index(static_cast<std::int64_t>(bars.size()) - 1);
    if (!bars.empty()) inst.set_last_chart_bar_time(bars.back().time);
    t0 = Clock::now();
    try {
      for (const Bar& b : bars) {
        inst.run_bar(b);
        (void)inst.take_logs();
      }
    } catch (const RuntimeError& e) {
      fail_runtime(e, script_path);
    } catch (const std::bad_alloc&) {
      fail(kRuntime, "out of memory on bar " + std::to_string(inst.bars_processed())); // as run: exit 4
    }
    const double run_s = seconds_since(t0);
    if (run_s < best_run) best_run = run_s;
    if (r == 0) snapshot = save_state(inst);
  }

  // Save and restore: best of several repetitions (they take microseconds).
  Instance inst = RestoreBuilder(snapshot).build();
  // A server restores with the script's KnownProgram (hash computed once,
  // program shared), so that is the restore timed here.
  const KnownProgram known = KnownProgram::of(program);
  double best_save = 1e300, best_restore = 1e300;
  for (int r = 0; r < 50; ++r) {
    t0 = Clock::now();
    std::vector<std::uint8_t> bytes = save_state(inst);
    best_save = std::min(best_save, seconds_since(t0));
    t0 = Clock::now();
    Instance again = RestoreBuilder(bytes).expect_program(known).build();
    best_restore = std::min(best_restore, seconds_since(t0));
  }

  out << std::fixed << std::setprecision(3);
  out << "bars:                " << bars.size() << "\n";
  out << "csv parse:           " << parse_s * 1e3 << " ms\n";
  out << "compile:             " << compile_s * 1e3 << " ms\n";
  out << "run (best of " << repeat << "):    " << best_run * 1e3 << " ms = " << std::setprecision(0)
      << static_cast<double>(bars.size()) / best_run << " bars/s\n"
      << std::setprecision(3);
  const std::uint64_t raw = snapshot::read_header(snapshot).payload_uncompressed_size;
  out << "snapshot size:       " << snapshot.size() << " bytes (raw payload " << raw << " bytes)\n";
  out << "save (best of 50):   " << best_save * 1e6 << " us\n";
  out << "restore (best of 50): " << best_restore * 1e6 << " us\n";
  // Restoring replaces replaying the same bars from scratch: how much faster.
  out << "restore vs replay:   " << std::setprecision(0) << best_run / best_restore << "x faster\n"
      << std::setprecision(3);
  return 0;
}

} // namespace pine::cli
