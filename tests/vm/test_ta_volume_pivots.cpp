// Volume (vm/src/builtins/ta_volume.h: vwap, obv, accdist, nvi, pvi, pvt,
// wad, iii, wvad) and pivots (vm/src/builtins/ta_pivots.h: pivothigh,
// pivotlow, pivot_point_levels) against the independent references of
// ta_reference.h. pivot_point_levels is also checked against TradingView's
// worked example for its "Pivot Points Standard" indicator (Traditional
// levels for H=200.29 L=195.21 C=198.45, printed to nine decimals in
// TradingView's help article), and against a from-scratch reference: on
// every bar the periods are found by scanning back for anchors, their
// open/high/low/close recomputed, and the levels evaluated from the textbook
// formulas (written in a different but equivalent form from the VM's), over
// 6,000 bars with na runs; its runtime errors run through the VM.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "builtins/ta_pivots.h"
#include "pine/vm/instance.h"
#include "ta_state.h"
#include "vm/ta_reference.h"
#include "vm/vm_helpers.h"

using namespace pine::ta;
using namespace ta_ref;

namespace {

const char* const kLevelNames[] = {"P", "R1", "S1", "R2", "S2", "R3", "S3", "R4", "S4", "R5", "S5"};

// The OHLC of bars [from, to] recomputed by scanning (na skipped): first
// defined open, extremes, last defined close.
struct Ohlc {
  double o = kNa, h = kNa, l = kNa, c = kNa;
};
Ohlc scan(std::size_t from, std::size_t to) {
  const auto& b = ta_ref::bars();
  Ohlc p;
  for (std::size_t t = from; t <= to; ++t) {
    if (na(p.o) && !na(b.open[t])) p.o = b.open[t];
    if (!na(b.high[t])) p.h = na(p.h) ? b.high[t] : std::max(p.h, b.high[t]);
    if (!na(b.low[t])) p.l = na(p.l) ? b.low[t] : std::min(p.l, b.low[t]);
    if (!na(b.close[t])) p.c = b.close[t];
  }
  return p;
}

// The textbook levels (P, R1, S1, ... R5, S5) of period `p`; `open_now` is
// the next period's open (Woodie). Equivalent rearrangements of the
// published formulas, so a transcription slip in the VM shows up.
std::array<double, 11> textbook(PivotType type, const Ohlc& p, double open_now) {
  std::array<double, 11> v;
  v.fill(kNa);
  const double h = p.h, l = p.l, c = p.c, range = p.h - p.l;
  switch (type) {
    case PivotType::Traditional: {
      const double pp = (h + l + c) / 3;
      v = {pp, 2 * pp - l, 2 * pp - h, pp + range, pp - range, h + 2 * (pp - l), l - 2 * (h - pp),
           h + 3 * (pp - l), l - 3 * (h - pp), h + 4 * (pp - l), l - 4 * (h - pp)};
      break;
    }
    case PivotType::Fibonacci: {
      const double pp = (h + l + c) / 3;
      v = {pp, pp + range * 0.382, pp - range * 0.382, pp + range * 0.618, pp - range * 0.618, pp + range, pp - range,
           kNa, kNa, kNa, kNa};
      break;
    }
    case PivotType::Woodie: {
      const double pp = (h + l) / 4 + open_now / 2;
      const double r3 = h + 2 * (pp - l), s3 = l - 2 * (h - pp);
      v = {pp, 2 * pp - l, 2 * pp - h, pp + range, pp - range, r3, s3, r3 + range, s3 - range, kNa, kNa};
      break;
    }
    case PivotType::Classic: {
      const double pp = (h + l + c) / 3;
      v = {pp, 2 * pp - l, 2 * pp - h, pp + range, pp - range, pp + 2 * range, pp - 2 * range, pp + 3 * range,
           pp - 3 * range, kNa, kNa};
      break;
    }
    case PivotType::DM: {
      if (na(p.o) || na(c)) break;
      const double x = c == p.o ? h + l + 2 * c : (c > p.o ? 2 * h + l + c : h + 2 * l + c);
      v[0] = x / 4;
      v[1] = x / 2 - l;
      v[2] = x / 2 - h;
      break;
    }
    case PivotType::Camarilla: {
      const double pp = (h + l + c) / 3;
      const double step = range * (1.1 / 12);
      v = {pp, c + step, c - step, c + 2 * step, c - 2 * step, c + 3 * step, c - 3 * step, c + 6 * step, c - 6 * step,
           c * h / l, c - (c * h / l - c)};
      break;
    }
  }
  return v;
}

// The reference output of bar t: the current period starts at the last
// anchor (or bar 0); developing levels use it up to t, the others the period
// before it (none before the second period).
std::array<double, 11> reference(PivotType type, bool developing, std::size_t t) {
  std::size_t start = t;
  while (start > 0 && !pivot_anchor_at(start)) --start;
  const Ohlc now = scan(start, t);
  if (developing) return textbook(type, now, now.o);
  std::array<double, 11> none;
  none.fill(kNa);
  if (start == 0) return none;
  std::size_t prev = start - 1;
  while (prev > 0 && !pivot_anchor_at(prev)) --prev;
  return textbook(type, scan(prev, start - 1), now.o);
}

} // namespace

