// The builtin registry: the one place that names every builtin function of
// the language, with its signature(s), result types and, for the ones the VM
// runs natively, its id. The compiler's overload lookup, the VM's verifier
// and disassembler, and the state variant of stateful call sites are all
// derived from these lists, so a builtin is declared exactly once.
//
// Numbering is part of the bytecode format: ids and kinds are append-only.
#pragma once

#include <cstdint>
#include <span>

#include "pine/vm/value.h"

namespace pine {

// Vocabulary of the lists below. An entry is
//   X(ID, LOWERING, "pine name", RESULT, PARAM...)
// LOWERING is CALL when the compiler lowers a call through the generic
// signature-driven path (argument binding, defaults, overloads in
// preference order), BESPOKE when compiler code of its own emits the
// instruction (math.max's variadic form, time(), ta.pivot_point_levels).
// Each PARAM is one of
//   REQ(name, Type)         a required argument, any qualifier
//   SIMPLE(name, Type)      a required argument that must be at most simple
//                           (fixed on the first bar, e.g. an EMA's length)
//   OPT(name, Type, value)  an optional argument and its default: an integer
//                           literal, `na`, or "" (the empty string)
// in the order the VM finds them in consecutive registers. The tokens are
// expanded only by vm/src/tables.cpp, which turns them into BuiltinSpec.

// Stateless builtins, called with BUILTIN A=id; RESULT is one type. The VM's
// handler is the typed function BuiltinFn<BuiltinId::ID> of its namespace's
// header (vm/src/builtins/math_builtins.h, color_builtins.h, str_builtins.h,
// time_builtins.h), whose parameter types are checked against this
// signature by a unit test.
#define PINE_STATELESS_BUILTINS(X) \
  X(ABS_F, CALL, "math.abs", Float, REQ(number, Float))                                                                                                                            \
  X(ABS_I, CALL, "math.abs", Int, REQ(number, Int))                                                                                                                                \
  X(MAX_F, BESPOKE, "math.max", Float, REQ(number0, Float), REQ(number1, Float))                                                                                                   \
  X(MAX_I, BESPOKE, "math.max", Int, REQ(number0, Int), REQ(number1, Int))                                                                                                         \
  X(MIN_F, BESPOKE, "math.min", Float, REQ(number0, Float), REQ(number1, Float))                                                                                                   \
  X(MIN_I, BESPOKE, "math.min", Int, REQ(number0, Int), REQ(number1, Int))                                                                                                         \
  X(ROUND, CALL, "math.round", Int, REQ(number, Float))                                                                                                                            \
  X(ROUND_PREC, CALL, "math.round", Float, REQ(number, Float), REQ(precision, Int))                                                                                                \
  X(FLOOR, CALL, "math.floor", Int, REQ(number, Float))                                                                                                                            \
  X(CEIL, CALL, "math.ceil", Int, REQ(number, Float))                                                                                                                              \
  X(SQRT, CALL, "math.sqrt", Float, REQ(number, Float))                                                                                                                            \
  X(POW, CALL, "math.pow", Float, REQ(base, Float), REQ(exponent, Float))                                                                                                          \
  X(LOG, CALL, "math.log", Float, REQ(number, Float))                                                                                                                              \
  X(LOG10, CALL, "math.log10", Float, REQ(number, Float))                                                                                                                          \
  X(EXP, CALL, "math.exp", Float, REQ(number, Float))                                                                                                                              \
  X(SIGN_F, CALL, "math.sign", Float, REQ(number, Float))                                                                                                                          \
  X(TOSTRING_F, CALL, "str.tostring", String, REQ(value, Float))                                                                                                                   \
  X(TOSTRING_I, CALL, "str.tostring", String, REQ(value, Int))                                                                                                                     \
  X(TOSTRING_B, CALL, "str.tostring", String, REQ(value, Bool))                                                                                                                    \
  X(TOSTRING_S, CALL, "str.tostring", String, REQ(value, String))                                                                                                                  \
  X(TOSTRING_FMT, CALL, "str.tostring", String, REQ(value, Float), REQ(format, String))                                                                                            \
  X(SIN, CALL, "math.sin", Float, REQ(angle, Float))                                                                                                                               \
  X(COS, CALL, "math.cos", Float, REQ(angle, Float))                                                                                                                               \
  X(TAN, CALL, "math.tan", Float, REQ(angle, Float))                                                                                                                               \
  X(ASIN, CALL, "math.asin", Float, REQ(angle, Float))                                                                                                                             \
  X(ACOS, CALL, "math.acos", Float, REQ(angle, Float))                                                                                                                             \
  X(ATAN, CALL, "math.atan", Float, REQ(angle, Float))                                                                                                                             \
  X(TODEGREES, CALL, "math.todegrees", Float, REQ(radians, Float))                                                                                                                 \
  X(TORADIANS, CALL, "math.toradians", Float, REQ(degrees, Float))                                                                                                                 \
  X(COLOR_NEW, CALL, "color.new", Color, REQ(color, Color), REQ(transp, Float))                                                                                                    \
  X(COLOR_RGB, CALL, "color.rgb", Color, REQ(red, Float), REQ(green, Float), REQ(blue, Float), OPT(transp, Float, 0))                                                              \
  X(COLOR_R, CALL, "color.r", Float, REQ(color, Color))                                                                                                                            \
  X(COLOR_G, CALL, "color.g", Float, REQ(color, Color))                                                                                                                            \
  X(COLOR_B, CALL, "color.b", Float, REQ(color, Color))                                                                                                                            \
  X(COLOR_T, CALL, "color.t", Float, REQ(color, Color))                                                                                                                            \
  X(STR_LENGTH, CALL, "str.length", Int, REQ(string, String))                                                                                                                      \
  X(STR_CONTAINS, CALL, "str.contains", Bool, REQ(source, String), REQ(str, String))                                                                                               \
  X(STR_STARTSWITH, CALL, "str.startswith", Bool, REQ(source, String), REQ(str, String))                                                                                           \
  X(STR_ENDSWITH, CALL, "str.endswith", Bool, REQ(source, String), REQ(str, String))                                                                                               \
  X(STR_UPPER, CALL, "str.upper", String, REQ(source, String))                                                                                                                     \
  X(STR_LOWER, CALL, "str.lower", String, REQ(source, String))                                                                                                                     \
  X(STR_TRIM, CALL, "str.trim", String, REQ(source, String))                                                                                                                       \
  X(STR_REPEAT, CALL, "str.repeat", String, REQ(source, String), REQ(repeat, Int), OPT(separator, String, ""))                                                                     \
  X(STR_REPLACE_ALL, CALL, "str.replace_all", String, REQ(source, String), REQ(target, String), REQ(replacement, String))                                                          \
  X(STR_POS, CALL, "str.pos", Int, REQ(source, String), REQ(str, String))                                                                                                          \
  X(STR_SUBSTRING, CALL, "str.substring", String, REQ(source, String), REQ(begin_pos, Int), OPT(end_pos, Int, na))                                                                 \
  X(STR_TONUMBER, CALL, "str.tonumber", Float, REQ(string, String))                                                                                                                \
  X(STR_REPLACE, CALL, "str.replace", String, REQ(source, String), REQ(target, String), REQ(replacement, String), OPT(occurrence, Int, 0))                                         \
  X(STR_MATCH, CALL, "str.match", String, REQ(source, String), REQ(regex, String))                                                                                                 \
  X(STR_FORMAT_TIME, CALL, "str.format_time", String, REQ(time, Int), OPT(format, String, ""), OPT(timezone, String, ""))                                                          \
  X(ROUND_TO_MINTICK, CALL, "math.round_to_mintick", Float, REQ(number, Float))                                                                                                    \
  X(COLOR_FROM_GRADIENT, CALL, "color.from_gradient", Color, REQ(value, Float), REQ(bottom_value, Float), REQ(top_value, Float), REQ(bottom_color, Color), REQ(top_color, Color))  \
  X(TIME_YEAR, CALL, "year", Int, REQ(time, Int), REQ(timezone, String))                                                                                                           \
  X(TIME_MONTH, CALL, "month", Int, REQ(time, Int), REQ(timezone, String))                                                                                                         \
  X(TIME_WEEKOFYEAR, CALL, "weekofyear", Int, REQ(time, Int), REQ(timezone, String))                                                                                               \
  X(TIME_DAYOFMONTH, CALL, "dayofmonth", Int, REQ(time, Int), REQ(timezone, String))                                                                                               \
  X(TIME_DAYOFWEEK, CALL, "dayofweek", Int, REQ(time, Int), REQ(timezone, String))                                                                                                 \
  X(TIME_HOUR, CALL, "hour", Int, REQ(time, Int), REQ(timezone, String))                                                                                                           \
  X(TIME_MINUTE, CALL, "minute", Int, REQ(time, Int), REQ(timezone, String))                                                                                                       \
  X(TIME_SECOND, CALL, "second", Int, REQ(time, Int), REQ(timezone, String))                                                                                                       \
  X(TIMESTAMP, CALL, "timestamp", Int, REQ(timezone, String), REQ(year, Int), REQ(month, Int), REQ(day, Int), OPT(hour, Int, 0), OPT(minute, Int, 0), OPT(second, Int, 0))         \
  X(TF_IN_SECONDS, CALL, "timeframe.in_seconds", Int, REQ(timeframe, String))                                                                                                      \
  X(TF_FROM_SECONDS, CALL, "timeframe.from_seconds", String, REQ(seconds, Int))                                                                                                    \
  X(TIME_OF_PERIOD, BESPOKE, "time", Int, REQ(time, Int), REQ(timeframe, String), REQ(session, String), REQ(timezone, String), REQ(close, Bool))                                   \
  X(PIVOT_TYPE, BESPOKE, "ta.pivot_point_levels type", Int, REQ(type, String))

// Stateful builtins, called with TA; each call site owns one state. RESULT
// is a parenthesised list of result types. The VM's handler is the typed
// step function TaStep<StateKind::ID> of its indicator family
// (vm/src/builtins/ta_*.h), whose parameter types are checked against this
// signature by a unit test.
#define PINE_STATEFUL_BUILTINS(X) \
  X(SMA, CALL, "ta.sma", (Float), REQ(source, Float), REQ(length, Int))                                                                                                                          \
  X(EMA, CALL, "ta.ema", (Float), REQ(source, Float), SIMPLE(length, Int))                                                                                                                       \
  X(RMA, CALL, "ta.rma", (Float), REQ(source, Float), SIMPLE(length, Int))                                                                                                                       \
  X(WMA, CALL, "ta.wma", (Float), REQ(source, Float), REQ(length, Int))                                                                                                                          \
  X(RSI, CALL, "ta.rsi", (Float), REQ(source, Float), SIMPLE(length, Int))                                                                                                                       \
  X(ATR, CALL, "ta.atr", (Float), SIMPLE(length, Int))                                                                                                                                           \
  X(TR, CALL, "ta.tr", (Float), OPT(handle_na, Bool, 0))                                                                                                                                         \
  X(HIGHEST, CALL, "ta.highest", (Float), REQ(source, Float), REQ(length, Int))                                                                                                                  \
  X(LOWEST, CALL, "ta.lowest", (Float), REQ(source, Float), REQ(length, Int))                                                                                                                    \
  X(STDEV, CALL, "ta.stdev", (Float), REQ(source, Float), REQ(length, Int), OPT(biased, Bool, 1))                                                                                                \
  X(CHANGE, CALL, "ta.change", (Float), REQ(source, Float), OPT(length, Int, 1))                                                                                                                 \
  X(CROSSOVER, CALL, "ta.crossover", (Bool), REQ(source1, Float), REQ(source2, Float))                                                                                                           \
  X(CROSSUNDER, CALL, "ta.crossunder", (Bool), REQ(source1, Float), REQ(source2, Float))                                                                                                         \
  X(CROSS, CALL, "ta.cross", (Bool), REQ(source1, Float), REQ(source2, Float))                                                                                                                   \
  X(MACD, CALL, "ta.macd", (Float, Float, Float), REQ(source, Float), SIMPLE(fastlen, Int), SIMPLE(slowlen, Int), SIMPLE(siglen, Int))                                                           \
  X(SUM, CALL, "math.sum", (Float), REQ(source, Float), REQ(length, Int))                                                                                                                        \
  X(FIXNAN_F, CALL, "fixnan", (Float), REQ(source, Float))                                                                                                                                       \
  X(FIXNAN_I, CALL, "fixnan", (Int), REQ(source, Int))                                                                                                                                           \
  X(CHANGE_I, CALL, "ta.change", (Int), REQ(source, Int), OPT(length, Int, 1))                                                                                                                   \
  X(CHANGE_B, CALL, "ta.change", (Bool), REQ(source, Bool), OPT(length, Int, 1))                                                                                                                 \
  X(VARIANCE, CALL, "ta.variance", (Float), REQ(source, Float), REQ(length, Int), OPT(biased, Bool, 1))                                                                                          \
  X(CUM, CALL, "ta.cum", (Float), REQ(source, Float))                                                                                                                                            \
  X(MOM, CALL, "ta.mom", (Float), REQ(source, Float), REQ(length, Int))                                                                                                                          \
  X(ROC, CALL, "ta.roc", (Float), REQ(source, Float), REQ(length, Int))                                                                                                                          \
  X(BARSSINCE, CALL, "ta.barssince", (Int), REQ(condition, Bool))                                                                                                                                \
  X(VALUEWHEN, CALL, "ta.valuewhen", (Float), REQ(condition, Bool), REQ(source, Float), SIMPLE(occurrence, Int))                                                                                 \
  X(VALUEWHEN_I, CALL, "ta.valuewhen", (Int), REQ(condition, Bool), REQ(source, Int), SIMPLE(occurrence, Int))                                                                                   \
  X(VWMA, CALL, "ta.vwma", (Float), REQ(source, Float), REQ(length, Int))                                                                                                                        \
  X(SWMA, CALL, "ta.swma", (Float), REQ(source, Float))                                                                                                                                          \
  X(HMA, CALL, "ta.hma", (Float), REQ(source, Float), SIMPLE(length, Int))                                                                                                                       \
  X(ALMA, CALL, "ta.alma", (Float), REQ(series, Float), REQ(length, Int), REQ(offset, Float), REQ(sigma, Float), OPT(floor, Bool, 0))                                                            \
  X(LINREG, CALL, "ta.linreg", (Float), REQ(source, Float), REQ(length, Int), REQ(offset, Int))                                                                                                  \
  X(CCI, CALL, "ta.cci", (Float), REQ(source, Float), REQ(length, Int))                                                                                                                          \
  X(CMO, CALL, "ta.cmo", (Float), REQ(series, Float), REQ(length, Int))                                                                                                                          \
  X(MFI, CALL, "ta.mfi", (Float), REQ(series, Float), REQ(length, Int))                                                                                                                          \
  X(TSI, CALL, "ta.tsi", (Float), REQ(source, Float), SIMPLE(short_length, Int), SIMPLE(long_length, Int))                                                                                       \
  X(WPR, CALL, "ta.wpr", (Float), REQ(length, Int))                                                                                                                                              \
  X(COG, CALL, "ta.cog", (Float), REQ(source, Float), REQ(length, Int))                                                                                                                          \
  X(DEV, CALL, "ta.dev", (Float), REQ(source, Float), REQ(length, Int))                                                                                                                          \
  X(MEDIAN, CALL, "ta.median", (Float), REQ(source, Float), REQ(length, Int))                                                                                                                    \
  X(MODE, CALL, "ta.mode", (Float), REQ(source, Float), REQ(length, Int))                                                                                                                        \
  X(RANGE, CALL, "ta.range", (Float), REQ(source, Float), REQ(length, Int))                                                                                                                      \
  X(RISING, CALL, "ta.rising", (Bool), REQ(source, Float), REQ(length, Int))                                                                                                                     \
  X(FALLING, CALL, "ta.falling", (Bool), REQ(source, Float), REQ(length, Int))                                                                                                                   \
  X(HIGHESTBARS, CALL, "ta.highestbars", (Int), REQ(source, Float), REQ(length, Int))                                                                                                            \
  X(LOWESTBARS, CALL, "ta.lowestbars", (Int), REQ(source, Float), REQ(length, Int))                                                                                                              \
  X(HIGHESTBARS_H, CALL, "ta.highestbars", (Int), REQ(length, Int))                                                                                                                              \
  X(LOWESTBARS_L, CALL, "ta.lowestbars", (Int), REQ(length, Int))                                                                                                                                \
  X(MAX, CALL, "ta.max", (Float), REQ(source, Float))                                                                                                                                            \
  X(MIN, CALL, "ta.min", (Float), REQ(source, Float))                                                                                                                                            \
  X(STOCH, CALL, "ta.stoch", (Float), REQ(source, Float), REQ(high, Float), REQ(low, Float), REQ(length, Int))                                                                                   \
  X(BB, CALL, "ta.bb", (Float, Float, Float), REQ(series, Float), REQ(length, Int), REQ(mult, Float))                                                                                            \
  X(BBW, CALL, "ta.bbw", (Float), REQ(series, Float), REQ(length, Int), REQ(mult, Float))                                                                                                        \
  X(KC, CALL, "ta.kc", (Float, Float, Float), REQ(series, Float), SIMPLE(length, Int), REQ(mult, Float), OPT(useTrueRange, Bool, 1))                                                             \
  X(KCW, CALL, "ta.kcw", (Float), REQ(series, Float), SIMPLE(length, Int), REQ(mult, Float), OPT(useTrueRange, Bool, 1))                                                                         \
  X(CORRELATION, CALL, "ta.correlation", (Float), REQ(source1, Float), REQ(source2, Float), REQ(length, Int))                                                                                    \
  X(PERCENTRANK, CALL, "ta.percentrank", (Float), REQ(source, Float), REQ(length, Int))                                                                                                          \
  X(PERCENTILE_LINEAR, CALL, "ta.percentile_linear_interpolation", (Float), REQ(source, Float), REQ(length, Int), REQ(percentage, Float))                                                        \
  X(PERCENTILE_NEAREST, CALL, "ta.percentile_nearest_rank", (Float), REQ(source, Float), REQ(length, Int), REQ(percentage, Float))                                                               \
  X(PIVOTHIGH, CALL, "ta.pivothigh", (Float), REQ(source, Float), REQ(leftbars, Int), REQ(rightbars, Int))                                                                                       \
  X(PIVOTLOW, CALL, "ta.pivotlow", (Float), REQ(source, Float), REQ(leftbars, Int), REQ(rightbars, Int))                                                                                         \
  X(PIVOTHIGH_H, CALL, "ta.pivothigh", (Float), REQ(leftbars, Int), REQ(rightbars, Int))                                                                                                         \
  X(PIVOTLOW_L, CALL, "ta.pivotlow", (Float), REQ(leftbars, Int), REQ(rightbars, Int))                                                                                                           \
  X(SUPERTREND, CALL, "ta.supertrend", (Float, Int), REQ(factor, Float), SIMPLE(atrPeriod, Int))                                                                                                 \
  X(DMI, CALL, "ta.dmi", (Float, Float, Float), SIMPLE(diLength, Int), SIMPLE(adxSmoothing, Int))                                                                                                \
  X(SAR, CALL, "ta.sar", (Float), SIMPLE(start, Float), SIMPLE(inc, Float), SIMPLE(max, Float))                                                                                                  \
  X(VWAP, CALL, "ta.vwap", (Float), REQ(source, Float))                                                                                                                                          \
  X(VWAP_ANCHOR, CALL, "ta.vwap", (Float), REQ(source, Float), REQ(anchor, Bool))                                                                                                                \
  X(VWAP_BANDS, CALL, "ta.vwap", (Float, Float, Float), REQ(source, Float), REQ(anchor, Bool), REQ(stdev_mult, Float))                                                                           \
  X(OBV, CALL, "ta.obv", (Float))                                                                                                                                                                \
  X(ACCDIST, CALL, "ta.accdist", (Float))                                                                                                                                                        \
  X(III, CALL, "ta.iii", (Float))                                                                                                                                                                \
  X(NVI, CALL, "ta.nvi", (Float))                                                                                                                                                                \
  X(PVI, CALL, "ta.pvi", (Float))                                                                                                                                                                \
  X(PVT, CALL, "ta.pvt", (Float))                                                                                                                                                                \
  X(WAD, CALL, "ta.wad", (Float))                                                                                                                                                                \
  X(WVAD, CALL, "ta.wvad", (Float))                                                                                                                                                              \
  X(RCI, CALL, "ta.rci", (Float), REQ(source, Float), REQ(length, Int))                                                                                                                          \
  X(PIVOT_LEVELS, BESPOKE, "ta.pivot_point_levels", (Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float), REQ(type, Int), REQ(anchor, Bool), OPT(developing, Bool, 0))

// Strategy functions, called with STRATEGY A=id B=first argument C=first
// result (pine/vm/strategy.h; the broker is vm/src/strategy/). RESULT is a
// parenthesised list of result types, () for the order commands. Order ids,
// comments and OCA names are strings; directions, quantity types, OCA types
// and commission types are the const ints of pine/vm/strategy.h. The
// alert_* arguments are accepted and ignored: pinevm sends no order alerts.
#define PINE_TRADE_QUERIES(X, PREFIX, NAME) \
  X(PREFIX##_ENTRY_PRICE, CALL, NAME ".entry_price", (Float), REQ(trade_num, Int))                  \
  X(PREFIX##_ENTRY_BAR_INDEX, CALL, NAME ".entry_bar_index", (Int), REQ(trade_num, Int))            \
  X(PREFIX##_ENTRY_TIME, CALL, NAME ".entry_time", (Int), REQ(trade_num, Int))                      \
  X(PREFIX##_ENTRY_ID, CALL, NAME ".entry_id", (String), REQ(trade_num, Int))                       \
  X(PREFIX##_ENTRY_COMMENT, CALL, NAME ".entry_comment", (String), REQ(trade_num, Int))             \
  X(PREFIX##_PROFIT, CALL, NAME ".profit", (Float), REQ(trade_num, Int))                            \
  X(PREFIX##_PROFIT_PERCENT, CALL, NAME ".profit_percent", (Float), REQ(trade_num, Int))            \
  X(PREFIX##_COMMISSION, CALL, NAME ".commission", (Float), REQ(trade_num, Int))                    \
  X(PREFIX##_MAX_RUNUP, CALL, NAME ".max_runup", (Float), REQ(trade_num, Int))                      \
  X(PREFIX##_MAX_RUNUP_PERCENT, CALL, NAME ".max_runup_percent", (Float), REQ(trade_num, Int))      \
  X(PREFIX##_MAX_DRAWDOWN, CALL, NAME ".max_drawdown", (Float), REQ(trade_num, Int))                \
  X(PREFIX##_MAX_DRAWDOWN_PERCENT, CALL, NAME ".max_drawdown_percent", (Float), REQ(trade_num, Int))\
  X(PREFIX##_SIZE, CALL, NAME ".size", (Float), REQ(trade_num, Int))

#define PINE_STRATEGY_FUNCTIONS(X) \
  X(ENTRY, CALL, "strategy.entry", (), REQ(id, String), REQ(direction, Int), OPT(qty, Float, na), OPT(limit, Float, na), OPT(stop, Float, na), OPT(oca_name, String, ""), OPT(oca_type, Int, 0), OPT(comment, String, na), OPT(alert_message, String, na), OPT(disable_alert, Bool, 0)) \
  X(ORDER, CALL, "strategy.order", (), REQ(id, String), REQ(direction, Int), OPT(qty, Float, na), OPT(limit, Float, na), OPT(stop, Float, na), OPT(oca_name, String, ""), OPT(oca_type, Int, 0), OPT(comment, String, na), OPT(alert_message, String, na), OPT(disable_alert, Bool, 0)) \
  X(EXIT, CALL, "strategy.exit", (), REQ(id, String), OPT(from_entry, String, ""), OPT(qty, Float, na), OPT(qty_percent, Float, na), OPT(profit, Float, na), OPT(limit, Float, na), OPT(loss, Float, na), OPT(stop, Float, na), OPT(trail_price, Float, na), OPT(trail_points, Float, na), OPT(trail_offset, Float, na), OPT(oca_name, String, ""), OPT(comment, String, na), OPT(comment_profit, String, na), OPT(comment_loss, String, na), OPT(comment_trailing, String, na), OPT(alert_message, String, na), OPT(alert_profit, String, na), OPT(alert_loss, String, na), OPT(alert_trailing, String, na), OPT(disable_alert, Bool, 0)) \
  X(CLOSE, CALL, "strategy.close", (), REQ(id, String), OPT(comment, String, na), OPT(qty, Float, na), OPT(qty_percent, Float, na), OPT(alert_message, String, na), OPT(immediately, Bool, 0), OPT(disable_alert, Bool, 0)) \
  X(CLOSE_ALL, CALL, "strategy.close_all", (), OPT(comment, String, na), OPT(alert_message, String, na), OPT(immediately, Bool, 0), OPT(disable_alert, Bool, 0)) \
  X(CANCEL, CALL, "strategy.cancel", (), REQ(id, String)) \
  X(CANCEL_ALL, CALL, "strategy.cancel_all", ()) \
  X(RISK_ALLOW_ENTRY_IN, CALL, "strategy.risk.allow_entry_in", (), REQ(value, Int)) \
  X(RISK_MAX_CONS_LOSS_DAYS, CALL, "strategy.risk.max_cons_loss_days", (), REQ(count, Int), OPT(alert_message, String, na)) \
  X(RISK_MAX_DRAWDOWN, CALL, "strategy.risk.max_drawdown", (), REQ(value, Float), REQ(type, Int), OPT(alert_message, String, na)) \
  X(RISK_MAX_INTRADAY_FILLED_ORDERS, CALL, "strategy.risk.max_intraday_filled_orders", (), REQ(count, Int), OPT(alert_message, String, na)) \
  X(RISK_MAX_INTRADAY_LOSS, CALL, "strategy.risk.max_intraday_loss", (), REQ(value, Float), REQ(type, Int), OPT(alert_message, String, na)) \
  X(RISK_MAX_POSITION_SIZE, CALL, "strategy.risk.max_position_size", (), REQ(contracts, Float)) \
  PINE_TRADE_QUERIES(X, CLOSED, "strategy.closedtrades") \
  X(CLOSED_EXIT_PRICE, CALL, "strategy.closedtrades.exit_price", (Float), REQ(trade_num, Int)) \
  X(CLOSED_EXIT_BAR_INDEX, CALL, "strategy.closedtrades.exit_bar_index", (Int), REQ(trade_num, Int)) \
  X(CLOSED_EXIT_TIME, CALL, "strategy.closedtrades.exit_time", (Int), REQ(trade_num, Int)) \
  X(CLOSED_EXIT_ID, CALL, "strategy.closedtrades.exit_id", (String), REQ(trade_num, Int)) \
  X(CLOSED_EXIT_COMMENT, CALL, "strategy.closedtrades.exit_comment", (String), REQ(trade_num, Int)) \
  PINE_TRADE_QUERIES(X, OPEN, "strategy.opentrades") \
  X(CONVERT_TO_ACCOUNT, CALL, "strategy.convert_to_account", (Float), REQ(value, Float)) \
  X(CONVERT_TO_SYMBOL, CALL, "strategy.convert_to_symbol", (Float), REQ(value, Float)) \
  X(DEFAULT_ENTRY_QTY, CALL, "strategy.default_entry_qty", (Float), REQ(fill_price, Float)) \
  X(POSITION_ENTRY_NAME, BESPOKE, "strategy.position_entry_name", (String)) \
  X(ACCOUNT_CURRENCY, BESPOKE, "strategy.account_currency", (String))

/// The strategy.* variables a script reads as series: slots of the main
/// frame right after the built-in variables, written by the VM before each
/// execution of a strategy (only strategy programs have them). X(id, pine
/// name, type). Numbering is part of the bytecode format: append only.
#define PINE_STRATEGY_VARS(X)                                                   \
  X(POSITION_SIZE, "strategy.position_size", Float)                             \
  X(POSITION_AVG_PRICE, "strategy.position_avg_price", Float)                   \
  X(EQUITY, "strategy.equity", Float)                                           \
  X(INITIAL_CAPITAL, "strategy.initial_capital", Float)                         \
  X(NETPROFIT, "strategy.netprofit", Float)                                     \
  X(NETPROFIT_PERCENT, "strategy.netprofit_percent", Float)                     \
  X(OPENPROFIT, "strategy.openprofit", Float)                                   \
  X(OPENPROFIT_PERCENT, "strategy.openprofit_percent", Float)                   \
  X(GROSSPROFIT, "strategy.grossprofit", Float)                                 \
  X(GROSSPROFIT_PERCENT, "strategy.grossprofit_percent", Float)                 \
  X(GROSSLOSS, "strategy.grossloss", Float)                                     \
  X(GROSSLOSS_PERCENT, "strategy.grossloss_percent", Float)                     \
  X(MAX_DRAWDOWN, "strategy.max_drawdown", Float)                               \
  X(MAX_DRAWDOWN_PERCENT, "strategy.max_drawdown_percent", Float)               \
  X(MAX_RUNUP, "strategy.max_runup", Float)                                     \
  X(MAX_RUNUP_PERCENT, "strategy.max_runup_percent", Float)                     \
  X(WINTRADES, "strategy.wintrades", Int)                                       \
  X(LOSSTRADES, "strategy.losstrades", Int)                                     \
  X(EVENTRADES, "strategy.eventrades", Int)                                     \
  X(OPENTRADES, "strategy.opentrades", Int)                                     \
  X(CLOSEDTRADES, "strategy.closedtrades", Int)                                 \
  X(CLOSEDTRADES_FIRST_INDEX, "strategy.closedtrades.first_index", Int)         \
  X(MAX_CONTRACTS_HELD_ALL, "strategy.max_contracts_held_all", Float)           \
  X(MAX_CONTRACTS_HELD_LONG, "strategy.max_contracts_held_long", Float)         \
  X(MAX_CONTRACTS_HELD_SHORT, "strategy.max_contracts_held_short", Float)       \
  X(AVG_TRADE, "strategy.avg_trade", Float)                                     \
  X(AVG_TRADE_PERCENT, "strategy.avg_trade_percent", Float)                     \
  X(AVG_WINNING_TRADE, "strategy.avg_winning_trade", Float)                     \
  X(AVG_WINNING_TRADE_PERCENT, "strategy.avg_winning_trade_percent", Float)     \
  X(AVG_LOSING_TRADE, "strategy.avg_losing_trade", Float)                       \
  X(AVG_LOSING_TRADE_PERCENT, "strategy.avg_losing_trade_percent", Float)       \
  X(MARGIN_LIQUIDATION_PRICE, "strategy.margin_liquidation_price", Float)       \
  X(OPENTRADES_CAPITAL_HELD, "strategy.opentrades.capital_held", Float)

// Builtin functions the compiler lowers to instructions of their own (PLOT,
// INPUT loads, LOG, COLL, STRFORMAT, ...) rather than BUILTIN or TA: listed
// so that every builtin name is known in one place. X(pine name).
#define PINE_COMPILER_BUILTINS(X)                                                                  \
  X("plot") X("hline") X("indicator") X("na") X("nz") X("int") X("float") X("bool") X("string")   \
  X("log.info") X("log.warning") X("log.error") X("input") X("input.source") X("input.int")       \
  X("input.float") X("input.bool") X("input.string") X("input.timeframe") X("input.symbol")       \
  X("input.session") X("max_bars_back") X("input.text_area") X("input.price") X("input.color")    \
  X("input.time") X("input.enum") X("math.max") X("math.min") X("math.avg") X("runtime.error")    \
  X("ta.highest") X("ta.lowest") X("plotshape") X("plotchar") X("plotarrow") X("plotbar")         \
  X("plotcandle") X("fill") X("bgcolor") X("barcolor") X("alert") X("alertcondition")             \
  X("str.format") X("math.random") X("ta.pivot_point_levels") X("strategy")

/// How the compiler lowers a builtin (see the vocabulary above).
enum class Lowering : std::uint8_t { Call, Bespoke };

/// The default of an optional string parameter whose default is "" (string
/// constants are interned per program, so the registry cannot hold a handle;
/// the compiler interns "" when it fills the argument in).
inline constexpr std::int64_t kEmptyStringDefault = -2;

/// One parameter of a builtin signature.
struct BuiltinParam {
  const char* name;
  Type type;
  bool simple;       ///< must be at most "simple" (fixed on the first bar)
  bool has_default;  ///< optional; default_value holds its value
  Value default_value;
};

/// One builtin's signature, as declared in the lists above.
struct BuiltinSpec {
  const char* name;
  Lowering lowering;
  std::span<const BuiltinParam> params; ///< in register order
  std::span<const Type> results;        ///< one for stateless builtins
  /// The number of argument registers the instruction reads.
  std::uint8_t arity() const { return static_cast<std::uint8_t>(params.size()); }
};

enum class BuiltinId : std::uint16_t {
#define PINE_BUILTIN_ENUM(id, lowering, name, ...) id,
  PINE_STATELESS_BUILTINS(PINE_BUILTIN_ENUM)
#undef PINE_BUILTIN_ENUM
      Count
};

enum class StateKind : std::uint8_t {
#define PINE_STATE_ENUM(kind, lowering, name, ...) kind,
  PINE_STATEFUL_BUILTINS(PINE_STATE_ENUM)
#undef PINE_STATE_ENUM
      Count
};

enum class StrategyFn : std::uint8_t {
#define PINE_STRATEGY_ENUM(id, lowering, name, ...) id,
  PINE_STRATEGY_FUNCTIONS(PINE_STRATEGY_ENUM)
#undef PINE_STRATEGY_ENUM
      Count
};

/// The signature of a stateless builtin; `id` must be below Count.
const BuiltinSpec& builtin_spec(BuiltinId id);
/// The signature of a stateful builtin; `kind` must be below Count.
const BuiltinSpec& state_spec(StateKind kind);
/// The signature of a strategy function; `fn` must be below Count.
const BuiltinSpec& strategy_spec(StrategyFn fn);
/// The names of PINE_COMPILER_BUILTINS.
std::span<const char* const> compiler_builtin_names();

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

enum class StrategyVar : std::uint8_t {
#define PINE_STRATEGY_VAR_ENUM(id, name, type) id,
  PINE_STRATEGY_VARS(PINE_STRATEGY_VAR_ENUM)
#undef PINE_STRATEGY_VAR_ENUM
      Count
};

/// Number of main-frame slots a strategy program reserves for the strategy.*
/// variables, after the built-in ones: slot kBuiltinVarSlots + v holds
/// StrategyVar v.
inline constexpr std::uint16_t kStrategyVarSlots = static_cast<std::uint16_t>(StrategyVar::Count);

/// The first main-frame slot a program's own code may use.
inline constexpr std::uint16_t first_free_slot(bool is_strategy) {
  return is_strategy ? kBuiltinVarSlots + kStrategyVarSlots : kBuiltinVarSlots;
}

struct BuiltinVarInfo {
  const char* name;
  Type type;
};
const BuiltinVarInfo& builtin_var_info(BuiltinVar v);
const BuiltinVarInfo& strategy_var_info(StrategyVar v);

} // namespace pine
