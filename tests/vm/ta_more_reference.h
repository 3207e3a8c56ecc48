// Shared pieces of the independent references for the ta.* structs of
// ta_more.h / ta_extra.h (tests/vm/test_ta_more*.cpp): the generated bars,
// window extraction, recursive references and the comparison with its
// report. Nothing here is shared with vm/src/builtins.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "ta_state.h"
#include "vm/ta_test_support.h"

namespace ta_ref {

using Series = std::vector<double>;
using LD = long double;
inline constexpr double kNa = pine::kFloatNa;
inline constexpr std::size_t kBars = 6000;

inline bool na(double x) { return !std::isfinite(x); }

// Measured maximum relative errors, printed at exit when PINEVM_TA_REPORT is set.
inline ta_test::ErrorReport g_report{"Independent reference (more ta.*): max relative error per function", 40};

// Random-walk bars: 1% log-normal moves on a 0.01 tick; high/low straddle
// open/close; about 1% of bars start an na run of 1..20 bars in close (high
// and low na on half of them), and volume is na on ~0.5% of bars.
struct Bars {
  Series open, high, low, close, volume, hl2;
  std::vector<std::int64_t> time;
};
inline Bars make_bars(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> gauss(0.0, 1.0);
  std::uniform_real_distribution<double> uni(0.0, 1.0);
  auto tick = [](double x) { return std::round(x * 100.0) / 100.0; };
  Bars b;
  double p = 100.0, prev = 100.0;
  std::size_t na_left = 0;
  std::int64_t t = 1'600'000'000'000;
  for (std::size_t i = 0; i < kBars; ++i) {
    p *= std::exp(0.01 * gauss(rng));
    const double c = tick(p);
    const double hi = std::max(prev, c) + tick(std::fabs(gauss(rng)) * 0.3);
    const double lo = std::min(prev, c) - tick(std::fabs(gauss(rng)) * 0.3);
    if (na_left == 0 && uni(rng) < 0.01) na_left = 1 + rng() % 20;
    const bool cna = na_left > 0;
    if (cna) --na_left;
    const bool hlna = cna && uni(rng) < 0.5;
    b.open.push_back(prev);
    b.close.push_back(cna ? kNa : c);
    b.high.push_back(hlna ? kNa : hi);
    b.low.push_back(hlna ? kNa : lo);
    b.hl2.push_back(hlna ? kNa : (hi + lo) / 2);
    b.volume.push_back(uni(rng) < 0.005 ? kNa : std::round(1000.0 + 9000.0 * uni(rng)));
    t += 3'600'000 * static_cast<std::int64_t>(1 + rng() % 7); // 1..7 h apart: irregular days
    b.time.push_back(t);
    prev = c;
  }
  return b;
}
inline const Bars& bars() {
  static const Bars b = make_bars(20240601);
  return b;
}

// Compares `got` with `want`: na exactly where want is na; error relative to
// max(|want|, floor) at most 1e-10 (floor 1 for outputs bounded near 0, such
// as correlation, whose relative error is meaningless at 0); at least
// `min_compared` bars where both are defined (sparse outputs such as pivots
// ask for fewer).
inline void compare(const std::string& name, const Series& got, const Series& want, double floor = 0.0,
                    std::size_t min_compared = kBars / 4) {
  REQUIRE(got.size() == want.size());
  double max_rel = 0.0;
  std::size_t na_mismatch = 0, compared = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (na(got[i]) || na(want[i])) {
      if (na(got[i]) != na(want[i]) && na_mismatch++ == 0)
        MESSAGE(name << ": na mismatch at bar " << i << " got " << got[i] << " want " << want[i]);
      continue;
    }
    const double scale = std::max(std::fabs(want[i]), floor);
    const double err = std::fabs(got[i] - want[i]) / (scale != 0.0 ? scale : 1.0);
    if (err > 1e-10 && max_rel <= 1e-10) MESSAGE(name << ": first miss at bar " << i << " got " << got[i] << " want " << want[i]);
    max_rel = std::max(max_rel, err);
    ++compared;
  }
  g_report.record(name, max_rel);
  INFO(name);
  CHECK(na_mismatch == 0);
  CHECK(compared >= min_compared);
  CHECK(max_rel <= 1e-10);
}

// The last `n` non-na values of src[0..t] (oldest first), or empty when
// src[t] is na or fewer exist.
inline std::vector<LD> compact_window(const Series& src, std::size_t t, std::size_t n) {
  if (na(src[t])) return {};
  std::vector<LD> w;
  for (std::size_t k = t + 1; k-- > 0 && w.size() < n;)
    if (!na(src[k])) w.push_back(src[k]);
  if (w.size() < n) return {};
  std::reverse(w.begin(), w.end());
  return w;
}

// The last `n` raw inputs src[t-n+1..t] (oldest first); empty when t+1 < n.
inline std::vector<double> raw_window(const Series& src, std::size_t t, std::size_t n) {
  if (t + 1 < n) return {};
  return std::vector<double>(src.begin() + static_cast<std::ptrdiff_t>(t + 1 - n), src.begin() + static_cast<std::ptrdiff_t>(t + 1));
}

// The compacted subsequence of `src` (values and their bar indices).
struct Compact {
  std::vector<double> v;
  std::vector<std::size_t> bar;
};
inline Compact compact(const Series& src) {
  Compact c;
  for (std::size_t t = 0; t < src.size(); ++t)
    if (!na(src[t])) {
      c.v.push_back(src[t]);
      c.bar.push_back(t);
    }
  return c;
}

// Runs `f(t)` over every bar into a series.
inline Series each_bar(const std::function<double(std::size_t)>& f) {
  Series out(kBars);
  for (std::size_t t = 0; t < kBars; ++t) out[t] = f(t);
  return out;
}

inline LD sum(const std::vector<LD>& w) { return std::accumulate(w.begin(), w.end(), LD{0}); }

// Recursive references: sma-seeded ema/rma over the compacted input
// (na in, na out).
inline Series ref_smoothed(const Series& src, std::size_t n, bool wilder) {
  Series out(src.size(), kNa);
  LD value = 0;
  std::size_t count = 0;
  LD seed = 0;
  for (std::size_t t = 0; t < src.size(); ++t) {
    if (na(src[t])) continue;
    ++count;
    if (count < n) {
      seed += src[t];
      continue;
    }
    if (count == n) {
      seed += src[t];
      value = seed / n;
    } else {
      const LD alpha = wilder ? LD{1} / n : LD{2} / (n + 1);
      value = value + alpha * (src[t] - value);
    }
    out[t] = static_cast<double>(value);
  }
  return out;
}

// ta.tr(handle_na) from the previous bar's close.
inline Series ref_tr(bool handle_na) {
  const Bars& b = bars();
  return each_bar([&](std::size_t t) {
    if (na(b.high[t]) || na(b.low[t])) return kNa;
    const double hl = b.high[t] - b.low[t];
    if (t == 0 || na(b.close[t - 1])) return handle_na ? hl : kNa;
    return std::max({hl, std::fabs(b.high[t] - b.close[t - 1]), std::fabs(b.low[t] - b.close[t - 1])});
  });
}

} // namespace ta_ref
