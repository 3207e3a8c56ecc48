// Trend (vm/src/builtins/ta_trend.h: rising, falling, supertrend, dmi, sar)
// and events (vm/src/builtins/ta_events.h: change and mom, crossover,
// crossunder, cross, barssince, valuewhen) against the independent
// references of ta_reference.h, plus hand-worked cases of change, cross and
// valuewhen.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ta_state.h"
#include "vm/ta_reference.h"

using namespace pine::ta;
using namespace ta_ref;

TEST_CASE("trend: rising and falling") {
  const Bars& b = bars();
  for (std::size_t n : {1u, 2u, 7u, 20u}) {
    const auto N = static_cast<std::int64_t>(n);
    Trend<true> up;
    Trend<false> down;
    Series gup, gdown;
    for (double x : b.close) {
      gup.push_back(up.step(x, N) ? 1 : 0);
      gdown.push_back(down.step(x, N) ? 1 : 0);
    }
    // rising/falling: the last n steps of the compacted series all move by
    // more than 1e-10 (false on na bars).
    const auto trend = [&](std::size_t t, bool rise) {
      const auto w = compact_window(b.close, t, n + 1);
      if (w.empty()) return 0.0;
      for (std::size_t i = 1; i <= n; ++i)
        if (!((rise ? w[i] - w[i - 1] : w[i - 1] - w[i]) > 1e-10)) return 0.0;
      return 1.0;
    };
    compare("rising", gup, each_bar([&](std::size_t t) { return trend(t, true); }), {.floor = 1.0});
    compare("falling", gdown, each_bar([&](std::size_t t) { return trend(t, false); }), {.floor = 1.0});
  }
}

