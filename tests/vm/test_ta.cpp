// ta.* state structs against independent references, plus edge cases.
//
// The references below recompute every window from scratch on every bar in
// long double, from a plain list of the non-na values seen so far (spec 5.2:
// na-compacted windows). They share no code with vm/src/builtins. The data is
// a seeded random walk rounded to a 0.01 tick (so ties occur) with runs of na
// in the source. Archive round trips live in test_ta_state.cpp.
// Set PINEVM_TA_REPORT=1 to print the measured maximum relative errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "ta_state.h"
#include "vm/ta_test_support.h"

namespace {

using Series = std::vector<double>;
using Lengths = std::vector<std::int64_t>;
using Window = std::vector<double>;
constexpr double kNa = pine::kFloatNa;
constexpr std::size_t kBars = 6000;

// Measured maximum relative errors, printed at exit when PINEVM_TA_REPORT is set.
ta_test::ErrorReport g_report{"Independent reference: max relative error per function", 40};

// Random-walk bars: close moves 1% per bar (log-normal) on a 0.01 tick, high
// and low straddle open/close, and about 1% of bars start an na run of 1..20
// bars in close (high/low are na on half of those bars).
struct Bars {
  Series high, low, close;
};
Bars make_bars(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> gauss(0.0, 1.0);
  std::uniform_real_distribution<double> uni(0.0, 1.0);
  auto tick = [](double x) { return std::round(x * 100.0) / 100.0; };
  Bars b;
  double p = 100.0;
  double prev = tick(p);
  std::size_t na_left = 0;
  for (std::size_t i = 0; i < n; ++i) {
    p *= std::exp(0.01 * gauss(rng));
    const double c = tick(p);
    const double hi = std::max(prev, c) + tick(std::fabs(gauss(rng)) * 0.3);
    const double lo = std::min(prev, c) - tick(std::fabs(gauss(rng)) * 0.3);
    prev = c;
    if (na_left == 0 && uni(rng) < 0.01) na_left = 1 + rng() % 20;
    const bool na = na_left > 0;
    if (na) --na_left;
    const bool hl_na = na && uni(rng) < 0.5;
    b.close.push_back(na ? kNa : c);
    b.high.push_back(hl_na ? kNa : hi);
    b.low.push_back(hl_na ? kNa : lo);
  }
  return b;
}

// Piecewise-constant series lengths: segments of 1..150 bars with a length in
// 1..max_len, and one segment in ten jumping to 150..250 (growth beyond what
// was retained).
Lengths make_lengths(std::size_t n, std::uint64_t seed, std::int64_t max_len) {
  std::mt19937_64 rng(seed);
  Lengths out;
  while (out.size() < n) {
    const std::size_t seg = 1 + rng() % 150;
    const std::int64_t len = (rng() % 10 == 0) ? 150 + static_cast<std::int64_t>(rng() % 101)
                                               : 1 + static_cast<std::int64_t>(rng() % max_len);
    for (std::size_t i = 0; i < seg && out.size() < n; ++i) out.push_back(len);
  }
  return out;
}

Lengths constant(std::int64_t len) { return Lengths(kBars, len); }

// The reference window rule: the last L non-na values, available when the
// struct can have retained them. A struct retains max(lengths so far) values
// (or `reserved`), so after a length grows beyond that, the discarded values
// are missing and the result is na until enough new values arrive.
Series ref_windowed(const Series& src, const Lengths& len, const std::function<double(const Window&)>& f,
                    std::size_t reserved = 0) {
  Window all;
  std::size_t cap = reserved;
  std::size_t avail = 0;
  Series out;
  for (std::size_t t = 0; t < src.size(); ++t) {
    const auto L = static_cast<std::size_t>(len[t]);
    cap = std::max(cap, L);
    if (std::isnan(src[t])) {
      out.push_back(kNa);
      continue;
    }
    all.push_back(src[t]);
    avail = std::min(avail + 1, cap);
    out.push_back(avail < L ? kNa : f(Window(all.end() - static_cast<std::ptrdiff_t>(L), all.end())));
  }
  return out;
}

long double ld_sum(const Window& w) {
  long double s = 0;
  for (double x : w) s += x;
  return s;
}
double ref_sma(const Window& w) { return static_cast<double>(ld_sum(w) / w.size()); }
double ref_sum(const Window& w) { return static_cast<double>(ld_sum(w)); }
double ref_var(const Window& w, bool biased) {
  if (!biased && w.size() == 1) return kNa;
  const long double m = ld_sum(w) / w.size();
  long double ss = 0;
  for (double x : w) ss += (x - m) * (x - m);
  return static_cast<double>(ss / (biased ? w.size() : w.size() - 1));
}
double ref_wma(const Window& w) {
  long double s = 0, norm = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    s += static_cast<long double>(w[i]) * (i + 1);
    norm += i + 1;
  }
  return static_cast<double>(s / norm);
}
double ref_max(const Window& w) { return *std::max_element(w.begin(), w.end()); }
double ref_min(const Window& w) { return *std::min_element(w.begin(), w.end()); }

