// The native baseline of the benchmark harness: the reference
// scripts R1 and R5 written directly in C++, with the same math as pinevm's
// ta.* builtins (TradingView semantics) but no compiler, no bytecode and no
// VM. Comparing its speed with pinevm's shows what the interpreter costs.
//
// The math, as TradingView defines it:
//   sma(src, n)  mean of the last n values (a rolling compensated sum);
//   ema(src, n)  seeded with the sma of the first n values, then
//                prev + alpha*(src - prev), alpha = 2/(n+1);
//   rma(src, n)  seeded the same way, then (prev*(n-1) + src)/n;
//   rsi(src, n)  100 - 100/(1 + rma(up, n)/rma(down, n)) over the changes
//                from the previous value (none on the first bar);
//   atr(n)       rma(tr, n), tr = max(high-low, |high-close[1]|,
//                |low-close[1]|), high-low on the first bar;
//   macd         ema(12) - ema(26), signal ema(9) of it, hist = macd - signal.
// Results are NaN where Pine gives na. The bars never contain na prices, so
// the na-skipping rules of the builtins are not needed here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "pine/vm/bar.h"

namespace pine::bench {

/// Rolling mean of the last `length` values with a compensated (Kahan) sum,
/// so a million bars do not accumulate rounding drift.
class NativeSma {
public:
  /// A window of `length` values (length >= 1).
  explicit NativeSma(std::size_t length);
  /// Enters `x`; returns the mean, NaN while fewer than `length` values entered.
  double step(double x);

private:
  /// Adds `x` to the compensated sum.
  void add(double x);
  std::vector<double> window_; // circular buffer of the last `length` values
  std::size_t next_ = 0;       // slot the next value overwrites
  std::size_t count_ = 0;      // values entered so far (capped at length)
  double sum_ = 0.0;
  double compensation_ = 0.0;
};

/// ema (Wilder = false) or rma (Wilder = true), seeded by the sma of the
/// first `length` values.
class NativeAverage {
public:
  /// An average over `length` values (length >= 1).
  NativeAverage(std::size_t length, bool wilder);
  /// Enters `x`; returns the average, NaN until seeded.
  double step(double x);

private:
  std::size_t length_;
  bool wilder_;
  std::size_t seen_ = 0;  // values entered before the seed
  double seed_sum_ = 0.0; // their sum
  double value_;          // NaN until seeded
};

/// rsi over `length` changes of its source.
class NativeRsi {
public:
  /// An rsi of `length` (length >= 1).
  explicit NativeRsi(std::size_t length);
  /// Enters `x`; returns the rsi, NaN during warm-up and for 0/0.
  double step(double x);

private:
  double previous_;
  NativeAverage up_;
  NativeAverage down_;
};

/// atr over `length` true ranges.
class NativeAtr {
public:
  /// An atr of `length` (length >= 1).
  explicit NativeAtr(std::size_t length);
  /// Enters one bar; returns the atr, NaN during warm-up.
  double step(const Bar& bar);

private:
  double previous_close_;
  NativeAverage rma_;
};

/// R1: plot(ta.sma(close, 20)).
class NativeR1 {
public:
  static constexpr std::size_t kPlots = 1;
  NativeR1();
  /// Runs one bar; returns the plotted values.
  std::array<double, kPlots> step(const Bar& bar);

private:
  NativeSma sma_;
};

/// R5: sma(close, 20), ema(close, 50), rsi(close, 14), atr(14) and the
/// histogram of macd(close, 12, 26, 9), in the plot order of
/// bench/scripts/r5_five_indicators.pine.
class NativeR5 {
public:
  static constexpr std::size_t kPlots = 5;
  NativeR5();
  /// Runs one bar; returns the plotted values.
  std::array<double, kPlots> step(const Bar& bar);

private:
  NativeSma sma_;
  NativeAverage ema_;
  NativeRsi rsi_;
  NativeAtr atr_;
  NativeAverage macd_fast_;
  NativeAverage macd_slow_;
  NativeAverage macd_signal_;
};

} // namespace pine::bench