TEST_CASE("volume: vwap and the volume variables") {
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
          }), {.floor = 1.0});
  compare("accdist", ga, each_bar([&](std::size_t t) {
            return cum_of(t, [&](std::size_t k) {
              return ((b.close[k] - b.low[k]) - (b.high[k] - b.close[k])) / (b.high[k] - b.low[k]) * b.volume[k];
            }, false);
          }), {.floor = 1.0});
  compare("pvt", gt, each_bar([&](std::size_t t) {
            return cum_of(t, [&](std::size_t k) { return chg(k) / b.close[k - (k > 0)] * b.volume[k]; }, true);
          }), {.floor = 1.0});
  compare("wad", gw, each_bar([&](std::size_t t) {
            return cum_of(t, [&](std::size_t k) {
              const double pc = k == 0 ? kNa : b.close[k - 1];
              const double th = na(pc) ? b.high[k] : std::max(b.high[k], pc);
              const double tl = na(pc) ? b.low[k] : std::min(b.low[k], pc);
              const double m = chg(k);
              return m > 0 ? b.close[k] - tl : (m < 0 ? b.close[k] - th : 0.0);
            }, true);
          }), {.floor = 1.0});
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

TEST_CASE("volume: the per-bar variables ta.iii and ta.wvad through the VM's dispatch") {
  // They have no state struct: step_state computes them from the bar in the
  // main frame's built-in slots, which this test fills bar by bar. The
  // reference is the reference manual's formula in long double.
  using pine::BuiltinVar;
  const Bars& b = bars();
  std::vector<pine::Value> globals(static_cast<std::size_t>(BuiltinVar::Count));
  auto set = [&](BuiltinVar v, double x) { globals[static_cast<std::size_t>(v)] = pine::make_float(x); };
  for (pine::StateKind kind : {pine::StateKind::III, pine::StateKind::WVAD}) {
    const bool iii = kind == pine::StateKind::III;
    pine::TaState state;
    pine::init_ta_state(state, kind);
    const Series got = each_bar([&](std::size_t t) {
      set(BuiltinVar::OPEN, b.open[t]);
      set(BuiltinVar::HIGH, b.high[t]);
      set(BuiltinVar::LOW, b.low[t]);
      set(BuiltinVar::CLOSE, b.close[t]);
      set(BuiltinVar::VOLUME, b.volume[t]);
      pine::Value out{};
      REQUIRE(pine::step_state(state, kind, nullptr, &out, globals.data()) == nullptr);
      return out.f;
    });
    const Series want = each_bar([&](std::size_t t) {
      const LD o = b.open[t], h = b.high[t], l = b.low[t], c = b.close[t], v = b.volume[t];
      if (na(b.high[t]) || na(b.low[t]) || na(b.close[t]) || na(b.volume[t]) || h == l) return kNa;
      return static_cast<double>(iii ? (2 * c - h - l) / ((h - l) * v) : (c - o) / (h - l) * v);
    });
    compare(iii ? "iii" : "wvad", got, want);
  }
}

TEST_CASE("pivots: pivothigh and pivotlow") {
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
    compare("pivothigh", gh, each_bar([&](std::size_t t) { return pivot(t, true); }), {.min_compared = 100});
    compare("pivotlow", gl, each_bar([&](std::size_t t) { return pivot(t, false); }), {.min_compared = 100});
  }
}

TEST_CASE("pivots: strengths 0 make a window of one value its own pivot") {
  PivotHigh ph;
  CHECK(ph.step(4.0, 0, 0) == 4.0);
}

TEST_CASE("ta.pivot_point_levels: TradingView's worked example (Traditional)") {
  // Three bars whose period has H=200.29, L=195.21, C=198.45, then an anchor.
  PivotLevels s;
  s.step(PivotType::Traditional, true, false, 196.0, 199.0, 195.21, 197.0);
  s.step(PivotType::Traditional, false, false, 197.0, 200.29, 196.5, 199.1);
  s.step(PivotType::Traditional, false, false, 199.1, 199.8, 197.2, 198.45);
  const PivotLevelArray v = s.step(PivotType::Traditional, true, false, 198.5, 199.0, 198.0, 198.7);
  // TradingView prints nine decimals, truncated: compare to 1e-8.
  const double want[] = {197.983333333, 200.756666666, 195.676666666, 203.063333333, 192.903333333, 205.836666666,
                         190.596666666, 208.609999999, 188.289999999, 211.383333332, 185.983333332};
  for (std::size_t i = 0; i < 11; ++i) {
    INFO(kLevelNames[i]);
    CHECK(std::fabs(v[i] - want[i]) < 1e-8);
  }
}

