// `pinevm bench`: measures one script's compile, run, save and restore.
//
// Timing happens here, in a harness, never in tests. Each phase is timed on
// its own so a regression points at its cause: CSV parsing is excluded from
// the run throughput (it is measured separately).
#include "bench_command.h"

#include <chrono>
#include <fstream>
#include <iomanip>
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
  const std::string source = read_text_file(script_path, "the script");
  require_not_directory(data_path, "--data");

  auto t0 = Clock::now();
  std::vector<Bar> bars;
  try {
    bars = read_bars_file(data_path);
  } catch (const DataError& e) {
    fail(kData, e.what());
  }
  const double parse_s = seconds_since(t0);

  t0 = Clock::now();
  CompileOptions options;
  options.file_name = script_path;
  CompileResult compiled = compile(source, options);
  const double compile_s = seconds_since(t0);
  if (!compiled.ok()) {
    std::size_t errors = 0;
    for (const Diagnostic& d : compiled.diagnostics) errors += d.severity == Severity::Error;
    fail(kCompileError,
         "'" + script_path + "' did not compile (" + std::to_string(errors) + (errors == 1 ? " error)" : " errors)"),
         compiled.format(source, script_path));
  }
  if (!compiled.diagnostics.empty()) err << compiled.format(source, script_path); // warnings
  if (compiled.is_library) refuse_library(script_path, ScriptUse::Run);

  double best_run = 1e300;
  std::vector<std::uint8_t> snapshot;
  for (int r = 0; r < repeat; ++r) {
    Instance inst = InstanceBuilder(compiled.program).build();
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
    }
    const double run_s = seconds_since(t0);
    if (run_s < best_run) best_run = run_s;
    if (r == 0) snapshot = save_state(inst);
  }

  // Save and restore: best of several repetitions (they take microseconds).
  Instance inst = RestoreBuilder(snapshot).build();
  // A server restores with the script's KnownProgram (hash computed once,
  // program shared), so that is the restore timed here.
  const KnownProgram known = KnownProgram::of(compiled.program);
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
