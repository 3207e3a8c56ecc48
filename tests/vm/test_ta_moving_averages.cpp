// The moving averages (vm/src/builtins/ta_moving_averages.h: sma,
// math.sum, wma, ema, rma, cum, vwma, swma, hma, alma, linreg) against the
// independent references of ta_reference.h, over fixed and series lengths,
// plus their edge cases (invalid lengths, length 1, na inputs).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "ta_state.h"
#include "vm/ta_reference.h"

using namespace pine::ta;
using namespace ta_ref;

TEST_CASE("moving averages: sma, math.sum, wma, ema and rma match from-scratch references (fixed lengths)") {
  const Bars b = make_bars(kBars, 42);
  for (std::int64_t L : {1, 2, 3, 14, 50, 200}) {
    const Lengths len = constant(L);
    const std::string tag = "(L=" + std::to_string(L) + ")";
    compare("sma " + tag, run<Sma>(b.close, len), ref_windowed(b.close, len, ref_sma));
    compare("math.sum " + tag, run<Sum>(b.close, len), ref_windowed(b.close, len, ref_sum));
    compare("wma " + tag, run<Wma>(b.close, len), ref_windowed(b.close, len, ref_wma));
    compare("ema " + tag, run<Ema>(b.close, len), ref_smoothed(b.close, static_cast<std::size_t>(L), false));
    compare("rma " + tag, run<Rma>(b.close, len), ref_smoothed(b.close, static_cast<std::size_t>(L), true));
  }
}

TEST_CASE("moving averages: sma, math.sum and wma follow a length that changes between bars") {
  const Bars b = make_bars(kBars, 7);
  const Lengths len = make_lengths(kBars, 99, 60);
  compare("sma (series length)", run<Sma>(b.close, len), ref_windowed(b.close, len, ref_sma));
  compare("math.sum (series length)", run<Sum>(b.close, len), ref_windowed(b.close, len, ref_sum));
  compare("wma (series length)", run<Wma>(b.close, len), ref_windowed(b.close, len, ref_wma));

  SUBCASE("reserve() keeps enough history for every later length") {
    compare("sma (series length, reserved)", run<Sma>(b.close, len, 250), ref_windowed(b.close, len, ref_sma, 250));
    compare("wma (series length, reserved)", run<Wma>(b.close, len, 250), ref_windowed(b.close, len, ref_wma, 250));
  }
}