TEST_CASE("ta.pivot_point_levels: type names and the levels each type leaves na") {
  PivotType t{};
  for (std::size_t i = 0; i < 6; ++i) {
    CHECK(pine::ta::parse_pivot_type(kPivotTypeNames[i], t));
    CHECK(t == kPivotTypes[i]);
  }
  CHECK_FALSE(pine::ta::parse_pivot_type("traditional", t)); // TradingView's names are case-sensitive
  CHECK_FALSE(pine::ta::parse_pivot_type("", t));
  CHECK_FALSE(pine::ta::parse_pivot_type("Demark", t));

  const PeriodBar bar{100.0, 110.0, 90.0, 105.0};
  // Defined levels per type (published formulas): Traditional and Camarilla
  // all 11, Classic and Woodie up to R4/S4, Fibonacci up to R3/S3, DM P/R1/S1.
  const std::size_t defined[] = {11, 7, 9, 9, 3, 11};
  for (std::size_t i = 0; i < 6; ++i) {
    INFO(kPivotTypeNames[i]);
    const PivotLevelArray v = pine::ta::pivot_levels(kPivotTypes[i], bar, 101.0);
    for (std::size_t k = 0; k < 11; ++k) CHECK(std::isnan(v[k]) == (k >= defined[i]));
  }
  // Hand values: DM with close > open: X = 2*110 + 90 + 105 = 415.
  const PivotLevelArray dm = pine::ta::pivot_levels(PivotType::DM, bar, 101.0);
  CHECK(dm[0] == 103.75);
  CHECK(dm[1] == 117.5);
  CHECK(dm[2] == 97.5);
  // Woodie: P = (110 + 90 + 2*101)/4 = 100.5, R1 = 2P - L = 111, S1 = 2P - H = 91.
  const PivotLevelArray wd = pine::ta::pivot_levels(PivotType::Woodie, bar, 101.0);
  CHECK(wd[0] == 100.5);
  CHECK(wd[1] == 111.0);
  CHECK(wd[2] == 91.0);
  // Camarilla R5 = H/L*C = 110/90*105, S5 = 2C - R5.
  const PivotLevelArray cam = pine::ta::pivot_levels(PivotType::Camarilla, bar, 101.0);
  CHECK(cam[9] == doctest::Approx(128.333333333333).epsilon(1e-12));
  CHECK(cam[10] == doctest::Approx(81.666666666667).epsilon(1e-12));
}

TEST_CASE("ta.pivot_point_levels: independent reference over 6,000 bars with na runs") {
  const auto& b = ta_ref::bars();
  for (std::size_t ti = 0; ti < 6; ++ti) {
    for (bool developing : {false, true}) {
      if (developing && kPivotTypes[ti] == PivotType::Woodie) continue; // a runtime error in the VM
      PivotLevels s;
      std::array<Series, 11> got, want;
      for (auto& x : got) x.assign(kBars, kNa);
      for (auto& x : want) x.assign(kBars, kNa);
      for (std::size_t t = 0; t < kBars; ++t) {
        const PivotLevelArray v = s.step(kPivotTypes[ti], pivot_anchor_at(t), developing, b.open[t], b.high[t], b.low[t], b.close[t]);
        const std::array<double, 11> r = reference(kPivotTypes[ti], developing, t);
        for (std::size_t k = 0; k < 11; ++k) {
          got[k][t] = v[k];
          want[k][t] = r[k];
        }
      }
      for (std::size_t k = 0; k < 11; ++k) {
        const std::string name = std::string("pivot_point_levels ") + kPivotTypeNames[ti] + (developing ? " dev " : " ") +
                                 kLevelNames[k];
        const bool undefined = std::isnan(pine::ta::pivot_levels(kPivotTypes[ti], PeriodBar{1, 2, 1, 1.5}, 1.0)[k]);
        compare(name, got[k], want[k], {.min_compared = undefined ? 0 : kBars / 2});
      }
    }
  }
}

TEST_CASE("ta.pivot_point_levels: an unknown type and developing Woodie levels are runtime errors") {
  // The type is a series string: checked on each call, on the bar it changes.
  auto expect_error = [](const std::string& body, int bar, const std::string& fragment) {
    pine::Instance inst = pine::InstanceBuilder(compile_ok(body)).build();
    for (int i = 0; i < bar; ++i) inst.run_bar(bar_at(i));
    try {
      inst.run_bar(bar_at(bar));
      FAIL("expected a runtime error");
    } catch (const pine::RuntimeError& e) {
      CHECK(std::string(e.what()).find(fragment) != std::string::npos);
      CHECK(e.bar_index() == bar);
    }
  };
  expect_error("t = bar_index < 3 ? \"Classic\" : \"classic\"\nl = ta.pivot_point_levels(t, bar_index % 2 == 0)\nplot(l.get(0))\n",
               3, "invalid type argument of ta.pivot_point_levels");
  expect_error("string t = na\nl = ta.pivot_point_levels(t, true)\nplot(l.get(0))\n", 0,
               "invalid type argument of ta.pivot_point_levels");
  expect_error("l = ta.pivot_point_levels(\"Woodie\", bar_index % 2 == 0, bar_index > 1)\nplot(l.get(0))\n", 2,
               "cannot develop \"Woodie\" levels");
}
