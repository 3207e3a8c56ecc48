// Oscillators and momentum: ta.rsi, ta.macd, ta.roc, ta.cmo, ta.mfi, ta.tsi,
// ta.cog, ta.stoch and ta.wpr.
// One state struct per function, with the conventions of ta_core.h, and
// each function's typed handler TaStep<StateKind::K> (see ta_step.h).
#pragma once

#include <array>
#include <cstdint>

#include "builtins/ta_core.h"
#include "builtins/ta_events.h"
#include "builtins/ta_extremes.h"
#include "builtins/ta_moving_averages.h"
#include "builtins/ta_step.h"

namespace pine::ta {

/// ta.rsi(src, length): 100 - 100/(1 + rma(up)/rma(down)) where up/down are
/// the positive/negative parts of the change from the previous non-na value.
struct Rsi {
  /// Advances with `src`; na on the first non-na value (no change yet), during
  /// the rma warm-up, and when both averages are 0 (0/0). rma(down) == 0 with
  /// rma(up) > 0 gives 100 (IEEE), rma(up) == 0 with rma(down) > 0 gives 0.
  double step(double src, std::int64_t length);
  /// Writes the state, version first (see kStateVersion).
  void save(archive::Out& ar) const;
  /// Reads and validates the state written by save().
  void load(archive::In& ar);

private:
  double prev_ = kFloatNa; // previous non-na source
  Rma up_;
  Rma down_;
};

/// ta.macd(src, fast, slow, signal).
struct Macd {
  struct Result {
    double macd;
    double signal;
    double hist;
  };
  /// macd = ema(src, fast) - ema(src, slow); signal = ema(macd, signal);
  /// hist = macd - signal. Each part is na until its emas are seeded.
  Result step(double src, std::int64_t fast, std::int64_t slow, std::int64_t signal);
  /// Writes the state, version first (see kStateVersion).
  void save(archive::Out& ar) const;
  /// Reads and validates the state written by save().
  void load(archive::In& ar);

private:
  Ema fast_;
  Ema slow_;
  Ema signal_;
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

// ---------------------------------------------------------------- handlers

template <> struct TaStep<StateKind::RSI> : SourceLengthStep<Rsi> {};

template <> struct TaStep<StateKind::ROC> : SourceLengthStep<Roc> {};

template <> struct TaStep<StateKind::CMO> : SourceLengthStep<Cmo> {};

template <> struct TaStep<StateKind::COG> : SourceLengthStep<Cog> {};

template <> struct TaStep<StateKind::MACD> {
  static std::array<double, 3> run(Macd& s, double source, Length fast, Length slow, Length signal) {
    const Macd::Result m = s.step(source, fast.value, slow.value, signal.value);
    return {m.macd, m.signal, m.hist};
  }
};

template <> struct TaStep<StateKind::MFI> {
  static double run(Mfi& s, const BarView& bar, double source, Length length) {
    return s.step(source, bar.volume(), length.value);
  }
};

template <> struct TaStep<StateKind::TSI> {
  static double run(Tsi& s, double source, Length short_length, Length long_length) {
    return s.step(source, short_length.value, long_length.value);
  }
};

template <> struct TaStep<StateKind::STOCH> {
  static double run(Stoch& s, double source, double high, double low, Length length) {
    return s.step(source, high, low, length.value);
  }
};

template <> struct TaStep<StateKind::WPR> {
  static double run(Wpr& s, const BarView& bar, Length length) {
    return s.step(bar.high(), bar.low(), bar.close(), length.value);
  }
};

} // namespace pine::ta
