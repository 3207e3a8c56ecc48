// The split-run machinery shared by tests/snapshot/test_split_run.cpp and
// tests/corpus/test_corpus_split_run.cpp: capture a run's outputs bar by bar
// (plot bits, strings, logs, the runtime error, and for a strategy its
// ledger: open trades, newly closed trades and the summary, bit for bit),
// run with saves and restores at chosen bars, and describe the first
// difference between two runs.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "pine/snapshot/snapshot.h"
#include "pine/vm/instance.h"

namespace split_run {

using namespace pine;
using Bytes = std::vector<std::uint8_t>;

/// A compiled script under test.
struct Script {
  std::string name;  ///< path relative to the source tree, for messages
  std::shared_ptr<const Program> program;
};

/// A runtime error, as the host sees it.
struct ErrorRecord {
  std::int64_t bar_index = 0;
  std::uint32_t line = 0;
  std::string message;
  bool operator==(const ErrorRecord&) const = default;
};

// A strategy's ledger as text, one line per record, every double as its
// exact bits (and its value, for messages): two ledgers are the same exactly
// when their texts are. The static_asserts catch a field added to the
// records without being added here.
static_assert(sizeof(TradeRecord) == 4 * sizeof(std::string) + 18 * 8,
              "TradeRecord gained a field: add it to trade_line()");
static_assert(sizeof(StrategySummary) == 16 * sizeof(double), "StrategySummary gained a field: add it to summary_line()");
static_assert(std::is_trivially_copyable_v<StrategyReport> && sizeof(StrategyReport) % 8 == 0,
              "report_line() reads StrategyReport as 8-byte words");

/// " name=value/bits" for a double.
inline void put_double(std::string& out, const char* name, double x) {
  char buf[96];
  std::snprintf(buf, sizeof buf, " %s=%.17g/%016llx", name, x,
                static_cast<unsigned long long>(std::bit_cast<std::uint64_t>(x)));
  out += buf;
}

/// " name=value" for an integer.
inline void put_int(std::string& out, const char* name, std::int64_t x) {
  out += " ";
  out += name;
  out += "=" + std::to_string(x);
}

/// " name=\"text\"".
inline void put_text(std::string& out, const char* name, const std::string& s) {
  out += " ";
  out += name;
  out += "=\"" + s + "\"";
}

/// Every field of a trade, in declaration order.
inline std::string trade_line(const TradeRecord& t) {
  std::string s = "trade";
  put_int(s, "number", t.number);
  put_int(s, "direction", t.direction);
  put_double(s, "qty", t.qty);
  put_text(s, "entry_id", t.entry_id);
  put_text(s, "entry_comment", t.entry_comment);
  put_double(s, "entry_price", t.entry_price);
  put_int(s, "entry_bar_index", t.entry_bar_index);
  put_int(s, "entry_time", t.entry_time);
  put_double(s, "entry_commission", t.entry_commission);
  put_text(s, "exit_id", t.exit_id);
  put_text(s, "exit_comment", t.exit_comment);
  put_double(s, "exit_price", t.exit_price);
  put_int(s, "exit_bar_index", t.exit_bar_index);
  put_int(s, "exit_time", t.exit_time);
  put_double(s, "exit_commission", t.exit_commission);
  put_double(s, "max_runup", t.max_runup);
  put_double(s, "max_drawdown", t.max_drawdown);
  put_double(s, "profit", t.profit);
  put_double(s, "cumulative_profit", t.cumulative_profit);
  put_double(s, "best_price", t.best_price);
  put_double(s, "worst_price", t.worst_price);
  put_int(s, "entry_order_bar", t.entry_order_bar);
  return s + "\n";
}

/// Every field of a strategy summary, in declaration order.
inline std::string summary_line(const StrategySummary& m) {
  std::string s = "summary";
  put_double(s, "initial_capital", m.initial_capital);
  put_double(s, "net_profit", m.net_profit);
  put_double(s, "gross_profit", m.gross_profit);
  put_double(s, "gross_loss", m.gross_loss);
  put_double(s, "open_profit", m.open_profit);
  put_double(s, "equity", m.equity);
  put_double(s, "position_size", m.position_size);
  put_double(s, "commission_paid", m.commission_paid);
  put_double(s, "max_drawdown", m.max_drawdown);
  put_double(s, "max_drawdown_percent", m.max_drawdown_percent);
  put_double(s, "max_runup", m.max_runup);
  put_double(s, "max_runup_percent", m.max_runup_percent);
  put_double(s, "max_contracts_held_all", m.max_contracts_held_all);
  put_double(s, "max_contracts_held_long", m.max_contracts_held_long);
  put_double(s, "max_contracts_held_short", m.max_contracts_held_short);
  put_double(s, "last_close", m.last_close);
  return s + "\n";
}

/// Every figure of the strategy report (doubles and counts, all 8 bytes) as
/// hex words, in declaration order.
inline std::string report_line(const StrategyReport& r) {
  std::uint64_t words[sizeof(StrategyReport) / 8];
  std::memcpy(words, &r, sizeof r);
  std::string s = "report";
  char buf[24];
  for (std::uint64_t w : words) {
    std::snprintf(buf, sizeof buf, " %016llx", static_cast<unsigned long long>(w));
    s += buf;
  }
  return s + "\n";
}

/// The ledger of a strategy instance ("" for an indicator): closed trades
/// from index `closed_from` on (the closed list only grows, so a bar's
/// text needs only the trades it closed), every open trade, the summary and
/// the report (Instance::strategy_report: the Performance Summary, with the
/// monthly-return statistics behind its Sharpe and Sortino ratios).
inline std::string ledger_text(const Instance& inst, std::size_t closed_from) {
  if (!inst.is_strategy()) return "";
  const std::span<const TradeRecord> closed = inst.closed_trades();
  std::string s = "closed " + std::to_string(closed.size()) + "\n";
  for (std::size_t i = std::min(closed_from, closed.size()); i < closed.size(); ++i) s += "closed " + trade_line(closed[i]);
  for (const TradeRecord& t : inst.open_trades()) s += "open " + trade_line(t);
  return s + summary_line(inst.strategy_summary()) + report_line(inst.strategy_report());
}

/// The first line where two ledger texts differ, both versions.
inline std::string first_ledger_difference(const std::string& a, const std::string& b) {
  std::istringstream x(a), y(b);
  std::string la, lb;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(x, la));
    const bool more_b = static_cast<bool>(std::getline(y, lb));
    if (!more_a && !more_b) return "";
    if (!more_a) la = "(nothing)";
    if (!more_b) lb = "(nothing)";
    if (la != lb || !more_a || !more_b)
      return "ledger line " + std::to_string(line) + ":\n  straight: " + la + "\n  split:    " + lb;
  }
}

