// The pinevm command line (README, "CLI reference"): parsing and dispatch of
// run, check, compile, disasm, inspect, bench, version and help. Exit codes:
// 0 ok, 1 compile error, 2 usage error, 3 snapshot rejected, 4 runtime
// error, 5 bad input data (cli_error.h). `run` is in run_command.cpp.
#include "app.h"

#include <CLI/CLI.hpp>

#include <array>
#include <new>
#include <string_view>

#include "bench_command.h"
#include "cli_error.h"
#include "output_paths.h"
#include "pine/snapshot/snapshot.h"
#include "program_file.h"
#include "run_command.h"
#include "script_loader.h"

namespace pine::cli {

namespace {

/// The commands, for the unknown-command message and its check.
constexpr std::array<std::string_view, 8> kCommands = {"run",     "check", "compile", "disasm",
                                                       "inspect", "bench", "version", "help"};

/// "x.y.z" of this build: the engine version snapshots are stamped with
/// (snapshot.h), the same number as the CMake project version.
std::string version_text() {
  return std::to_string(kEngineVersion >> 16) + "." + std::to_string((kEngineVersion >> 8) & 0xFF) + "." +
         std::to_string(kEngineVersion & 0xFF);
}

/// A path option given with an empty value (`--store ""`) used to mean
/// "not given" and silently saved nothing; it is an error for every option
/// whose value names a file, directory or key.
void reject_empty_values(const CLI::App& command, const std::vector<std::pair<std::string, const std::string*>>& options) {
  for (const auto& [name, value] : options)
    if (command.count(name) > 0 && value->empty()) fail(kUsage, name + " needs a non-empty value");
}

/// `pinevm inspect`: reads the header first (snapshot::read_snapshot_file),
/// so a wrong file is rejected at its first bytes.
void inspect_command(const std::string& file, bool json, std::ostream& out) {
  require_not_directory(file, "the snapshot to inspect");
  try {
    const std::vector<std::uint8_t> bytes = snapshot::read_snapshot_file(file);
    out << snapshot::describe_header(snapshot::read_header(bytes), json);
    if (json) out << "\n";
  } catch (const SnapshotError& e) {
    fail(kSnapshot, "cannot inspect '" + file + "' (" + snapshot_error_kind_name(e.kind()) + "): " + e.what());
  }
}

/// `pinevm compile SCRIPT -o FILE`: checks the target and the paths first.
void compile_command(const std::string& script, const std::string& target, const std::vector<std::string>& lib_paths,
                     std::ostream& err) {
  require_not_directory(script, "the script");
  check_atomic_target(target, "-o");
  PathSet paths;
  paths.input(script, "the script");
  paths.output(target, "-o");
  paths.check();
  const std::shared_ptr<const Program> p = load_program(script, lib_paths, err, ScriptUse::Run);
  try {
    write_program_file(target, *p); // its errors name "program file", not "snapshot"
  } catch (const SnapshotError& e) {
    fail(kUsage, "cannot write the program file '" + target + "' (-o): " + e.what());
  }
}

/// Exit code of a command that only printed (help, --version): 0, or 2
/// with the contract's error line when standard output failed.
int finish_output(std::ostream& out, std::ostream& err) {
  if (out.flush()) return kOk;
  err << "pinevm: error: cannot write to standard output: " << stream_error_text(out) << "\n";
  return kUsage;
}

} // namespace

// Parses, dispatches, and turns every failure into the contract's first
// stderr line and exit code; standard output is flushed and checked last.
int run_app(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"pinevm: a Pine Script compiler, bytecode VM and snapshot engine"};
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", version_text(), "print pinevm's version and exit");

