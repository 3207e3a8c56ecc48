// `pinevm run` (run_command.h): checks every path and option first, then
// builds or restores the instance, runs the bars and writes the outputs.
#include "run_command.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <new>
#include <set>
#include <sstream>

#include "bars_csv.h"
#include "checkpoints.h"
#include "feeds.h"
#include "cli_error.h"
#include "log_writer.h"
#include "output_paths.h"
#include "output_writer.h"
#include "pine/snapshot/snapshot.h"
#include "pine/vm/time_zone.h"
#include "script_loader.h"
#include "syminfo_json.h"
#include "report_writer.h"
#include "trades_writer.h"

namespace pine::cli {

namespace {

/// The database path of a `--store sqlite:PATH`, else "".
std::string sqlite_store_path(const std::string& store) {
  return store.rfind("sqlite:", 0) == 0 ? store.substr(7) : std::string();
}

/// Every check on the run's paths that can be made before anything is
/// read or written: directories where files belong, targets that cannot be
/// written, and outputs that are the same file as an input or each other.
void check_run_paths(const RunOptions& o) {
  require_not_directory(o.script, "the script");
  if (o.data != "-") require_not_directory(o.data, "--data");
  if (!o.syminfo.empty()) require_not_directory(o.syminfo, "--syminfo");
  if (!o.out.empty() && o.out != "-") check_plain_output(o.out, "--out");
  if (!o.log.empty() && o.log != "-") check_plain_output(o.log, "--log");
  if (!o.trades.empty()) check_plain_output(o.trades, "--trades");
  if (!o.report.empty()) check_plain_output(o.report, "--report");
  if (!o.equity.empty()) check_plain_output(o.equity, "--equity");
  if (!o.save_state.empty()) check_atomic_target(o.save_state, "--save-state");
  if (!o.snapshot_dir.empty()) check_store_directory(o.snapshot_dir, "--snapshot-dir");
  if (!sqlite_store_path(o.store).empty()) check_sqlite_path(sqlite_store_path(o.store), "--store");
  else if (!o.store.empty() && !store_spec_scheme(o.store)) check_store_directory(o.store, "--store");
  PathSet paths;
  paths.input(o.script, "the script");
  paths.input(o.data, "--data");
  paths.input(o.syminfo, "--syminfo");
  for (const std::string& f : o.feeds) {
    try {
      paths.input(parse_feed_spec(f).path, "--feed");
    } catch (const std::invalid_argument&) {
      // Reported with its reason by read_feeds.
    }
  }
  std::error_code ec;
  if (!o.restore_state.empty() && !std::filesystem::is_directory(o.restore_state, ec))
    paths.input(o.restore_state, "--restore-state");
  paths.output(o.out, "--out");
  paths.output(o.log, "--log");
  paths.output(o.trades, "--trades");
  paths.output(o.report, "--report");
  paths.output(o.equity, "--equity");
  paths.output(o.save_state, "--save-state");
  paths.output(sqlite_store_path(o.store), "--store");
  paths.allow_same("--restore-state", "--save-state"); // resume, then checkpoint in place
  paths.check();
}

/// Usage errors of the store options, found before anything is read: the
/// store itself is opened (and created) only once the data has been read.
void check_store_options(const RunOptions& o) {
  if (!o.snapshot_dir.empty() && !o.store.empty()) fail(kUsage, "give --snapshot-dir or --store, not both");
  if (!o.store.empty() && !o.restore_state.empty())
    fail(kUsage, "--store restores from the store itself; drop --restore-state");
  if (o.store.empty() && o.snapshot_dir.empty()) {
    if (o.snapshot_every > 0) fail(kUsage, "--snapshot-every needs --snapshot-dir DIR or --store SPEC");
    if (o.keep > 0) fail(kUsage, "--keep needs --snapshot-dir DIR or --store SPEC");
    if (o.force) fail(kUsage, "--force needs --snapshot-dir DIR or --store SPEC");
    if (!o.key.empty() && o.restore_state.empty())
      fail(kUsage, "--key needs --snapshot-dir, --store or a --restore-state directory");
  }
  if (!o.store.empty()) {
    try {
      validate_store_spec(o.store);
    } catch (const std::invalid_argument& e) {
      fail(kUsage, std::string("--store: ") + e.what());
    }
  }
}

/// Opens the store the run's checkpoints go to, or null. --snapshot-dir is
/// a directory whatever its name ("sqlite:zz", "run:1"): only --store parses
/// a spec.
std::unique_ptr<SnapshotStore> open_run_store(const RunOptions& o) {
  const auto keep = static_cast<std::size_t>(o.keep);
  if (!o.snapshot_dir.empty()) return open_file_store(o.snapshot_dir, keep);
  if (o.store.empty()) return nullptr;
  try {
    return open_store(o.store, keep);
  } catch (const std::invalid_argument& e) {
    fail(kUsage, std::string("--store: ") + e.what());
  }
}

/// The instance builder with --symbol, --timeframe, --syminfo and every
/// --input applied; usage errors name the option (a repeated --input NAME
/// too: the last one silently winning hid typos in scripts' command lines).
InstanceBuilder configure(const RunOptions& o, std::shared_ptr<const Program> program) {
  InstanceBuilder builder(std::move(program));
  try {
    builder.symbol(o.symbol).timeframe(o.timeframe);
  } catch (const std::invalid_argument& e) {
    fail(kUsage, e.what());
  }
  if (!o.syminfo.empty()) {
    const std::string json = read_text_file(o.syminfo, "--syminfo");
    try {
      builder.syminfo(parse_syminfo_json(json));
    } catch (const std::invalid_argument& e) {
      fail(kUsage, "--syminfo '" + o.syminfo + "': " + e.what());
    }
  }
  std::set<std::string> names;
  for (const std::string& kv : o.inputs) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) fail(kUsage, "--input expects NAME=VALUE, got '" + kv + "'");
    const std::string name = kv.substr(0, eq);
    if (!names.insert(name).second)
      fail(kUsage, "--input '" + name + "' is given more than once; give each input once");
    try {
      builder.input(name, kv.substr(eq + 1));
    } catch (const std::invalid_argument& e) {
      fail(kUsage, e.what());
    }
  }
  return builder;
}

