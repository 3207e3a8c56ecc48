// Save/load of every ta.* state struct, family by family (the families of
// vm/src/builtins), and archives crafted to be hostile.
//
// Round trip (ta_test::check_state_round_trips): run k bars, save with
// archive::Out, load into a fresh struct with archive::In, continue; every
// later output must be bit-identical to an uninterrupted run, and save ->
// load -> save must reproduce the bytes. Hostile input: every truncation of
// a saved state must throw, random byte corruption must throw or load a
// state that still steps safely, and crafted huge counts must be rejected
// before anything is allocated. The sources are ta_test::src_at (na runs,
// ties) with the changing length ta_test::len_at where the struct takes one.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "ta_state.h"
#include "vm/ta_reference.h"
#include "vm/ta_test_support.h"

namespace {

using namespace pine::ta;
using ta_test::Bytes;
using ta_test::kNa;
using ta_test::len_at;
using ta_test::load_bytes;
using ta_test::Outputs;
using ta_test::src_at;

// A second source, with its own na pattern.
double src2_at(std::size_t t) {
  if (t % 41 == 7) return kNa;
  return 50.0 + 5.0 * std::cos(0.07 * static_cast<double>(t)) + 0.25 * static_cast<double>(t % 5);
}
double vol_at(std::size_t t) { return t % 97 == 13 ? kNa : 1000.0 + static_cast<double>((t * 7919) % 5000); }
// An int output as a float (kIntNa is na).
double f(std::int64_t v) { return v == pine::kIntNa ? kNa : static_cast<double>(v); }

// The round-trip, truncation and corruption checks with one plan for every
// struct: loads after these bars, and 300 random corruptions of the state
// at ta_test::kMidBar.
template <class S>
void check_state(const char* name, const ta_test::StepFn<S>& step) {
  static const ta_test::StateCheckPlan plan{{0, 1, 5, 13, 52, 299, 301, 640, ta_test::kStateBars - 1}, 1234, 300};
  ta_test::check_state_round_trips(name, step, plan);
}

// Adapters for the structs stepped as step(src, length), with the changing
// length or a fixed 14.
template <class S>
void src_len(S& s, std::size_t t, Outputs& out) {
  out.push_back(s.step(src_at(t), len_at(t)));
}
template <class S>
void src_14(S& s, std::size_t t, Outputs& out) {
  out.push_back(s.step(src_at(t), 14));
}

} // namespace

TEST_CASE("ta state round trips: moving averages") {
  check_state<Sma>("sma", src_len<Sma>);
  check_state<Sum>("math.sum", src_len<Sum>);
  check_state<Wma>("wma", src_len<Wma>);
  check_state<Ema>("ema", src_14<Ema>);
  check_state<Rma>("rma", src_14<Rma>);
  check_state<Cum>("cum", [](Cum& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t))); });
  check_state<Swma>("swma", [](Swma& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t))); });
  check_state<Hma>("hma", [](Hma& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t), 16)); });
  check_state<Alma>("alma", [](Alma& s, std::size_t t, Outputs& o) {
    o.push_back(s.step(src_at(t), len_at(t), 0.85, 6.0, t % 2 == 0));
  });
  check_state<Linreg>("linreg", [](Linreg& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t), len_at(t), 2)); });
  check_state<Vwma>("vwma", [](Vwma& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t), vol_at(t), len_at(t))); });
}

TEST_CASE("ta state round trips: oscillators") {
  check_state<Rsi>("rsi", src_14<Rsi>);
  check_state<Macd>("macd", [](Macd& s, std::size_t t, Outputs& out) {
    const auto r = s.step(src_at(t), 12, 26, 9);
    out.insert(out.end(), {r.macd, r.signal, r.hist});
  });
  check_state<Roc>("roc", src_len<Roc>);
  check_state<Cog>("cog", src_len<Cog>);
  check_state<Cmo>("cmo", src_len<Cmo>);
  check_state<Tsi>("tsi", [](Tsi& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t), 13, 25)); });
  check_state<Mfi>("mfi", [](Mfi& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t), vol_at(t), 14)); });
  check_state<Stoch>("stoch", [](Stoch& s, std::size_t t, Outputs& o) {
    o.push_back(s.step(src_at(t), src_at(t) + 1, src_at(t) - 1, len_at(t)));
  });
  check_state<Wpr>("wpr", [](Wpr& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t) + 1, src_at(t) - 1, src_at(t), 14)); });
}

