// ta.pivot_point_levels: support and resistance levels of a period that an
// anchor condition delimits. Conventions as in ta.h (na is NaN, state saved
// with a version first).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "builtins/ta.h"

namespace pine::ta {

/// The `type` argument of ta.pivot_point_levels. The VM passes the type to
/// the state as this code (the BUILTIN PIVOT_TYPE instruction parses the
/// string), so the values are part of the bytecode contract: append only.
enum class PivotType : std::uint8_t { Traditional, Fibonacci, Woodie, Classic, DM, Camarilla };

/// Parses a `type` argument ("Traditional", "Fibonacci", "Woodie",
/// "Classic", "DM" or "Camarilla", case-sensitive as in TradingView); false
/// for anything else.
bool parse_pivot_type(std::string_view text, PivotType& out);

/// The open, high, low and close of a stretch of bars, as a higher-timeframe
/// bar would have them: the first non-na open, the extremes of the non-na
/// highs and lows, the last non-na close.
struct PeriodBar {
  double open = kFloatNa;
  double high = kFloatNa;
  double low = kFloatNa;
  double close = kFloatNa;

  /// Adds one bar to the stretch.
  void add(double bar_open, double bar_high, double bar_low, double bar_close);
};

/// The 11 levels in TradingView's order: P, R1, S1, R2, S2, R3, S3, R4, S4,
/// R5, S5; na where the type defines none.
using PivotLevelArray = std::array<double, 11>;

/// The levels of `type` from the period `basis`, using TradingView's
/// formulas for its "Pivot Points Standard" indicator, in their operation
/// order. `open_now` is the open of the period that follows `basis`
/// (Woodie's only input from it).
PivotLevelArray pivot_levels(PivotType type, const PeriodBar& basis, double open_now);

/// ta.pivot_point_levels(type, anchor, developing). A period starts on the
/// first call and on every call whose anchor is true. With developing false
/// the levels come from the last completed period (na until an anchor has
/// closed one that held a bar); with developing true, from the period so far
/// including this bar. The levels are recomputed on each call from the
/// stored period, so a type that changes between anchors takes effect at
/// once (documented in docs/semantics.md).
struct PivotLevels {
  /// Advances with the bar. Woodie with `developing` is rejected by the VM
  /// before this is called (TradingView's runtime error).
  PivotLevelArray step(PivotType type, bool anchor, bool developing, double open, double high, double low,
                       double close);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  PeriodBar current_;     // the period under way
  PeriodBar completed_;   // the period the last anchor closed
  bool has_completed_ = false;
  bool started_ = false;  // a call has been made (the first one starts a period)
};

} // namespace pine::ta
