// The oscillators (vm/src/builtins/ta_oscillators.h: rsi, macd, roc, cog,
// cmo, mfi, tsi, stoch, wpr) against the independent references of
// ta_reference.h, plus rsi's 0/0 rule.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "ta_state.h"
#include "vm/ta_reference.h"

using namespace pine::ta;
using namespace ta_ref;

namespace {

// Highest/lowest of the last n non-na values of src at t (na when src[t] is
// na or fewer exist).
double extreme(const Series& src, std::size_t t, std::size_t n, bool hi) {
  const auto w = compact_window(src, t, n);
  if (w.empty()) return kNa;
  return static_cast<double>(hi ? ref_max(w) : ref_min(w));
}

} // namespace

TEST_CASE("oscillators: rsi and macd match references") {
  const Bars b = make_bars(kBars, 11);
  // Non-na values in order, for the references of functions over changes.
  for (std::int64_t L : {1, 2, 14, 50}) {
    Series ups, downs;
    std::vector<std::size_t> at;  // bar of each change
    double prev = kNa;
    for (std::size_t t = 0; t < kBars; ++t) {
      if (std::isnan(b.close[t])) continue;
      if (!std::isnan(prev)) {
        ups.push_back(std::max(b.close[t] - prev, 0.0));
        downs.push_back(std::max(prev - b.close[t], 0.0));
        at.push_back(t);
      }
      prev = b.close[t];
    }
    const Series ru = ref_smoothed(ups, static_cast<std::size_t>(L), true), rd = ref_smoothed(downs, static_cast<std::size_t>(L), true);
    Series ref(kBars, kNa);
    for (std::size_t i = 0; i < at.size(); ++i) {
      if (std::isnan(ru[i]) || (ru[i] == 0 && rd[i] == 0)) continue;
      ref[at[i]] = 100.0 - 100.0 / (1.0 + ru[i] / rd[i]);
    }
    compare("rsi (L=" + std::to_string(L) + ")", run<Rsi>(b.close, constant(L)), ref);
  }

  // macd(12, 26, 9): the signal ema runs over the macd values that exist.
  {
    Series compact;
    std::vector<std::size_t> at;
    for (std::size_t t = 0; t < kBars; ++t) {
      if (!std::isnan(b.close[t])) {
        compact.push_back(b.close[t]);
        at.push_back(t);
      }
    }
    const Series fast = ref_smoothed(compact, 12, false), slow = ref_smoothed(compact, 26, false);
    Series line;
    for (std::size_t i = 0; i < compact.size(); ++i) {
      if (!std::isnan(fast[i]) && !std::isnan(slow[i])) line.push_back(fast[i] - slow[i]);
    }
    const Series sig = ref_smoothed(line, 9, false);
    Series ref_m(kBars, kNa), ref_s(kBars, kNa), ref_h(kBars, kNa);
    const std::size_t first = compact.size() - line.size();
    for (std::size_t j = 0; j < line.size(); ++j) {
      const std::size_t t = at[first + j];
      ref_m[t] = line[j];
      ref_s[t] = sig[j];
      ref_h[t] = std::isnan(sig[j]) ? kNa : line[j] - sig[j];
    }
    Macd macd;
    Series m, s, h;
    for (double x : b.close) {
      const auto r = macd.step(x, 12, 26, 9);
      m.push_back(r.macd);
      s.push_back(r.signal);
      h.push_back(r.hist);
    }
    // macd values are differences near zero: relative to the price scale (1.0).
    compare("macd.macd", m, ref_m, {.floor = 1.0});
    compare("macd.signal", s, ref_s, {.floor = 1.0});
    compare("macd.hist", h, ref_h, {.floor = 1.0});
  }
}

