// The pinevm command line (DESIGN.md section 3): run, check, compile,
// disasm, inspect. Exit codes: 0 ok, 1 compile error, 2 usage error,
// 3 snapshot rejected, 4 runtime error, 5 bad input data.
#include "app.h"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "bars_csv.h"
#include "bench_command.h"
#include "checkpoints.h"
#include "log_writer.h"
#include "output_writer.h"
#include "pine/compiler/compile.h"
#include "pine/snapshot/snapshot.h"
#include "program_file.h"
#include "syminfo_json.h"

namespace pine::cli {

namespace {

enum Exit { kOk = 0, kCompileError = 1, kUsage = 2, kSnapshot = 3, kRuntime = 4, kData = 5 };

/// A failure that ends the command with an exit code and one message line.
struct Failure {
  int code;
  std::string message;
  std::string detail; ///< printed after the message line (e.g. diagnostics)
};

[[noreturn]] void fail(int code, const std::string& message, std::string detail = {}) {
  throw Failure{code, message, std::move(detail)};
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(kUsage, "cannot open '" + path + "': " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Compiles a script file, printing diagnostics (warnings too) to stderr.
std::shared_ptr<const Program> compile_file(const std::string& path, const std::vector<std::string>& lib_paths,
                                            std::ostream& err) {
  const std::string source = read_text_file(path);
  CompileOptions options;
  options.file_name = path;
  options.lib_paths = lib_paths;
  CompileResult r = compile(source, options);
  if (!r.ok()) {
    std::size_t errors = 0;
    for (const Diagnostic& d : r.diagnostics) errors += d.severity == Severity::Error;
    fail(kCompileError, "'" + path + "' did not compile (" + std::to_string(errors) + (errors == 1 ? " error)" : " errors)"),
         r.format(source, path));
  }
  if (!r.diagnostics.empty()) err << r.format(source, path); // warnings
  return r.program;
}

/// Loads a program from a .pine source or a .pvmc file.
std::shared_ptr<const Program> load_program(const std::string& path, const std::vector<std::string>& lib_paths,
                                            std::ostream& err) {
  if (path.size() > 5 && path.compare(path.size() - 5, 5, ".pvmc") == 0) {
    if (!std::ifstream(path, std::ios::binary)) fail(kUsage, "cannot open '" + path + "': " + std::strerror(errno));
    try {
      return std::make_shared<const Program>(read_program_file(path));
    } catch (const ProgramError& e) {
      fail(kData, e.what());
    }
  }
  return compile_file(path, lib_paths, err);
}

struct RunOptions {
  std::string script, data, out, format = "csv", save_state, restore_state, symbol, timeframe, syminfo, log;
  std::vector<std::string> lib_paths; ///< --lib-path folders for imports
  std::vector<std::string> inputs;
  bool progress = false, no_progress = false;
  std::int64_t snapshot_every = 0; ///< --snapshot-every N (0: only at the end)
  std::string snapshot_dir, store, key; ///< --snapshot-dir, --store, --key
  std::int64_t keep = 0;           ///< --keep K (0: keep every snapshot)
  std::optional<std::uint64_t> restore_memory_limit_mib; ///< --restore-memory-limit MIB
};

/// The store the run's checkpoints go to (--snapshot-dir or --store), or
/// null; usage errors for contradictory options.
std::unique_ptr<SnapshotStore> open_run_store(const RunOptions& o) {
  if (!o.snapshot_dir.empty() && !o.store.empty()) fail(kUsage, "give --snapshot-dir or --store, not both");
  if (!o.store.empty() && !o.restore_state.empty())
    fail(kUsage, "--store restores from the store itself; drop --restore-state");
  const std::string spec = !o.store.empty() ? o.store : o.snapshot_dir;
  if (spec.empty()) {
    if (o.snapshot_every > 0) fail(kUsage, "--snapshot-every needs --snapshot-dir DIR or --store SPEC");
    if (o.keep > 0) fail(kUsage, "--keep needs --snapshot-dir DIR or --store SPEC");
    if (!o.key.empty() && o.restore_state.empty())
      fail(kUsage, "--key needs --snapshot-dir, --store or a --restore-state directory");
    return nullptr;
  }
  try {
    return open_store(spec, static_cast<std::size_t>(o.keep));
  } catch (const std::invalid_argument& e) {
    fail(kUsage, std::string("--store: ") + e.what());
  }
}

/// Restores the instance from --restore-state (a snapshot file, or a
/// directory of `<key>-<bar>.pvms` files whose newest valid one is taken) or
/// from the --store; nullopt for a fresh run.
std::optional<Instance> restore_for_run(const RunOptions& o, SnapshotStore* store, const std::string& key,
                                        std::shared_ptr<const Program> compiled, const InstanceConfig& config,
                                        std::vector<std::string>& skipped) {
  const bool from_store = store != nullptr && !o.store.empty();
  if (o.restore_state.empty() && !from_store) return std::nullopt;
  // Hashed once for every snapshot tried, and shared by the restored instance.
  const KnownProgram program = KnownProgram::of(std::move(compiled));
  RestoreChecks checks{program, config, std::nullopt};
  if (o.restore_memory_limit_mib) checks.memory_limit = *o.restore_memory_limit_mib << 20;
  std::error_code ec;
  if (!o.restore_state.empty() && std::filesystem::is_directory(o.restore_state, ec)) {
    std::unique_ptr<SnapshotStore> dir = open_file_store(o.restore_state, 0);
    std::optional<Instance> restored = restore_newest(*dir, key, checks, skipped);
    if (!restored) fail(kSnapshot, "no snapshot of '" + key + "' in directory '" + o.restore_state + "' (files named " + key + "-<bar>.pvms)");
    return restored;
  }
  if (!o.restore_state.empty()) {
    const std::vector<std::uint8_t> bytes = snapshot::read_file(o.restore_state);
    return restore_checked(bytes, checks);
  }
  return restore_newest(*store, key, checks, skipped);
}

int run_command(const RunOptions& o, std::ostream& out_default, std::ostream& err) {
  auto format = parse_output_format(o.format);
  if (!format) fail(kUsage, "--format must be csv or jsonl");
  std::shared_ptr<const Program> program = compile_file(o.script, o.lib_paths, err);

  InstanceBuilder builder(program);
  try {
    builder.symbol(o.symbol).timeframe(o.timeframe);
  } catch (const std::invalid_argument& e) {
    fail(kUsage, e.what());
  }
  if (!o.syminfo.empty()) {
    const std::string json = read_text_file(o.syminfo);
    try {
      builder.syminfo(parse_syminfo_json(json));
    } catch (const std::invalid_argument& e) {
      fail(kUsage, "--syminfo '" + o.syminfo + "': " + e.what());
    }
  }
  for (const std::string& kv : o.inputs) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) fail(kUsage, "--input expects NAME=VALUE, got '" + kv + "'");
    try {
      builder.input(kv.substr(0, eq), kv.substr(eq + 1));
    } catch (const std::invalid_argument& e) {
      fail(kUsage, e.what());
    }
  }

  if (o.snapshot_every < 0) fail(kUsage, "--snapshot-every must be 0 or more");
  if (o.keep < 0) fail(kUsage, "--keep must be 0 or more");
  std::unique_ptr<SnapshotStore> store = open_run_store(o);
  const std::string key = checkpoint_key(o.key, o.script);
  std::optional<Instance> instance;
  std::vector<std::string> skipped; // damaged snapshots passed over, newest first
  auto skipped_lines = [&] {
    std::string text;
    for (const std::string& s : skipped) text += "  " + s + "\n";
    return text;
  };
  try {
    if (store || !o.key.empty()) validate_key(key);
    instance = restore_for_run(o, store.get(), key, program, builder.config(), skipped);
  } catch (const std::invalid_argument& e) {
    fail(kUsage, std::string("--key: ") + e.what());
  } catch (const SnapshotError& e) {
    const std::string from = o.restore_state.empty() ? o.store : o.restore_state;
    fail(kSnapshot, "cannot restore '" + from + "' (" + snapshot_error_kind_name(e.kind()) + "): " + e.what(),
         skipped_lines());
  }
  for (const std::string& s : skipped) err << "pinevm: warning: " << s << "\n";
  if (!instance) instance.emplace(builder.build());
  std::optional<Checkpointer> checkpoints;
  if (store) checkpoints.emplace(std::move(store), key, SnapshotPolicy::every(o.snapshot_every));

  std::vector<Bar> bars;
  try {
    bars = read_bars_file(o.data);
  } catch (const DataError& e) {
    fail(kData, e.what());
  }
  // Skip bars a restored instance has already processed.
  std::size_t first = 0;
  if (instance->last_bar_time() != kIntNa)
    while (first < bars.size() && bars[first].time <= instance->last_bar_time()) ++first;
  const std::int64_t new_bars = static_cast<std::int64_t>(bars.size() - first);
  instance->set_last_bar_index(instance->bars_processed() + new_bars - 1);
  if (!bars.empty()) instance->set_last_chart_bar_time(bars.back().time);

  std::ofstream out_file;
  std::ostream* out = &out_default;
  if (!o.out.empty() && o.out != "-") {
    out_file.open(o.out, std::ios::binary | std::ios::trunc);
    if (!out_file) fail(kUsage, "cannot write '" + o.out + "': " + std::strerror(errno));
    out = &out_file;
  }
  std::ofstream log_file;
  std::unique_ptr<LogWriter> logs;
  if (o.log.empty()) {
    logs = std::make_unique<LogWriter>(err, LogFormat::Text);
  } else if (o.log == "-") {
    logs = std::make_unique<LogWriter>(out_default, LogFormat::Json);
  } else {
    log_file.open(o.log, std::ios::binary | std::ios::trunc);
    if (!log_file) fail(kUsage, "cannot write '" + o.log + "': " + std::strerror(errno));
    logs = std::make_unique<LogWriter>(log_file, LogFormat::Json);
  }

  const bool progress = o.progress || (!o.no_progress && isatty(STDERR_FILENO) && new_bars >= 200000);
  PlotWriter writer(*out, *format, program->plots);
  writer.write_header();
  const StringResolver strings = [&](std::int64_t h) { return instance->string_of(h); };
  for (std::size_t i = first; i < bars.size(); ++i) {
    const std::int64_t index = instance->bars_processed();
    try {
      instance->run_bar(bars[i]);
    } catch (const RuntimeError& e) {
      logs->write_all(instance->take_logs());
      out->flush();
      fail(kRuntime, "runtime error on bar " + std::to_string(e.bar_index()) +
                         (e.line() ? " (" + o.script + ":" + std::to_string(e.line()) + ")" : std::string()) + ": " +
                         e.message());
    }
    writer.write_row(bars[i].time, index, instance->plot_values(), strings);
    logs->write_all(instance->take_logs());
    if (checkpoints) {
      try {
        checkpoints->after_bar(*instance);
      } catch (const SnapshotError& e) {
        out->flush();
        fail(kSnapshot, "checkpoint after bar " + std::to_string(index) + " failed: " + e.what());
      }
    }
    if (progress && (i - first) % 100000 == 0) err << "\rpinevm: " << (i - first) << "/" << new_bars << " bars" << std::flush;
  }
  if (progress) err << "\r" << std::string(40, ' ') << "\r" << std::flush;
  out->flush();
  if (!*out) fail(kUsage, "writing the output failed");

  try {
    if (checkpoints) checkpoints->at_end(*instance);
    if (!o.save_state.empty()) snapshot::write_file_atomic(o.save_state, save_state(*instance));
  } catch (const SnapshotError& e) {
    fail(kSnapshot, e.what());
  }
  return kOk;
}

} // namespace

int run_app(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"pinevm: a Pine Script compiler, bytecode VM and snapshot engine"};
  app.require_subcommand(1);

