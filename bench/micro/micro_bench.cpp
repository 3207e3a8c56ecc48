// Google Benchmark micro suite of pinevm: the dispatch loop and
// the heaviest builtins, each measured as the cost of one bar of a tiny
// script. Built only with -DPINEVM_BENCH=ON; run by `scripts/bench --micro`.
// `bar_only` (a script that plots close) is the floor: a builtin's own cost
// is its benchmark's time minus that one.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <memory>
#include <string>

#include "pine/compiler/compile.h"
#include "pine/vm/instance.h"

namespace {

/// A deterministic bar `i`: a slow sine plus a fast wobble (so rsi sees both
/// gains and losses, and sorts see unsorted input); times one minute apart.
pine::Bar synthetic_bar(std::int64_t i) {
  const auto x = static_cast<double>(i);
  pine::Bar b;
  b.time = 1'600'000'000'000 + 60'000 * i;
  b.close = 100.0 + 10.0 * std::sin(x * 0.01) + std::sin(x * 1.7);
  b.open = b.close - 0.5 * std::cos(x * 0.3);
  b.high = std::max(b.open, b.close) + 0.25;
  b.low = std::min(b.open, b.close) - 0.25;
  b.volume = 1000.0 + static_cast<double>(i % 97);
  return b;
}

/// Compiles `body` under a version/indicator header; aborts the benchmark
/// binary when it does not compile (a broken suite must not report numbers).
std::shared_ptr<const pine::Program> compile_body(const std::string& body) {
  const std::string source = "//@version=6\nindicator(\"micro\")\n" + body;
  pine::CompileResult compiled = pine::compile(source);
  if (!compiled.ok()) {
    std::fprintf(stderr, "%s", compiled.format(source, "micro.pine").c_str());
    std::abort();
  }
  return compiled.program;
}

/// Bars run before timing starts, so every window is full and the steady
/// state (no allocation per bar) is what gets measured.
constexpr std::int64_t kWarmupBars = 1000;

/// Runs `body` one bar per benchmark iteration on one instance.
void run_script(benchmark::State& state, const std::string& body) {
  const std::shared_ptr<const pine::Program> program = compile_body(body);
  pine::Instance inst = pine::InstanceBuilder(program).build();
  std::int64_t i = 0;
  for (; i < kWarmupBars; ++i) inst.run_bar(synthetic_bar(i));
  for (auto _ : state) {
    inst.run_bar(synthetic_bar(i++));
    benchmark::DoNotOptimize(inst.plot_values().data());
  }
  state.SetItemsProcessed(state.iterations());
}

// The floor: one bar with a single plot.
void bar_only(benchmark::State& state) { run_script(state, "plot(close)\n"); }

// The dispatch loop: forty arithmetic instructions and a comparison chain.
void dispatch_arithmetic(benchmark::State& state) {
  std::string body = "float x = close\n";
  for (int k = 0; k < 10; ++k) body += "x := x * 1.0001 + open - high * 0.5 + low * 0.5\n";
  body += "plot(x > close ? x : -x)\n";
  run_script(state, body);
}

// ta.sma over 50 bars: a compensated rolling sum.
void ta_sma(benchmark::State& state) { run_script(state, "plot(ta.sma(close, 50))\n"); }
// ta.ema over 50 bars: one multiply-add once seeded.
void ta_ema(benchmark::State& state) { run_script(state, "plot(ta.ema(close, 50))\n"); }
// ta.rsi over 14 bars: two Wilder averages.
void ta_rsi(benchmark::State& state) { run_script(state, "plot(ta.rsi(close, 14))\n"); }
// ta.stdev over 50 bars: rolling sums of values and of squares.
void ta_stdev(benchmark::State& state) { run_script(state, "plot(ta.stdev(close, 50))\n"); }

// A rolling array of 100 values, copied and sorted every bar.
void array_push_sort(benchmark::State& state) {
  run_script(state,
             "var a = array.new<float>()\na.push(close)\nif a.size() > 100\n    a.shift()\nb = a.copy()\n"
             "b.sort()\nplot(b.get(0))\n");
}

// Number formatting and concatenation into a new string every bar.
void string_concat(benchmark::State& state) {
  run_script(state, "s = str.tostring(close) + \"/\" + str.tostring(bar_index) + \"/\" + syminfo.ticker\n"
                    "plot(str.length(s))\n");
}

BENCHMARK(bar_only);
BENCHMARK(dispatch_arithmetic);
BENCHMARK(ta_sma);
BENCHMARK(ta_ema);
BENCHMARK(ta_rsi);
BENCHMARK(ta_stdev);
BENCHMARK(array_push_sort);
BENCHMARK(string_concat);

} // namespace

BENCHMARK_MAIN();
