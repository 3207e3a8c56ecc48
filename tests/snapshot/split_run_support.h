// The split-run machinery shared by tests/snapshot/test_split_run.cpp and
// tests/corpus/test_corpus_split_run.cpp: capture a run's outputs bar by bar
// (plot bits, strings, logs, the runtime error), run with saves and restores
// at chosen bars, and describe the first difference between two runs.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
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

/// The outputs of one bar. Float plot values are kept as bit patterns, every
/// NaN mapped to one pattern (the payload of an na is not an output); string
/// plot values are kept as text.
struct BarOutput {
  std::vector<std::uint64_t> values;
  std::vector<std::string> strings;
  std::vector<LogRecord> logs;
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
  return a.values == b.values && a.strings == b.strings && same_logs(a.logs, b.logs);
}

/// Everything a run produced, from bar `first` on.
struct Trace {
  std::size_t first = 0;
  std::vector<BarOutput> bars;           ///< bars[i] is bar first + i
  std::optional<ErrorRecord> error;      ///< the run stopped at a runtime error
  std::vector<LogRecord> error_logs;     ///< logs emitted on the failing bar
  /// Index of the next bar the run would process.
  std::size_t end() const { return first + bars.size(); }
};

inline constexpr std::uint64_t kCanonicalNan = 0x7FF8000000000000ull;

/// Reads the outputs of the bar the instance just ran.
inline BarOutput capture(Instance& inst) {
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
  return out;
}

/// Runs bars [begin, end) of `bars` on `inst`, appending to `trace`; stops
/// at the first runtime error.
inline void run_range(Instance& inst, const std::vector<Bar>& bars, std::size_t begin, std::size_t end, Trace& trace) {
  for (std::size_t i = begin; i < end && !trace.error; ++i) {
    try {
      inst.run_bar(bars[i]);
    } catch (const RuntimeError& e) {
      trace.error = ErrorRecord{e.bar_index(), e.line(), e.message()};
      trace.error_logs = inst.take_logs();
      return;
    }
    trace.bars.push_back(capture(inst));
  }
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
  os << "] strings:";
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
    if (!(expected.bars[offset + i] == got.bars[i])) {
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
