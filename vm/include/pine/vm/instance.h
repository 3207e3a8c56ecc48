// A running instance of a program: one script on one symbol.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "pine/vm/bar.h"
#include "pine/vm/outputs.h"
#include "pine/vm/program.h"
#include "pine/vm/state_io.h"
#include "pine/vm/strategy_report.h"
#include "pine/vm/symbol_info.h"

namespace pine {

struct InstanceState;

/// A runtime error raised by the script (runtime.error, a bad length, an
/// offset beyond the history buffer...). The instance is halted afterwards.
class RuntimeError : public std::runtime_error {
public:
  RuntimeError(const std::string& message, std::int64_t bar_index, std::uint32_t line);
  std::int64_t bar_index() const { return bar_index_; }
  std::uint32_t line() const { return line_; }
  const std::string& message() const { return message_; }

private:
  std::string message_;
  std::int64_t bar_index_;
  std::uint32_t line_;
};

/// The running totals of a strategy's ledger (Instance::strategy_summary).
struct StrategySummary {
  double initial_capital = 0;
  double net_profit = 0;
  double gross_profit = 0;
  double gross_loss = 0;   ///< a positive number
  double open_profit = 0;  ///< at the last close, entry commissions deducted
  double equity = 0;       ///< at the last close
  double position_size = 0;
  double commission_paid = 0;
  double max_drawdown = 0, max_drawdown_percent = 0;
  double max_runup = 0, max_runup_percent = 0;
  double max_contracts_held_all = 0, max_contracts_held_long = 0, max_contracts_held_short = 0;
  double last_close = kFloatNa;
};

/// The host's settings of an instance; they are part of what a snapshot must
/// match (the configuration hash covers them).
struct InstanceConfig {
  std::vector<Value> input_values; ///< one per Program::inputs, strings as handles
  std::vector<std::string> input_strings; ///< text of String inputs (by input index; empty otherwise)
  std::string symbol;    ///< e.g. "NASDAQ:AAPL"; empty means kDefaultSymbol
  std::string timeframe; ///< e.g. "1D"; empty means kDefaultTimeframe
  SymbolInfo syminfo;    ///< the rest of syminfo.* (symbol_info.h)
};

/// How much one execution of the script (one bar) may take. Limits are host
/// settings, not instance state: they are not saved in snapshots and not part
/// of the configuration hash, so a restored instance runs under whatever
/// limits its host sets (the defaults until set_limits is called). The work
/// limit is deterministic (a script fails on the same bar and line
/// everywhere, straight or restored); the memory limit is too while the heap
/// stays below the garbage-collection pressure threshold; the time limit is
/// the host's safety net for work the work units model poorly, and is not.
/// docs/limits.md documents the units.
struct RunLimits {
  /// Units of work one bar may do: a loop iteration costs kLoopIterationWork
  /// units, a built-in call on a collection or string about one unit per
  /// element (or 16 characters) it touches, n log2 n for a sort, n^3 for
  /// matrix.det/inv/mult. 100,000,000 keeps the historical limit of
  /// 10,000,000 loop iterations per bar and is about 0.1 s to 1 s of work on
  /// a current CPU; real scripts use thousands to a few millions.
  std::int64_t work_per_bar = 100'000'000;
  /// Wall-clock time one bar may take; zero disables the limit. 10 s is
  /// ten times what the work limit admits on a slow machine (about 1 s), so
  /// it fires only on work the units underestimate (huge ta.* windows, very
  /// long string comparisons) or on a machine overloaded many times over (a
  /// 1 GiB allocation loop took 5 s on a loaded 2-core VM), and it is short
  /// next to TradingView's 20-40 s per script.
  std::chrono::milliseconds time_per_bar{10000};
  /// Bytes the script's arrays, matrices, maps, objects, strings and pending
  /// log records may take, garbage of the current bar included: 1 GiB, far
  /// above what a real script keeps (a hundred full arrays are 80 MB) and
  /// what a server can still afford per runaway instance.
  std::uint64_t memory_bytes = std::uint64_t{1} << 30;
};

/// Work units charged per loop iteration (see RunLimits::work_per_bar): about
/// what an iteration of a small loop body costs next to one element compared
/// by array.indexof.
inline constexpr std::int64_t kLoopIterationWork = 10;

/// One instance. Move-only; independent of every other instance (it shares
/// only the immutable Program).
class Instance {
public:
  Instance(std::shared_ptr<const Program> program, InstanceConfig config);
  Instance(Instance&&) noexcept;
  Instance& operator=(Instance&&) noexcept;
  ~Instance();

