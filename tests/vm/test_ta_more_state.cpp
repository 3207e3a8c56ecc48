// The state structs of ta_more.h / ta_extra.h: archive round trips and
// hostile archives (the same checks test_ta_state.cpp runs on ta.h's).
//
// Round trip: run k bars, save, load into a fresh struct, continue; every
// later output must be bit-identical to an uninterrupted run, and save ->
// load -> save must reproduce the bytes. Every truncation of a saved state
// must throw; random corruption must throw or load a state that still steps.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>

#include "ta_state.h"
#include "vm/ta_test_support.h"

namespace {

using namespace pine::ta;
using ta_test::kNa;
using ta_test::len_at;
using ta_test::Outputs;
using ta_test::src_at;

// A second source, with its own na pattern.
double src2_at(std::size_t t) {
  if (t % 41 == 7) return kNa;
  return 50.0 + 5.0 * std::cos(0.07 * static_cast<double>(t)) + 0.25 * static_cast<double>(t % 5);
}
double vol_at(std::size_t t) { return t % 97 == 13 ? kNa : 1000.0 + static_cast<double>((t * 7919) % 5000); }
double f(std::int64_t v) { return v == pine::kIntNa ? kNa : static_cast<double>(v); }

// The round-trip, truncation and corruption checks (ta_test_support.h) with
// this file's split points and corruption trials.
template <class S>
void check_state(const char* name, const ta_test::StepFn<S>& step) {
  static const ta_test::StateCheckPlan plan{{0, 1, 5, 52, 301, 640, ta_test::kStateBars - 1}, 99, 200};
  ta_test::check_state_round_trips(name, step, plan);
}

// Adapter for the structs stepped as step(src, length).
template <class S>
void src_len(S& s, std::size_t t, Outputs& out) {
  out.push_back(s.step(src_at(t), len_at(t)));
}

} // namespace

TEST_CASE("more ta state: one-source windows") {
  check_state<Cum>("cum", [](Cum& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t))); });
  check_state<Roc>("roc", src_len<Roc>);
  check_state<Swma>("swma", [](Swma& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t))); });
  check_state<Hma>("hma", [](Hma& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t), 16)); });
  check_state<Alma>("alma", [](Alma& s, std::size_t t, Outputs& o) {
    o.push_back(s.step(src_at(t), len_at(t), 0.85, 6.0, t % 2 == 0));
  });
  check_state<Linreg>("linreg", [](Linreg& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t), len_at(t), 2)); });
  check_state<Dev>("dev/cci", [](Dev& s, std::size_t t, Outputs& o) {
    o.push_back(t % 2 ? s.step(src_at(t), len_at(t)).dev : s.step_cci(src_at(t), len_at(t)));
  });
  check_state<Cog>("cog", src_len<Cog>);
  check_state<Cmo>("cmo", src_len<Cmo>);
  check_state<Tsi>("tsi", [](Tsi& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t), 13, 25)); });
  check_state<Median>("median", src_len<Median>);
  check_state<Mode>("mode", src_len<Mode>);
  check_state<Range>("range", src_len<Range>);
  check_state<ExtremeBars<true>>("highestbars", [](ExtremeBars<true>& s, std::size_t t, Outputs& o) {
    o.push_back(f(s.step(src_at(t), len_at(t))));
  });
  check_state<ExtremeBars<false>>("lowestbars", [](ExtremeBars<false>& s, std::size_t t, Outputs& o) {
    o.push_back(f(s.step(src_at(t), len_at(t))));
  });
  check_state<Trend<true>>("rising", [](Trend<true>& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t), 2)); });
  check_state<Trend<false>>("falling", [](Trend<false>& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t), 2)); });
  check_state<AllTime<true>>("max", [](AllTime<true>& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t))); });
  check_state<AllTime<false>>("min", [](AllTime<false>& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t))); });
  check_state<PercentRank>("percentrank", src_len<PercentRank>);
  check_state<PercentileLinear>("percentile linear", [](PercentileLinear& s, std::size_t t, Outputs& o) {
    o.push_back(s.step(src_at(t), len_at(t), 30));
  });
  check_state<PercentileNearest>("percentile nearest", [](PercentileNearest& s, std::size_t t, Outputs& o) {
    o.push_back(s.step(src_at(t), len_at(t), 70));
  });
  check_state<Rci>("rci", src_len<Rci>);
  check_state<PivotHigh>("pivothigh", [](PivotHigh& s, std::size_t t, Outputs& o) {
    o.push_back(s.step(src_at(t), 3, t < 500 ? 2 : 4));
  });
  check_state<PivotLow>("pivotlow", [](PivotLow& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t), 5, 1)); });
}

