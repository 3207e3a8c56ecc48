// The statistics (vm/src/builtins/ta_statistics.h: stdev, variance, dev,
// cci, median, mode, correlation, percentrank, the percentiles, rci) against
// the independent references of ta_reference.h, plus the na percentage rule.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ta_state.h"
#include "vm/ta_reference.h"

using namespace pine::ta;
using namespace ta_ref;

TEST_CASE("statistics: stdev and variance match the reference within the conditioning of TradingView's formula") {
  // Stdev uses TradingView's variance form q/n - m^2 over TradingView's
  // rolling sums (bit-exact with the exports). The sums carry up to ~32 ulps
  // of error (measured on this data, in the C++ and in a Python model of the
  // machine alike) and the form cancels when the deviation is small next to
  // the mean, so the contract is: the variance is within 1e-10 relative plus
  // 2^-45 (~256 eps) of the mean square q/n; where the coefficient of
  // variation is >= 1% the stdev itself is within 1e-10 relative.
  const Bars b = make_bars(kBars, 43);
  for (bool biased : {true, false}) {
    for (std::int64_t L : {1, 2, 3, 14, 50, 200}) {
      const Lengths len = constant(L);
      Stdev st, sv;
      const Series got = [&] {
        Series out;
        for (double x : b.close) out.push_back(st.step(x, L, biased));
        return out;
      }();
      // ta.variance shares the state struct; its own entry point is checked
      // against the same reference.
      Series got_variance;
      for (double x : b.close) got_variance.push_back(sv.step_variance(x, L, biased));
      const Series var = ref_windowed(b.close, len, [&](const Window& w) { return ref_var(w, biased); });
      const Series msq = ref_windowed(b.close, len, [](const Window& w) {
        long double q = 0;
        for (double x : w) q += static_cast<long double>(x) * x;
        return static_cast<double>(q / w.size());
      });
      const Series mean = ref_windowed(b.close, len, ref_sma);
      Series got_ok, ref_ok, var_got_ok, var_ref_ok;
      std::size_t bad = 0;
      for (std::size_t i = 0; i < got.size(); ++i) {
        REQUIRE(std::isnan(got[i]) == std::isnan(var[i]));
        REQUIRE(std::isnan(got_variance[i]) == std::isnan(var[i]));
        if (std::isnan(var[i])) continue;
        const double bound = 1e-10 * var[i] + 0x1p-45 * msq[i] * (biased ? 1.0 : 2.0);
        if (std::fabs(got[i] * got[i] - var[i]) > bound) ++bad;
        if (std::fabs(got_variance[i] - var[i]) > bound) ++bad;
        if (std::sqrt(var[i]) >= 0.01 * mean[i]) {
          got_ok.push_back(got[i]);
          ref_ok.push_back(std::sqrt(var[i]));
          var_got_ok.push_back(got_variance[i]);
          var_ref_ok.push_back(var[i]);
        }
      }
      const std::string name = std::string("stdev ") + (biased ? "biased" : "unbiased") + " (L=" +
                               std::to_string(L) + ", cv >= 1%)";
      INFO(name);
      CHECK(bad == 0);
      if (!got_ok.empty()) compare(name, got_ok, ref_ok, {.min_compared = 1});
      const std::string vname = std::string("variance ") + (biased ? "biased" : "unbiased") + " (L=" +
                                std::to_string(L) + ", cv >= 1%)";
      if (!var_got_ok.empty()) compare(vname, var_got_ok, var_ref_ok, {.min_compared = 1});
    }
  }
  // The same with a changing length.
  const Lengths len = make_lengths(kBars, 5, 60);
  Stdev st;
  Series got;
  for (std::size_t t = 0; t < kBars; ++t) got.push_back(st.step(b.close[t], len[t]));
  const Series var = ref_windowed(b.close, len, [](const Window& w) { return ref_var(w, true); });
  const Series mean = ref_windowed(b.close, len, ref_sma);
  for (std::size_t i = 0; i < got.size(); ++i) {
    REQUIRE(std::isnan(got[i]) == std::isnan(var[i]));
    if (!std::isnan(var[i])) CHECK(std::fabs(got[i] * got[i] - var[i]) <= 1e-10 * var[i] + 1e-14 * mean[i] * mean[i]);
  }
}