TEST_CASE("trend: supertrend dmi sar") {
  const Bars& b = bars();
  // supertrend: the RM's pine_supertrend written with series, over an atr
  // that is the sma-seeded Wilder average of tr(true).
  const Series atr = ref_smoothed(ref_tr(b, true), 10, true);
  Supertrend st;
  Series gl, gd, wl, wd;
  LD pu = kNa, plo = kNa, pst = kNa;
  for (std::size_t t = 0; t < kBars; ++t) {
    const Supertrend::Result r = st.step(3.0, 10, b.hl2[t], b.high[t], b.low[t], b.close[t]);
    gl.push_back(r.line);
    gd.push_back(static_cast<double>(r.direction));
    LD up = b.hl2[t] + 3.0L * atr[t], lo = b.hl2[t] - 3.0L * atr[t];
    const LD npu = std::isnan(pu) ? 0 : pu, npl = std::isnan(plo) ? 0 : plo;
    const double c1 = t == 0 ? kNa : b.close[t - 1];
    lo = (lo > npl || c1 < npl) ? lo : npl;
    up = (up < npu || c1 > npu) ? up : npu;
    int dir = 1;
    if (t > 0 && !na(atr[t - 1])) dir = pst == npu ? (b.close[t] > up ? -1 : 1) : (b.close[t] < lo ? 1 : -1);
    const LD line = dir == -1 ? lo : up;
    wl.push_back(static_cast<double>(line));
    wd.push_back(dir);
    pu = up;
    plo = lo;
    pst = line;
  }
  compare("supertrend", gl, wl);
  compare("supertrend direction", gd, wd, {.floor = 1.0});

  // dmi: +DM/-DM from the one-bar changes of high and low, Wilder averages
  // (sma seed) of them and of tr(false).
  const Series up = each_bar([&](std::size_t t) { return t == 0 ? kNa : b.high[t] - b.high[t - 1]; });
  const Series down = each_bar([&](std::size_t t) { return t == 0 ? kNa : b.low[t - 1] - b.low[t]; });
  const Series pdm = each_bar([&](std::size_t t) {
    return na(up[t]) || na(down[t]) ? kNa : (up[t] > down[t] + 1e-10 && up[t] > 1e-10 ? up[t] : 0.0);
  });
  const Series mdm = each_bar([&](std::size_t t) {
    return na(up[t]) || na(down[t]) ? kNa : (down[t] > up[t] + 1e-10 && down[t] > 1e-10 ? down[t] : 0.0);
  });
  const Series trr = ref_smoothed(ref_tr(b, false), 14, true);
  const Series pr = ref_smoothed(pdm, 14, true), mr = ref_smoothed(mdm, 14, true);
  const Series plus = each_bar([&](std::size_t t) { return na(trr[t]) || na(pr[t]) || na(mr[t]) ? kNa : 100 * pr[t] / trr[t]; });
  const Series minus = each_bar([&](std::size_t t) { return na(plus[t]) ? kNa : 100 * mr[t] / trr[t]; });
  const Series dx = each_bar([&](std::size_t t) {
    const double s = plus[t] + minus[t];
    return na(plus[t]) ? kNa : std::fabs(plus[t] - minus[t]) / (s != 0 ? s : 1);
  });
  const Series adx = ref_smoothed(dx, 14, true);
  Dmi dmi;
  Series gp, gm, ga;
  for (std::size_t t = 0; t < kBars; ++t) {
    const Dmi::Result r = dmi.step(14, 14, b.high[t], b.low[t], b.close[t]);
    gp.push_back(r.plus);
    gm.push_back(r.minus);
    ga.push_back(r.adx);
  }
  compare("dmi.plus", gp, plus, {.floor = 1.0});
  compare("dmi.minus", gm, minus, {.floor = 1.0});
  compare("dmi.adx", ga, each_bar([&](std::size_t t) { return na(adx[t]) ? kNa : 100 * adx[t]; }), {.floor = 1.0});

  // sar over bars without na highs/lows (it has no na rule of its own).
  Series h = b.high, l = b.low, c = b.close;
  for (std::size_t t = 0; t < kBars; ++t)
    if (na(h[t]) || na(c[t])) {
      h[t] = 100.0 + static_cast<double>(t % 7);
      l[t] = 99.0 - static_cast<double>(t % 5);
      c[t] = 99.5;
    }
  Sar sar;
  Series gs, ws(kBars, kNa);
  for (std::size_t t = 0; t < kBars; ++t) gs.push_back(sar.step(0.02, 0.02, 0.2, h[t], l[t], c[t]));
  LD result = 0, ep = 0, af = 0;
  bool below = false;
  for (std::size_t t = 1; t < kBars; ++t) {
    bool first = false;
    if (t == 1) {
      below = c[1] > c[0];
      ep = below ? h[1] : l[1];
      result = below ? l[0] : h[0];
      first = true;
      af = 0.02L;
    }
    result += af * (ep - result);
    if (below && result > l[t]) {
      first = true, below = false, result = std::max<LD>(h[t], ep), ep = l[t], af = 0.02L;
    } else if (!below && result < h[t]) {
      first = true, below = true, result = std::min<LD>(l[t], ep), ep = h[t], af = 0.02L;
    }
    if (!first && below && h[t] > ep) ep = h[t], af = std::min<LD>(af + 0.02L, 0.2L);
    if (!first && !below && l[t] < ep) ep = l[t], af = std::min<LD>(af + 0.02L, 0.2L);
    if (below) result = std::min<LD>({result, l[t - 1], t > 1 ? l[t - 2] : l[t - 1]});
    else result = std::max<LD>({result, h[t - 1], t > 1 ? h[t - 2] : h[t - 1]});
    ws[t] = static_cast<double>(result);
  }
  compare("sar", gs, ws);
}

TEST_CASE("events: change propagates na and follows series lengths") {
  const Bars b = make_bars(kBars, 13);
  for (bool series_len : {false, true}) {
    const Lengths len = series_len ? make_lengths(kBars, 17, 40) : constant(3);
    Series ref;
    std::size_t cap = 0, avail = 0;
    for (std::size_t t = 0; t < kBars; ++t) {
      const auto L = static_cast<std::size_t>(len[t]);
      cap = std::max(cap, L + 1);
      avail = std::min(avail + 1, cap);
      ref.push_back(avail <= L ? kNa : b.close[t] - b.close[t - L]);
    }
    compare(series_len ? "change (series length)" : "change (L=3)", run<Change>(b.close, len), ref,
            {.rel = 0.0, .floor = 1.0});
  }

  ChangeInt ci;
  CHECK(ci.step(5, 1) == pine::kIntNa);
  CHECK(ci.step(9, 1) == 4);
  CHECK(ci.step(pine::kIntNa, 1) == pine::kIntNa);
  CHECK(ci.step(1, 1) == pine::kIntNa);
  CHECK(ci.step(-2, 2) == pine::kIntNa);
  CHECK(ci.step(7, 2) == 6);

  ChangeBool cb;
  CHECK(cb.step(true, 1));   // history before the first call reads false
  CHECK(!cb.step(true, 1));
  CHECK(cb.step(false, 1));
  CHECK(!cb.step(true, 2));   // two calls ago was the second call's true: no change
}

