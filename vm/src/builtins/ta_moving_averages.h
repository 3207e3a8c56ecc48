// Moving averages and running sums: ta.sma, ta.ema, ta.rma, ta.wma, ta.vwma,
// ta.swma, ta.hma, ta.alma, ta.linreg, ta.cum and math.sum.
// One state struct per function, with the conventions of ta_core.h, and
// each function's typed handler TaStep<StateKind::K> (see ta_step.h).
#pragma once

#include <cstdint>

#include "builtins/ta_core.h"
#include "builtins/ta_step.h"

namespace pine::ta {

/// ta.sma(src, length): mean of the last `length` non-na values.
struct Sma {
  /// Advances with `src` and returns the average, na during warm-up.
  double step(double src, std::int64_t length);
  /// Retains at least `n` values so that a later larger length loses nothing.
  void reserve(std::int64_t n) { if (valid_length(n)) w_.reserve(n); }
  /// Writes the state, version first (see kStateVersion).
  void save(archive::Out& ar) const;
  /// Reads and validates the state written by save().
  void load(archive::In& ar);

private:
  detail::WindowSums<false> w_;
};

/// math.sum(src, length): sum of the last `length` non-na values.
struct Sum {
  /// Advances with `src` and returns the window sum, na during warm-up.
  double step(double src, std::int64_t length);
  /// Retains at least `n` values (see Sma::reserve).
  void reserve(std::int64_t n) { if (valid_length(n)) w_.reserve(n); }
  /// Writes the state, version first (see kStateVersion).
  void save(archive::Out& ar) const;
  /// Reads and validates the state written by save().
  void load(archive::In& ar);

private:
  detail::WindowSums<false> w_;
};

/// ta.ema(src, length): alpha = 2/(length+1), seeded with ta.sma(src,
/// length) on the bar where that sma is first defined (the SMA of the first
/// `length` non-na values), then prev + alpha*(src - prev).
struct Ema {
  /// Advances with `src`; na until `length` non-na values have been seen.
  double step(double src, std::int64_t length);
  /// Writes the state, version first (see kStateVersion).
  void save(archive::Out& ar) const;
  /// Reads and validates the state written by save().
  void load(archive::In& ar);

private:
  detail::WindowSums<false> seed_; // the seeding sma; released once seeded
  double value_ = kFloatNa;        // the average; na until seeded
};

/// ta.rma(src, length): Wilder's average, seeded like Ema, then
/// (prev*(length-1) + src)/length.
struct Rma {
  /// Advances with `src`; na until `length` non-na values have been seen.
  double step(double src, std::int64_t length);
  /// Writes the state, version first (see kStateVersion).
  void save(archive::Out& ar) const;
  /// Reads and validates the state written by save().
  void load(archive::In& ar);

private:
  detail::WindowSums<false> seed_;
  double value_ = kFloatNa;
};

// Ema::step and Rma::step are defined here, not in the .cpp, so that the
// indicators built on them in other families (rsi, macd, atr, tsi, kc, dmi)
// inline them: a call per bar each would cost a tenth of R5's bar.
namespace detail {

// The warm-up shared by ema and rma: the seed is ta.sma(src, length) on the
// first bar it is defined (the same machine as Sma, so the seed equals the
// sma plotted on that bar bit for bit). The seeding window is released once
// seeded. Returns the seed, or na while warming up. If the length changes
// during the warm-up, the sma follows it (see WindowSums::push).
inline double seed_step(detail::WindowSums<false>& seed, double src, std::int64_t length) {
  seed.push(src, length);
  if (!seed.full(length)) return kFloatNa;
  const double v = seed.sum() / static_cast<double>(length);
  seed.release();
  return v;
}

} // namespace detail

// prev + alpha*(src - prev) with alpha = 2/(length+1): this exact form is
// TradingView's (Reference: ta.ema); length 1 returns src unchanged (alpha = 1
// in the formula could round prev + (src - prev) away from src).
inline double Ema::step(double src, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  if (is_na_float(src)) return kFloatNa;
  if (length == 1) return src;
  if (is_na_float(value_)) return value_ = detail::seed_step(seed_, src, length);
  const double alpha = 2.0 / static_cast<double>(length + 1);
  value_ = value_ + alpha * (src - value_);
  return value_;
}

// (prev*(length-1) + src)/length: TradingView's exact form (Reference:
// ta.rma), not an ema with alpha = 1/length, which rounds differently.
inline double Rma::step(double src, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  if (is_na_float(src)) return kFloatNa;
  if (length == 1) return src;
  if (is_na_float(value_)) return value_ = detail::seed_step(seed_, src, length);
  const auto n = static_cast<double>(length);
  value_ = (value_ * (n - 1.0) + src) / n;
  return value_;
}

/// ta.wma(src, length): weights length..1 from the newest value to the oldest
/// over the last `length` non-na values, divided by the sum of the weights.
struct Wma {
  /// Advances with `src`; O(length) per bar (a fresh oldest-first sum, which
  /// is TradingView's own arithmetic; a rolling update rounds differently).
  double step(double src, std::int64_t length);
  /// Retains at least `n` values (see Sma::reserve).
  void reserve(std::int64_t n) { if (valid_length(n)) hist_.reserve(static_cast<std::size_t>(n)); }
  /// Writes the state, version first (see kStateVersion).
  void save(archive::Out& ar) const;
  /// Reads and validates the state written by save().
  void load(archive::In& ar);

private:
  detail::Ring<double> hist_;
};

/// ta.cum(src): running total of the non-na values (plain addition, as the
/// RM's `var` accumulator does); na on an na bar, 0-based.
struct Cum {
  /// Adds `src` unless na; returns the total, or na for an na `src`.
  double step(double src);
  /// The running total (0 before any value).
  double total() const { return total_; }
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  double total_ = 0.0;
};

/// ta.vwma(src, length) = sma(src*volume, length) / sma(volume, length),
/// skipping bars where src or volume is na.
struct Vwma {
  /// Advances with the source and the bar's volume.
  double step(double src, double volume, std::int64_t length);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  Sma pv_;
  Sma v_;
};

/// ta.swma(src): (src + 2*src[1] + 2*src[2] + src[3]) / 6 over the raw inputs.
struct Swma {
  /// Advances with `src`; na until 4 inputs exist or when one of them is na.
  double step(double src);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  detail::Ring<double> hist_;
};

/// ta.hma(src, length) = wma(2*wma(src, length/2) - wma(src, length),
/// floor(sqrt(length))). length/2 is raised to 1 for length 1.
struct Hma {
  /// Advances with `src`.
  double step(double src, std::int64_t length);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  Wma half_;
  Wma full_;
  Wma out_;
};

/// ta.alma(src, length, offset, sigma, floor): Gaussian weights
/// exp(-(i-m)^2 / (2 s^2)), i = 0 for the oldest value, m = offset*(length-1)
/// (floored when `floor`), s = length/sigma, over the raw inputs.
struct Alma {
  /// Advances with `src`; na until `length` inputs exist or with an na inside.
  double step(double src, std::int64_t length, double offset, double sigma, bool floor);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  detail::Ring<double> hist_;
  std::vector<double> weights_; // newest first; a cache, not archived
  double norm_ = 0.0;
  std::int64_t w_len_ = 0; // parameters the cache was built for (0: none)
  double w_offset_ = 0.0;
  double w_sigma_ = 0.0;
  bool w_floor_ = false;
};

/// ta.linreg(src, length, offset): least squares line over the last
/// `length` raw inputs (x = 1..length from the oldest), evaluated at
/// length - 1 - offset with TradingView's operation order (PyneCore).
struct Linreg {
  /// Advances with `src`; na until `length` inputs exist or with an na inside.
  double step(double src, std::int64_t length, std::int64_t offset);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  detail::Ring<double> hist_;
};

// ---------------------------------------------------------------- handlers

template <> struct TaStep<StateKind::SMA> : SourceLengthStep<Sma> {};

template <> struct TaStep<StateKind::EMA> : SourceLengthStep<Ema> {};

template <> struct TaStep<StateKind::RMA> : SourceLengthStep<Rma> {};

template <> struct TaStep<StateKind::WMA> : SourceLengthStep<Wma> {};

template <> struct TaStep<StateKind::SUM> : SourceLengthStep<Sum> {};

template <> struct TaStep<StateKind::HMA> : SourceLengthStep<Hma> {};

template <> struct TaStep<StateKind::CUM> {
  static double run(Cum& s, double source) { return s.step(source); }
};

template <> struct TaStep<StateKind::VWMA> {
  static double run(Vwma& s, const BarView& bar, double source, Length length) {
    return s.step(source, bar.volume(), length.value);
  }
};

template <> struct TaStep<StateKind::SWMA> {
  static double run(Swma& s, double source) { return s.step(source); }
};

template <> struct TaStep<StateKind::ALMA> {
  static double run(Alma& s, double source, Length length, double offset, double sigma, bool floor) {
    return s.step(source, length.value, offset, sigma, floor);
  }
};

template <> struct TaStep<StateKind::LINREG> {
  static double run(Linreg& s, double source, Length length, std::int64_t offset) {
    return s.step(source, length.value, offset);
  }
};

} // namespace pine::ta