/// What the run starts from, and what it saves into.
struct Start {
  std::optional<Instance> instance;     ///< restored, or empty for a fresh run
  std::vector<std::string> skipped;     ///< damaged snapshots passed over, newest first
  std::optional<std::string> replace;   ///< --force: the warning of the deletion to make before the first save
};

/// "  <line>\n" for every skipped snapshot, the detail of a failed restore.
std::string skipped_lines(const std::vector<std::string>& skipped) {
  std::string text;
  for (const std::string& s : skipped) text += "  " + s + "\n";
  return text;
}

/// The warning of a --force deletion, printed when it is made (just before
/// the first save: nothing is deleted by a run that fails earlier).
std::string replace_warning(SnapshotStore& store, const std::string& key, const std::string& reason) {
  return "pinevm: warning: --force: deleted the snapshots of key '" + key + "' in the " + store.describe() +
         ", which held " + reason + "\n";
}

/// The advice closing a key-conflict error.
std::string key_conflict_advice(const std::string& key) {
  return "the key '" + key + "' holds snapshots of another script or configuration: use another --key, or --force "
         "to delete them and start the key over";
}

/// Restores from --restore-state (a file, or a directory whose newest valid
/// `<key>-<bar>.pvms` is taken) or from --store, after refusing to save into
/// a key that holds another script's snapshots, or (for a fresh run) any
/// snapshots, unless --force, whose deletion is left to the first save.
Start restore_for_run(const RunOptions& o, SnapshotStore* store, const std::string& key,
                      std::shared_ptr<const Program> compiled, const InstanceConfig& config) {
  Start start;
  const bool from_store = store != nullptr && !o.store.empty();
  if (o.restore_state.empty() && !store) return start;
  // Hashed once for every snapshot tried, and shared by the restored instance.
  const KnownProgram program = KnownProgram::of(std::move(compiled));
  RestoreChecks checks{program, config, std::nullopt};
  if (o.restore_memory_limit_mib) checks.memory_limit = *o.restore_memory_limit_mib << 20;
  const std::string from = !o.restore_state.empty() ? o.restore_state : !o.store.empty() ? o.store : o.snapshot_dir;
  try {
    if (store && !from_store) {
      if (const std::optional<std::string> conflict = key_conflict(*store, key, checks)) {
        if (!o.force)
          fail(kSnapshot, "--snapshot-dir: key '" + key + "' in the " + store->describe() + " already holds " +
                              *conflict + "; saving this run there would mix two series, and the other could never "
                              "resume: use another --key, or --force to delete them and start the key over");
        start.replace = replace_warning(*store, key, *conflict);
      } else if (o.restore_state.empty() && !store->list(key).empty()) {
        // A fresh run would start a second series under the key: the two
        // mix, and --keep may delete the new one's snapshots first.
        if (!o.force)
          fail(kSnapshot, "--snapshot-dir: key '" + key + "' in the " + store->describe() +
                              " holds snapshots of an earlier run: resume with --restore-state " + o.snapshot_dir +
                              " (or use --store), pick another --key, or --force to delete them and start over");
        start.replace = replace_warning(*store, key, "snapshots of an earlier run");
      }
    }
    std::error_code ec;
    if (!o.restore_state.empty() && std::filesystem::is_directory(o.restore_state, ec)) {
      std::unique_ptr<SnapshotStore> dir = open_file_store(o.restore_state, 0);
      start.instance = restore_newest(*dir, key, checks, start.skipped);
      if (!start.instance)
        fail(kSnapshot, "no snapshot of '" + key + "' in directory '" + o.restore_state + "' (files named " + key +
                            "-<bar>.pvms)");
    } else if (!o.restore_state.empty()) {
      start.instance = restore_checked(snapshot::read_snapshot_file(o.restore_state), checks);
    } else if (from_store) {
      try {
        start.instance = restore_newest(*store, key, checks, start.skipped);
      } catch (const SnapshotError& e) {
        const bool foreign = e.kind() == SnapshotError::Kind::ProgramMismatch ||
                             e.kind() == SnapshotError::Kind::ConfigMismatch;
        if (!foreign || !o.force) throw;
        start.replace = replace_warning(
            *store, key, std::string("snapshots of another ") +
                             (e.kind() == SnapshotError::Kind::ProgramMismatch ? "program" : "configuration"));
        start.skipped.clear();
      }
    }
  } catch (const SnapshotError& e) {
    const bool foreign =
        e.kind() == SnapshotError::Kind::ProgramMismatch || e.kind() == SnapshotError::Kind::ConfigMismatch;
    fail(kSnapshot,
         "cannot restore '" + from + "' (" + snapshot_error_kind_name(e.kind()) + "): " + e.what() +
             (foreign && from_store ? "; " + key_conflict_advice(key) : std::string()),
         skipped_lines(start.skipped));
  } catch (const std::bad_alloc&) {
    fail(kSnapshot, "out of memory while restoring '" + from + "'", skipped_lines(start.skipped));
  }
  return start;
}

