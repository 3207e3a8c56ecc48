// Statistics of a window: ta.stdev, ta.variance, ta.dev, ta.cci, ta.median,
// ta.mode, ta.correlation, ta.percentrank, the two percentiles and ta.rci.
// One state struct per function, with the conventions of ta_core.h, and
// each function's typed handler TaStep<StateKind::K> (see ta_step.h).
#pragma once

#include <cstdint>

#include "builtins/ta_core.h"
#include "builtins/ta_moving_averages.h"
#include "builtins/ta_step.h"

namespace pine::ta {

/// ta.stdev(src, length, biased=true): standard deviation of the last
/// `length` non-na values.
struct Stdev {
  /// Advances with `src`; na during warm-up, and for biased=false with length 1.
  double step(double src, std::int64_t length, bool biased = true);
  /// The same window's variance (ta.variance shares this state struct).
  double step_variance(double src, std::int64_t length, bool biased = true);
  /// Retains at least `n` values (see Sma::reserve).
  void reserve(std::int64_t n) { if (valid_length(n)) w_.reserve(n); }
  /// Writes the state, version first (see kStateVersion).
  void save(archive::Out& ar) const;
  /// Reads and validates the state written by save().
  void load(archive::In& ar);

private:
  detail::WindowSums<true> w_;
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
/// ta.correlation(a, b, length): Pearson correlation from five math.sum
/// machines (TradingView's law measured by PyneCore): |cov| <= 1e-10 gives 0,
/// a zero variance gives na. Each sum skips only its own na inputs (see
/// ta_statistics.cpp), so the result is na on a bar where either source is na.
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

/// ta.percentrank(src, length): percentage of the previous `length` raw
/// inputs that are <= the current one (tolerant by 1e-10; an na among them
/// counts in the denominator only). na on an na source or during warm-up.
struct PercentRank {
  /// Advances with `src`.
  double step(double src, std::int64_t length);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  detail::Ring<double> hist_;
};

/// ta.percentile_linear_interpolation (kLinear = true) and
/// ta.percentile_nearest_rank over the last `length` raw inputs; na inputs
/// sort after every number (PyneCore's measurement of TradingView).
template <bool kLinear>
struct Percentile {
  /// Advances with `src`; `percentage` in [0, 100] (checked by the VM).
  double step(double src, std::int64_t length, double percentage);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  /// Rebuilds the sorted non-na copy of the last `len_` inputs.
  void rebuild();
  detail::Ring<double> hist_;
  std::vector<double> sorted_; // the window's non-na values, ascending; not archived
  std::int64_t len_ = 0;
};

using PercentileLinear = Percentile<true>;
using PercentileNearest = Percentile<false>;
/// ta.rci(src, length): Spearman rank correlation of the last `length` raw
/// inputs with time, in percent, with TradingView's tie grouping (values
/// within 1e-10 of a group's smallest member share its average rank) and
/// operation order (PyneCore). na until length + 1 inputs exist (measured).
struct Rci {
  /// Advances with `src`.
  double step(double src, std::int64_t length);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  detail::Ring<double> hist_;
  std::uint64_t seen_ = 0; // inputs so far (saturating at kMaxLength + 1)
  std::vector<double> values_, ranks_; // per-bar scratch, not archived
  std::vector<std::size_t> order_;     // per-bar scratch, not archived
};

// ---------------------------------------------------------------- handlers

template <> struct TaStep<StateKind::MEDIAN> : SourceLengthStep<Median> {};

template <> struct TaStep<StateKind::MODE> : SourceLengthStep<Mode> {};

template <> struct TaStep<StateKind::PERCENTRANK> : SourceLengthStep<PercentRank> {};

template <> struct TaStep<StateKind::RCI> : SourceLengthStep<Rci> {};

template <> struct TaStep<StateKind::STDEV> {
  static double run(Stdev& s, double source, Length length, bool biased) { return s.step(source, length.value, biased); }
};

template <> struct TaStep<StateKind::VARIANCE> {
  static double run(Stdev& s, double source, Length length, bool biased) {
    return s.step_variance(source, length.value, biased);
  }
};

template <> struct TaStep<StateKind::DEV> {
  static double run(Dev& s, double source, Length length) { return s.step(source, length.value).dev; }
};

template <> struct TaStep<StateKind::CCI> {
  static double run(Dev& s, double source, Length length) { return s.step_cci(source, length.value); }
};

template <> struct TaStep<StateKind::CORRELATION> {
  static double run(Correlation& s, double source1, double source2, Length length) {
    return s.step(source1, source2, length.value);
  }
};

/// The runtime error for a percentile outside [0, 100] (TradingView halts,
/// PyneCore measured); na is handled by the function itself.
const char* bad_percentage(double percentage);

template <> struct TaStep<StateKind::PERCENTILE_LINEAR> {
  static const char* check(double, Length, double percentage) { return bad_percentage(percentage); }
  static double run(PercentileLinear& s, double source, Length length, double percentage) {
    return s.step(source, length.value, percentage);
  }
};

template <> struct TaStep<StateKind::PERCENTILE_NEAREST> {
  static const char* check(double, Length, double percentage) { return bad_percentage(percentage); }
  static double run(PercentileNearest& s, double source, Length length, double percentage) {
    return s.step(source, length.value, percentage);
  }
};

} // namespace pine::ta
