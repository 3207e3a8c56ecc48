// Extremes over windows and over all bars: ta.highest, ta.lowest, ta.range,
// ta.highestbars, ta.lowestbars, ta.max and ta.min.
// One state struct per function, with the conventions of ta_core.h, and
// each function's typed handler TaStep<StateKind::K> (see ta_step.h).
#pragma once

#include <cstdint>

#include "builtins/ta_core.h"
#include "builtins/ta_step.h"

namespace pine::ta {

/// ta.highest(src, length) (Max = true) and ta.lowest (Max = false): extreme
/// of the last `length` non-na values (see detail::ExtremeWindow).
template <bool Max>
class Extreme {
public:
  /// Advances with `src`; na during warm-up and on na sources.
  double step(double src, std::int64_t length);
  /// Retains at least `n` values (see Sma::reserve).
  void reserve(std::int64_t n) { if (valid_length(n)) win_.reserve(static_cast<std::size_t>(n)); }
  /// How many values back the current extreme is (0 = the newest; the oldest
  /// of equal extremes wins, TradingView's ta.highestbars tie rule). Only
  /// meaningful right after a step() that returned a value.
  std::int64_t offset() const { return win_.offset(); }
  /// Writes the state, version first (see kStateVersion).
  void save(archive::Out& ar) const;
  /// Reads and validates the state written by save().
  void load(archive::In& ar);

private:
  detail::ExtremeWindow<Max, false> win_;
};

using Highest = Extreme<true>;
using Lowest = Extreme<false>;
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

// ---------------------------------------------------------------- handlers

template <> struct TaStep<StateKind::HIGHEST> : SourceLengthStep<Highest> {};

template <> struct TaStep<StateKind::LOWEST> : SourceLengthStep<Lowest> {};

template <> struct TaStep<StateKind::RANGE> : SourceLengthStep<Range> {};

template <> struct TaStep<StateKind::HIGHESTBARS> : SourceLengthStep<ExtremeBars<true>> {};

template <> struct TaStep<StateKind::LOWESTBARS> : SourceLengthStep<ExtremeBars<false>> {};

template <> struct TaStep<StateKind::HIGHESTBARS_H> {
  static std::int64_t run(ExtremeBars<true>& s, const BarView& bar, Length length) {
    return s.step(bar.high(), length.value);
  }
};

template <> struct TaStep<StateKind::LOWESTBARS_L> {
  static std::int64_t run(ExtremeBars<false>& s, const BarView& bar, Length length) {
    return s.step(bar.low(), length.value);
  }
};

template <> struct TaStep<StateKind::MAX> {
  static double run(AllTime<true>& s, double source) { return s.step(source); }
};

template <> struct TaStep<StateKind::MIN> {
  static double run(AllTime<false>& s, double source) { return s.step(source); }
};

} // namespace pine::ta