TEST_CASE("oscillators: roc cog cmo mfi tsi") {
  const Bars& b = bars();
  for (std::int64_t n : {1, 3, 20}) {
    Roc roc;
    Series gr;
    for (double x : b.close) gr.push_back(roc.step(x, n));
    const auto N = static_cast<std::size_t>(n);
    compare("roc", gr, each_bar([&](std::size_t t) {
              return t < N ? kNa : static_cast<double>(LD{100} * (LD{b.close[t]} - b.close[t - N]) / b.close[t - N]);
            }));
  }
  for (std::size_t n : {1u, 2u, 10u, 20u}) {
    const auto N = static_cast<std::int64_t>(n);
    Cog cog;
    Cmo cmo;
    Series gg, gm;
    for (double x : b.close) {
      gg.push_back(cog.step(x, N));
      gm.push_back(cmo.step(x, N));
    }
    compare("cog", gg, each_bar([&](std::size_t t) {
              const auto w = compact_window(b.close, t, n);
              if (w.empty()) return kNa;
              LD num = 0;
              for (std::size_t i = 0; i < n; ++i) num += w[n - 1 - i] * static_cast<LD>(i + 1);
              return static_cast<double>(-num / sum(w));
            }));
    // cmo: one-bar changes of the raw close (na when either is na), then the
    // last n defined changes.
    const Series chg = each_bar([&](std::size_t t) { return t == 0 ? kNa : b.close[t] - b.close[t - 1]; });
    compare("cmo", gm, each_bar([&](std::size_t t) {
              const auto w = compact_window(chg, t, n);
              if (w.empty()) return kNa;
              LD up = 0, down = 0;
              for (LD m : w) (m >= -1e-10 ? up : down) += std::fabs(m);
              if (up + down == 0) return kNa;
              return static_cast<double>(100 * (up - down) / (up + down));
            }), {.floor = 1.0});
  }

  // mfi: changes between consecutive non-na closes; entries on bars where the
  // volume is defined too; the first entry counts in both sums.
  const Compact cc = compact(b.close);
  for (std::size_t n : {1u, 14u}) {
    Mfi mfi;
    Series g;
    for (std::size_t t = 0; t < kBars; ++t) g.push_back(mfi.step(b.close[t], b.volume[t], static_cast<std::int64_t>(n)));
    Series want(kBars, kNa);
    std::vector<std::pair<LD, LD>> flows; // (upper, lower) per entry
    for (std::size_t j = 0; j < cc.v.size(); ++j) {
      const std::size_t t = cc.bar[j];
      const double vol = b.volume[t];
      if (na(vol)) continue;
      const double src = cc.v[j];
      const bool first = j == 0;
      const double chg = first ? 0 : src - cc.v[j - 1];
      flows.push_back({(first || chg > 1e-10) ? LD{vol} * src : 0, (first || chg < -1e-10) ? LD{vol} * src : 0});
      if (flows.size() < n) continue;
      LD up = 0, lo = 0;
      for (std::size_t k = flows.size() - n; k < flows.size(); ++k) {
        up += flows[k].first;
        lo += flows[k].second;
      }
      want[t] = lo == 0 ? 100.0 : static_cast<double>(100 - 100 / (1 + up / lo));
    }
    compare("mfi", g, want);
  }

  // tsi over the changes between consecutive non-na closes.
  Series mom(kBars, kNa), amom(kBars, kNa);
  for (std::size_t j = 1; j < cc.v.size(); ++j) {
    mom[cc.bar[j]] = cc.v[j] - cc.v[j - 1];
    amom[cc.bar[j]] = std::fabs(mom[cc.bar[j]]);
  }
  Tsi tsi;
  Series g;
  for (double x : b.close) g.push_back(tsi.step(x, 13, 25));
  const Series num = ref_smoothed(ref_smoothed(mom, 25, false), 13, false);
  const Series den = ref_smoothed(ref_smoothed(amom, 25, false), 13, false);
  compare("tsi", g, each_bar([&](std::size_t t) { return num[t] / den[t]; }), {.floor = 1.0});
}

TEST_CASE("oscillators: stoch wpr") {
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
    Series gs, gw;
    for (std::size_t t = 0; t < kBars; ++t) {
      gs.push_back(st.step(b.close[t], b.high[t], b.low[t], N));
      gw.push_back(wpr.step(b.high[t], b.low[t], b.close[t], N));
    }
    compare("stoch", gs, each_bar([&](std::size_t t) {
              const double h = extreme(sh, t, n, true), l = extreme(sl, t, n, false);
              if (na(h) || h == l) return kNa;
              return static_cast<double>(100 * (LD{b.close[t]} - l) / (LD{h} - l));
            }), {.floor = 1.0});
    // wpr: each extreme over its own compacted series.
    compare("wpr", gw, each_bar([&](std::size_t t) {
              const double h = extreme(b.high, t, n, true), l = extreme(b.low, t, n, false);
              if (na(h) || na(l) || na(b.close[t]) || h == l) return kNa;
              return static_cast<double>(100 * (LD{b.close[t]} - h) / (LD{h} - l));
            }), {.floor = 1.0});
  }
}

TEST_CASE("oscillators: rsi of a flat source is na (0/0), of a rising one 100, of a falling one 0") {
  Rsi flat, rising, falling;
  for (int i = 0; i < 40; ++i) {
    const double f = flat.step(5.0, 14), r = rising.step(1.0 + i, 14), d = falling.step(100.0 - i, 14);
    if (i >= 14) {
      CHECK(std::isnan(f));
      CHECK(r == 100.0);
      CHECK(d == 0.0);
    } else {
      CHECK(std::isnan(r));
    }
  }
}
