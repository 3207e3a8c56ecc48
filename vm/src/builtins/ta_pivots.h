// Pivots: ta.pivothigh, ta.pivotlow and ta.pivot_point_levels.
// One state struct per function, with the conventions of ta_core.h, and
// each function's typed handler TaStep<StateKind::K> (see ta_step.h).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "builtins/builtin_fn.h"
#include "builtins/ta_core.h"
#include "builtins/ta_step.h"

namespace pine::ta {

/// ta.pivothigh (Max = true) / ta.pivotlow: src[right] when it is the strict
/// extreme of the `left + right + 1` last non-na values, with equal values
/// allowed on its left only (PyneCore's measurement); na otherwise. The
/// window's deque keeps the newest of equal extremes at its front (see
/// detail::ExtremeWindow).
template <bool Max>
struct Pivot {
  /// Advances with `src`.
  double step(double src, std::int64_t left, std::int64_t right);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  detail::ExtremeWindow<Max, true> win_;
};

using PivotHigh = Pivot<true>;
using PivotLow = Pivot<false>;
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

// ---------------------------------------------------------------- handlers

/// The runtime error for a pivot strength (leftbars/rightbars may be 0, not
/// negative; their sum + 1 is the window and must be a valid length).
const char* bad_strengths(std::int64_t left, std::int64_t right);

template <> struct TaStep<StateKind::PIVOTHIGH> {
  static const char* check(double, std::int64_t left, std::int64_t right) { return bad_strengths(left, right); }
  static double run(PivotHigh& s, double source, std::int64_t left, std::int64_t right) {
    return s.step(source, left, right);
  }
};

template <> struct TaStep<StateKind::PIVOTLOW> {
  static const char* check(double, std::int64_t left, std::int64_t right) { return bad_strengths(left, right); }
  static double run(PivotLow& s, double source, std::int64_t left, std::int64_t right) {
    return s.step(source, left, right);
  }
};

template <> struct TaStep<StateKind::PIVOTHIGH_H> {
  static const char* check(std::int64_t left, std::int64_t right) { return bad_strengths(left, right); }
  static double run(PivotHigh& s, const BarView& bar, std::int64_t left, std::int64_t right) {
    return s.step(bar.high(), left, right);
  }
};

template <> struct TaStep<StateKind::PIVOTLOW_L> {
  static const char* check(std::int64_t left, std::int64_t right) { return bad_strengths(left, right); }
  static double run(PivotLow& s, const BarView& bar, std::int64_t left, std::int64_t right) {
    return s.step(bar.low(), left, right);
  }
};

/// The runtime errors of ta.pivot_point_levels' arguments: a type code
/// PIVOT_TYPE cannot have produced (a hostile program), and developing
/// Woodie levels, which need the period's open before the period starts.
const char* bad_pivot_levels(std::int64_t type_code, bool developing);

template <> struct TaStep<StateKind::PIVOT_LEVELS> {
  static const char* check(std::int64_t type_code, bool, bool developing) {
    return bad_pivot_levels(type_code, developing);
  }
  static PivotLevelArray run(PivotLevels& s, const BarView& bar, std::int64_t type_code, bool anchor, bool developing) {
    return s.step(static_cast<PivotType>(type_code), anchor, developing, bar.open(), bar.high(), bar.low(), bar.close());
  }
};

} // namespace pine::ta

namespace pine {

/// ta.pivot_point_levels' `type` string as the PivotType code its state
/// takes. Parsed on every call because the argument is a series string; na
/// or an unknown name is a runtime error.
template <> struct BuiltinFn<BuiltinId::PIVOT_TYPE> {
  static Checked<std::int64_t> run(StringTable& strings, Str type);
};

} // namespace pine