/// The outputs of one bar. Float plot values are kept as bit patterns, every
/// NaN mapped to one pattern (the payload of an na is not an output); string
/// plot values are kept as text. For a strategy, `ledger` is the bar's
/// ledger_text (trades it closed, open trades, summary).
struct BarOutput {
  std::vector<std::uint64_t> values;
  std::vector<std::string> strings;
  std::vector<LogRecord> logs;
  std::string ledger;
};

inline bool same_logs(const std::vector<LogRecord>& a, const std::vector<LogRecord>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].time != b[i].time || a[i].bar_index != b[i].bar_index || a[i].level != b[i].level ||
        a[i].message != b[i].message)
      return false;
  return true;
}

inline bool operator==(const BarOutput& a, const BarOutput& b) {
  return a.values == b.values && a.strings == b.strings && same_logs(a.logs, b.logs) && a.ledger == b.ledger;
}

/// Everything a run produced, from bar `first` on.
struct Trace {
  std::size_t first = 0;
  std::vector<BarOutput> bars;           ///< bars[i] is bar first + i
  std::optional<ErrorRecord> error;      ///< the run stopped at a runtime error
  std::vector<LogRecord> error_logs;     ///< logs emitted on the failing bar
  /// A strategy's whole ledger (every closed and open trade, the summary)
  /// where the run ended; "" for an indicator.
  std::string final_ledger;
  /// Index of the next bar the run would process.
  std::size_t end() const { return first + bars.size(); }
};