TEST_CASE("moving averages: cum vwma swma hma alma linreg") {
  const Bars& b = bars();
  Cum cum;
  Series gc;
  for (double x : b.close) gc.push_back(cum.step(x));
  compare("cum", gc, each_bar([&](std::size_t t) {
            if (na(b.close[t])) return kNa;
            LD s = 0;
            for (std::size_t k = 0; k <= t; ++k)
              if (!na(b.close[k])) s += b.close[k];
            return static_cast<double>(s);
          }));

  // Pairs (close, volume) where both are defined.
  Series pair_src(kBars), pair_vol(kBars);
  for (std::size_t t = 0; t < kBars; ++t) {
    const bool ok = !na(b.close[t]) && !na(b.volume[t]);
    pair_src[t] = ok ? b.close[t] * b.volume[t] : kNa;
    pair_vol[t] = ok ? b.volume[t] : kNa;
  }
  for (std::size_t n : {1u, 5u, 20u}) {
    Vwma vw;
    Series g;
    for (std::size_t t = 0; t < kBars; ++t) g.push_back(vw.step(b.close[t], b.volume[t], static_cast<std::int64_t>(n)));
    compare("vwma", g, each_bar([&](std::size_t t) {
              const auto pv = compact_window(pair_src, t, n);
              const auto v = compact_window(pair_vol, t, n);
              return pv.empty() ? kNa : static_cast<double>(sum(pv) / sum(v));
            }));
  }
  Swma sw;
  Series gs;
  for (double x : b.close) gs.push_back(sw.step(x));
  compare("swma", gs, each_bar([&](std::size_t t) {
            const auto w = raw_window(b.close, t, 4);
            if (w.empty() || std::any_of(w.begin(), w.end(), na)) return kNa;
            return static_cast<double>((LD{w[0]} + 2 * LD{w[1]} + 2 * LD{w[2]} + w[3]) / 6);
          }));

  // wma from scratch over a compacted window.
  const auto wma_at = [](const Series& src, std::size_t t, std::size_t n) {
    const auto w = compact_window(src, t, n);
    return w.empty() ? kNa : static_cast<double>(ref_wma(w));
  };
  for (std::size_t n : {4u, 9u, 16u, 25u}) {
    Hma h;
    Series g;
    for (double x : b.close) g.push_back(h.step(x, static_cast<std::int64_t>(n)));
    const Series inner = each_bar([&](std::size_t t) {
      const double half = wma_at(b.close, t, n / 2), full = wma_at(b.close, t, n);
      return na(half) || na(full) ? kNa : 2 * half - full;
    });
    const auto root = static_cast<std::size_t>(std::sqrt(static_cast<double>(n)));
    compare("hma", g, each_bar([&](std::size_t t) { return na(b.close[t]) ? kNa : wma_at(inner, t, root); }));
  }

  for (const auto& [n, offset, sigma, fl] : std::vector<std::tuple<std::size_t, double, double, bool>>{
           {9, 0.85, 6.0, false}, {10, 0.55, 12.0, true}, {1, 0.85, 6.0, false}}) {
    Alma a;
    Series g;
    for (double x : b.close) g.push_back(a.step(x, static_cast<std::int64_t>(n), offset, sigma, fl));
    compare("alma", g, each_bar([&](std::size_t t) {
              const auto w = raw_window(b.close, t, n);
              if (w.empty() || std::any_of(w.begin(), w.end(), na)) return kNa;
              const LD m = fl ? std::floor(offset * (n - 1)) : offset * (n - 1);
              const LD s = LD(n) / sigma;
              LD num = 0, den = 0;
              for (std::size_t i = 0; i < n; ++i) {
                const LD wt = std::exp(-(i - m) * (i - m) / (2 * s * s));
                num += wt * w[i];
                den += wt;
              }
              return static_cast<double>(num / den);
            }));
  }

  for (const auto& [n, off] : std::vector<std::pair<std::size_t, std::int64_t>>{{1, 0}, {2, 0}, {14, 0}, {20, 3}, {9, -2}}) {
    Linreg lr;
    Series g;
    for (double x : b.close) g.push_back(lr.step(x, static_cast<std::int64_t>(n), off));
    compare("linreg", g, each_bar([&](std::size_t t) {
              const auto w = raw_window(b.close, t, n);
              if (w.empty() || std::any_of(w.begin(), w.end(), na)) return kNa;
              if (n == 1) return w[0];
              LD mx = (LD(n) - 1) / 2, my = 0;
              for (double y : w) my += y;
              my /= n;
              LD sxy = 0, sxx = 0;
              for (std::size_t i = 0; i < n; ++i) {
                sxy += (i - mx) * (w[i] - my);
                sxx += (i - mx) * (i - mx);
              }
              const LD slope = sxy / sxx;
              return static_cast<double>(my + slope * (LD(n) - 1 - off - mx));
            }));
  }
}

TEST_CASE("moving averages: invalid lengths, length 1 and na inputs") {
  // An invalid length returns na and leaves the state as if the call had not happened.
  const Bars b = make_bars(500, 3);
  Sma clean, noisy;
  for (std::size_t t = 0; t < 500; ++t) {
    if (t % 7 == 0) {
      for (std::int64_t bad : {std::int64_t{0}, std::int64_t{-3}, pine::kIntNa, kMaxLength + 1}) {
        CHECK(std::isnan(noisy.step(b.close[t], bad)));
      }
    }
    const double x = clean.step(b.close[t], 10), y = noisy.step(b.close[t], 10);
    CHECK((x == y || (std::isnan(x) && std::isnan(y))));
  }
  CHECK(!valid_length(0));
  CHECK(!valid_length(pine::kIntNa));
  CHECK(valid_length(1));
  CHECK(valid_length(kMaxLength));

  Ema e1;
  CHECK(e1.step(1e20, 1) == 1e20);
  CHECK(e1.step(1.0, 1) == 1.0);
  // hma(1) uses wma(src, 1) for both halves: it is the source itself.
  Hma h;
  CHECK(h.step(7.0, 1) == 7.0);
  // cum of na is na and adds nothing.
  Cum c;
  c.step(1.0);
  CHECK(std::isnan(c.step(kNa)));
  CHECK(c.step(2.0) == 3.0);
}