  RunOptions run;
  CLI::App* run_cmd = app.add_subcommand("run", "run a script over bars, optionally saving/restoring state");
  run_cmd->add_option("script", run.script, "the .pine script")->required();
  run_cmd->add_option("--data", run.data, "bars CSV (time,open,high,low,close[,volume]); - for stdin")->required();
  run_cmd->add_option("--out", run.out, "output file (default stdout)");
  run_cmd->add_option("--format", run.format, "csv or jsonl");
  run_cmd->add_option("--save-state", run.save_state, "write a snapshot after the last bar");
  run_cmd->add_option("--restore-state", run.restore_state,
                      "restore a snapshot before the first bar: a file, or a directory whose newest valid "
                      "<key>-<bar>.pvms is taken (older ones are tried if it is damaged)");
  run_cmd->add_option("--snapshot-every", run.snapshot_every,
                      "also save a snapshot every N bars (into --snapshot-dir or --store); one is always saved "
                      "after the last bar");
  run_cmd->add_option("--snapshot-dir", run.snapshot_dir, "directory for snapshots named <key>-<bar_index>.pvms");
  run_cmd->add_option("--store", run.store,
                      "snapshot store: sqlite:PATH or a directory; restores its newest valid snapshot of --key "
                      "first, saves into it");
  run_cmd->add_option("--key", run.key, "name of this run's snapshots in a store (default: the script's file name)");
  run_cmd->add_option("--restore-memory-limit", run.restore_memory_limit_mib,
                      "memory a restore may take, in MiB (default: 64 MiB + 16 x the snapshot's size)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 30));
  run_cmd->add_option("--keep", run.keep, "keep only the newest K snapshots of the key (0: keep all)");
  run_cmd->add_option("--input", run.inputs, "override an input: NAME=VALUE (repeatable)");
  run_cmd->add_option("--symbol", run.symbol, "symbol, e.g. NASDAQ:AAPL (default PINEVM:SAMPLE)");
  run_cmd->add_option("--timeframe", run.timeframe, "timeframe, e.g. 1D (default 1D)");
  run_cmd->add_option("--syminfo", run.syminfo, "JSON object of symbol information (syminfo.* fields)");
  run_cmd->add_option("--log", run.log, "write logs as JSON lines to FILE (- for stdout)");
  run_cmd->add_option("--lib-path", run.lib_paths, "folder of libraries for import owner/name/version (repeatable)");
  run_cmd->add_flag("--progress", run.progress, "show progress on stderr");
  run_cmd->add_flag("--no-progress", run.no_progress, "never show progress");

  std::string check_script;
  CLI::App* check_cmd = app.add_subcommand("check", "compile only; diagnostics to stderr");
  check_cmd->add_option("script", check_script, "the .pine script")->required();
  std::vector<std::string> lib_paths;
  check_cmd->add_option("--lib-path", lib_paths, "folder of libraries for imports (repeatable)");

  std::string compile_script, compile_out;
  CLI::App* compile_cmd = app.add_subcommand("compile", "compile to a .pvmc program file");
  compile_cmd->add_option("script", compile_script, "the .pine script")->required();
  compile_cmd->add_option("-o", compile_out, "output .pvmc file")->required();
  compile_cmd->add_option("--lib-path", lib_paths, "folder of libraries for imports (repeatable)");

  std::string disasm_input;
  CLI::App* disasm_cmd = app.add_subcommand("disasm", "print the bytecode of a script or .pvmc file");
  disasm_cmd->add_option("input", disasm_input, ".pine or .pvmc")->required();
  disasm_cmd->add_option("--lib-path", lib_paths, "folder of libraries for imports (repeatable)");

  std::string inspect_file;
  bool inspect_json = false;
  CLI::App* inspect_cmd = app.add_subcommand("inspect", "print a snapshot's header without restoring it");
  inspect_cmd->add_option("state", inspect_file, "snapshot file")->required();
  inspect_cmd->add_flag("--json", inspect_json, "print JSON");

  std::string bench_script, bench_data;
  int bench_repeat = 3;
  CLI::App* bench_cmd = app.add_subcommand("bench", "time compile, run, save and restore of a script");
  bench_cmd->add_option("script", bench_script, "the .pine script")->required();
  bench_cmd->add_option("--data", bench_data, "bars CSV")->required();
  bench_cmd->add_option("--repeat", bench_repeat, "runs of the bar loop (best is reported)")->check(CLI::Range(1, 100));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return kOk;
  } catch (const CLI::CallForAllHelp& e) {
    out << app.help();
    return kOk;
  } catch (const CLI::ParseError& e) {
    err << "pinevm: error: " << e.what() << "\n";
    return kUsage;
  }