inline constexpr std::uint64_t kCanonicalNan = 0x7FF8000000000000ull;

/// Reads the outputs of the bar the instance just ran; `closed_before` is
/// the number of closed trades before the bar.
inline BarOutput capture(Instance& inst, std::size_t closed_before = 0) {
  BarOutput out;
  const std::vector<PlotInfo>& plots = inst.program().plots;
  const std::span<const Value> values = inst.plot_values();
  out.values.reserve(plots.size());
  for (std::size_t i = 0; i < plots.size(); ++i) {
    const Value v = values[i];
    switch (plots[i].type) {
      case Type::Float: out.values.push_back(std::isnan(v.f) ? kCanonicalNan : v.u); break;
      case Type::String:
        out.values.push_back(0);
        out.strings.emplace_back(inst.string_of(v.i));
        break;
      default: out.values.push_back(v.u); break;
    }
  }
  out.logs = inst.take_logs();
  out.ledger = ledger_text(inst, closed_before);
  return out;
}

/// Runs bars [begin, end) of `bars` on `inst`, appending to `trace`; stops
/// at the first runtime error.
inline void run_range(Instance& inst, const std::vector<Bar>& bars, std::size_t begin, std::size_t end, Trace& trace) {
  for (std::size_t i = begin; i < end && !trace.error; ++i) {
    const std::size_t closed_before = inst.closed_trades().size();
    try {
      inst.run_bar(bars[i]);
    } catch (const RuntimeError& e) {
      trace.error = ErrorRecord{e.bar_index(), e.line(), e.message()};
      trace.error_logs = inst.take_logs();
      break;
    }
    trace.bars.push_back(capture(inst, closed_before));
  }
  trace.final_ledger = ledger_text(inst, 0);
}

/// A fresh instance of `script` (default inputs, a fixed symbol and
/// timeframe) that knows the dataset ends at bar `n - 1`.
inline Instance fresh_instance(const Script& script, std::size_t n) {
  Instance inst = InstanceBuilder(script.program).symbol("NASDAQ:AAPL").timeframe("1D").build();
  inst.set_last_bar_index(static_cast<std::int64_t>(n) - 1);
  return inst;
}

/// Restores `bytes` the way a host does (expecting the program) and tells the
/// instance where the dataset ends.
inline Instance restore(const Bytes& bytes, const Program& program, std::size_t n) {
  Instance inst = RestoreBuilder(bytes).expect_program(program).build();
  inst.set_last_bar_index(static_cast<std::int64_t>(n) - 1);
  return inst;
}

/// The straight run of a script over `bars`.
inline Trace straight_run(const Script& script, const std::vector<Bar>& bars) {
  Instance inst = fresh_instance(script, bars.size());
  Trace t;
  run_range(inst, bars, 0, bars.size(), t);
  return t;
}

/// Describes one bar's outputs for a failure message.
inline std::string describe(const BarOutput& b) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < b.values.size(); ++i) {
    if (i) os << ", ";
    double d;
    std::memcpy(&d, &b.values[i], sizeof d);
    os << "0x" << std::hex << b.values[i] << std::dec << " (" << d << ")";
  }
  os << "] ledger:\n" << b.ledger << "strings:";
  for (const std::string& s : b.strings) os << " \"" << s << "\"";
  os << " logs:";
  for (const LogRecord& l : b.logs) os << " {" << l.bar_index << " " << log_level_name(l.level) << " \"" << l.message << "\"}";
  return os.str();
}