// Reference ema/rma over the non-na values: the mean of the first L values,
// then the recursion, in long double.
Series ref_smooth(const Series& src, std::int64_t L, bool wilder) {
  Series out;
  long double value = 0, seed = 0;
  std::int64_t count = 0;
  for (double x : src) {
    if (std::isnan(x)) {
      out.push_back(kNa);
      continue;
    }
    ++count;
    if (count < L) {
      seed += x;
      out.push_back(kNa);
      continue;
    }
    if (count == L) {
      value = (seed + x) / L;
    } else if (wilder) {
      value = (value * (L - 1) + x) / L;
    } else {
      value += (2.0L / (L + 1)) * (x - value);
    }
    out.push_back(static_cast<double>(value));
  }
  return out;
}

// Compares `got` with `ref`: na exactly where ref is na, and values within
// tol * max(|ref|, floor). Records the measured maximum under `name`.
void check_series(const std::string& name, const Series& got, const Series& ref, double tol = 1e-10,
                  double floor = 0.0) {
  REQUIRE(got.size() == ref.size());
  double max_rel = 0.0;
  std::size_t na_mismatch = 0, bad = 0, defined = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(ref[i]) || std::isnan(got[i])) {
      if (std::isnan(ref[i]) != std::isnan(got[i])) {
        if (na_mismatch++ == 0) MESSAGE(name << ": na mismatch at bar " << i << ": " << got[i] << " vs " << ref[i]);
      }
      continue;
    }
    ++defined;
    const double den = std::max(std::fabs(ref[i]), floor);
    const double err = den > 0 ? std::fabs(got[i] - ref[i]) / den : std::fabs(got[i]);
    max_rel = std::max(max_rel, err);
    if (err > tol && bad++ == 0) MESSAGE(name << ": bar " << i << ": " << got[i] << " vs " << ref[i]);
  }
  g_report.record(name, max_rel);
  INFO(name);
  CHECK(na_mismatch == 0);
  CHECK(bad == 0);
  CHECK(defined > 0);
}

// Runs a (src, length) struct over a source and per-bar lengths.
template <class S>
Series run(const Series& src, const Lengths& len, std::int64_t reserve = 0) {
  S s;
  if constexpr (requires { s.reserve(reserve); }) {
    if (reserve > 0) s.reserve(reserve);
  }
  Series out;
  for (std::size_t t = 0; t < src.size(); ++t) out.push_back(s.step(src[t], len[t]));
  return out;
}

} // namespace

TEST_CASE("ta window functions match a from-scratch reference (fixed lengths)") {
  const Bars b = make_bars(kBars, 42);
  for (std::int64_t L : {1, 2, 3, 14, 50, 200}) {
    const Lengths len = constant(L);
    const std::string tag = "(L=" + std::to_string(L) + ")";
    check_series("sma " + tag, run<pine::ta::Sma>(b.close, len), ref_windowed(b.close, len, ref_sma));
    check_series("math.sum " + tag, run<pine::ta::Sum>(b.close, len), ref_windowed(b.close, len, ref_sum));
    check_series("wma " + tag, run<pine::ta::Wma>(b.close, len), ref_windowed(b.close, len, ref_wma));
    check_series("highest " + tag, run<pine::ta::Highest>(b.close, len), ref_windowed(b.close, len, ref_max), 0.0);
    check_series("lowest " + tag, run<pine::ta::Lowest>(b.close, len), ref_windowed(b.close, len, ref_min), 0.0);
    check_series("ema " + tag, run<pine::ta::Ema>(b.close, len), ref_smooth(b.close, L, false));
    check_series("rma " + tag, run<pine::ta::Rma>(b.close, len), ref_smooth(b.close, L, true));
  }
}

