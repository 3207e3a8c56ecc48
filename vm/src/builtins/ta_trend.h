// Trend systems and direction: ta.rising, ta.falling, ta.supertrend, ta.dmi
// and ta.sar.
// One state struct per function, with the conventions of ta_core.h, and
// each function's typed handler TaStep<StateKind::K> (see ta_step.h).
#pragma once

#include <array>
#include <cstdint>
#include <utility>

#include "builtins/ta_core.h"
#include "builtins/ta_events.h"
#include "builtins/ta_moving_averages.h"
#include "builtins/ta_step.h"
#include "builtins/ta_volatility.h"

namespace pine::ta {

/// ta.rising (Up = true) / ta.falling: true when the source rose (fell) by
/// more than 1e-10 on each of the last `length` steps between consecutive
/// non-na values (PyneCore's measured counter).
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

// ---------------------------------------------------------------- handlers

template <> struct TaStep<StateKind::RISING> : SourceLengthStep<Trend<true>> {};

template <> struct TaStep<StateKind::FALLING> : SourceLengthStep<Trend<false>> {};

template <> struct TaStep<StateKind::SUPERTREND> {
  static std::pair<double, std::int64_t> run(Supertrend& s, const BarView& bar, double factor, Length atr_period) {
    const Supertrend::Result r = s.step(factor, atr_period.value, bar.hl2(), bar.high(), bar.low(), bar.close());
    return {r.line, r.direction};
  }
};

template <> struct TaStep<StateKind::DMI> {
  static std::array<double, 3> run(Dmi& s, const BarView& bar, Length di_length, Length adx_smoothing) {
    const Dmi::Result d = s.step(di_length.value, adx_smoothing.value, bar.high(), bar.low(), bar.close());
    return {d.plus, d.minus, d.adx};
  }
};

template <> struct TaStep<StateKind::SAR> {
  static double run(Sar& s, const BarView& bar, double start, double inc, double max) {
    return s.step(start, inc, max, bar.high(), bar.low(), bar.close());
  }
};

} // namespace pine::ta