TEST_CASE("events: crossover/crossunder/cross use the last bar where both sides were defined") {
  const Bars b = make_bars(kBars, 21);
  const Series fast = run<Ema>(b.close, constant(5));
  Series slow = run<Ema>(b.close, constant(13));
  for (std::size_t t = 0; t < kBars; t += 97) slow[t] = kNa;  // na on one side only
  Cross over, under, either;
  bool has_prev = false;
  double pa = 0, pb = 0;
  std::size_t overs = 0, unders = 0;
  for (std::size_t t = 0; t < kBars; ++t) {
    const double a = fast[t], c = slow[t];
    const bool defined = !std::isnan(a) && !std::isnan(c);
    const bool want_over = defined && has_prev && a > c && pa <= pb;
    const bool want_under = defined && has_prev && a < c && pa >= pb;
    CHECK(over.step_over(a, c) == want_over);
    CHECK(under.step_under(a, c) == want_under);
    CHECK(either.step_cross(a, c) == (want_over || want_under));
    overs += want_over;
    unders += want_under;
    if (defined) {
      has_prev = true;
      pa = a;
      pb = c;
    }
  }
  CHECK(overs > 10);
  CHECK(unders > 10);

  Cross x;
  CHECK(!x.step_over(2, 1));      // first defined bar: no previous relation
  CHECK(!x.step_over(kNa, 5));    // na never crosses and is not remembered
  CHECK(!x.step_over(0, 1));
  CHECK(!x.step_over(1, kNa));
  CHECK(x.step_over(3, 1));       // against (0, 1), the last defined pair
  CHECK(!x.step_over(3, 3));      // touching is not crossing...
  CHECK(x.step_over(4, 3));       // ...but leaving a touch upwards is: a[1] <= b[1] holds for (3, 3)
}

TEST_CASE("events: mom barssince valuewhen") {
  const Bars& b = bars();
  for (std::int64_t n : {1, 3, 20}) {
    Change mom;
    Series gm;
    for (double x : b.close) gm.push_back(mom.step(x, n));
    const auto N = static_cast<std::size_t>(n);
    compare("mom", gm, each_bar([&](std::size_t t) { return t < N ? kNa : b.close[t] - b.close[t - N]; }));
  }

  // cond: the close rose; barssince and valuewhen of the high for occurrences 0..3.
  std::vector<bool> cond(kBars);
  for (std::size_t t = 1; t < kBars; ++t) cond[t] = b.close[t] > b.close[t - 1];
  BarsSince bs;
  Series gb;
  for (std::size_t t = 0; t < kBars; ++t) {
    const std::int64_t v = bs.step(cond[t]);
    gb.push_back(v == pine::kIntNa ? kNa : static_cast<double>(v));
  }
  compare("barssince", gb, each_bar([&](std::size_t t) {
            for (std::size_t k = t + 1; k-- > 0;)
              if (cond[k]) return static_cast<double>(t - k);
            return kNa;
          }));
  for (std::int64_t occ : {0, 1, 3}) {
    ValueWhen<double> vw;
    Series gv;
    for (std::size_t t = 0; t < kBars; ++t) gv.push_back(vw.step(cond[t], b.high[t], occ));
    // na sources on a true bar are recorded as na: compare on defined bars only
    // where the reference is defined, and na where the reference is na.
    compare("valuewhen", gv, each_bar([&](std::size_t t) {
              std::int64_t seen = 0;
              for (std::size_t k = t + 1; k-- > 0;)
                if (cond[k] && seen++ == occ) return b.high[k];
              return kNa;
            }));
  }
}

TEST_CASE("events: valuewhen with an na or out-of-range occurrence returns na") {
  ValueWhen<double> vw;
  CHECK(std::isnan(vw.step(true, 1.0, -1)));
  CHECK(vw.step(true, 2.0, 0) == 2.0);
}