TEST_CASE("ta state round trips: volatility") {
  check_state<Tr>("tr", [](Tr& s, std::size_t t, Outputs& out) {
    out.push_back(s.step(src_at(t) + 1, src_at(t) - 1, src_at(t + 1), t % 3 == 0));
  });
  check_state<Atr>("atr", [](Atr& s, std::size_t t, Outputs& out) {
    out.push_back(s.step(src_at(t) + 1, src_at(t) - 1, src_at(t + 1), 14));
  });
  check_state<Bb>("bb", [](Bb& s, std::size_t t, Outputs& o) {
    const Bb::Result r = s.step(src_at(t), len_at(t), 2.0);
    o.insert(o.end(), {r.basis, r.upper, r.lower});
  });
  check_state<Kc>("kc", [](Kc& s, std::size_t t, Outputs& o) {
    const Bb::Result r = s.step(src_at(t), 20, 1.5, t % 2 == 0, src_at(t) + 1, src_at(t) - 1, src_at(t));
    o.insert(o.end(), {r.basis, r.upper, r.lower});
  });
}

TEST_CASE("ta state round trips: extremes") {
  check_state<Highest>("highest", src_len<Highest>);
  check_state<Lowest>("lowest", src_len<Lowest>);
  check_state<Range>("range", src_len<Range>);
  check_state<ExtremeBars<true>>("highestbars", [](ExtremeBars<true>& s, std::size_t t, Outputs& o) {
    o.push_back(f(s.step(src_at(t), len_at(t))));
  });
  check_state<ExtremeBars<false>>("lowestbars", [](ExtremeBars<false>& s, std::size_t t, Outputs& o) {
    o.push_back(f(s.step(src_at(t), len_at(t))));
  });
  check_state<AllTime<true>>("max", [](AllTime<true>& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t))); });
  check_state<AllTime<false>>("min", [](AllTime<false>& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t))); });
}

TEST_CASE("ta state round trips: statistics") {
  check_state<Stdev>("stdev", [](Stdev& s, std::size_t t, Outputs& out) {
    out.push_back(s.step(src_at(t), len_at(t), t % 2 == 0));
  });
  check_state<Dev>("dev/cci", [](Dev& s, std::size_t t, Outputs& o) {
    o.push_back(t % 2 ? s.step(src_at(t), len_at(t)).dev : s.step_cci(src_at(t), len_at(t)));
  });
  check_state<Median>("median", src_len<Median>);
  check_state<Mode>("mode", src_len<Mode>);
  check_state<PercentRank>("percentrank", src_len<PercentRank>);
  check_state<PercentileLinear>("percentile linear", [](PercentileLinear& s, std::size_t t, Outputs& o) {
    o.push_back(s.step(src_at(t), len_at(t), 30));
  });
  check_state<PercentileNearest>("percentile nearest", [](PercentileNearest& s, std::size_t t, Outputs& o) {
    o.push_back(s.step(src_at(t), len_at(t), 70));
  });
  check_state<Rci>("rci", src_len<Rci>);
  check_state<Correlation>("correlation", [](Correlation& s, std::size_t t, Outputs& o) {
    o.push_back(s.step(src_at(t), src2_at(t), len_at(t)));
  });
}

TEST_CASE("ta state round trips: trend") {
  check_state<Trend<true>>("rising", [](Trend<true>& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t), 2)); });
  check_state<Trend<false>>("falling", [](Trend<false>& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t), 2)); });
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
}

TEST_CASE("ta state round trips: events") {
  check_state<Change>("change", src_len<Change>);
  check_state<ChangeInt>("change int", [](ChangeInt& s, std::size_t t, Outputs& out) {
    const std::int64_t v = t % 17 == 0 ? pine::kIntNa : static_cast<std::int64_t>(t * t % 1000);
    out.push_back(static_cast<double>(s.step(v, static_cast<std::int64_t>(1 + t / 200))));
  });
  check_state<ChangeBool>("change bool", [](ChangeBool& s, std::size_t t, Outputs& out) {
    out.push_back(s.step(t % 5 < 2, 2) ? 1.0 : 0.0);
  });
  check_state<Cross>("cross", [](Cross& s, std::size_t t, Outputs& out) {
    const double a = src_at(t), b = 100.0 + 0.3 * static_cast<double>(t % 11);
    out.push_back(t % 3 == 0 ? s.step_over(a, b) : (t % 3 == 1 ? s.step_under(a, b) : s.step_cross(a, b)));
  });
  check_state<BarsSince>("barssince", [](BarsSince& s, std::size_t t, Outputs& o) { o.push_back(f(s.step(t % 17 == 3))); });
  check_state<ValueWhen<double>>("valuewhen", [](ValueWhen<double>& s, std::size_t t, Outputs& o) {
    o.push_back(s.step(t % 5 == 1, src_at(t), 2));
  });
  check_state<ValueWhen<std::int64_t>>("valuewhen int", [](ValueWhen<std::int64_t>& s, std::size_t t, Outputs& o) {
    o.push_back(f(s.step(t % 5 == 1, static_cast<std::int64_t>(t), 1)));
  });
}

