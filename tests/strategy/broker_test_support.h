// Helpers of the broker tests: compile a small strategy, feed it hand-made
// bars, read back its trades, its plotted strategy.* values and its logs.
//
// Every test builds its bars so that the expected fills can be worked out
// by hand; the plots are read as exact doubles (no text formatting between
// the engine and the check).
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "pine/compiler/compile.h"
#include "pine/vm/instance.h"
#include "pine/vm/strategy.h"

namespace broker_test {

using namespace pine;

inline constexpr std::int64_t kHour = 3'600'000;
inline constexpr std::int64_t kDay = 24 * kHour;
/// 2024-01-01 00:00 UTC, a Monday: the first bar of every test.
inline constexpr std::int64_t kStart = 1'704'067'200'000;

/// Compiles `//@version=6`, `strategy("t", SETTINGS)` and `body`; the test
/// stops if it does not compile.
inline std::shared_ptr<const Program> compile_strategy(const std::string& settings, const std::string& body) {
  const std::string src = "//@version=6\nstrategy(\"t\"" + (settings.empty() ? std::string() : ", " + settings) + ")\n" + body;
  CompileResult r = compile(src);
  REQUIRE_MESSAGE(r.ok(), r.format(src, "t.pine"));
  return r.program;
}

/// The diagnostics of compiling `src` (a whole script), joined; "" when it
/// compiles.
inline std::string compile_errors(const std::string& src) {
  CompileResult r = compile(src);
  if (r.ok()) return "";
  std::string all;
  for (const Diagnostic& d : r.diagnostics) all += d.message + "\n";
  return all;
}

/// A symbol on a tick grid of minmove / pricescale, in UTC.
inline SymbolInfo symbol(std::int64_t pricescale = 100, std::int64_t minmove = 1, double pointvalue = 1,
                         double mincontract = 1) {
  SymbolInfo s;
  s.pricescale = pricescale;
  s.minmove = minmove;
  s.pointvalue = pointvalue;
  s.mincontract = mincontract;
  s.timezone = "Etc/UTC";
  return s;
}

/// One bar's prices.
struct Ohlc {
  double open, high, low, close;
};

/// A strategy instance under test, with what each bar plotted and logged.
class Sim {
public:
  /// Bars are `step` apart from kStart on a chart of `timeframe`.
  explicit Sim(std::shared_ptr<const Program> program, SymbolInfo info = symbol(), std::string timeframe = "1D",
               std::int64_t step = kDay)
      : program_(program),
        inst_(InstanceBuilder(program).symbol("TEST:SYM").timeframe(timeframe).syminfo(info).build()),
        step_(step) {}

  /// Runs the next bar at kStart + n * step; false (and `error` set) on a
  /// runtime error.
  bool bar(double open, double high, double low, double close) { return bar_at(kStart + n_ * step_, open, high, low, close); }
  /// Runs the next bar at the given time.
  bool bar_at(std::int64_t time, double open, double high, double low, double close) {
    return bar_with(time, {open, high, low, close}, {});
  }
  /// Runs the next bar at `time` made of `intrabars` (for the bar
  /// magnifier), each an hour apart from `time`.
  bool bar_with(std::int64_t time, Ohlc prices, std::initializer_list<Ohlc> intrabars) {
    Bar b;
    b.time = time;
    b.open = prices.open;
    b.high = prices.high;
    b.low = prices.low;
    b.close = prices.close;
    b.volume = 100;
    std::vector<Bar> inner;
    for (const Ohlc& p : intrabars) {
      const std::int64_t t = time + static_cast<std::int64_t>(inner.size()) * kHour;
      inner.push_back(Bar{t, p.open, p.high, p.low, p.close, 1});
    }
    ++n_;
    try {
      inst_.run_bar(b, inner);
    } catch (const RuntimeError& e) {
      error = e.message();
      return false;
    }
    std::vector<double> values;
    for (const Value& v : inst_.plot_values()) values.push_back(v.f);
    plots_.push_back(std::move(values));
    for (LogRecord& l : inst_.take_logs()) logs.push_back(std::to_string(l.bar_index) + ": " + l.message);
    return true;
  }
  /// Runs several bars; the test fails on a runtime error.
  void bars(std::initializer_list<Ohlc> list) {
    for (const Ohlc& b : list) REQUIRE_MESSAGE(bar(b.open, b.high, b.low, b.close), error);
  }

  /// The value plotted with title `title` on bar `index`.
  double plot(const std::string& title, std::size_t index) const {
    const std::vector<PlotInfo>& plots = program_->plots;
    REQUIRE(index < plots_.size());
    for (std::size_t i = 0; i < plots.size(); ++i)
      if (plots[i].title == title && plots[i].part == 0) return plots_[index][i];
    FAIL("no plot titled " << title);
    return 0;
  }

  std::span<const TradeRecord> closed() const { return inst_.closed_trades(); }
  std::span<const TradeRecord> open() const { return inst_.open_trades(); }
  Instance& instance() { return inst_; }

  std::vector<std::string> logs; ///< "BAR: message", in order
  std::string error;             ///< the runtime error's message, if one stopped the run

private:
  std::shared_ptr<const Program> program_;
  Instance inst_;
  std::int64_t step_;
  std::int64_t n_ = 0;
  std::vector<std::vector<double>> plots_;
};

/// `x` to twelve significant digits: for values the engine computes by
/// other (equally exact) arithmetic than the hand calculation.
inline doctest::Approx near(double x) { return doctest::Approx(x).epsilon(1e-12); }

/// True when `x` is na.
inline bool na(double x) { return std::isnan(x); }

} // namespace broker_test
