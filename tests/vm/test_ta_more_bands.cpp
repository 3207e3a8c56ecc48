// The ta.* structs of ta_more.h / ta_extra.h against independent references,
// part two: stoch, wpr, bb, bbw, kc, kcw, correlation, percentrank,
// percentiles, rci, pivots, supertrend, dmi, sar, vwap and the volume
// variables. Same rules as test_ta_more.cpp (windows recomputed from scratch
// in long double on every bar; recursions written again; 1e-10 relative).
#include <doctest/doctest.h>

#include "vm/ta_more_reference.h"

using namespace pine::ta;
using namespace ta_ref;

namespace {

// Highest/lowest of the last n non-na values of src at t (na when src[t] is
// na or fewer exist).
double extreme(const Series& src, std::size_t t, std::size_t n, bool hi) {
  const auto w = compact_window(src, t, n);
  if (w.empty()) return kNa;
  return static_cast<double>(hi ? *std::max_element(w.begin(), w.end()) : *std::min_element(w.begin(), w.end()));
}

} // namespace

TEST_CASE("more ta: stoch wpr bb bbw kc kcw") {
  const Bars& b = bars();
  // stoch skips bars with any na input: its windows are over those bars.
  Series sh(kBars), sl(kBars);
  for (std::size_t t = 0; t < kBars; ++t) {
    const bool ok = !na(b.close[t]) && !na(b.high[t]) && !na(b.low[t]);
    sh[t] = ok ? b.high[t] : kNa;
    sl[t] = ok ? b.low[t] : kNa;
  }
  for (std::size_t n : {1u, 14u}) {
    const auto N = static_cast<std::int64_t>(n);
    Stoch st;
    Wpr wpr;
    Bb bb, bbw;
    Series gs, gw, gb, gu, gl, gbw;
    for (std::size_t t = 0; t < kBars; ++t) {
      gs.push_back(st.step(b.close[t], b.high[t], b.low[t], N));
      gw.push_back(wpr.step(b.high[t], b.low[t], b.close[t], N));
      const Bb::Result r = bb.step(b.close[t], N, 2.0);
      gb.push_back(r.basis);
      gu.push_back(r.upper);
      gl.push_back(r.lower);
      gbw.push_back(bbw.step_width(b.close[t], N, 1.5));
    }
    compare("stoch", gs, each_bar([&](std::size_t t) {
              const double h = extreme(sh, t, n, true), l = extreme(sl, t, n, false);
              if (na(h) || h == l) return kNa;
              return static_cast<double>(100 * (LD{b.close[t]} - l) / (LD{h} - l));
            }), 1.0);
    // wpr: each extreme over its own compacted series.
    compare("wpr", gw, each_bar([&](std::size_t t) {
              const double h = extreme(b.high, t, n, true), l = extreme(b.low, t, n, false);
              if (na(h) || na(l) || na(b.close[t]) || h == l) return kNa;
              return static_cast<double>(100 * (LD{b.close[t]} - h) / (LD{h} - l));
            }), 1.0);
    const auto band = [&](std::size_t t, double mult, int which) {
      const auto w = compact_window(b.close, t, n);
      if (w.empty()) return kNa;
      const LD m = sum(w) / n;
      LD q = 0;
      for (LD x : w) q += (x - m) * (x - m);
      const LD dev = std::sqrt(q / n);
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
    compare("bbw", gbw, each_bar([&](std::size_t t) { return band(t, 1.5, 3); }), 10.0);
  }

  // kc: ema basis; range ema over tr (na on bar 0 and after an na close) or
  // high - low.
  const Series tr = ref_tr(false);
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

TEST_CASE("more ta: correlation percentrank percentiles rci") {
  const Bars& b = bars();
  // correlation(x, y): sums of x, x*x over the non-na x, of y,
  // y*y over the non-na y and of x*y over the bars where both exist
  // (TradingView's five independent sums), na on a bar where either is na.
  // Where the windows differ the result is not a correlation (it can leave
  // [-1, 1]); it is still what those sums give.
  // The sources are centred bar ranges (close - open, high - open), so the
  // moment formula TradingView uses does not cancel catastrophically.
  Series cx(kBars), cy(kBars), xy(kBars);
  for (std::size_t t = 0; t < kBars; ++t) {
    cx[t] = b.close[t] - b.open[t];
    cy[t] = b.high[t] - b.open[t] - 0.5;
    xy[t] = cx[t] * cy[t];
  }
  for (std::size_t n : {2u, 10u, 50u}) {
    Correlation c;
    Series g;
    for (std::size_t t = 0; t < kBars; ++t) g.push_back(c.step(cx[t], cy[t], static_cast<std::int64_t>(n)));
    compare("correlation", g, each_bar([&](std::size_t t) {
              const auto x = compact_window(cx, t, n), y = compact_window(cy, t, n);
              if (x.empty() || y.empty() || na(xy[t])) return kNa;
              std::vector<LD> px, py;
              for (std::size_t k = t + 1; k-- > 0 && px.size() < n;)
                if (!na(xy[k])) {
                  px.push_back(cx[k]);
                  py.push_back(cy[k]);
                }
              if (px.size() < n) return kNa;
              LD sxy = 0, sxx = 0, syy = 0;
              for (std::size_t i = 0; i < n; ++i) {
                sxy += px[i] * py[i];
                sxx += x[i] * x[i];
                syy += y[i] * y[i];
              }
              const LD mx = sum(x) / n, my = sum(y) / n;
              const LD cov = sxy / n - mx * my;
              if (std::fabs(cov) <= 1e-10) return 0.0;
              const LD vp = std::max<LD>(0, sxx / n - mx * mx) * std::max<LD>(0, syy / n - my * my);
              return vp == 0 ? kNa : static_cast<double>(cov / std::sqrt(vp));
            }), 1.0);
  }

  for (std::size_t n : {1u, 5u, 20u}) {
    const auto N = static_cast<std::int64_t>(n);
    PercentRank pr;
    PercentileLinear pl;
    PercentileNearest pn, pn0;
    Rci rci;
    Series gr, gl, gn, gn0, gc;
    for (double x : b.close) {
      gr.push_back(pr.step(x, N));
      gl.push_back(pl.step(x, N, 30));
      gn.push_back(pn.step(x, N, 70));
      gn0.push_back(pn0.step(x, N, 0));
      gc.push_back(rci.step(x, N));
    }
    compare("percentrank", gr, each_bar([&](std::size_t t) {
              const auto w = raw_window(b.close, t, n + 1);
              if (w.empty() || na(b.close[t])) return kNa;
              std::size_t c = 0;
              for (std::size_t i = 0; i < n; ++i) c += !na(w[i]) && w[i] <= b.close[t];
              return 100.0 * static_cast<double>(c) / static_cast<double>(n);
            }), 1.0);
    // Percentiles: na inputs of the raw window sort last and count in n.
    const auto sorted_window = [&](std::size_t t, std::vector<double>& s) {
      const auto w = raw_window(b.close, t, n);
      if (w.empty() || na(b.close[t])) return false;
      s.clear();
      for (double v : w)
        if (!na(v)) s.push_back(v);
      std::sort(s.begin(), s.end());
      return true;
    };
    compare("percentile_linear", gl, each_bar([&](std::size_t t) {
              std::vector<double> s;
              if (!sorted_window(t, s)) return kNa;
              const LD pos = LD(n) * 30 / 100 + 0.5L; // 1-based rank, clamped
              if (pos <= 1) return s.empty() ? kNa : s[0];
              if (pos >= n) return s.size() == n ? s.back() : kNa;
              const auto lo = static_cast<std::size_t>(std::floor(pos));
              const LD frac = pos - lo;
              if (frac == 0) return lo <= s.size() ? s[lo - 1] : kNa;
              if (s.size() < n) return kNa;
              return static_cast<double>(s[lo - 1] + frac * (LD{s[lo]} - s[lo - 1]));
            }));
    const auto nearest = [&](std::size_t t, double p) {
      std::vector<double> s;
      if (!sorted_window(t, s)) return kNa;
      if (p == 0) return s.empty() ? kNa : s[0];
      const auto rank = std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(p * n / 100)), 1, n);
      return rank <= s.size() ? s[rank - 1] : kNa;
    };
    compare("percentile_nearest", gn, each_bar([&](std::size_t t) { return nearest(t, 70); }));
    compare("percentile_nearest 0", gn0, each_bar([&](std::size_t t) { return nearest(t, 0); }));
    // rci: Pearson correlation (percent) of time (0 = newest) with the
    // values' ranks, largest value first, ties sharing their average rank;
    // na until n + 1 inputs and with an na in the window.
    if (n > 1) compare("rci", gc, each_bar([&](std::size_t t) {
              if (t < n) return kNa;
              const auto w = raw_window(b.close, t, n);
              if (std::any_of(w.begin(), w.end(), na)) return kNa;
              std::vector<LD> x(n), y(n);
              for (std::size_t i = 0; i < n; ++i) {
                x[i] = static_cast<LD>(i);
                const double v = w[n - 1 - i];
                LD above = 0, same = 0;
                for (double u : w) {
                  above += u > v;
                  same += u == v;
                }
                y[i] = above + (same - 1) / 2;
              }
              const LD mx = sum(x) / n, my = sum(y) / n;
              LD sxy = 0, sxx = 0, syy = 0;
              for (std::size_t i = 0; i < n; ++i) {
                sxy += (x[i] - mx) * (y[i] - my);
                sxx += (x[i] - mx) * (x[i] - mx);
                syy += (y[i] - my) * (y[i] - my);
              }
              if (sxx == 0 || syy == 0) return kNa;
              return static_cast<double>(100 * sxy / std::sqrt(sxx * syy));
            }), 1.0);
  }
}

