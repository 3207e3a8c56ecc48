// The builtins the VM implements natively, and the fixed slots of built-in
// variables. Numbering is part of the bytecode format: append only.
#pragma once

#include <cstdint>

#include "pine/vm/value.h"

namespace pine {

// Stateless builtins, called with BUILTIN. X(id, pine name, arity, result type).
// Argument types are fixed per id (overloads get distinct ids).
#define PINE_STATELESS_BUILTINS(X)                         \
  X(ABS_F, "math.abs", 1, Float)                           \
  X(ABS_I, "math.abs", 1, Int)                             \
  X(MAX_F, "math.max", 2, Float)                           \
  X(MAX_I, "math.max", 2, Int)                             \
  X(MIN_F, "math.min", 2, Float)                           \
  X(MIN_I, "math.min", 2, Int)                             \
  X(ROUND, "math.round", 1, Int)                           \
  X(ROUND_PREC, "math.round", 2, Float)                    \
  X(FLOOR, "math.floor", 1, Int)                           \
  X(CEIL, "math.ceil", 1, Int)                             \
  X(SQRT, "math.sqrt", 1, Float)                           \
  X(POW, "math.pow", 2, Float)                             \
  X(LOG, "math.log", 1, Float)                             \
  X(LOG10, "math.log10", 1, Float)                         \
  X(EXP, "math.exp", 1, Float)                             \
  X(SIGN_F, "math.sign", 1, Float)                         \
  X(TOSTRING_F, "str.tostring", 1, String)                 \
  X(TOSTRING_I, "str.tostring", 1, String)                 \
  X(TOSTRING_B, "str.tostring", 1, String)                 \
  X(TOSTRING_S, "str.tostring", 1, String)                 \
  X(TOSTRING_FMT, "str.tostring", 2, String)               \
  X(SIN, "math.sin", 1, Float)                             \
  X(COS, "math.cos", 1, Float)                             \
  X(TAN, "math.tan", 1, Float)                             \
  X(ASIN, "math.asin", 1, Float)                           \
  X(ACOS, "math.acos", 1, Float)                           \
  X(ATAN, "math.atan", 1, Float)                           \
  X(TODEGREES, "math.todegrees", 1, Float)                 \
  X(TORADIANS, "math.toradians", 1, Float)                 \
  X(COLOR_NEW, "color.new", 2, Color)                      \
  X(COLOR_RGB, "color.rgb", 4, Color)                      \
  X(COLOR_R, "color.r", 1, Float)                          \
  X(COLOR_G, "color.g", 1, Float)                          \
  X(COLOR_B, "color.b", 1, Float)                          \
  X(COLOR_T, "color.t", 1, Float)                          \
  X(STR_LENGTH, "str.length", 1, Int)                      \
  X(STR_CONTAINS, "str.contains", 2, Bool)                 \
  X(STR_STARTSWITH, "str.startswith", 2, Bool)             \
  X(STR_ENDSWITH, "str.endswith", 2, Bool)                 \
  X(STR_UPPER, "str.upper", 1, String)                     \
  X(STR_LOWER, "str.lower", 1, String)                     \
  X(STR_TRIM, "str.trim", 1, String)                       \
  X(STR_REPEAT, "str.repeat", 3, String)                   \
  X(STR_REPLACE_ALL, "str.replace_all", 3, String)         \
  X(STR_POS, "str.pos", 2, Int)                            \
  X(STR_SUBSTRING, "str.substring", 3, String)             \
  X(STR_TONUMBER, "str.tonumber", 1, Float)                 \
  X(STR_REPLACE, "str.replace", 4, String)                   \
  X(STR_MATCH, "str.match", 2, String)                       \
  X(STR_FORMAT_TIME, "str.format_time", 3, String)           \
  X(ROUND_TO_MINTICK, "math.round_to_mintick", 1, Float)     \
  X(COLOR_FROM_GRADIENT, "color.from_gradient", 5, Color)                          \
  /* calendar fields: (time int, timezone string) -> int */ \
  X(TIME_YEAR, "year", 2, Int)                             \
  X(TIME_MONTH, "month", 2, Int)                           \
  X(TIME_WEEKOFYEAR, "weekofyear", 2, Int)                 \
  X(TIME_DAYOFMONTH, "dayofmonth", 2, Int)                 \
  X(TIME_DAYOFWEEK, "dayofweek", 2, Int)                   \
  X(TIME_HOUR, "hour", 2, Int)                             \
  X(TIME_MINUTE, "minute", 2, Int)                         \
  X(TIME_SECOND, "second", 2, Int)                         \
  /* timezone, year, month, day, hour, minute, second */   \
  X(TIMESTAMP, "timestamp", 7, Int)                        \
  X(TF_IN_SECONDS, "timeframe.in_seconds", 1, Int)         \
  X(TF_FROM_SECONDS, "timeframe.from_seconds", 1, String)  \
  /* time, timeframe, session, timezone, close(bool) -> int */ \
  X(TIME_OF_PERIOD, "time", 5, Int)                        \
  /* ta.pivot_point_levels' type string -> its ta::PivotType code; runtime error when unknown */ \
  X(PIVOT_TYPE, "ta.pivot_point_levels type", 1, Int)

enum class BuiltinId : std::uint16_t {
#define PINE_BUILTIN_ENUM(id, name, arity, result) id,
  PINE_STATELESS_BUILTINS(PINE_BUILTIN_ENUM)
#undef PINE_BUILTIN_ENUM
      Count
};

/// Static facts about a stateless builtin, for the verifier and disassembler.
struct BuiltinInfo {
  const char* name;
  std::uint8_t arity;
  Type result;
};
const BuiltinInfo& builtin_info(BuiltinId id);

// Stateful builtins, called with TA; each call site owns one state.
// X(kind, pine name, argument count, result count).
// Arguments are floats except the ones listed in the comment.
#define PINE_STATEFUL_BUILTINS(X)                                        \
  X(SMA, "ta.sma", 2, 1)           /* src, length(int) */                \
  X(EMA, "ta.ema", 2, 1)           /* src, length(int) */                \
  X(RMA, "ta.rma", 2, 1)           /* src, length(int) */                \
  X(WMA, "ta.wma", 2, 1)           /* src, length(int) */                \
  X(RSI, "ta.rsi", 2, 1)           /* src, length(int) */                \
  X(ATR, "ta.atr", 1, 1)           /* length(int); reads high/low/close */ \
  X(TR, "ta.tr", 1, 1)             /* handle_na(bool); reads high/low/close */ \
  X(HIGHEST, "ta.highest", 2, 1)   /* src, length(int) */                \
  X(LOWEST, "ta.lowest", 2, 1)     /* src, length(int) */                \
  X(STDEV, "ta.stdev", 3, 1)       /* src, length(int), biased(bool) */  \
  X(CHANGE, "ta.change", 2, 1)     /* src, length(int) */                \
  X(CROSSOVER, "ta.crossover", 2, 1)   /* a, b -> bool */                \
  X(CROSSUNDER, "ta.crossunder", 2, 1) /* a, b -> bool */                \
  X(CROSS, "ta.cross", 2, 1)           /* a, b -> bool */                \
  X(MACD, "ta.macd", 4, 3)         /* src, fast, slow, signal (ints) */  \
  X(SUM, "math.sum", 2, 1)         /* src, length(int) */                \
  X(FIXNAN_F, "fixnan", 1, 1)      /* src */                             \
  X(FIXNAN_I, "fixnan", 1, 1)      /* src(int) -> int */                 \
  X(CHANGE_I, "ta.change", 2, 1)   /* src(int), length(int) -> int */    \
  X(CHANGE_B, "ta.change", 2, 1)   /* src(bool), length(int) -> bool */ \
  X(VARIANCE, "ta.variance", 3, 1) /* src, length(int), biased(bool) */ \
  X(CUM, "ta.cum", 1, 1)           /* src */                             \
  X(MOM, "ta.mom", 2, 1)           /* src, length(int) */                \
  X(ROC, "ta.roc", 2, 1)           /* src, length(int) */                \
  X(BARSSINCE, "ta.barssince", 1, 1) /* cond(bool) -> int */             \
  X(VALUEWHEN, "ta.valuewhen", 3, 1) /* cond(bool), src, occurrence(int) */ \
  X(VALUEWHEN_I, "ta.valuewhen", 3, 1) /* cond(bool), src(int), occurrence(int) -> int */ \
  X(VWMA, "ta.vwma", 2, 1)         /* src, length(int); reads volume */  \
  X(SWMA, "ta.swma", 1, 1)         /* src */                             \
  X(HMA, "ta.hma", 2, 1)           /* src, length(int) */                \
  X(ALMA, "ta.alma", 5, 1)         /* src, length(int), offset, sigma, floor(bool) */ \
  X(LINREG, "ta.linreg", 3, 1)     /* src, length(int), offset(int) */   \
  X(CCI, "ta.cci", 2, 1)           /* src, length(int) */                \
  X(CMO, "ta.cmo", 2, 1)           /* src, length(int) */                \
  X(MFI, "ta.mfi", 2, 1)           /* src, length(int); reads volume */  \
  X(TSI, "ta.tsi", 3, 1)           /* src, short(int), long(int) */      \
  X(WPR, "ta.wpr", 1, 1)           /* length(int); reads high/low/close */ \
  X(COG, "ta.cog", 2, 1)           /* src, length(int) */                \
  X(DEV, "ta.dev", 2, 1)           /* src, length(int) */                \
  X(MEDIAN, "ta.median", 2, 1)     /* src, length(int) */                \
  X(MODE, "ta.mode", 2, 1)         /* src, length(int) */                \
  X(RANGE, "ta.range", 2, 1)       /* src, length(int) */                \
  X(RISING, "ta.rising", 2, 1)     /* src, length(int) -> bool */        \
  X(FALLING, "ta.falling", 2, 1)   /* src, length(int) -> bool */        \
  X(HIGHESTBARS, "ta.highestbars", 2, 1) /* src, length(int) -> int */   \
  X(LOWESTBARS, "ta.lowestbars", 2, 1)   /* src, length(int) -> int */   \
  X(HIGHESTBARS_H, "ta.highestbars", 1, 1) /* length(int) -> int; reads high */ \
  X(LOWESTBARS_L, "ta.lowestbars", 1, 1)   /* length(int) -> int; reads low */  \
  X(MAX, "ta.max", 1, 1)           /* src */                             \
  X(MIN, "ta.min", 1, 1)           /* src */                             \
  X(STOCH, "ta.stoch", 4, 1)       /* src, high, low, length(int) */     \
  X(BB, "ta.bb", 3, 3)             /* src, length(int), mult */          \
  X(BBW, "ta.bbw", 3, 1)           /* src, length(int), mult */          \
  X(KC, "ta.kc", 4, 3)             /* src, length(int), mult, useTrueRange(bool); reads high/low/close */ \
  X(KCW, "ta.kcw", 4, 1)           /* src, length(int), mult, useTrueRange(bool); reads high/low/close */ \
  X(CORRELATION, "ta.correlation", 3, 1) /* src1, src2, length(int) */   \
  X(PERCENTRANK, "ta.percentrank", 2, 1) /* src, length(int) */          \
  X(PERCENTILE_LINEAR, "ta.percentile_linear_interpolation", 3, 1) /* src, length(int), percentage */ \
  X(PERCENTILE_NEAREST, "ta.percentile_nearest_rank", 3, 1)        /* src, length(int), percentage */ \
  X(PIVOTHIGH, "ta.pivothigh", 3, 1) /* src, leftbars(int), rightbars(int) */ \
  X(PIVOTLOW, "ta.pivotlow", 3, 1)   /* src, leftbars(int), rightbars(int) */ \
  X(PIVOTHIGH_H, "ta.pivothigh", 2, 1) /* leftbars(int), rightbars(int); reads high */ \
  X(PIVOTLOW_L, "ta.pivotlow", 2, 1)   /* leftbars(int), rightbars(int); reads low */  \
  X(SUPERTREND, "ta.supertrend", 2, 2) /* factor, atrPeriod(int) -> float, int; reads the bar */ \
  X(DMI, "ta.dmi", 2, 3)           /* diLength(int), adxSmoothing(int); reads high/low/close */ \
  X(SAR, "ta.sar", 3, 1)           /* start, inc, max; reads high/low/close */ \
  X(VWAP, "ta.vwap", 1, 1)         /* src; anchor = new UTC day of time; reads volume */ \
  X(VWAP_ANCHOR, "ta.vwap", 2, 1)  /* src, anchor(bool); reads volume */ \
  X(VWAP_BANDS, "ta.vwap", 3, 3)   /* src, anchor(bool), stdev_mult; reads volume */ \
  X(OBV, "ta.obv", 0, 1)           /* variable; reads close/volume */    \
  X(ACCDIST, "ta.accdist", 0, 1)   /* variable; reads the bar */         \
  X(III, "ta.iii", 0, 1)           /* variable; reads the bar */         \
  X(NVI, "ta.nvi", 0, 1)           /* variable; reads close/volume */    \
  X(PVI, "ta.pvi", 0, 1)           /* variable; reads close/volume */    \
  X(PVT, "ta.pvt", 0, 1)           /* variable; reads close/volume */    \
  X(WAD, "ta.wad", 0, 1)           /* variable; reads high/low/close */  \
  X(WVAD, "ta.wvad", 0, 1)         /* variable; reads the bar */         \
  X(RCI, "ta.rci", 2, 1)           /* src, length(int) */                \
  X(PIVOT_LEVELS, "ta.pivot_point_levels", 3, 11) /* type(int: PIVOT_TYPE's code), anchor(bool), developing(bool) -> P, R1, S1, ... R5, S5; reads the bar */

enum class StateKind : std::uint8_t {
#define PINE_STATE_ENUM(kind, name, nargs, nresults) kind,
  PINE_STATEFUL_BUILTINS(PINE_STATE_ENUM)
#undef PINE_STATE_ENUM
      Count
};

struct StateKindInfo {
  const char* name;
  std::uint8_t arity;
  std::uint8_t results;
};
const StateKindInfo& state_kind_info(StateKind kind);

/// Built-in variables live in fixed slots of the main frame, written by the
/// VM before each execution. X(id, pine name, type).
#define PINE_BUILTIN_VARS(X)                              \
  X(OPEN, "open", Float)                                  \
  X(HIGH, "high", Float)                                  \
  X(LOW, "low", Float)                                    \
  X(CLOSE, "close", Float)                                \
  X(VOLUME, "volume", Float)                              \
  X(TIME, "time", Int)                                    \
  X(BAR_INDEX, "bar_index", Int)                          \
  X(HL2, "hl2", Float)                                    \
  X(HLC3, "hlc3", Float)                                  \
  X(OHLC4, "ohlc4", Float)                                \
  X(HLCC4, "hlcc4", Float)                                \
  X(LAST_BAR_INDEX, "last_bar_index", Int)                \
  X(IS_FIRST, "barstate.isfirst", Bool)                   \
  X(IS_LAST, "barstate.islast", Bool)                     \
  X(IS_CONFIRMED, "barstate.isconfirmed", Bool)           \
  X(IS_HISTORY, "barstate.ishistory", Bool)               \
  X(IS_REALTIME, "barstate.isrealtime", Bool)             \
  X(IS_NEW, "barstate.isnew", Bool)                      \
  /* calendar of `time` in syminfo.timezone (calendar.h) */ \
  X(YEAR, "year", Int)                                    \
  X(MONTH, "month", Int)                                  \
  X(WEEKOFYEAR, "weekofyear", Int)                        \
  X(DAYOFMONTH, "dayofmonth", Int)                        \
  X(DAYOFWEEK, "dayofweek", Int)                          \
  X(HOUR, "hour", Int)                                    \
  X(MINUTE, "minute", Int)                                \
  X(SECOND, "second", Int)                                \
  X(TIME_CLOSE, "time_close", Int)                        \
  X(TIMENOW, "timenow", Int)                              \
  X(TIME_TRADINGDAY, "time_tradingday", Int)              \
  X(LAST_BAR_TIME, "last_bar_time", Int)                  \
  X(IS_LAST_CONFIRMED_HISTORY, "barstate.islastconfirmedhistory", Bool)

enum class BuiltinVar : std::uint8_t {
#define PINE_VAR_ENUM(id, name, type) id,
  PINE_BUILTIN_VARS(PINE_VAR_ENUM)
#undef PINE_VAR_ENUM
      Count
};

/// Number of main-frame slots reserved for built-in variables (slots 0..N-1).
inline constexpr std::uint16_t kBuiltinVarSlots = static_cast<std::uint16_t>(BuiltinVar::Count);

struct BuiltinVarInfo {
  const char* name;
  Type type;
};
const BuiltinVarInfo& builtin_var_info(BuiltinVar v);

} // namespace pine
