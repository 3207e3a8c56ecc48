// Volatility (vm/src/builtins/ta_volatility.h: tr, atr, bb, bbw, kc, kcw)
// and extremes (vm/src/builtins/ta_extremes.h: highest, lowest, range,
// highestbars, lowestbars, max, min) against the independent references of
// ta_reference.h, over fixed and series lengths, plus ties.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ta_state.h"
#include "vm/ta_reference.h"

using namespace pine::ta;
using namespace ta_ref;

TEST_CASE("volatility: tr and atr match references") {
  // tr(handle_na) with the close of the previous call; atr = rma(tr(true)).
  const Bars b = make_bars(kBars, 11);
  for (bool handle_na : {false, true}) {
    Tr tr;
    Series got;
    for (std::size_t t = 0; t < kBars; ++t) got.push_back(tr.step(b.high[t], b.low[t], b.close[t], handle_na));
    const Series ref = ref_tr(b, handle_na);
    compare(handle_na ? "tr(true)" : "tr(false)", got, ref, {.rel = 0.0});
    if (handle_na) {
      Atr atr;
      Series a;
      for (std::size_t t = 0; t < kBars; ++t) a.push_back(atr.step(b.high[t], b.low[t], b.close[t], 14));
      compare("atr (L=14)", a, ref_smoothed(ref, 14, true));
    }
  }
}

TEST_CASE("volatility: bb bbw kc kcw") {
  const Bars& b = bars();
  for (std::size_t n : {1u, 14u}) {
    const auto N = static_cast<std::int64_t>(n);
    Bb bb, bbw;
    Series gb, gu, gl, gbw;
    for (std::size_t t = 0; t < kBars; ++t) {
      const Bb::Result r = bb.step(b.close[t], N, 2.0);
      gb.push_back(r.basis);
      gu.push_back(r.upper);
      gl.push_back(r.lower);
      gbw.push_back(bbw.step_width(b.close[t], N, 1.5));
    }
    const auto band = [&](std::size_t t, double mult, int which) {
      const auto w = compact_window(b.close, t, n);
      if (w.empty()) return kNa;
      const LD m = ref_sma(w);
      const LD dev = std::sqrt(ref_var(w, true));
      if (which == 0) return static_cast<double>(m);
      // bbw subtracts the two bands as doubles (TradingView's order), which
      // cancels most of their digits: the reference rounds its exact bands
      // to double and subtracts them the same way.
      if (which == 3) {
        const double up = static_cast<double>(m + mult * dev), lo = static_cast<double>(m - mult * dev);
        return static_cast<double>((up - lo) / m * 100);
      }
      return static_cast<double>(which == 1 ? m + mult * dev : m - mult * dev);
    };
    compare("bb.basis", gb, each_bar([&](std::size_t t) { return band(t, 2.0, 0); }));
    compare("bb.upper", gu, each_bar([&](std::size_t t) { return band(t, 2.0, 1); }));
    compare("bb.lower", gl, each_bar([&](std::size_t t) { return band(t, 2.0, 2); }));
    // bbw is a width in percent built from TradingView's moment-form stdev,
    // which loses digits when the deviation is small next to the mean (here
    // ~2e-10 relative on the narrowest windows, where bbw is ~1.5): compared
    // relative to max(|bbw|, 10), i.e. 1e-9 absolute percentage points.
    compare("bbw", gbw, each_bar([&](std::size_t t) { return band(t, 1.5, 3); }), {.floor = 10.0});
  }

  // kc: ema basis; range ema over tr (na on bar 0 and after an na close) or
  // high - low.
  const Series tr = ref_tr(b, false);
  const Series hl = each_bar([&](std::size_t t) { return b.high[t] - b.low[t]; });
  for (bool use_tr : {true, false}) {
    Kc kc, kcw;
    Series gb, gu, gl, gw;
    for (std::size_t t = 0; t < kBars; ++t) {
      const Bb::Result r = kc.step(b.close[t], 20, 1.5, use_tr, b.high[t], b.low[t], b.close[t]);
      gb.push_back(r.basis);
      gu.push_back(r.upper);
      gl.push_back(r.lower);
      gw.push_back(kcw.step_width(b.close[t], 20, 1.5, use_tr, b.high[t], b.low[t], b.close[t]));
    }
    const Series basis = ref_smoothed(b.close, 20, false);
    const Series range = ref_smoothed(use_tr ? tr : hl, 20, false);
    const auto up = [&](std::size_t t) { return na(range[t]) || na(basis[t]) ? kNa : basis[t] + 1.5 * range[t]; };
    const auto lo = [&](std::size_t t) { return na(range[t]) || na(basis[t]) ? kNa : basis[t] - 1.5 * range[t]; };
    compare("kc.basis", gb, basis);
    compare("kc.upper", gu, each_bar(up));
    compare("kc.lower", gl, each_bar(lo));
    compare("kcw", gw, each_bar([&](std::size_t t) { return na(up(t)) ? kNa : 3.0 * range[t] / basis[t]; }));
  }
}