/// "" when `got` is exactly the part of `expected` from bar got.first on
/// (same bars, same error); else a description of the first difference.
inline std::string compare_suffix(const Trace& expected, const Trace& got) {
  std::ostringstream os;
  if (got.first < expected.first) return "bad test: got starts before expected";
  const std::size_t offset = got.first - expected.first;
  if (offset > expected.bars.size()) {
    os << "got starts at bar " << got.first << " but the straight run ended at bar " << expected.end();
    return os.str();
  }
  const std::size_t common = std::min(expected.bars.size() - offset, got.bars.size());
  for (std::size_t i = 0; i < common; ++i) {
    const BarOutput& want = expected.bars[offset + i];
    if (want.ledger != got.bars[i].ledger) {
      os << "bar " << got.first + i << ": the strategy's ledger differs, "
         << first_ledger_difference(want.ledger, got.bars[i].ledger);
      return os.str();
    }
    if (!(want == got.bars[i])) {
      os << "bar " << got.first + i << " differs:\n  straight: " << describe(expected.bars[offset + i])
         << "\n  split:    " << describe(got.bars[i]);
      return os.str();
    }
  }
  if (got.bars.size() != expected.bars.size() - offset) {
    os << "the straight run processed bars up to " << expected.end() << ", the split run up to " << got.end();
    if (got.error) os << " (split run error at bar " << got.error->bar_index << ": " << got.error->message << ")";
    if (expected.error) os << " (straight run error at bar " << expected.error->bar_index << ": " << expected.error->message << ")";
    return os.str();
  }
  if (expected.final_ledger != got.final_ledger) {
    os << "the strategy's whole ledger differs at the end, " << first_ledger_difference(expected.final_ledger, got.final_ledger);
    return os.str();
  }
  if (expected.error != got.error || !same_logs(expected.error_logs, got.error_logs)) {
    os << "runtime errors differ: straight "
       << (expected.error ? expected.error->message + " at bar " + std::to_string(expected.error->bar_index) : "none")
       << ", split " << (got.error ? got.error->message + " at bar " + std::to_string(got.error->bar_index) : "none");
    return os.str();
  }
  return "";
}

/// Makes a fresh instance of the script under test.
using Factory = std::function<Instance()>;
/// Applies the host configuration a snapshot does not carry (where the data
/// ends) to a fresh or restored instance.
using HostSetup = std::function<void(Instance&)>;

/// Runs bars [0, n) with a save -> restore into a new instance at each of
/// `cuts` (sorted, repeats allowed); every save is also checked to survive
/// save -> restore -> save byte for byte.
inline Trace run_with_cuts(const Factory& make, const HostSetup& host, const Program& program,
                           const std::vector<Bar>& bars, const std::vector<std::size_t>& cuts) {
  Instance inst = make();
  host(inst);
  Trace t;
  std::size_t pos = 0;
  for (std::size_t cut : cuts) {
    run_range(inst, bars, pos, cut, t);
    if (t.error) return t;
    pos = cut;
    const Bytes bytes = save_state(inst);
    inst = RestoreBuilder(bytes).expect_program(program).build();
    host(inst);
    CHECK_MESSAGE(save_state(inst) == bytes, "save -> restore -> save differs at bar " << cut);
  }
  run_range(inst, bars, pos, bars.size(), t);
  return t;
}

/// run_with_cuts() for a script with default inputs that knows the data
/// ends at bars.size() - 1.
inline Trace chained_run(const Script& script, const std::vector<Bar>& bars, const std::vector<std::size_t>& cuts) {
  const auto last = static_cast<std::int64_t>(bars.size()) - 1;
  return run_with_cuts([&] { return fresh_instance(script, bars.size()); },
                       [&](Instance& inst) { inst.set_last_bar_index(last); }, *script.program, bars, cuts);
}

} // namespace split_run
