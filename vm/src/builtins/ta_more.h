// The rest of Pine's ta.* library: one state struct per function, with the
// conventions of ta.h (na handling, warm-up, lengths, save/load).
//
// Two window models (spec 5.2):
//  * "na ignored" functions (vwma, hma, cci, dev, cmo, cog, median, mode,
//    range, highestbars, lowestbars, stoch, wpr, bb, bbw, kc, kcw,
//    correlation, mfi, tsi, rising, falling, pivots) return na on an na
//    source and leave their state untouched: their windows are the last
//    `length` non-na values. vwma (source and volume) and stoch skip a bar
//    on which any input is na, so their windows stay aligned; correlation
//    follows TradingView's five independent sums instead (see Correlation).
//  * "na included" functions (mom, roc, swma, alma, linreg, percentrank,
//    percentile_linear_interpolation, percentile_nearest_rank, rci) keep the
//    raw inputs of every call: an na inside the window makes the result na.
// Derived data (sorted buffers, monotonic deques, cached weights) is never
// archived: load() rebuilds it from the archived raw window, which also
// removes any way to load an inconsistent copy.
#pragma once

#include <cstdint>
#include <vector>

#include "builtins/ta.h"

namespace pine::ta {

/// Pine's float comparison tolerance (spec 8 #2): the builtins that PyneCore
/// measured to compare tolerantly (rising, falling, cmo, mfi, correlation,
/// percentrank, rci) use it; the others compare exactly.
inline constexpr double kEpsilon = 1e-10;

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

/// ta.roc(src, length): 100 * (src - src[length]) / src[length] over the raw
/// inputs (na propagates).
struct Roc {
  /// Advances with `src`; na until `length` earlier inputs exist.
  double step(double src, std::int64_t length);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  detail::Ring<double> hist_;
};

/// ta.barssince(cond): 0 on a bar where cond is true, +1 per later call,
/// na (kIntNa) before the first true.
struct BarsSince {
  /// Advances with `cond`.
  std::int64_t step(bool cond);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  std::int64_t count_ = -1; // -1: never true yet
};

/// ta.valuewhen(cond, src, occurrence) for float (T = double) and int
/// (T = std::int64_t) sources: src on the occurrence-th most recent call on
/// which cond was true (0 = the latest, possibly this one). An na src on a
/// true bar is recorded as na (PyneCore's measurement).
template <class T>
struct ValueWhen {
  /// Records `src` when `cond`; returns the occurrence, or na when fewer
  /// true calls happened. `occurrence` must be in [0, kMaxLength).
  T step(bool cond, T src, std::int64_t occurrence);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  detail::Ring<T> hits_;
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

/// ta.dev(src, length): mean absolute deviation of the window from its sma,
/// summed newest first (TradingView's order). Also the state of ta.cci.
struct Dev {
  struct Result {
    double mean;
    double dev;
  };
  /// Advances with `src`; both parts na during warm-up or on an na source.
  Result step(double src, std::int64_t length);
  /// ta.cci: (src - sma) / (0.015 * dev).
  double step_cci(double src, std::int64_t length);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  Sma mean_;
  detail::Ring<double> win_;
};

/// ta.cmo(src, length): 100*(up - down)/(up + down) with up/down the
/// math.sum of the positive/negative one-bar changes (a change above
/// -1e-10 counts as up, PyneCore's measurement); na when both sums are 0.
struct Cmo {
  /// Advances with `src`.
  double step(double src, std::int64_t length);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  Change change_;
  Sum up_;
  Sum down_;
};

/// ta.mfi(src, length): money flow index over volume*src, with TradingView's
/// tolerant direction test and its lower == 0 => 100 rule (PyneCore).
struct Mfi {
  /// Advances with the source and the bar's volume.
  double step(double src, double volume, std::int64_t length);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  double prev_ = kFloatNa; // previous non-na source
  Sum upper_;
  Sum lower_;
};

/// ta.tsi(src, short, long) = ema(ema(m, long), short) /
/// ema(ema(|m|, long), short), m the change between consecutive non-na values.
struct Tsi {
  /// Advances with `src`.
  double step(double src, std::int64_t short_len, std::int64_t long_len);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  double prev_ = kFloatNa;
  Ema num1_, num2_, den1_, den2_;
};

/// ta.cog(src, length): -sum(src[i]*(i+1)) / math.sum(src, length) over the
/// compacted window (the RM's definition).
struct Cog {
  /// Advances with `src`.
  double step(double src, std::int64_t length);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  Sum sum_;
  detail::Ring<double> win_;
};

/// ta.median(src, length) (Mode = false) and ta.mode (Mode = true) over the
/// compacted window, with a sorted copy of the window kept up to date
/// (O(log n) search plus an O(n) shift per bar). Median of an even count is
/// the mean of the two middle values; mode ties go to the smallest value.
template <bool kMode>
struct OrderStat {
  /// Advances with `src`.
  double step(double src, std::int64_t length);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  /// Rebuilds the sorted copy from the last `len_` retained values.
  void rebuild();
  detail::Ring<double> hist_;
  std::vector<double> sorted_; // the window's values, ascending; not archived
  std::int64_t len_ = 0;
};
using Median = OrderStat<false>;
using Mode = OrderStat<true>;

/// ta.range(src, length) = highest - lowest of the compacted window.
struct Range {
  /// Advances with `src`.
  double step(double src, std::int64_t length);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  Highest hi_;
  Lowest lo_;
};

/// ta.highestbars / ta.lowestbars: the offset (<= 0) of the window's extreme,
/// counted in values of the compacted window; ties go to the oldest.
template <bool Max>
struct ExtremeBars {
  /// Advances with `src`; kIntNa during warm-up or on an na source.
  std::int64_t step(double src, std::int64_t length);
  /// Writes the state, version first.
  void save(archive::Out& ar) const { ext_.save(ar); }
  /// Reads what save() wrote.
  void load(archive::In& ar) { ext_.load(ar); }

private:
  Extreme<Max> ext_;
};

/// ta.rising (Up = true) / ta.falling: true when the source rose (fell) by
/// more than 1e-10 on each of the last `length` steps between consecutive
/// non-na values (PyneCore's measured counter; spec 8 #4).
template <bool Up>
struct Trend {
  /// Advances with `src`; false on an na source (state untouched).
  bool step(double src, std::int64_t length);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  double prev_ = kFloatNa;
  std::int64_t run_ = 0; // consecutive qualifying steps
};

/// ta.max / ta.min: all-time extreme of the non-na values seen (the standing
/// value on an na bar; na before the first non-na value).
template <bool Max>
struct AllTime {
  /// Advances with `src`.
  double step(double src);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  double best_ = kFloatNa;
};

/// ta.stoch(src, high, low, length) = 100*(src - lowest(low)) /
/// (highest(high) - lowest(low)); bars with any na input are skipped.
struct Stoch {
  /// Advances with the three sources.
  double step(double src, double high, double low, std::int64_t length);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  Highest hi_;
  Lowest lo_;
};

/// ta.wpr(length) = 100*(close - highest(high)) / (highest(high) - lowest(low)).
struct Wpr {
  /// Advances with the bar's high, low and close.
  double step(double high, double low, double close, std::int64_t length);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  Highest hi_;
  Lowest lo_;
};

/// ta.bb(src, length, mult) = [sma, sma + mult*stdev, sma - mult*stdev]
/// (biased stdev); also ta.bbw = 100*(upper - lower)/basis.
struct Bb {
  struct Result {
    double basis;
    double upper;
    double lower;
  };
  /// Advances with `src`.
  Result step(double src, std::int64_t length, double mult);
  /// ta.bbw from the same bands.
  double step_width(double src, std::int64_t length, double mult);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  Sma basis_;
  Stdev dev_;
};

/// ta.kc(src, length, mult, useTrueRange) = [ema(src), ema + ema(span)*mult,
/// ema - ema(span)*mult], span = ta.tr or high - low; also ta.kcw =
/// (upper - lower)/basis.
struct Kc {
  /// Advances with the source and the bar's high, low and close.
  Bb::Result step(double src, std::int64_t length, double mult, bool use_tr, double high, double low, double close);
  /// ta.kcw from the same channel.
  double step_width(double src, std::int64_t length, double mult, bool use_tr, double high, double low,
                    double close);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  Ema basis_;
  Ema range_;
  Tr tr_;
};

/// ta.correlation(a, b, length): Pearson correlation from five math.sum
/// machines (TradingView's law measured by PyneCore): |cov| <= 1e-10 gives 0,
/// a zero variance gives na. Each sum skips only its own na inputs (see
/// ta_bands.cpp), so the result is na on a bar where either source is na.
struct Correlation {
  /// Advances with both sources.
  double step(double a, double b, std::int64_t length);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  Sum sx_, sy_, sxy_, sxx_, syy_;
};

} // namespace pine::ta
