// Independent references for the ta.* state structs, shared by the family
// tests (tests/vm/test_ta_<family>.cpp): the generated bars, window
// extraction, the from-scratch window statistics, the recursions (sma-seeded
// ema/rma, true range), the comparison with its error report, and the period
// anchors of the pivot_point_levels tests.
//
// Every reference recomputes its window from scratch on every bar, in long
// double, from the plain list of inputs: the non-na values for the "na
// ignored" functions, every input for the "na included" ones (the na window
// rules of docs/semantics.md). Nothing here is shared with vm/src/builtins:
// only the structs' public API is used. Set PINEVM_TA_REPORT=1 to print the
// measured maximum relative error of every compared output.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "ta_state.h"
#include "vm/ta_test_support.h"

namespace ta_ref {

using Series = std::vector<double>;
using Lengths = std::vector<std::int64_t>;
using Window = std::vector<double>;
using LD = long double;
inline constexpr double kNa = pine::kFloatNa;
inline constexpr std::size_t kBars = 6000;

inline bool na(double x) { return !std::isfinite(x); }

// Measured maximum relative errors, printed at exit when PINEVM_TA_REPORT is set.
inline ta_test::ErrorReport g_report{"Independent references: max relative error per function", 40};

// ---------------------------------------------------------------- bars

// Random-walk bars: 1% log-normal moves on a 0.01 tick (so ties occur);
// high/low straddle open/close; about 1% of bars start an na run of 1..20
// bars in close (high, low and hl2 na on half of them). With
// `volume_and_time`, volume is drawn too (na on ~0.5% of bars) and time
// advances 1..7 hours a bar (irregular days); without, neither is drawn (so
// the prices come from a different random stream) and both are left empty.
struct Bars {
  Series open, high, low, close, volume, hl2;
  std::vector<std::int64_t> time;
};
inline Bars make_bars(std::size_t n, std::uint64_t seed, bool volume_and_time = false) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> gauss(0.0, 1.0);
  std::uniform_real_distribution<double> uni(0.0, 1.0);
  auto tick = [](double x) { return std::round(x * 100.0) / 100.0; };
  Bars b;
  double p = 100.0, prev = 100.0;
  std::size_t na_left = 0;
  std::int64_t t = 1'600'000'000'000;
  for (std::size_t i = 0; i < n; ++i) {
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
    if (volume_and_time) {
      b.volume.push_back(uni(rng) < 0.005 ? kNa : std::round(1000.0 + 9000.0 * uni(rng)));
      t += 3'600'000 * static_cast<std::int64_t>(1 + rng() % 7);
      b.time.push_back(t);
    }
    prev = c;
  }
  return b;
}
// The kBars bars with volume and time most tests share.
inline const Bars& bars() {
  static const Bars b = make_bars(kBars, 20240601, true);
  return b;
}

// ---------------------------------------------------------------- comparison

// How close an output must be: error relative to max(|want|, floor) at most
// `rel` (floor 1 for outputs bounded near 0, such as correlation, whose
// relative error is meaningless at 0), on at least `min_compared` bars where
// both are defined (sparse outputs such as pivots ask for fewer).
struct Tolerance {
  double rel = 1e-10;
  double floor = 0.0;
  std::size_t min_compared = kBars / 4;
};

// Compares `got` with `want`: na exactly where want is na, and values within
// `tol`. Records the measured maximum under `name` in g_report.
inline void compare(const std::string& name, const Series& got, const Series& want, Tolerance tol = {}) {
  REQUIRE(got.size() == want.size());
  double max_rel = 0.0;
  std::size_t na_mismatch = 0, compared = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (na(got[i]) || na(want[i])) {
      if (na(got[i]) != na(want[i]) && na_mismatch++ == 0)
        MESSAGE(name << ": na mismatch at bar " << i << " got " << got[i] << " want " << want[i]);
      continue;
    }
    const double scale = std::max(std::fabs(want[i]), tol.floor);
    const double err = std::fabs(got[i] - want[i]) / (scale != 0.0 ? scale : 1.0);
    if (err > tol.rel && max_rel <= tol.rel)
      MESSAGE(name << ": first miss at bar " << i << " got " << got[i] << " want " << want[i]);
    max_rel = std::max(max_rel, err);
    ++compared;
  }
  g_report.record(name, max_rel);
  INFO(name);
  CHECK(na_mismatch == 0);
  CHECK(compared >= tol.min_compared);
  CHECK(max_rel <= tol.rel);
}