TEST_CASE("ta state round trips: volume") {
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

TEST_CASE("ta state round trips: pivots and pivot point levels") {
  check_state<PivotHigh>("pivothigh", [](PivotHigh& s, std::size_t t, Outputs& o) {
    o.push_back(s.step(src_at(t), 3, t < 500 ? 2 : 4));
  });
  check_state<PivotLow>("pivotlow", [](PivotLow& s, std::size_t t, Outputs& o) { o.push_back(s.step(src_at(t), 5, 1)); });
  // pivot_point_levels over the reference bars and period anchors, the type
  // changing every 150 bars (never to Woodie while developing: a runtime
  // error in the VM).
  for (bool developing : {false, true}) {
    check_state<PivotLevels>(developing ? "pivot levels (developing)" : "pivot levels",
                             [developing](PivotLevels& s, std::size_t t, Outputs& o) {
                               const auto& b = ta_ref::bars();
                               const std::size_t k = (t / 150) % 6;
                               const PivotType type = ta_ref::kPivotTypes[k == 2 && developing ? 0 : k];
                               const PivotLevelArray v = s.step(type, ta_ref::pivot_anchor_at(t), developing, b.open[t],
                                                                b.high[t], b.low[t], b.close[t]);
                               o.insert(o.end(), v.begin(), v.end());
                             });
  }
}

TEST_CASE("ta state: crafted archives are rejected before allocating") {
  // Builds an archive by hand: the Sma layout is [u32 version][WindowSums:
  // u32 version][Ring: u64 capacity][Deque: u64 count][values...]...
  auto craft = [](const std::function<void(pine::archive::Out&)>& write) {
    std::ostringstream os(std::ios::binary);
    {
      pine::archive::Out ar(os);
      write(ar);
    }
    const std::string str = os.str();
    return Bytes(str.begin(), str.end());
  };
  const auto rejects = [](const Bytes& b) {
    pine::ta::Sma s;
    CHECK_THROWS_AS(load_bytes(s, b), pine::StateDecodeError);
  };
  // Unknown versions.
  rejects(craft([](auto& ar) { ar(std::uint32_t{2}); }));
  rejects(craft([](auto& ar) { ar(std::uint32_t{1}, std::uint32_t{0}); }));
  // A capacity beyond kMaxLength + 1.
  rejects(craft([](auto& ar) { ar(std::uint32_t{1}, std::uint32_t{1}, std::uint64_t{1} << 40); }));
  // A value count far beyond the remaining bytes (would be 8 EB).
  rejects(craft([](auto& ar) { ar(std::uint32_t{1}, std::uint32_t{1}, std::uint64_t{100}, ~std::uint64_t{0} >> 4); }));
  // A count within the capacity but beyond the remaining bytes.
  rejects(craft([](auto& ar) { ar(std::uint32_t{1}, std::uint32_t{1}, std::uint64_t{100}, std::uint64_t{90}, 1.0); }));
  // A count above the capacity.
  rejects(craft([](auto& ar) {
    ar(std::uint32_t{1}, std::uint32_t{1}, std::uint64_t{1}, std::uint64_t{2}, 1.0, 2.0);
  }));
  // na stored in a window; entries that do not match the values; a window
  // longer than the capacity.
  auto window = [](double value, std::uint64_t entries, std::int64_t len) {
    return [=](pine::archive::Out& ar) {
      ar(std::uint32_t{1}, std::uint32_t{1});
      ar(std::uint64_t{4}, std::uint64_t{1}, value);            // hist_
      ar(std::uint64_t{4}, entries);                            // ent_p_
      for (std::uint64_t i = 0; i < entries; ++i) ar(value);
      ar(0.0, 0.0, std::uint32_t{0});                           // p_
      ar(len);
    };
  };
  {
    pine::ta::Sma ok;
    CHECK(load_bytes(ok, craft(window(1.5, 1, 4))) == 0);
    CHECK(std::isnan(ok.step(2.5, 4)));  // 2 of 4 values: still warming up
  }
  rejects(craft(window(kNa, 1, 4)));
  rejects(craft(window(1.5, 0, 4)));
  rejects(craft(window(1.5, 1, 5)));
  rejects(craft(window(1.5, 1, -1)));

  // Bools must be 0 or 1.
  pine::ta::Cross c;
  CHECK_THROWS_AS(load_bytes(c, craft([](auto& ar) { ar(std::uint32_t{1}, std::uint8_t{2}, std::uint8_t{0}); })),
                  pine::StateDecodeError);
}
