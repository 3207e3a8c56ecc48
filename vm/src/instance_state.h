// The complete mutable state of an instance, in one place.
//
// Everything a snapshot must carry lives in InstanceState and nowhere else:
// the frames' slots, the series rings, the builtin states, the string table
// and the bar counters. Save, restore (and later, rollback) are one walk over
// this struct. The frame layout is derived from the program and is rebuilt,
// not archived.
#pragma once

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
};

} // namespace pine