/// Reads --data, turning failures into exit 5 (bad data) or exit 2 (memory).
std::vector<Bar> read_run_bars(const std::string& path) {
  try {
    return read_bars_file(path);
  } catch (const DataError& e) {
    fail(kData, e.what());
  } catch (const std::bad_alloc&) {
    fail(kUsage, "out of memory while reading --data '" + path + "'");
  }
}

/// The bar magnifier's intrabars: the chart symbol's lowest-timeframe feed
/// below the chart's timeframe, when the program is a strategy with
/// use_bar_magnifier. Usage errors for malformed --feed options; a warning
/// (in `warnings`) for each feed nothing reads and for a magnifier without
/// a feed (its bars then fill on their own prices, as on TradingView when
/// no intrabars exist).
std::optional<IntrabarCursor> read_feeds(const RunOptions& o, const Program& program, std::ostream& warnings) {
  const std::string chart_symbol = o.symbol.empty() ? kDefaultSymbol : o.symbol;
  const std::optional<Timeframe> chart = parse_timeframe(o.timeframe.empty() ? kDefaultTimeframe : o.timeframe);
  const bool magnifier = program.strategy && program.strategy->use_bar_magnifier;
  std::vector<FeedSpec> specs;
  for (const std::string& f : o.feeds) {
    try {
      specs.push_back(parse_feed_spec(f));
    } catch (const std::invalid_argument& e) {
      fail(kUsage, std::string("--feed: ") + e.what());
    }
  }
  std::optional<std::size_t> chosen;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const FeedSpec& s = specs[i];
    const std::int64_t length = timeframe_length(*parse_timeframe(s.timeframe));
    const bool lower = chart && length > 0 && length < timeframe_length(*chart);
    if (magnifier && lower && (s.symbol.empty() || s.symbol == chart_symbol) &&
        (!chosen || length < timeframe_length(*parse_timeframe(specs[*chosen].timeframe))))
      chosen = i;
  }
  for (std::size_t i = 0; i < specs.size(); ++i)
    if (!chosen || *chosen != i)
      warnings << "pinevm: warning: --feed " << o.feeds[i]
               << " is not used: only a strategy's bar magnifier reads feeds (the chart symbol's, below the chart's "
                  "timeframe)\n";
  if (magnifier && !chosen)
    warnings << "pinevm: warning: the strategy uses the bar magnifier but no --feed gives the chart symbol's bars "
                "below the chart's timeframe: orders fill on each bar's own prices\n";
  if (!chosen) return std::nullopt;
  return IntrabarCursor(read_run_bars(specs[*chosen].path));
}

