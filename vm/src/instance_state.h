// The complete mutable state of an instance, in one place.
//
// Everything a snapshot must carry lives in InstanceState and nowhere else:
// the frames' slots, the series rings, the builtin states, the string table
// and the bar counters. Save, restore (and later, rollback) are one walk over
// this struct. The frame layout is derived from the program and is rebuilt,
// not archived.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chart_context.h"
#include "pine/vm/instance.h"
#include "pine/vm/program.h"
#include "heap.h"
#include "random.h"
#include "series_ring.h"
#include "string_table.h"
#include "strategy/broker.h"
#include "ta_state.h"

namespace pine {

/// Where one function instance (call path) keeps its resources.
struct FrameInfo {
  std::uint32_t function = 0;
  std::uint32_t slot_base = 0;
  std::uint32_t series_base = 0;
  std::uint32_t state_base = 0;
  std::uint32_t child_base = 0; ///< index into InstanceState::children
};

/// Limits on the layout of one instance. A program whose call tree expands
/// past them is rejected when the instance is built (they keep a hostile or
/// pathological program from exhausting memory; real scripts are far below).
inline constexpr std::size_t kMaxFrames = 1u << 16;
inline constexpr std::size_t kMaxSlotsTotal = 1u << 22;
/// Series rings over all frames. A ring is a vector plus counters (~56
/// bytes) even before its history; real scripts have hundreds.
inline constexpr std::size_t kMaxSeriesTotal = 1u << 16;
/// History values (8 bytes each) over all series rings: 256 MiB. Rings are
/// allocated from the program, so this bounds what a hostile .pvmc can make
/// an instance allocate for history (a restore is bounded far tighter, by the
/// archive's size). A real script reaches it only with 512 series read at
/// dynamic offsets under max_bars_back = 65535.
inline constexpr std::size_t kMaxSeriesValuesTotal = 1u << 25;
/// Builtin (ta.*) states over all frames. A state is a variant of a few
/// hundred bytes before its windows grow; real scripts have dozens to
/// thousands of ta call sites including library frames.
inline constexpr std::size_t kMaxStatesTotal = 1u << 16;

// ---- Memory of a running instance -------------------------------------------
// Loops and built-in work are bounded (RunLimits::work_per_bar) but what they
// make is not, and strings and objects are collected only between bars:
// without a limit one bar could take gigabytes (docs/fuzzing.md, finding 6).
// So the interpreter measures the heap, the string table and the pending log
// records every kMemoryScanInterval units of allocation (an allocating
// instruction costs kAllocatingOpCost) and stops the script past
// RunLimits::memory_bytes. Between two measurements at most 256 allocating
// instructions run, each making at most about 1.3 MB (a 100,000-element
// collection, or str.split of a 40,960-character string), so an instance
// stops within about 330 MB of the limit.

/// Units of allocation between two measurements.
inline constexpr std::int64_t kMemoryScanInterval = 4096;
/// The units an allocating instruction (COLL, NEWOBJ, CONCAT, STRFORMAT,
/// BUILTIN, LOG, ALERT) costs: one measurement per 256 of them.
inline constexpr std::int64_t kAllocatingOpCost = 16;
/// Above this, run_bar collects garbage at the end of the bar even when the
/// object counts do not ask for it (a few 100,000-element arrays per bar are
/// few objects but many bytes). Half the memory limit when that is lower.
inline constexpr std::uint64_t kGcPressureBytes = std::uint64_t{128} << 20;
/// The default memory limit (RunLimits::memory_bytes).
inline constexpr std::uint64_t kMaxInstanceMemory = RunLimits{}.memory_bytes;

// ---- Work and time of one bar --------------------------------------------------
/// Work units between two looks at the clock when a time limit is set. At
/// about a nanosecond per unit this is a look every 0.1 ms or so: a clock
/// read (~20 ns) per 65,536 units costs nothing measurable, and a bar
/// overruns its time limit by well under a millisecond.
inline constexpr std::int64_t kClockCheckInterval = 1 << 16;

/// The sizes a program's frame layout needs (InstanceState::plan_layout).
struct LayoutTotals {
  std::size_t slots = 0;
  std::size_t series = 0;
  std::size_t series_values = 0; ///< sum of the rings' capacities
  std::size_t states = 0;
};

struct InstanceState {
  std::shared_ptr<const Program> program;
  InstanceConfig config;

  // Derived from the program and config (rebuilt, never archived).
  std::vector<Value> inputs;           ///< resolved input values; strings as handles
  std::vector<FrameInfo> frames;       ///< frames[0] is main
  std::vector<std::uint32_t> children; ///< child frame of each call site, per frame
  ChartContext context;                ///< syminfo.*/timeframe.* values, timeframe, time zone