  try {
    if (*run_cmd) return run_command(run, out, err);
    if (*check_cmd) {
      compile_file(check_script, lib_paths, err);
      return kOk;
    }
    if (*compile_cmd) {
      std::shared_ptr<const Program> p = compile_file(compile_script, lib_paths, err);
      write_program_file(compile_out, *p);
      return kOk;
    }
    if (*disasm_cmd) {
      const std::shared_ptr<const Program> program = load_program(disasm_input, lib_paths, err);
      out << disassemble(*program) << describe_outputs(*program);
      return kOk;
    }
    if (*bench_cmd) return run_bench(bench_script, bench_data, bench_repeat, out, err);
    if (*inspect_cmd) {
      try {
        const std::vector<std::uint8_t> bytes = snapshot::read_file(inspect_file);
        out << snapshot::describe_header(snapshot::read_header(bytes), inspect_json);
        if (inspect_json) out << "\n";
      } catch (const SnapshotError& e) {
        fail(kSnapshot, "cannot inspect '" + inspect_file + "' (" + snapshot_error_kind_name(e.kind()) + "): " + e.what());
      }
      return kOk;
    }
  } catch (const Failure& f) {
    err << "pinevm: error: " << f.message << "\n" << f.detail;
    return f.code;
  } catch (const SnapshotError& e) {
    err << "pinevm: error: " << e.what() << "\n";
    return kSnapshot;
  } catch (const std::exception& e) {
    err << "pinevm: error: " << e.what() << "\n";
    return kUsage;
  }
  return kUsage;
}

} // namespace pine::cli