// The engine's defaults, overridden by the options given. The options'
// ranges are checked by the parser, so set_limits accepts the result.
RunLimits run_limits(const RunOptions& o) {
  RunLimits limits;
  if (o.max_bar_work) limits.work_per_bar = *o.max_bar_work;
  if (o.max_bar_seconds) {
    // A positive value under 0.5 ms must not round to 0, which means "no limit".
    long long ms = std::llround(*o.max_bar_seconds * 1000.0);
    if (*o.max_bar_seconds > 0 && ms == 0) ms = 1;
    limits.time_per_bar = std::chrono::milliseconds(ms);
  }
  if (o.max_memory_mib) limits.memory_bytes = *o.max_memory_mib << 20;
  return limits;
}

} // namespace

// The order matters for "nothing is written before every check passed":
// options and paths, program, configuration, key, data; only then is the
// store opened (created) and restored from, and --out and --log opened
// (without truncating, then emptied once all opened). Warnings wait until
// then, so a failure's first stderr line is its error, and a --force
// deletion waits for the first save.
int run_command(const RunOptions& o, std::ostream& out_default, std::ostream& err) {
  auto format = parse_output_format(o.format);
  if (!format) fail(kUsage, "--format must be csv or jsonl");
  if (o.snapshot_every < 0) fail(kUsage, "--snapshot-every must be 0 or more");
  if (o.keep < 0) fail(kUsage, "--keep must be 0 or more");
  if (o.max_bar_seconds && !std::isfinite(*o.max_bar_seconds))
    fail(kUsage, "--max-bar-seconds must be a number of seconds from 0 to 86400");
  check_store_options(o);
  check_run_paths(o);
  const bool uses_store = !o.store.empty() || !o.snapshot_dir.empty();
  const std::string key = checkpoint_key(o.key, o.script);
  try {
    if (uses_store || !o.key.empty()) validate_key(key);
  } catch (const std::invalid_argument& e) {
    fail(kUsage, std::string("--key: ") + e.what());
  }
  // The compiler's warnings wait with the others (a failure's first line is
  // its error).
  std::ostringstream compile_warnings;
  std::shared_ptr<const Program> program = load_program(o.script, o.lib_paths, compile_warnings, ScriptUse::Run);
  for (const auto& [path, option] : {std::pair{&o.trades, "--trades"}, {&o.report, "--report"}, {&o.equity, "--equity"}})
    if (!path->empty() && !program->strategy)
      fail(kUsage, std::string(option) + " needs a strategy: the script declares no strategy()");
  const InstanceBuilder builder = configure(o, program);
  const RunLimits limits = run_limits(o);
  const std::vector<Bar> bars = read_run_bars(o.data);
  std::ostringstream feed_warnings;
  std::optional<IntrabarCursor> intrabars = read_feeds(o, *program, feed_warnings);

  std::unique_ptr<SnapshotStore> store;
  try {
    store = open_run_store(o);
  } catch (const SnapshotError& e) {
    fail(kSnapshot, e.what());
  }
  Start start = restore_for_run(o, store.get(), key, program, builder.config());
  const bool restored = start.instance.has_value();
  if (!restored) {
    try {
      start.instance.emplace(builder.build());
    } catch (const ProgramError& e) {
      fail(kUsage, e.what()); // settings the symbol cannot support (a strategy's currency)
    }
  }
  Instance& instance = *start.instance;
  instance.set_limits(limits); // host settings: a snapshot never carries them
  std::optional<Checkpointer> checkpoints;
  if (store) {
    checkpoints.emplace(std::move(store), key, SnapshotPolicy::every(o.snapshot_every));
    if (start.replace) checkpoints->replace_key_first(*start.replace, err);
  }

  std::unique_ptr<OutputFile> out_file;
  std::ostream* out = &out_default;
  if (!o.out.empty() && o.out != "-") {
    out_file = std::make_unique<OutputFile>(o.out, "--out");
    out = &out_file->stream();
  }
  std::unique_ptr<OutputFile> log_file;
  std::unique_ptr<LogWriter> logs;
  if (o.log.empty()) {
    logs = std::make_unique<LogWriter>(err, LogFormat::Text);
  } else if (o.log == "-") {
    logs = std::make_unique<LogWriter>(out_default, LogFormat::Json);
  } else {
    log_file = std::make_unique<OutputFile>(o.log, "--log");
    logs = std::make_unique<LogWriter>(log_file->stream(), LogFormat::Json);
  }
  std::unique_ptr<OutputFile> equity_file;
  if (!o.equity.empty()) equity_file = std::make_unique<OutputFile>(o.equity, "--equity");
  if (out_file) out_file->truncate();
  if (log_file) log_file->truncate();
  if (equity_file) {
    equity_file->truncate();
    equity_file->stream() << kEquityHeader;
  }
  // A failed write stops the run at once, naming the file.
  const auto check_outputs = [&] {
    if (out_file) out_file->check();
    else if (!*out) fail(kUsage, "cannot write to standard output: " + stream_error_text(*out));
    if (log_file) log_file->check();
    if (equity_file) equity_file->check();
  };

  // Every check passed: the warnings can go out.
  err << compile_warnings.str() << feed_warnings.str();
  for (const std::string& s : start.skipped) err << "pinevm: warning: " << s << "\n";
  const std::string data_name = o.data == "-" ? "standard input" : "'" + o.data + "'";
  // Skip bars a restored instance has already processed.
  std::size_t first = 0;
  if (instance.last_bar_time() != kIntNa)
    while (first < bars.size() && bars[first].time <= instance.last_bar_time()) ++first;
  if (bars.empty())
    err << "pinevm: warning: --data " << data_name << " holds no bars (a header only): nothing was run\n";
  else if (first == bars.size())
    err << "pinevm: warning: no bar of --data " << data_name << " is after the restored snapshot's last bar (time "
        << instance.last_bar_time() << "): nothing was run\n";
  const std::int64_t new_bars = static_cast<std::int64_t>(bars.size() - first);
  instance.set_last_bar_index(instance.bars_processed() + new_bars - 1);
  if (!bars.empty()) instance.set_last_chart_bar_time(bars.back().time);

  const bool progress = o.progress || (!o.no_progress && isatty(STDERR_FILENO) && new_bars >= 200000);
  PlotWriter writer(*out, *format, program->plots);
  writer.write_header();
  const StringResolver strings = [&](std::int64_t h) { return instance.string_of(h); };
  const Timeframe chart_tf = parse_timeframe(instance.config().timeframe.empty() ? kDefaultTimeframe : instance.config().timeframe)
                                 .value_or(Timeframe{});
  const TimeZone chart_tz = TimeZone::parse(instance.config().syminfo.timezone).value_or(TimeZone());
  for (std::size_t i = first; i < bars.size(); ++i) {
    const std::int64_t index = instance.bars_processed();
    try {
      std::span<const Bar> inside;
      if (intrabars) {
        const std::int64_t next_open = i + 1 < bars.size() ? bars[i + 1].time : bar_close_time(chart_tf, bars[i].time, chart_tz);
        inside = intrabars->next(bars[i].time, next_open);
      }
      instance.run_bar(bars[i], inside);
      writer.write_row(bars[i].time, index, instance.plot_values(), strings);
      if (equity_file) equity_file->stream() << equity_row(bars[i].time, index, instance.strategy_summary());
      logs->write_all(instance.take_logs());
    } catch (const RuntimeError& e) {
      logs->write_all(instance.take_logs());
      out->flush();
      fail_runtime(e, o.script);
    } catch (const std::bad_alloc&) {
      out->flush();
      fail(kRuntime, "out of memory on bar " + std::to_string(index));
    }
    check_outputs();
    if (checkpoints) {
      try {
        checkpoints->after_bar(instance);
      } catch (const SnapshotError& e) {
        out->flush();
        fail(kSnapshot, "checkpoint after bar " + std::to_string(index) + " failed: " + e.what());
      }
    }
    if (progress && (i - first) % 100000 == 0) err << "\rpinevm: " << (i - first) << "/" << new_bars << " bars" << std::flush;
  }
  if (progress) err << "\r" << std::string(40, ' ') << "\r" << std::flush;
  if (out_file) out_file->close();
  else check_stream(*out, "standard output");
  if (log_file) log_file->close();
  if (equity_file) equity_file->close();
  if (!o.trades.empty()) {
    OutputFile trades_file(o.trades, "--trades");
    trades_file.truncate();
    write_trades_csv(trades_file.stream(), instance);
    trades_file.close();
  }
  if (!o.report.empty()) {
    OutputFile report_file(o.report, "--report");
    report_file.truncate();
    report_file.stream() << report_json(instance.strategy_report());
    report_file.close();
  }

  try {
    if (checkpoints) checkpoints->at_end(instance);
    if (!o.save_state.empty()) snapshot::write_file_atomic(o.save_state, save_state(instance));
  } catch (const SnapshotError& e) {
    fail(kSnapshot, e.what());
  } catch (const std::invalid_argument& e) {
    fail(kSnapshot, e.what());
  }
  return kOk;
}

} // namespace pine::cli