  // Archived state.
  std::vector<Value> slots;
  std::vector<SeriesRing> series;
  std::vector<TaState> states;
  StringTable strings;
  Heap heap;
  RandomState random; ///< math.random's generator
  /// The broker of a strategy program (orders, trades, risk); null for
  /// indicators. Built with the instance from the program's settings.
  std::unique_ptr<Broker> broker;
  std::int64_t bars_processed = 0;   ///< bars executed over the instance's life
  std::int64_t last_bar_time = kIntNa;
  bool halted = false;               ///< set by a runtime error

  // Host settings of the current run (not archived).
  std::int64_t last_bar_index = kIntNa;
  std::int64_t last_chart_bar_time = kIntNa; ///< Pine's last_bar_time

  // Which groups of built-in variables run_bar loads: only those the program
  // can read (readable_builtins() in instance.cpp). The calendar alone was a
  // third of the per-bar cost of a small script. Derived from the program,
  // not archived; a slot that is not loaded keeps whatever it held.
  bool loads_prices = true;   ///< hl2, hlc3, ohlc4, hlcc4
  bool loads_barstate = true; ///< last_bar_index, last_bar_time, barstate.*
  bool loads_calendar = true; ///< year ... time_tradingday

  // A cache of the day-level calendar fields of the last bar (not archived:
  // it only saves work, and is recomputed when the local day changes).
  std::int64_t cached_local_day = kIntNa;
  std::int64_t cached_day_fields[5] = {}; ///< year, month, weekofyear, dayofmonth, dayofweek

  // Run limits and their accounting (host settings and per-bar counters:
  // never archived, so a restored instance takes its host's limits).
  RunLimits limits;
  /// Units of work charged in the current bar (Interpreter::charge_work).
  std::int64_t work_done = 0;
  /// When work_done reaches this, the interpreter checks the work limit and,
  /// when a time limit is set, the clock: min(work limit, next clock look).
  std::int64_t work_check_at = 0;
  /// Whether the current bar has read the clock yet. The first look (after
  /// kClockCheckInterval units) starts the bar's timer, so a bar that does
  /// little work never reads the clock: time spent before it is not counted
  /// (well under a millisecond).
  bool clock_started = false;
  std::chrono::steady_clock::time_point clock_start{};
  /// Bytes held by the log records not yet taken by the host (counted by the
  /// memory limit: a loop of log.info calls could otherwise fill memory).
  std::uint64_t log_bytes = 0;

  /// work_check_at at the start of a bar, derived from `limits` once
  /// (set_limits) so that starting a bar is a few stores.
  std::int64_t first_work_check = std::min(kClockCheckInterval, RunLimits{}.work_per_bar);

  /// Installs `l` (already validated) and derives first_work_check.
  void set_limits(const RunLimits& l) {
    limits = l;
    first_work_check = l.time_per_bar.count() > 0 ? std::min(kClockCheckInterval, l.work_per_bar) : l.work_per_bar;
  }

  /// Resets the per-bar work counters (run_bar, before every bar).
  void start_bar_work() {
    work_done = 0;
    work_check_at = first_work_check;
    clock_started = false;
    memory_scan_budget = kMemoryScanInterval;
  }

  // Memory accounting (not archived; see Interpreter::charge_memory_scan).
  /// Counts down by kAllocatingOpCost per allocating instruction; at zero the
  /// interpreter measures the heap and the strings. Reset by run_bar before every bar, so a bar measures at the
  /// same points whatever ran before it (a restored instance agrees).
  std::int64_t memory_scan_budget = 0;
  /// The same units summed across bars since run_bar last measured; past
  /// kMemoryScanInterval run_bar measures at the end of the bar, so garbage
  /// made a little per bar is weighed too.
  std::int64_t work_since_measure = 0;
  /// Set when a measurement found more than kGcPressureBytes: run_bar
  /// collects garbage at the end of the bar whatever the object counts say
  /// (they count objects, and a few large arrays are many bytes).
  bool collect_pressure = false;

  // Outputs of the last bar (not archived: they are results, not state).
  std::vector<Value> plot_values;
  /// Each plot's na, copied over plot_values before every bar (laid out once
  /// so the per-bar reset is one copy, not a type switch per plot).
  std::vector<Value> plot_na;
  std::vector<LogRecord> logs;

  /// Expands the program's call tree into `frames` and `children` (small:
  /// at most kMaxFrames entries) and returns the sizes the state vectors
  /// need, without allocating them. Throws ProgramError past the limits
  /// above. A restore uses it to check the layout against the archive before
  /// anything is sized from the program.
  LayoutTotals plan_layout();

  /// Builds the frame layout for `program` and sizes every state vector.
  void lay_out();

  /// Heap bytes held by the objects and the strings, garbage included:
  /// what the memory limit and the byte-driven collection weigh. O(objects +
  /// strings), so it runs every kMemoryScanInterval units of work only.
  std::uint64_t collection_bytes() const { return heap.memory_bytes() + strings.memory_bytes(); }
  /// The garbage-collection pressure threshold under the current limits.
  std::uint64_t gc_pressure_bytes() const { return std::min(kGcPressureBytes, limits.memory_bytes / 2); }
};

} // namespace pine