  /// Executes the script on one confirmed (closed) bar and commits it.
  /// Throws RuntimeError (also for the run limits and for an allocation
  /// that fails: "out of memory"); after that the instance refuses further
  /// bars, and its state is that of the end of the previous bar plus
  /// whatever the failing bar wrote (it can still be saved and inspected).
  void run_bar(const Bar& bar);
  /// The same for a strategy using the bar magnifier: `intrabars` are the
  /// lower-timeframe bars that make up `bar`, in time order (empty: the
  /// bar's own prices). Indicators ignore them.
  void run_bar(const Bar& bar, std::span<const Bar> intrabars);

  /// Whether the program is a strategy (it has a broker and a ledger).
  bool is_strategy() const;
  /// The strategy's trades, closed and still open, in trade order; empty
  /// for an indicator.
  std::span<const TradeRecord> closed_trades() const;
  std::span<const TradeRecord> open_trades() const;
  /// The strategy's settings; throws std::logic_error for an indicator.
  const StrategySettings& strategy_settings() const;
  /// The strategy's running totals and the last bar's close, for reports.
  StrategySummary strategy_summary() const;
  /// The strategy's Performance Summary (pine/vm/strategy_report.h); throws
  /// std::logic_error for an indicator.
  StrategyReport strategy_report() const;

  /// Tells the instance the index of the dataset's last bar, for
  /// `last_bar_index` and `barstate.islast` (default: unknown, na/false).
  void set_last_bar_index(std::int64_t index);
  /// Tells the instance the opening time of the dataset's last bar, for
  /// Pine's `last_bar_time` (default: unknown, na). Not to be confused with
  /// last_bar_time() below, the time of the last bar executed so far.
  void set_last_chart_bar_time(std::int64_t time);

  /// Sets the limits of every later bar (RunLimits). Throws
  /// std::invalid_argument when work_per_bar or memory_bytes is not positive
  /// or time_per_bar is negative.
  void set_limits(const RunLimits& limits);
  const RunLimits& limits() const;

  const Program& program() const;
  std::shared_ptr<const Program> program_ptr() const;
  const InstanceConfig& config() const;

  /// Drops the objects and strings the script can no longer reach, and
  /// compacts both tables. The VM does this at bar end once the tables grow
  /// past a threshold; calling it at other times is invisible to the script
  /// (handles are not observable). save_state() calls it, so a snapshot holds
  /// only live state and its size does not depend on where a threshold fell.
  void collect_garbage();

  /// Bars executed so far, over the instance's whole life (restores included).
  std::int64_t bars_processed() const;
  /// Time of the last executed bar (kIntNa before the first).
  std::int64_t last_bar_time() const;

  /// Plot values of the last executed bar, one per Program::plots.
  std::span<const Value> plot_values() const;
  /// Log records emitted since the last call, in order.
  std::vector<LogRecord> take_logs();
  /// Text of a string handle found in a plot value or slot.
  std::string_view string_of(std::int64_t handle) const;

  /// Internal state, for the state archive (state_archive.h) and tests.
  InstanceState& state();
  const InstanceState& state() const;

private:
  std::unique_ptr<InstanceState> state_;
};

/// Builds an instance, resolving inputs by title.
class InstanceBuilder {
public:
  explicit InstanceBuilder(std::shared_ptr<const Program> program);
  /// Overrides an input given as text (as from --input NAME=VALUE); throws
  /// std::invalid_argument naming the input when unknown, malformed or out
  /// of bounds.
  InstanceBuilder& input(const std::string& title, const std::string& value);
  /// The symbol ("EXCHANGE:TICKER") and chart timeframe ("1D"); both are
  /// checked (symbol_info.h) and throw std::invalid_argument when malformed.
  InstanceBuilder& symbol(std::string symbol);
  InstanceBuilder& timeframe(std::string timeframe);
  /// The rest of the symbol's facts; checked by validate_symbol_info.
  InstanceBuilder& syminfo(SymbolInfo info);
  InstanceConfig config() const;
  Instance build() const;

private:
  std::shared_ptr<const Program> program_;
  InstanceConfig config_;
};

/// Writes an instance's whole mutable state (not the program) as a Cereal
/// portable-binary payload.
std::vector<std::uint8_t> save_instance_state(const Instance& instance);

/// Rebuilds an instance of `program` from a payload written by
/// save_instance_state. Every count and index is checked against the input
/// and the program; throws StateDecodeError (state_io.h) on any problem. With
/// a `budget`, every allocation sized by the payload or the program's layout
/// is charged to it first (DecodeBudgetExceeded when it does not fit).
Instance load_instance_state(std::shared_ptr<const Program> program, std::span<const std::uint8_t> payload,
                             DecodeBudget* budget = nullptr);

} // namespace pine
