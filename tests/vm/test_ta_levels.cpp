// ta.pivot_point_levels (vm/src/builtins/ta_levels.h) against:
//  - TradingView's worked example for its "Pivot Points Standard" indicator
//    (Traditional levels for H=200.29 L=195.21 C=198.45, printed to nine
//    decimals in TradingView's help article);
//  - a from-scratch reference: on every bar the periods are found by
//    scanning back for anchors, their open/high/low/close recomputed, and the
//    levels evaluated from the textbook formulas (written in a different but
//    equivalent form from the VM's), over 6,000 bars with na runs;
//  - archive round trips and hostile archives.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <optional>
#include <string>

#include "builtins/ta_pivots.h"
#include "pine/vm/instance.h"
#include "vm/ta_more_reference.h"
#include "vm/vm_helpers.h"

namespace {

using pine::ta::PeriodBar;
using pine::ta::PivotLevelArray;
using pine::ta::PivotLevels;
using pine::ta::PivotType;
using ta_ref::kBars;
using ta_ref::kNa;
using ta_ref::na;
using ta_ref::Series;

constexpr PivotType kTypes[] = {PivotType::Traditional, PivotType::Fibonacci, PivotType::Woodie,
                                PivotType::Classic,     PivotType::DM,        PivotType::Camarilla};
const char* const kTypeNames[] = {"Traditional", "Fibonacci", "Woodie", "Classic", "DM", "Camarilla"};
const char* const kLevelNames[] = {"P", "R1", "S1", "R2", "S2", "R3", "S3", "R4", "S4", "R5", "S5"};

// Anchors at irregular intervals (a period is 1 to 40 bars), including two
// anchors in a row and an anchor on bar 0.
bool anchor_at(std::size_t t) { return t == 0 || (t * 2654435761u) % 97 < 4 || t % 40 == 39 || t == 101 || t == 102; }

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
  while (start > 0 && !anchor_at(start)) --start;
  const Ohlc now = scan(start, t);
  if (developing) return textbook(type, now, now.o);
  std::array<double, 11> none;
  none.fill(kNa);
  if (start == 0) return none;
  std::size_t prev = start - 1;
  while (prev > 0 && !anchor_at(prev)) --prev;
  return textbook(type, scan(prev, start - 1), now.o);
}

} // namespace

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
    CHECK(pine::ta::parse_pivot_type(kTypeNames[i], t));
    CHECK(t == kTypes[i]);
  }
  CHECK_FALSE(pine::ta::parse_pivot_type("traditional", t)); // TradingView's names are case-sensitive
  CHECK_FALSE(pine::ta::parse_pivot_type("", t));
  CHECK_FALSE(pine::ta::parse_pivot_type("Demark", t));

  const PeriodBar bar{100.0, 110.0, 90.0, 105.0};
  // Defined levels per type (published formulas): Traditional and Camarilla
  // all 11, Classic and Woodie up to R4/S4, Fibonacci up to R3/S3, DM P/R1/S1.
  const std::size_t defined[] = {11, 7, 9, 9, 3, 11};
  for (std::size_t i = 0; i < 6; ++i) {
    INFO(kTypeNames[i]);
    const PivotLevelArray v = pine::ta::pivot_levels(kTypes[i], bar, 101.0);
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
      if (developing && kTypes[ti] == PivotType::Woodie) continue; // a runtime error in the VM
      PivotLevels s;
      std::array<Series, 11> got, want;
      for (auto& x : got) x.assign(kBars, kNa);
      for (auto& x : want) x.assign(kBars, kNa);
      for (std::size_t t = 0; t < kBars; ++t) {
        const PivotLevelArray v = s.step(kTypes[ti], anchor_at(t), developing, b.open[t], b.high[t], b.low[t], b.close[t]);
        const std::array<double, 11> r = reference(kTypes[ti], developing, t);
        for (std::size_t k = 0; k < 11; ++k) {
          got[k][t] = v[k];
          want[k][t] = r[k];
        }
      }
      for (std::size_t k = 0; k < 11; ++k) {
        const std::string name = std::string("pivot_point_levels ") + kTypeNames[ti] + (developing ? " dev " : " ") +
                                 kLevelNames[k];
        const bool undefined = std::isnan(pine::ta::pivot_levels(kTypes[ti], PeriodBar{1, 2, 1, 1.5}, 1.0)[k]);
        ta_ref::compare(name, got[k], want[k], 0.0, undefined ? 0 : kBars / 2);
      }
    }
  }
}

TEST_CASE("ta.pivot_point_levels: state round trips and hostile archives") {
  static const ta_test::StateCheckPlan plan{{0, 1, 5, 52, 301, 640, ta_test::kStateBars - 1}, 77, 200};
  for (bool developing : {false, true}) {
    ta_test::check_state_round_trips<PivotLevels>(
        developing ? "pivot levels (developing)" : "pivot levels",
        [developing](PivotLevels& s, std::size_t t, ta_test::Outputs& o) {
          const auto& b = ta_ref::bars();
          const PivotType type = kTypes[(t / 150) % 6 == 2 && developing ? 0 : (t / 150) % 6];
          const PivotLevelArray v = s.step(type, anchor_at(t), developing, b.open[t], b.high[t], b.low[t], b.close[t]);
          o.insert(o.end(), v.begin(), v.end());
        },
        plan);
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