TEST_CASE("statistics: dev and cci") {
  const Bars& b = bars();
  for (std::size_t n : {1u, 2u, 10u, 20u}) {
    const auto N = static_cast<std::int64_t>(n);
    Dev dev, cci;
    Series gd, gc;
    for (double x : b.close) {
      gd.push_back(dev.step(x, N).dev);
      gc.push_back(cci.step_cci(x, N));
    }
    const auto mad = [&](std::size_t t, LD& mean) {
      const auto w = compact_window(b.close, t, n);
      if (w.empty()) return LD(kNa);
      mean = sum(w) / n;
      LD s = 0;
      for (LD y : w) s += std::fabs(y - mean);
      return s / n;
    };
    compare("dev", gd, each_bar([&](std::size_t t) {
              LD m = 0;
              return static_cast<double>(mad(t, m));
            }));
    // cci: tolerance relative to max(|cci|, 1) since cci passes through 0.
    // On a flat window the exact deviation is 0 (na), but the struct's sma
    // carries a rounding residue (TradingView's compensated sum does too), so
    // its result there is a ratio of residues: those bars are left out.
    const Series want_cci = each_bar([&](std::size_t t) {
      LD m = 0;
      const LD d = mad(t, m);
      if (std::isnan(d) || d == 0) return kNa;
      return static_cast<double>((b.close[t] - m) / (LD(0.015) * d));
    });
    for (std::size_t t = 0; t < kBars; ++t)
      if (na(want_cci[t]) && !na(gd[t])) gc[t] = kNa;
    if (n > 1) compare("cci", gc, want_cci, {.floor = 1.0});
  }
}

TEST_CASE("statistics: median and mode") {
  const Bars& b = bars();
  for (std::size_t n : {1u, 2u, 7u, 20u}) {
    const auto N = static_cast<std::int64_t>(n);
    Median med;
    Mode mode;
    Series gmed, gmode;
    for (double x : b.close) {
      gmed.push_back(med.step(x, N));
      gmode.push_back(mode.step(x, N));
    }
    compare("median", gmed, each_bar([&](std::size_t t) {
              auto w = compact_window(b.close, t, n);
              if (w.empty()) return kNa;
              std::sort(w.begin(), w.end());
              return static_cast<double>(n % 2 ? w[n / 2] : (w[n / 2 - 1] + w[n / 2]) / 2);
            }));
    compare("mode", gmode, each_bar([&](std::size_t t) {
              const auto w = compact_window(b.close, t, n);
              if (w.empty()) return kNa;
              LD best = 0;
              std::size_t best_count = 0;
              for (LD v : w) {
                const auto c = static_cast<std::size_t>(std::count(w.begin(), w.end(), v));
                if (c > best_count || (c == best_count && v < best)) {
                  best = v;
                  best_count = c;
                }
              }
              return static_cast<double>(best);
            }));
  }
}

TEST_CASE("statistics: correlation percentrank percentiles rci") {
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
            }), {.floor = 1.0});
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
            }), {.floor = 1.0});
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
            }), {.floor = 1.0});
  }
}

TEST_CASE("statistics: an na percentage gives na (linear) or the smallest value (nearest rank)") {
  PercentileLinear pl;
  PercentileNearest pn;
  for (double x : {3.0, 1.0, 2.0}) {
    pl.step(x, 3, 50);
    pn.step(x, 3, 50);
  }
  CHECK(std::isnan(pl.step(5.0, 3, kNa)));
  CHECK(pn.step(5.0, 3, kNa) == 1.0);
}