  RunOptions run;
  CLI::App* run_cmd = app.add_subcommand("run", "run a script over bars, optionally saving/restoring state");
  run_cmd->add_option("script", run.script, "the .pine script or a compiled .pvmc program")->required();
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
  run_cmd->add_flag("--force", run.force,
                    "when the key holds snapshots of another script or configuration, delete them and start over");
  run_cmd->add_option("--restore-memory-limit", run.restore_memory_limit_mib,
                      "memory a restore may take, in MiB (default: 64 MiB + 16 x the snapshot's size)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 30));
  run_cmd->add_option("--max-bar-work", run.max_bar_work,
                      "work units one bar may do (loop iterations count 10, built-ins about one per element; "
                      "default 100000000)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 50));
  run_cmd->add_option("--max-bar-seconds", run.max_bar_seconds,
                      "wall-clock seconds one bar may take (default 10; 0: no time limit)")
      ->check(CLI::Range(0.0, 86400.0));
  run_cmd->add_option("--max-memory-mib", run.max_memory_mib,
                      "memory the script's collections, objects and strings may take, in MiB (default 1024)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 30));
  run_cmd->add_option("--keep", run.keep, "keep only the newest K snapshots of the key (0: keep all)");
  run_cmd->add_option("--input", run.inputs, "override an input: NAME=VALUE (repeatable, once per input)");
  run_cmd->add_option("--symbol", run.symbol, "symbol, e.g. NASDAQ:AAPL (default PINEVM:SAMPLE)");
  run_cmd->add_option("--timeframe", run.timeframe, "timeframe, e.g. 1D (default 1D)");
  run_cmd->add_option("--syminfo", run.syminfo, "JSON object of symbol information (syminfo.* fields)");
  run_cmd->add_option("--log", run.log, "write logs as JSON lines to FILE (- for stdout)");
  run_cmd->add_option("--trades", run.trades, "strategies: write the List of trades (TradingView's layout) to FILE");
  run_cmd->add_option("--report", run.report, "strategies: write the Performance Summary as JSON to FILE");
  run_cmd->add_option("--equity", run.equity, "strategies: write the equity of every bar as CSV to FILE");
  run_cmd->add_option("--feed", run.feeds,
                      "[SYMBOL@]TF=FILE: bars of another timeframe (repeatable); the bar magnifier reads the chart "
                      "symbol's lower-timeframe feed");
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

  CLI::App* version_cmd = app.add_subcommand("version", "print pinevm's version");
  std::string help_topic;
  CLI::App* help_cmd = app.add_subcommand("help", "print this help, or a command's (pinevm help run)");
  help_cmd->add_option("command", help_topic, "the command whose help to print");

  // An unknown first word is a mistyped command, not a stray argument.
  if (argc > 1) {
    const std::string_view first = argv[1];
    bool known = first.empty() || first[0] == '-';
    for (std::string_view c : kCommands) known |= first == c;
    if (!known) {
      err << "pinevm: error: unknown command '" << first
          << "'; commands: run, check, compile, disasm, inspect, bench, version, help (pinevm --help)\n";
      return kUsage;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return finish_output(out, err);
  } catch (const CLI::CallForAllHelp&) {
    out << app.help();
    return finish_output(out, err);
  } catch (const CLI::CallForVersion&) {
    out << "pinevm " << version_text() << "\n";
    return finish_output(out, err);
  } catch (const CLI::ParseError& e) {
    err << "pinevm: error: " << e.what() << "\n";
    return kUsage;
  }

  int code = kOk;
  try {
    if (*run_cmd) {
      reject_empty_values(*run_cmd, {{"--data", &run.data},
                                     {"--out", &run.out},
                                     {"--save-state", &run.save_state},
                                     {"--restore-state", &run.restore_state},
                                     {"--snapshot-dir", &run.snapshot_dir},
                                     {"--store", &run.store},
                                     {"--key", &run.key},
                                     {"--syminfo", &run.syminfo},
                                     {"--log", &run.log}});
      code = run_command(run, out, err);
    } else if (*check_cmd) {
      load_program(check_script, lib_paths, err, ScriptUse::Inspect);
    } else if (*compile_cmd) {
      reject_empty_values(*compile_cmd, {{"-o", &compile_out}});
      compile_command(compile_script, compile_out, lib_paths, err);
    } else if (*disasm_cmd) {
      const std::shared_ptr<const Program> program = load_program(disasm_input, lib_paths, err, ScriptUse::Inspect);
      out << disassemble(*program) << describe_outputs(*program);
    } else if (*bench_cmd) {
      code = run_bench(bench_script, bench_data, bench_repeat, out, err);
    } else if (*inspect_cmd) {
      inspect_command(inspect_file, inspect_json, out);
    } else if (*version_cmd) {
      out << "pinevm " << version_text() << "\n";
    } else if (*help_cmd) {
      // app.help() would show the selected subcommand's (help's own) help;
      // `help run` prints run's, as `run --help` does.
      if (help_topic.empty()) {
        out << app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
      } else {
        CLI::App* topic = nullptr;
        for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
          if (sub->get_name() == help_topic) topic = sub;
        if (!topic)
          fail(kUsage, "unknown command '" + help_topic +
                           "'; commands: run, check, compile, disasm, inspect, bench, version, help");
        out << topic->help();
      }
    } else {
      fail(kUsage, "a command is required: run, check, compile, disasm, inspect, bench, version or help "
                   "(pinevm --help)");
    }
    check_stream(out, "standard output");
  } catch (const Failure& f) {
    err << "pinevm: error: " << f.message << "\n" << f.detail;
    return f.code;
  } catch (const SnapshotError& e) {
    err << "pinevm: error: " << e.what() << "\n";
    return kSnapshot;
  } catch (const std::bad_alloc&) {
    // Outside the bar loop (exit 4) and restores (exit 3): a resource
    // failure like an I/O one, so the usage-class code.
    err << "pinevm: error: out of memory\n";
    return kUsage;
  } catch (const std::exception& e) {
    err << "pinevm: error: " << e.what() << "\n";
    return kUsage;
  }
  return code;
}

} // namespace pine::cli