TEST_CASE("more ta: pivots") {
  const Bars& b = bars();
  for (const auto& [left, right] : std::vector<std::pair<std::size_t, std::size_t>>{{1, 1}, {3, 2}, {0, 4}, {5, 0}, {10, 5}}) {
    PivotHigh ph;
    PivotLow pl;
    Series gh, gl;
    for (double x : b.close) {
      gh.push_back(ph.step(x, static_cast<std::int64_t>(left), static_cast<std::int64_t>(right)));
      gl.push_back(pl.step(x, static_cast<std::int64_t>(left), static_cast<std::int64_t>(right)));
    }
    // The candidate is `right` values back in the compacted window; newer
    // values must be strictly beyond it, older ones at most equal.
    const auto pivot = [&](std::size_t t, bool hi) {
      const std::size_t n = left + right + 1;
      const auto w = compact_window(b.close, t, n);
      if (w.empty()) return kNa;
      const LD c = w[left];
      for (std::size_t i = 0; i < n; ++i) {
        if (i == left) continue;
        const bool newer = i > left;
        const bool ok = hi ? (newer ? w[i] < c : w[i] <= c) : (newer ? w[i] > c : w[i] >= c);
        if (!ok) return kNa;
      }
      return static_cast<double>(c);
    };
    compare("pivothigh", gh, each_bar([&](std::size_t t) { return pivot(t, true); }), 0.0, 100);
    compare("pivotlow", gl, each_bar([&](std::size_t t) { return pivot(t, false); }), 0.0, 100);
  }
}

