// ta.* builtins, part three: ranks and percentiles, pivots, trend systems
// (supertrend, dmi, sar), vwap and the volume variables. Conventions as in
// ta.h and ta_more.h.
#pragma once

#include <cstdint>
#include <vector>

#include "builtins/ta_more.h"

namespace pine::ta {

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

/// ta.pivothigh (Max = true) / ta.pivotlow: src[right] when it is the strict
/// extreme of the `left + right + 1` last non-na values, with equal values
/// allowed on its left only (PyneCore's measurement); na otherwise. The
/// window's deque keeps the newest of equal extremes at its front (see
/// detail::ExtremeWindow).
template <bool Max>
struct Pivot {
  /// Advances with `src`.
  double step(double src, std::int64_t left, std::int64_t right);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  detail::ExtremeWindow<Max, true> win_;
};
using PivotHigh = Pivot<true>;
using PivotLow = Pivot<false>;

/// ta.supertrend(factor, atrPeriod): the RM's reference Pine code run
/// literally (bands ratcheted with nz() of the previous bands, direction 1 =
/// down, -1 = up), including its bar-0 value 0 (TradingView's export agrees).
struct Supertrend {
  struct Result {
    double line;
    std::int64_t direction;
  };
  /// Advances with the bar's hl2, high, low and close.
  Result step(double factor, std::int64_t period, double hl2, double high, double low, double close);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  Atr atr_;
  double prev_lower_ = kFloatNa;
  double prev_upper_ = kFloatNa;
  double prev_close_ = kFloatNa;
  double prev_atr_ = kFloatNa;
  double prev_line_ = kFloatNa;
};

/// ta.dmi(diLength, adxSmoothing) = [+DI, -DI, ADX] (TradingView's reference
/// code: tolerant +DM/-DM selection, rma over ta.tr).
struct Dmi {
  struct Result {
    double plus;
    double minus;
    double adx;
  };
  /// Advances with the bar's high, low and close.
  Result step(std::int64_t di_len, std::int64_t adx_len, double high, double low, double close);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  Change up_;
  Change down_;
  Tr tr_;
  Rma tr_rma_, plus_rma_, minus_rma_, adx_rma_;
};

/// ta.sar(start, inc, max): the RM's reference Pine code (initialised on the
/// second call, clamped to the previous two bars' lows or highs).
struct Sar {
  /// Advances with the bar's high, low and close.
  double step(double start, double inc, double max, double high, double low, double close);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  double result_ = kFloatNa;
  double max_min_ = kFloatNa;
  double accel_ = kFloatNa;
  bool below_ = false;
  std::uint64_t calls_ = 0; // saturating at 2: only 0, 1 and "more" matter
  double h1_ = kFloatNa, h2_ = kFloatNa, l1_ = kFloatNa, l2_ = kFloatNa, c1_ = kFloatNa;
};

/// ta.vwap: sum(src*volume)/sum(volume) since the last anchor, and the
/// standard-deviation bands sqrt(max(0, sum(src^2*volume)/sum(volume) -
/// vwap^2)) * mult. Bars with an na source or volume do not accumulate and
/// return na. Before the first anchor the result is na.
struct Vwap {
  struct Result {
    double vwap;
    double upper;
    double lower;
  };
  /// Advances; `anchor` true restarts the sums on this bar.
  Result step(double src, bool anchor, double volume, double mult);
  /// The anchor of the one-argument form: a new UTC day of `time_ms` (and
  /// the first call). Updates the remembered day.
  bool day_anchor(std::int64_t time_ms);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  double sum_v_ = 0.0;
  double sum_pv_ = 0.0;
  double sum_ppv_ = 0.0;
  bool anchored_ = false;
  std::int64_t day_ = kIntNa; // UTC day number of the previous call (default anchor)
};

/// The volume-based built-in variables; each kind reads the bar from the
/// main frame. Formulas are TradingView's as PyneCore measured them on the
/// exports in tests/data/tradingview (accdist+pvi+pvt+wad+wvad.csv,
/// iii+nvi+obv.csv).
struct VolumeVars {
  /// ta.obv = cum(sign(change(close)) * volume).
  double obv(double close, double volume);
  /// ta.accdist = running sum of ((close-low) - (high-close))/(high-low) *
  /// volume, skipping bars where that is na (so it starts at 0, not na).
  double accdist(double high, double low, double close, double volume);
  /// ta.nvi: starts at 1; moves by the close's relative change on bars whose
  /// volume fell.
  double nvi(double close, double volume);
  /// ta.pvi: starts at 1; moves on bars whose volume rose.
  double pvi(double close, double volume);
  /// ta.pvt = cum((close - close[1]) / close[1] * volume).
  double pvt(double close, double volume);
  /// ta.wad: cum of close minus the true low (up bars) or the true high
  /// (down bars), 0 on unchanged bars.
  double wad(double high, double low, double close);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  /// One nvi/pvi step: applies the close's relative change when `moves`.
  double volume_index(bool moves, double close, double volume);

  double prev_close_ = kFloatNa; // close of the previous call
  double prev_volume_ = kFloatNa;
  double index_ = 1.0; // nvi or pvi
  Cum cum_;
};

/// ta.iii and ta.wvad are per-bar formulas; they still own a call site
/// (they are lowered like the other variables), but no state.
struct NoState {
  /// Writes the version only.
  void save(archive::Out& ar) const { ar(kStateVersion); }
  /// Reads what save() wrote.
  void load(archive::In& ar) { detail::load_version(ar); }
};

} // namespace pine::ta