TEST_CASE("extremes: highest and lowest match a from-scratch reference (fixed lengths)") {
  const Bars b = make_bars(kBars, 42);
  for (std::int64_t L : {1, 2, 3, 14, 50, 200}) {
    const Lengths len = constant(L);
    const std::string tag = "(L=" + std::to_string(L) + ")";
    compare("highest " + tag, run<Highest>(b.close, len), ref_windowed(b.close, len, ref_max), {.rel = 0.0});
    compare("lowest " + tag, run<Lowest>(b.close, len), ref_windowed(b.close, len, ref_min), {.rel = 0.0});
  }
}

TEST_CASE("extremes: highest and lowest follow a length that changes between bars") {
  const Bars b = make_bars(kBars, 7);
  const Lengths len = make_lengths(kBars, 99, 60);
  compare("highest (series length)", run<Highest>(b.close, len), ref_windowed(b.close, len, ref_max), {.rel = 0.0});
  compare("lowest (series length)", run<Lowest>(b.close, len), ref_windowed(b.close, len, ref_min), {.rel = 0.0});

  SUBCASE("reserve() keeps enough history for every later length") {
    compare("highest (series length, reserved)", run<Highest>(b.close, len, 250),
            ref_windowed(b.close, len, ref_max, 250), {.rel = 0.0});
  }
}

TEST_CASE("extremes: range highestbars lowestbars max min") {
  const Bars& b = bars();
  for (std::size_t n : {1u, 2u, 7u, 20u}) {
    const auto N = static_cast<std::int64_t>(n);
    Range range;
    ExtremeBars<true> hb;
    ExtremeBars<false> lb;
    Series grange, ghb, glb;
    for (double x : b.close) {
      grange.push_back(range.step(x, N));
      const std::int64_t h = hb.step(x, N), l = lb.step(x, N);
      ghb.push_back(h == pine::kIntNa ? kNa : static_cast<double>(h));
      glb.push_back(l == pine::kIntNa ? kNa : static_cast<double>(l));
    }
    compare("range", grange, each_bar([&](std::size_t t) {
              const auto w = compact_window(b.close, t, n);
              if (w.empty()) return kNa;
              return static_cast<double>(ref_max(w) - ref_min(w));
            }));
    // Offsets in values of the compacted window; ties go to the oldest.
    const auto bars_of = [&](std::size_t t, bool hi) {
      const auto w = compact_window(b.close, t, n);
      if (w.empty()) return kNa;
      std::size_t best = 0;
      for (std::size_t i = 1; i < n; ++i)
        if (hi ? w[i] > w[best] : w[i] < w[best]) best = i;
      return -static_cast<double>(n - 1 - best);
    };
    compare("highestbars", ghb, each_bar([&](std::size_t t) { return bars_of(t, true); }), {.floor = 1.0});
    compare("lowestbars", glb, each_bar([&](std::size_t t) { return bars_of(t, false); }), {.floor = 1.0});
  }
  AllTime<true> mx;
  AllTime<false> mn;
  Series gmx, gmn;
  for (double x : b.close) {
    gmx.push_back(mx.step(x));
    gmn.push_back(mn.step(x));
  }
  const auto all_time = [&](std::size_t t, bool hi) {
    double best = kNa;
    for (std::size_t k = 0; k <= t; ++k)
      if (!na(b.close[k]) && (na(best) || (hi ? b.close[k] > best : b.close[k] < best))) best = b.close[k];
    return best;
  };
  compare("max", gmx, each_bar([&](std::size_t t) { return all_time(t, true); }));
  compare("min", gmn, each_bar([&](std::size_t t) { return all_time(t, false); }));
}

TEST_CASE("extremes: highest over a window with ties") {
  Highest h;
  for (double x : {3.0, 3.0, 1.0, 3.0, 2.0, 2.0, 2.0}) h.step(x, 3);
  CHECK(h.step(1.0, 3) == 2.0);
}