TEST_CASE("more ta state: several sources, bars and volume") {
  check_state<BarsSince>("barssince", [](BarsSince& s, std::size_t t, Outputs& o) { o.push_back(f(s.step(t % 17 == 3))); });
  check_state<ValueWhen<double>>("valuewhen", [](ValueWhen<double>& s, std::size_t t, Outputs& o) {
    o.push_back(s.step(t % 5 == 1, src_at(t), 2));
  });
  check_state<ValueWhen<std::int64_t>>("valuewhen int", [](ValueWhen<std::int64_t>& s, std::size_t t, Outputs& o) {
    o.push_back(f(s.step(t % 5 == 1, static_cast<std::int64_t>(t), 1)));
  });
  check_state<Vwma>("vwma", [](Vwma& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t), vol_at(t), len_at(t))); });
  check_state<Mfi>("mfi", [](Mfi& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t), vol_at(t), 14)); });
  check_state<Stoch>("stoch", [](Stoch& s, std::size_t t, Outputs& o) {
    o.push_back(s.step(src_at(t), src_at(t) + 1, src_at(t) - 1, len_at(t)));
  });
  check_state<Wpr>("wpr", [](Wpr& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t) + 1, src_at(t) - 1, src_at(t), 14)); });
  check_state<Bb>("bb", [](Bb& s, std::size_t t, Outputs& o) {
    const Bb::Result r = s.step(src_at(t), len_at(t), 2.0);
    o.insert(o.end(), {r.basis, r.upper, r.lower});
  });
  check_state<Kc>("kc", [](Kc& s, std::size_t t, Outputs& o) {
    const Bb::Result r = s.step(src_at(t), 20, 1.5, t % 2 == 0, src_at(t) + 1, src_at(t) - 1, src_at(t));
    o.insert(o.end(), {r.basis, r.upper, r.lower});
  });
  check_state<Correlation>("correlation", [](Correlation& s, std::size_t t, Outputs& o) {
    o.push_back(s.step(src_at(t), src2_at(t), len_at(t)));
  });
  check_state<Supertrend>("supertrend", [](Supertrend& s, std::size_t t, Outputs& o) {
    const Supertrend::Result r = s.step(3.0, 10, src_at(t), src_at(t) + 1, src_at(t) - 1, src2_at(t) + 50);
    o.insert(o.end(), {r.line, static_cast<double>(r.direction)});
  });
  check_state<Dmi>("dmi", [](Dmi& s, std::size_t t, Outputs& o) {
    const Dmi::Result r = s.step(14, 14, src_at(t) + 1, src_at(t) - 1, src_at(t));
    o.insert(o.end(), {r.plus, r.minus, r.adx});
  });
  check_state<Sar>("sar", [](Sar& s, std::size_t t, Outputs& o) {
    o.push_back(s.step(0.02, 0.02, 0.2, src2_at(t) + 1, src2_at(t) - 1, src2_at(t)));
  });
  check_state<Vwap>("vwap", [](Vwap& s, std::size_t t, Outputs& o) {
    const bool anchor = s.day_anchor(static_cast<std::int64_t>(t) * 3'600'000 * 5);
    const Vwap::Result r = s.step(src_at(t), anchor, vol_at(t), 1.5);
    o.insert(o.end(), {r.vwap, r.upper, r.lower});
  });
  check_state<VolumeVars>("volume variables", [](VolumeVars& s, std::size_t t, Outputs& o) {
    const double c = src_at(t), v = vol_at(t);
    switch (t % 6) {
      case 0: o.push_back(s.obv(c, v)); break;
      case 1: o.push_back(s.accdist(c + 1, c - 1, c, v)); break;
      case 2: o.push_back(s.nvi(c, v)); break;
      case 3: o.push_back(s.pvi(c, v)); break;
      case 4: o.push_back(s.pvt(c, v)); break;
      default: o.push_back(s.wad(c + 1, c - 1, c)); break;
    }
  });
}

TEST_CASE("more ta: argument edge cases") {
  // valuewhen with an na or out-of-range occurrence returns na; a
  // percentage na gives na (linear) or the smallest value (nearest rank).
  ValueWhen<double> vw;
  CHECK(std::isnan(vw.step(true, 1.0, -1)));
  CHECK(vw.step(true, 2.0, 0) == 2.0);
  PercentileLinear pl;
  PercentileNearest pn;
  for (double x : {3.0, 1.0, 2.0}) {
    pl.step(x, 3, 50);
    pn.step(x, 3, 50);
  }
  CHECK(std::isnan(pl.step(5.0, 3, kNa)));
  CHECK(pn.step(5.0, 3, kNa) == 1.0);
  // Pivots with strengths 0: a window of one value is its own pivot.
  PivotHigh ph;
  CHECK(ph.step(4.0, 0, 0) == 4.0);
  // hma(1) uses wma(src, 1) for both halves: it is the source itself.
  Hma h;
  CHECK(h.step(7.0, 1) == 7.0);
  // cum of na is na and adds nothing.
  Cum c;
  c.step(1.0);
  CHECK(std::isnan(c.step(kNa)));
  CHECK(c.step(2.0) == 3.0);
}