TEST_CASE("ta window functions follow a length that changes between bars") {
  const Bars b = make_bars(kBars, 7);
  const Lengths len = make_lengths(kBars, 99, 60);
  check_series("sma (series length)", run<pine::ta::Sma>(b.close, len), ref_windowed(b.close, len, ref_sma));
  check_series("math.sum (series length)", run<pine::ta::Sum>(b.close, len), ref_windowed(b.close, len, ref_sum));
  check_series("wma (series length)", run<pine::ta::Wma>(b.close, len), ref_windowed(b.close, len, ref_wma));
  check_series("highest (series length)", run<pine::ta::Highest>(b.close, len),
               ref_windowed(b.close, len, ref_max), 0.0);
  check_series("lowest (series length)", run<pine::ta::Lowest>(b.close, len), ref_windowed(b.close, len, ref_min),
               0.0);

  SUBCASE("reserve() keeps enough history for every later length") {
    check_series("sma (series length, reserved)", run<pine::ta::Sma>(b.close, len, 250),
                 ref_windowed(b.close, len, ref_sma, 250));
    check_series("highest (series length, reserved)", run<pine::ta::Highest>(b.close, len, 250),
                 ref_windowed(b.close, len, ref_max, 250), 0.0);
    check_series("wma (series length, reserved)", run<pine::ta::Wma>(b.close, len, 250),
                 ref_windowed(b.close, len, ref_wma, 250));
  }
}

TEST_CASE("ta.stdev matches the reference within the conditioning of TradingView's formula") {
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
      pine::ta::Stdev st, sv;
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
      if (!got_ok.empty()) check_series(name, got_ok, ref_ok);
      const std::string vname = std::string("variance ") + (biased ? "biased" : "unbiased") + " (L=" +
                                std::to_string(L) + ", cv >= 1%)";
      if (!var_got_ok.empty()) check_series(vname, var_got_ok, var_ref_ok);
    }
  }
  // The same with a changing length.
  const Lengths len = make_lengths(kBars, 5, 60);
  pine::ta::Stdev st;
  Series got;
  for (std::size_t t = 0; t < kBars; ++t) got.push_back(st.step(b.close[t], len[t]));
  const Series var = ref_windowed(b.close, len, [](const Window& w) { return ref_var(w, true); });
  const Series mean = ref_windowed(b.close, len, ref_sma);
  for (std::size_t i = 0; i < got.size(); ++i) {
    REQUIRE(std::isnan(got[i]) == std::isnan(var[i]));
    if (!std::isnan(var[i])) CHECK(std::fabs(got[i] * got[i] - var[i]) <= 1e-10 * var[i] + 1e-14 * mean[i] * mean[i]);
  }
}

TEST_CASE("ta.rsi, ta.macd, ta.tr, ta.atr match references") {
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
    const Series ru = ref_smooth(ups, L, true), rd = ref_smooth(downs, L, true);
    Series ref(kBars, kNa);
    for (std::size_t i = 0; i < at.size(); ++i) {
      if (std::isnan(ru[i]) || (ru[i] == 0 && rd[i] == 0)) continue;
      ref[at[i]] = 100.0 - 100.0 / (1.0 + ru[i] / rd[i]);
    }
    check_series("rsi (L=" + std::to_string(L) + ")", run<pine::ta::Rsi>(b.close, constant(L)), ref);
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
    const Series fast = ref_smooth(compact, 12, false), slow = ref_smooth(compact, 26, false);
    Series line;
    for (std::size_t i = 0; i < compact.size(); ++i) {
      if (!std::isnan(fast[i]) && !std::isnan(slow[i])) line.push_back(fast[i] - slow[i]);
    }
    const Series sig = ref_smooth(line, 9, false);
    Series ref_m(kBars, kNa), ref_s(kBars, kNa), ref_h(kBars, kNa);
    const std::size_t first = compact.size() - line.size();
    for (std::size_t j = 0; j < line.size(); ++j) {
      const std::size_t t = at[first + j];
      ref_m[t] = line[j];
      ref_s[t] = sig[j];
      ref_h[t] = std::isnan(sig[j]) ? kNa : line[j] - sig[j];
    }
    pine::ta::Macd macd;
    Series m, s, h;
    for (double x : b.close) {
      const auto r = macd.step(x, 12, 26, 9);
      m.push_back(r.macd);
      s.push_back(r.signal);
      h.push_back(r.hist);
    }
    // macd values are differences near zero: relative to the price scale (1.0).
    check_series("macd.macd", m, ref_m, 1e-10, 1.0);
    check_series("macd.signal", s, ref_s, 1e-10, 1.0);
    check_series("macd.hist", h, ref_h, 1e-10, 1.0);
  }

  // tr(handle_na) with the close of the previous call; atr = rma(tr(true)).
  for (bool handle_na : {false, true}) {
    pine::ta::Tr tr;
    Series got, ref;
    double prev_close = kNa;
    for (std::size_t t = 0; t < kBars; ++t) {
      got.push_back(tr.step(b.high[t], b.low[t], b.close[t], handle_na));
      const double h = b.high[t], l = b.low[t];
      double want = kNa;
      if (!std::isnan(h) && !std::isnan(l)) {
        want = std::isnan(prev_close) ? (handle_na ? h - l : kNa)
                                      : std::max({h - l, std::fabs(h - prev_close), std::fabs(l - prev_close)});
      }
      ref.push_back(want);
      prev_close = b.close[t];
    }
    check_series(handle_na ? "tr(true)" : "tr(false)", got, ref, 0.0);
    if (handle_na) {
      pine::ta::Atr atr;
      Series a;
      for (std::size_t t = 0; t < kBars; ++t) a.push_back(atr.step(b.high[t], b.low[t], b.close[t], 14));
      check_series("atr (L=14)", a, ref_smooth(ref, 14, true));
    }
  }
}

