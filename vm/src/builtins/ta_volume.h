// Volume indicators: ta.vwap and the volume variables ta.obv, ta.accdist,
// ta.nvi, ta.pvi, ta.pvt, ta.wad, ta.iii and ta.wvad.
// One state struct per function, with the conventions of ta_core.h, and
// each function's typed handler TaStep<StateKind::K> (see ta_step.h).
#pragma once

#include <array>
#include <cstdint>

#include "builtins/ta_core.h"
#include "builtins/ta_moving_averages.h"
#include "builtins/ta_step.h"

namespace pine::ta {

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

// ---------------------------------------------------------------- handlers

template <> struct TaStep<StateKind::VWAP> {
  static double run(Vwap& s, const BarView& bar, double source) {
    return s.step(source, s.day_anchor(bar.time()), bar.volume(), 0.0).vwap;
  }
};

template <> struct TaStep<StateKind::VWAP_ANCHOR> {
  static double run(Vwap& s, const BarView& bar, double source, bool anchor) {
    return s.step(source, anchor, bar.volume(), 0.0).vwap;
  }
};

template <> struct TaStep<StateKind::VWAP_BANDS> {
  static std::array<double, 3> run(Vwap& s, const BarView& bar, double source, bool anchor, double stdev_mult) {
    const Vwap::Result v = s.step(source, anchor, bar.volume(), stdev_mult);
    return {v.vwap, v.upper, v.lower};
  }
};

template <> struct TaStep<StateKind::OBV> {
  static double run(VolumeVars& s, const BarView& bar) { return s.obv(bar.close(), bar.volume()); }
};

template <> struct TaStep<StateKind::ACCDIST> {
  static double run(VolumeVars& s, const BarView& bar) { return s.accdist(bar.high(), bar.low(), bar.close(), bar.volume()); }
};

template <> struct TaStep<StateKind::NVI> {
  static double run(VolumeVars& s, const BarView& bar) { return s.nvi(bar.close(), bar.volume()); }
};

template <> struct TaStep<StateKind::PVI> {
  static double run(VolumeVars& s, const BarView& bar) { return s.pvi(bar.close(), bar.volume()); }
};

template <> struct TaStep<StateKind::PVT> {
  static double run(VolumeVars& s, const BarView& bar) { return s.pvt(bar.close(), bar.volume()); }
};

template <> struct TaStep<StateKind::WAD> {
  static double run(VolumeVars& s, const BarView& bar) { return s.wad(bar.high(), bar.low(), bar.close()); }
};

template <> struct TaStep<StateKind::III> {
  static double run(NoState&, const BarView& bar) {
    return (2.0 * bar.close() - bar.high() - bar.low()) / ((bar.high() - bar.low()) * bar.volume());
  }
};

template <> struct TaStep<StateKind::WVAD> {
  static double run(NoState&, const BarView& bar) {
    return (bar.close() - bar.open()) / (bar.high() - bar.low()) * bar.volume();
  }
};

} // namespace pine::ta
