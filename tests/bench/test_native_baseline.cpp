// The native baseline of the benchmark harness (bench/native) must compute
// what pinevm computes, or its speed says nothing about the interpreter's
// overhead: R1 and R5 are run by both on the same pseudo-random bars and
// every plotted value must agree within 1e-9 relative. Small hand-computed
// cases check the baseline on its own.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "native_indicators.h"
#include "pine/compiler/compile.h"
#include "pine/vm/instance.h"
#include "vm/vm_helpers.h"

namespace {

/// Bars of a mean-reverting random walk (splitmix64 + Box-Muller, so the
/// sequence is the same everywhere), prices rounded to 4 decimals like the
/// harness's CSV data.
std::vector<pine::Bar> random_walk_bars(std::size_t count) {
  std::uint64_t seed = 42;
  auto uniform = [&seed] {
    std::uint64_t z = (seed += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (static_cast<double>(z >> 11) + 0.5) / 9007199254740992.0; // in (0, 1)
  };
  auto gauss = [&uniform](double sigma) {
    return sigma * std::sqrt(-2.0 * std::log(uniform())) * std::cos(6.283185307179586 * uniform());
  };
  auto round4 = [](double x) { return std::round(x * 1e4) / 1e4; };
  std::vector<pine::Bar> bars(count);
  double price = 100.0;
  for (std::size_t i = 0; i < count; ++i) {
    price *= std::exp(gauss(0.01) - 0.001 * std::log(price / 100.0));
    pine::Bar& b = bars[i];
    b.time = 1'500'000'000'000 + 60'000 * static_cast<std::int64_t>(i);
    b.open = round4(price * std::exp(gauss(0.002)));
    b.close = round4(price);
    b.high = round4(std::max(b.open, b.close) * (1 + std::abs(gauss(0.003))));
    b.low = round4(std::min(b.open, b.close) * (1 - std::abs(gauss(0.003))));
    b.volume = 1000 + static_cast<double>(i % 1000);
  }
  return bars;
}

/// True when `a` and `b` agree: both NaN, or within 1e-9 relative. The
/// absolute floor of 1e-12 covers the macd histogram near its zero
/// crossings (a difference of nearly equal values around 1, so its rounding
/// error is absolute, about 1e-15, not relative).
bool agree(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::abs(a - b) <= 1e-9 * std::max(std::abs(a), std::abs(b)) + 1e-12;
}

/// Runs `script` in pinevm and `Native` over the same bars and compares
/// every plot on every bar; returns the number of defined values compared.
template <class Native>
std::size_t compare_with_pinevm(const std::string& script, const std::vector<pine::Bar>& bars) {
  pine::Instance inst = pine::InstanceBuilder(compile_reference_script(script)).build();
  Native native;
  std::size_t defined = 0;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    inst.run_bar(bars[i]);
    const auto expected = native.step(bars[i]);
    REQUIRE(inst.plot_values().size() == expected.size());
    for (std::size_t p = 0; p < expected.size(); ++p) {
      const double got = inst.plot_values()[p].f;
      if (!agree(got, expected[p])) {
        FAIL_CHECK("bar " << i << " plot " << p << ": pinevm " << got << ", native " << expected[p]
                             << ", difference " << got - expected[p]);
        return defined;
      }
      if (!std::isnan(got)) ++defined;
    }
  }
  return defined;
}

/// A bar with the given prices (time does not matter to these indicators).
pine::Bar bar(double open, double high, double low, double close) {
  pine::Bar b;
  b.open = open;
  b.high = high;
  b.low = low;
  b.close = close;
  return b;
}

} // namespace

TEST_CASE("native baseline: R1 and R5 equal pinevm on 20,000 random-walk bars") {
  const std::vector<pine::Bar> bars = random_walk_bars(20000);
  // Every plot is defined once its warm-up is over: R1 from bar 19, R5's
  // slowest plot (the macd histogram) from bar 25 + 8 = 33.
  CHECK(compare_with_pinevm<pine::bench::NativeR1>("r1_sma.pine", bars) == 20000 - 19);
  CHECK(compare_with_pinevm<pine::bench::NativeR5>("r5_five_indicators.pine", bars) ==
        (20000 - 19) + (20000 - 49) + (20000 - 14) + (20000 - 13) + (20000 - 33));
}

TEST_CASE("native baseline: hand-computed sma, ema and rma") {
  pine::bench::NativeSma sma(3);
  CHECK(std::isnan(sma.step(1)));
  CHECK(std::isnan(sma.step(2)));
  CHECK(sma.step(3) == 2.0);      // (1+2+3)/3
  CHECK(sma.step(10) == 5.0);     // (2+3+10)/3
  pine::bench::NativeAverage ema(3, false);
  ema.step(1);
  ema.step(2);
  CHECK(ema.step(3) == 2.0);      // seeded with the sma
  CHECK(ema.step(6) == 4.0);      // 2 + 0.5*(6-2), alpha = 2/(3+1)
  pine::bench::NativeAverage rma(2, true);
  rma.step(4);
  CHECK(rma.step(2) == 3.0);      // seed (4+2)/2
  CHECK(rma.step(6) == 4.5);      // (3*1 + 6)/2
}

TEST_CASE("native baseline: hand-computed rsi and atr") {
  pine::bench::NativeRsi rsi(2);
  CHECK(std::isnan(rsi.step(10)));  // no change yet
  CHECK(std::isnan(rsi.step(12)));  // one change: up 2
  CHECK(rsi.step(11) == doctest::Approx(100.0 - 100.0 / (1.0 + 1.0 / 0.5))); // up (2+0)/2, down (0+1)/2
  pine::bench::NativeRsi rising(2);
  for (double x : {1.0, 2.0, 3.0}) rising.step(x);
  CHECK(rising.step(4) == 100.0);   // no loss at all
  pine::bench::NativeAtr atr(2);
  CHECK(std::isnan(atr.step(bar(10, 11, 9, 10))));  // tr = high-low = 2
  CHECK(atr.step(bar(10, 14, 12, 13)) == 3.0);      // tr = |14-10| = 4; seed (2+4)/2
  CHECK(atr.step(bar(13, 13, 8, 9)) == 4.0);        // tr = |8-13| = 5; (3 + 5)/2
}