TEST_CASE("ta.change propagates na and follows series lengths") {
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
    check_series(series_len ? "change (series length)" : "change (L=3)", run<pine::ta::Change>(b.close, len), ref,
                 0.0, 1.0);
  }

  pine::ta::ChangeInt ci;
  CHECK(ci.step(5, 1) == pine::kIntNa);
  CHECK(ci.step(9, 1) == 4);
  CHECK(ci.step(pine::kIntNa, 1) == pine::kIntNa);
  CHECK(ci.step(1, 1) == pine::kIntNa);
  CHECK(ci.step(-2, 2) == pine::kIntNa);
  CHECK(ci.step(7, 2) == 6);

  pine::ta::ChangeBool cb;
  CHECK(cb.step(true, 1));   // history before the first call reads false
  CHECK(!cb.step(true, 1));
  CHECK(cb.step(false, 1));
  CHECK(!cb.step(true, 2));   // two calls ago was the second call's true: no change
}

TEST_CASE("ta.crossover/crossunder/cross use the last bar where both sides were defined") {
  const Bars b = make_bars(kBars, 21);
  const Series fast = run<pine::ta::Ema>(b.close, constant(5));
  Series slow = run<pine::ta::Ema>(b.close, constant(13));
  for (std::size_t t = 0; t < kBars; t += 97) slow[t] = kNa;  // na on one side only
  pine::ta::Cross over, under, either;
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

  pine::ta::Cross x;
  CHECK(!x.step_over(2, 1));      // first defined bar: no previous relation
  CHECK(!x.step_over(kNa, 5));    // na never crosses and is not remembered
  CHECK(!x.step_over(0, 1));
  CHECK(!x.step_over(1, kNa));
  CHECK(x.step_over(3, 1));       // against (0, 1), the last defined pair
  CHECK(!x.step_over(3, 3));      // touching is not crossing...
  CHECK(x.step_over(4, 3));       // ...but leaving a touch upwards is: a[1] <= b[1] holds for (3, 3)
}

TEST_CASE("ta edge cases: invalid lengths, length 1, rsi 0/0") {
  // An invalid length returns na and leaves the state as if the call had not happened.
  const Bars b = make_bars(500, 3);
  pine::ta::Sma clean, noisy;
  for (std::size_t t = 0; t < 500; ++t) {
    if (t % 7 == 0) {
      for (std::int64_t bad : {std::int64_t{0}, std::int64_t{-3}, pine::kIntNa, pine::ta::kMaxLength + 1}) {
        CHECK(std::isnan(noisy.step(b.close[t], bad)));
      }
    }
    const double x = clean.step(b.close[t], 10), y = noisy.step(b.close[t], 10);
    CHECK((x == y || (std::isnan(x) && std::isnan(y))));
  }
  CHECK(!pine::ta::valid_length(0));
  CHECK(!pine::ta::valid_length(pine::kIntNa));
  CHECK(pine::ta::valid_length(1));
  CHECK(pine::ta::valid_length(pine::ta::kMaxLength));

  pine::ta::Ema e1;
  CHECK(e1.step(1e20, 1) == 1e20);
  CHECK(e1.step(1.0, 1) == 1.0);

  // rsi: flat -> 0/0 -> na; only rises -> 100; only falls -> 0.
  pine::ta::Rsi flat, rising, falling;
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

  // highest over a constant window and with ties.
  pine::ta::Highest h;
  for (double x : {3.0, 3.0, 1.0, 3.0, 2.0, 2.0, 2.0}) h.step(x, 3);
  CHECK(h.step(1.0, 3) == 2.0);
}
