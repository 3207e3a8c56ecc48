// Volatility and bands: ta.tr, ta.atr, ta.bb, ta.bbw, ta.kc and ta.kcw.
// One state struct per function, with the conventions of ta_core.h, and
// each function's typed handler TaStep<StateKind::K> (see ta_step.h).
#pragma once

#include <array>
#include <cstdint>

#include "builtins/ta_core.h"
#include "builtins/ta_moving_averages.h"
#include "builtins/ta_statistics.h"
#include "builtins/ta_step.h"

namespace pine::ta {

/// ta.tr(handle_na): true range, max(high-low, |high-prev close|, |low-prev
/// close|). The previous close is the close given to the previous step() of
/// this call site (close[1] when it is called on every bar).
struct Tr {
  /// Advances; when the previous close is na the result is high-low if
  /// handle_na, else na. An na high or low gives na.
  double step(double high, double low, double close, bool handle_na);
  /// Writes the state, version first (see kStateVersion).
  void save(archive::Out& ar) const;
  /// Reads and validates the state written by save().
  void load(archive::In& ar);

private:
  double prev_close_ = kFloatNa;
};

/// ta.atr(length): rma(tr(true), length).
struct Atr {
  /// Advances with the bar's high, low and close.
  double step(double high, double low, double close, std::int64_t length);
  /// Writes the state, version first (see kStateVersion).
  void save(archive::Out& ar) const;
  /// Reads and validates the state written by save().
  void load(archive::In& ar);

private:
  Tr tr_;
  Rma rma_;
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

// ---------------------------------------------------------------- handlers

template <> struct TaStep<StateKind::TR> {
  static double run(Tr& s, const BarView& bar, bool handle_na) {
    return s.step(bar.high(), bar.low(), bar.close(), handle_na);
  }
};

template <> struct TaStep<StateKind::ATR> {
  static double run(Atr& s, const BarView& bar, Length length) {
    return s.step(bar.high(), bar.low(), bar.close(), length.value);
  }
};

template <> struct TaStep<StateKind::BB> {
  static std::array<double, 3> run(Bb& s, double source, Length length, double mult) {
    const Bb::Result b = s.step(source, length.value, mult);
    return {b.basis, b.upper, b.lower};
  }
};

template <> struct TaStep<StateKind::BBW> {
  static double run(Bb& s, double source, Length length, double mult) { return s.step_width(source, length.value, mult); }
};

template <> struct TaStep<StateKind::KC> {
  static std::array<double, 3> run(Kc& s, const BarView& bar, double source, Length length, double mult,
                                   bool use_true_range) {
    const Bb::Result k = s.step(source, length.value, mult, use_true_range, bar.high(), bar.low(), bar.close());
    return {k.basis, k.upper, k.lower};
  }
};

template <> struct TaStep<StateKind::KCW> {
  static double run(Kc& s, const BarView& bar, double source, Length length, double mult, bool use_true_range) {
    return s.step_width(source, length.value, mult, use_true_range, bar.high(), bar.low(), bar.close());
  }
};

} // namespace pine::ta
