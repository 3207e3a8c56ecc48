// The state of one stateful builtin call site, and its dispatch.
//
// A TaState holds the state struct of whichever builtin its call site calls
// (the kind is fixed by the program's state table). The interpreter steps it
// through its kind's entry of kStepFunctions; archives go through save/load
// with the same kind.
#pragma once

#include <array>
#include <type_traits>
#include <variant>

#include "archive.h"
#include "builtins/ta.h"
#include "builtins/ta_extra.h"
#include "builtins/ta_levels.h"
#include "builtins/ta_more.h"
#include "pine/vm/builtins.h"
#include "pine/vm/value.h"

namespace pine {

/// fixnan(): the last non-na value seen at this call site.
struct FixnanState {
  Value last{};
  bool seen = false;
};

using TaState = std::variant<std::monostate, ta::Sma, ta::Ema, ta::Rma, ta::Wma, ta::Rsi, ta::Atr, ta::Tr,
                             ta::Highest, ta::Lowest, ta::Stdev, ta::Change, ta::ChangeInt, ta::ChangeBool, ta::Cross,
                             ta::Macd, ta::Sum, FixnanState, ta::Cum, ta::Roc, ta::BarsSince,
                             ta::ValueWhen<double>, ta::ValueWhen<std::int64_t>, ta::Vwma, ta::Swma, ta::Hma,
                             ta::Alma, ta::Linreg, ta::Dev, ta::Cmo, ta::Mfi, ta::Tsi, ta::Wpr, ta::Cog, ta::Median,
                             ta::Mode, ta::Range, ta::Trend<true>, ta::Trend<false>, ta::ExtremeBars<true>,
                             ta::ExtremeBars<false>, ta::AllTime<true>, ta::AllTime<false>, ta::Stoch, ta::Bb,
                             ta::Kc, ta::Correlation, ta::PercentRank, ta::PercentileLinear, ta::PercentileNearest,
                             ta::PivotHigh, ta::PivotLow, ta::Supertrend, ta::Dmi, ta::Sar, ta::Vwap,
                             ta::VolumeVars, ta::NoState, ta::Rci, ta::PivotLevels>;

/// Calls `fn(std::type_identity<T>{})` with the state struct type T of the
/// kinds added after the first release of ta.* (ta_state_more.cpp); returns
/// false for the other kinds.
template <class Fn>
bool with_more_state_type(StateKind kind, Fn&& fn) {
  switch (kind) {
    case StateKind::CUM: fn(std::type_identity<ta::Cum>{}); return true;
    case StateKind::MOM: fn(std::type_identity<ta::Change>{}); return true;
    case StateKind::ROC: fn(std::type_identity<ta::Roc>{}); return true;
    case StateKind::BARSSINCE: fn(std::type_identity<ta::BarsSince>{}); return true;
    case StateKind::VALUEWHEN: fn(std::type_identity<ta::ValueWhen<double>>{}); return true;
    case StateKind::VALUEWHEN_I: fn(std::type_identity<ta::ValueWhen<std::int64_t>>{}); return true;
    case StateKind::VWMA: fn(std::type_identity<ta::Vwma>{}); return true;
    case StateKind::SWMA: fn(std::type_identity<ta::Swma>{}); return true;
    case StateKind::HMA: fn(std::type_identity<ta::Hma>{}); return true;
    case StateKind::ALMA: fn(std::type_identity<ta::Alma>{}); return true;
    case StateKind::LINREG: fn(std::type_identity<ta::Linreg>{}); return true;
    case StateKind::CCI:
    case StateKind::DEV: fn(std::type_identity<ta::Dev>{}); return true;
    case StateKind::CMO: fn(std::type_identity<ta::Cmo>{}); return true;
    case StateKind::MFI: fn(std::type_identity<ta::Mfi>{}); return true;
    case StateKind::TSI: fn(std::type_identity<ta::Tsi>{}); return true;
    case StateKind::WPR: fn(std::type_identity<ta::Wpr>{}); return true;
    case StateKind::COG: fn(std::type_identity<ta::Cog>{}); return true;
    case StateKind::MEDIAN: fn(std::type_identity<ta::Median>{}); return true;
    case StateKind::MODE: fn(std::type_identity<ta::Mode>{}); return true;
    case StateKind::RANGE: fn(std::type_identity<ta::Range>{}); return true;
    case StateKind::RISING: fn(std::type_identity<ta::Trend<true>>{}); return true;
    case StateKind::FALLING: fn(std::type_identity<ta::Trend<false>>{}); return true;
    case StateKind::HIGHESTBARS:
    case StateKind::HIGHESTBARS_H: fn(std::type_identity<ta::ExtremeBars<true>>{}); return true;
    case StateKind::LOWESTBARS:
    case StateKind::LOWESTBARS_L: fn(std::type_identity<ta::ExtremeBars<false>>{}); return true;
    case StateKind::MAX: fn(std::type_identity<ta::AllTime<true>>{}); return true;
    case StateKind::MIN: fn(std::type_identity<ta::AllTime<false>>{}); return true;
    case StateKind::STOCH: fn(std::type_identity<ta::Stoch>{}); return true;
    case StateKind::BB:
    case StateKind::BBW: fn(std::type_identity<ta::Bb>{}); return true;
    case StateKind::KC:
    case StateKind::KCW: fn(std::type_identity<ta::Kc>{}); return true;
    case StateKind::CORRELATION: fn(std::type_identity<ta::Correlation>{}); return true;
    case StateKind::PERCENTRANK: fn(std::type_identity<ta::PercentRank>{}); return true;
    case StateKind::PERCENTILE_LINEAR: fn(std::type_identity<ta::PercentileLinear>{}); return true;
    case StateKind::PERCENTILE_NEAREST: fn(std::type_identity<ta::PercentileNearest>{}); return true;
    case StateKind::PIVOTHIGH:
    case StateKind::PIVOTHIGH_H: fn(std::type_identity<ta::PivotHigh>{}); return true;
    case StateKind::PIVOTLOW:
    case StateKind::PIVOTLOW_L: fn(std::type_identity<ta::PivotLow>{}); return true;
    case StateKind::SUPERTREND: fn(std::type_identity<ta::Supertrend>{}); return true;
    case StateKind::DMI: fn(std::type_identity<ta::Dmi>{}); return true;
    case StateKind::SAR: fn(std::type_identity<ta::Sar>{}); return true;
    case StateKind::VWAP:
    case StateKind::VWAP_ANCHOR:
    case StateKind::VWAP_BANDS: fn(std::type_identity<ta::Vwap>{}); return true;
    case StateKind::OBV:
    case StateKind::ACCDIST:
    case StateKind::NVI:
    case StateKind::PVI:
    case StateKind::PVT:
    case StateKind::WAD: fn(std::type_identity<ta::VolumeVars>{}); return true;
    case StateKind::III:
    case StateKind::WVAD: fn(std::type_identity<ta::NoState>{}); return true;
    case StateKind::RCI: fn(std::type_identity<ta::Rci>{}); return true;
    case StateKind::PIVOT_LEVELS: fn(std::type_identity<ta::PivotLevels>{}); return true;
    default: return false;
  }
}

/// The runtime error for an unusable length argument, or nullptr. An na
/// length yields na (no error); a length <= 0 or beyond ta::kMaxLength is an
/// error, as in TradingView.
const char* length_error(std::int64_t length);

/// A state struct's result as a Value: float, int (kIntNa stays na) or bool
/// (1 or 0).
inline Value result_value(double x) { return make_float(x); }
inline Value result_value(std::int64_t x) { return make_int(x); }
inline Value result_value(bool x) { return make_int(x ? 1 : 0); }

/// step_state() for the builtins shaped f(src, length) with one result (the
/// argument layout of builtins.h: a[0] the float source, a[1] the length):
/// checks the length, steps the state's T and writes r[0].
template <class T>
const char* step_src_length(TaState& state, const Value* a, Value* r) {
  if (const char* e = length_error(a[1].i)) return e;
  r[0] = result_value(std::get<T>(state).step(a[0].f, a[1].i));
  return nullptr;
}

/// step_state() for the kinds of with_more_state_type (ta_state_more.cpp).
const char* step_more_state(TaState& state, StateKind kind, const Value* args, Value* results, const Value* globals);

/// Puts a fresh state of `kind` in `state`.
void init_ta_state(TaState& state, StateKind kind);

/// Advances the state one call: reads the kind's arguments from `args`,
/// writes its results to `results`. `globals` is the main frame (for the
/// builtins that read high/low/close). Returns nullptr, or a runtime error
/// message (an invalid length).
const char* step_state(TaState& state, StateKind kind, const Value* args, Value* results, const Value* globals);

/// step_state() with the kind bound: what the interpreter calls per TA
/// instruction, so each call site jumps straight to its builtin's code
/// instead of switching over some 80 kinds.
using StepFunction = const char* (*)(TaState& state, const Value* args, Value* results, const Value* globals);
inline constexpr std::size_t kStateKindCount = static_cast<std::size_t>(StateKind::Count);
/// The step function of each kind, indexed by StateKind (the verifier
/// guarantees a program's kinds are below Count).
extern const std::array<StepFunction, kStateKindCount> kStepFunctions;

void save_ta_state(archive::Out& ar, const TaState& state, StateKind kind);
void load_ta_state(archive::In& ar, TaState& state, StateKind kind);

} // namespace pine