// ---------------------------------------------------------------- windows

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

// ---------------------------------------------------------------- window statistics

// The statistics of one window (double or long double values), in long double.
inline LD sum(const auto& w) { return std::accumulate(w.begin(), w.end(), LD{0}); }
inline constexpr auto ref_sum = [](const auto& w) { return sum(w); };
inline constexpr auto ref_sma = [](const auto& w) { return sum(w) / w.size(); };
inline constexpr auto ref_wma = [](const auto& w) {
  LD s = 0, norm = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    s += static_cast<LD>(w[i]) * static_cast<LD>(i + 1);
    norm += static_cast<LD>(i + 1);
  }
  return s / norm;
};
inline constexpr auto ref_max = [](const auto& w) { return static_cast<LD>(*std::max_element(w.begin(), w.end())); };
inline constexpr auto ref_min = [](const auto& w) { return static_cast<LD>(*std::min_element(w.begin(), w.end())); };
// The variance, biased (over n) or not (over n - 1; na for one value).
inline LD ref_var(const auto& w, bool biased) {
  if (!biased && w.size() == 1) return kNa;
  const LD m = sum(w) / w.size();
  LD ss = 0;
  for (const auto x : w) ss += (x - m) * (x - m);
  return ss / (biased ? w.size() : w.size() - 1);
}

// ---------------------------------------------------------------- series lengths

// Piecewise-constant series lengths: segments of 1..150 bars with a length in
// 1..max_len, and one segment in ten jumping to 150..250 (growth beyond what
// was retained).
inline Lengths make_lengths(std::size_t n, std::uint64_t seed, std::int64_t max_len) {
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

// A length that stays `len` on every bar.
inline Lengths constant(std::int64_t len) { return Lengths(kBars, len); }

// The window rule with series lengths: `f` of the last L non-na values,
// available when the struct can have retained them. A struct retains
// max(lengths so far) values (or `reserved`), so after a length grows beyond
// that, the discarded values are missing and the result is na until enough
// new values arrive.
template <class F>
Series ref_windowed(const Series& src, const Lengths& len, const F& f, std::size_t reserved = 0) {
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
    out.push_back(avail < L ? kNa : static_cast<double>(f(Window(all.end() - static_cast<std::ptrdiff_t>(L), all.end()))));
  }
  return out;
}

// Runs a (src, length) struct over a source and per-bar lengths, after
// reserve(reserve) when asked and the struct has it.
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

// ---------------------------------------------------------------- recursions

// Sma-seeded ema (alpha 2/(n+1)) or rma (Wilder, alpha 1/n) over the
// compacted input: the mean of the first n non-na values, then the
// recursion, in long double; na in, na out.
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

// ta.tr(handle_na) of `b`, from the previous bar's close: na when high or
// low is na; high - low (handle_na) or na when there is no previous close.
inline Series ref_tr(const Bars& b, bool handle_na) {
  Series out(b.close.size());
  for (std::size_t t = 0; t < out.size(); ++t) {
    out[t] = [&] {
      if (na(b.high[t]) || na(b.low[t])) return kNa;
      const double hl = b.high[t] - b.low[t];
      if (t == 0 || na(b.close[t - 1])) return handle_na ? hl : kNa;
      return std::max({hl, std::fabs(b.high[t] - b.close[t - 1]), std::fabs(b.low[t] - b.close[t - 1])});
    }();
  }
  return out;
}

// ---------------------------------------------------------------- pivot_point_levels

// Every pivot_point_levels type, in the order of kPivotTypeNames.
inline constexpr pine::ta::PivotType kPivotTypes[] = {
    pine::ta::PivotType::Traditional, pine::ta::PivotType::Fibonacci, pine::ta::PivotType::Woodie,
    pine::ta::PivotType::Classic,     pine::ta::PivotType::DM,        pine::ta::PivotType::Camarilla};
inline const char* const kPivotTypeNames[] = {"Traditional", "Fibonacci", "Woodie", "Classic", "DM", "Camarilla"};

// Period anchors at irregular intervals (a period is 1 to 40 bars),
// including two anchors in a row and an anchor on bar 0.
inline bool pivot_anchor_at(std::size_t t) {
  return t == 0 || (t * 2654435761u) % 97 < 4 || t % 40 == 39 || t == 101 || t == 102;
}

} // namespace ta_ref