TEST_CASE("more ta: supertrend dmi sar") {
  const Bars& b = bars();
  // supertrend: the RM's pine_supertrend written with series, over an atr
  // that is the sma-seeded Wilder average of tr(true).
  const Series atr = ref_smoothed(ref_tr(true), 10, true);
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
  compare("supertrend direction", gd, wd, 1.0);

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
  const Series trr = ref_smoothed(ref_tr(false), 14, true);
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
  compare("dmi.plus", gp, plus, 1.0);
  compare("dmi.minus", gm, minus, 1.0);
  compare("dmi.adx", ga, each_bar([&](std::size_t t) { return na(adx[t]) ? kNa : 100 * adx[t]; }), 1.0);

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

TEST_CASE("more ta: vwap and the volume variables") {
  const Bars& b = bars();
  // vwap of hlc3 anchored on each new UTC day, recomputed from the anchor on
  // every bar; bars with an na source or volume do not accumulate.
  const auto day = [&](std::size_t t) { return b.time[t] / 86'400'000; };
  Vwap vw, bands;
  Series g, gu;
  for (std::size_t t = 0; t < kBars; ++t) {
    const double src = (b.high[t] + b.low[t] + b.close[t]) / 3;
    g.push_back(vw.step(src, vw.day_anchor(b.time[t]), b.volume[t], 0).vwap);
    gu.push_back(bands.step(src, t % 17 == 0, b.volume[t], 1.5).upper);
  }
  const auto ref = [&](std::size_t t, bool by_day, double mult) {
    const auto src = [&](std::size_t k) { return (b.high[k] + b.low[k] + b.close[k]) / 3; };
    if (na(src(t)) || na(b.volume[t])) return kNa;
    std::size_t a = t;
    while (by_day ? (a > 0 && day(a - 1) == day(t)) : a % 17 != 0) --a;
    LD v = 0, pv = 0, ppv = 0;
    for (std::size_t k = a; k <= t; ++k)
      if (!na(src(k)) && !na(b.volume[k])) {
        v += b.volume[k];
        pv += LD{src(k)} * b.volume[k];
        ppv += LD{src(k)} * src(k) * b.volume[k];
      }
    const LD m = pv / v;
    const LD var = ppv / v - m * m;
    // A (nearly) flat period has a variance made of rounding residue in the
    // moment formula, and its square root magnifies that: left out.
    if (mult != 0 && var < 1e-6L * m * m) return kNa;
    return static_cast<double>(m + mult * std::sqrt(std::max<LD>(0, var)));
  };
  compare("vwap", g, each_bar([&](std::size_t t) { return ref(t, true, 0); }));
  const Series want_upper = each_bar([&](std::size_t t) { return ref(t, false, 1.5); });
  for (std::size_t t = 0; t < kBars; ++t)
    if (na(want_upper[t])) gu[t] = kNa;
  compare("vwap upper", gu, want_upper);

  VolumeVars obv, ad, nvi, pvi, pvt, wad;
  Series go, ga, gn, gp, gt, gw;
  for (std::size_t t = 0; t < kBars; ++t) {
    go.push_back(obv.obv(b.close[t], b.volume[t]));
    ga.push_back(ad.accdist(b.high[t], b.low[t], b.close[t], b.volume[t]));
    gn.push_back(nvi.nvi(b.close[t], b.volume[t]));
    gp.push_back(pvi.pvi(b.close[t], b.volume[t]));
    gt.push_back(pvt.pvt(b.close[t], b.volume[t]));
    gw.push_back(wad.wad(b.high[t], b.low[t], b.close[t]));
  }
  // Cumulative sums recomputed over bars 0..t.
  const auto cum_of = [&](std::size_t t, const std::function<double(std::size_t)>& term, bool na_when_na) {
    if (na_when_na && na(term(t))) return kNa;
    LD s = 0;
    for (std::size_t k = 0; k <= t; ++k)
      if (!na(term(k))) s += term(k);
    return static_cast<double>(s);
  };
  const auto chg = [&](std::size_t k) { return k == 0 ? kNa : b.close[k] - b.close[k - 1]; };
  compare("obv", go, each_bar([&](std::size_t t) {
            return cum_of(t, [&](std::size_t k) { return na(chg(k)) ? kNa : (chg(k) > 0 ? 1 : chg(k) < 0 ? -1 : 0) * b.volume[k]; }, true);
          }), 1.0);
  compare("accdist", ga, each_bar([&](std::size_t t) {
            return cum_of(t, [&](std::size_t k) {
              return ((b.close[k] - b.low[k]) - (b.high[k] - b.close[k])) / (b.high[k] - b.low[k]) * b.volume[k];
            }, false);
          }), 1.0);
  compare("pvt", gt, each_bar([&](std::size_t t) {
            return cum_of(t, [&](std::size_t k) { return chg(k) / b.close[k - (k > 0)] * b.volume[k]; }, true);
          }), 1.0);
  compare("wad", gw, each_bar([&](std::size_t t) {
            return cum_of(t, [&](std::size_t k) {
              const double pc = k == 0 ? kNa : b.close[k - 1];
              const double th = na(pc) ? b.high[k] : std::max(b.high[k], pc);
              const double tl = na(pc) ? b.low[k] : std::min(b.low[k], pc);
              const double m = chg(k);
              return m > 0 ? b.close[k] - tl : (m < 0 ? b.close[k] - th : 0.0);
            }, true);
          }), 1.0);
  // nvi/pvi: the index moves by the relative close change when the volume
  // fell (nvi) or rose (pvi) against the previous bar.
  for (bool negative : {true, false}) {
    LD idx = 1;
    Series want;
    for (std::size_t t = 0; t < kBars; ++t) {
      if (t > 0) {
        const bool move = negative ? b.volume[t] < b.volume[t - 1] : b.volume[t] > b.volume[t - 1];
        const LD next = idx + (LD{b.close[t]} - b.close[t - 1]) / b.close[t - 1] * idx;
        if (move && std::isfinite(static_cast<double>(next))) idx = next;
      }
      want.push_back(static_cast<double>(idx));
    }
    compare(negative ? "nvi" : "pvi", negative ? gn : gp, want);
  }
}
