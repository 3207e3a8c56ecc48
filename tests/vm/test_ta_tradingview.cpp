// ta.* builtins against TradingView exports (tests/data/tradingview, copied
// from PyneCore's test data, Apache-2.0; see that folder's README.md).
//
// Each export holds the chart's OHLCV and one column per plotted expression.
// The tests feed the bars to the state structs, rebuild composite indicators
// (hma, vwma, stoch, bb, tsi, dmi...) from them where the export only has the
// composite, and compare column by column: na exactly where TradingView has
// NaN, and values within 1e-9 relative (the exports carry full double
// precision, 17 significant digits). Set PINEVM_TA_REPORT=1 to print the
// measured maximum relative error of every column.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "ta_state.h"
#include "vm/ta_test_support.h"

namespace {

using ta_test::Csv;
using ta_test::kNa;
using ta_test::read_export;
using ta_test::Series;

// Compares `got` with TradingView's column: na exactly where TradingView has
// NaN, relative error at most 1e-9 unless told (ta_test::compare_export).
ta_test::ExportComparer compare{{"TradingView exports: max relative error per column", 55}};

// The bars of an export.
struct Bars {
  const Series& open;
  const Series& high;
  const Series& low;
  const Series& close;
  explicit Bars(const Csv& c) : open(c.col("open")), high(c.col("high")), low(c.col("low")), close(c.col("close")) {}
  std::size_t size() const { return close.size(); }
};

// Runs a one-source, one-length struct over `src`.
template <class S>
Series run(const Series& src, std::int64_t length) {
  S s;
  Series out;
  for (double x : src) out.push_back(s.step(x, length));
  return out;
}

// Element-wise combination of series (na propagates through the arithmetic).
Series zip(const Series& a, const Series& b, const std::function<double(double, double)>& f) {
  Series out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = f(a[i], b[i]);
  return out;
}

// Pine's float comparison a > b, tolerant by 1e-10 (spec 3.5, PyneCore).
bool pine_gt(double a, double b) { return a - b > 1e-10; }

} // namespace

TEST_CASE("tradingview: sma ema rma wma hma vwma (ma.csv)") {
  const Csv csv = read_export("ma.csv");
  const Bars b(csv);
  // Source expressions in TradingView's operation order: hlcc4 as
  // (h + l + 2*c)/4 is bit-exact, (h + l + c + c)/4 is one ulp off on some bars.
  Series hl2, hlc3, ohlc4, hlcc4;
  for (std::size_t i = 0; i < b.size(); ++i) {
    hl2.push_back((b.high[i] + b.low[i]) / 2);
    hlc3.push_back((b.high[i] + b.low[i] + b.close[i]) / 3);
    ohlc4.push_back((b.open[i] + b.high[i] + b.low[i] + b.close[i]) / 4);
    hlcc4.push_back((b.high[i] + b.low[i] + 2 * b.close[i]) / 4);
  }
  compare("ta.sma(close, 10)", run<pine::ta::Sma>(b.close, 10), csv.col("ta.sma(close, 10)"));
  compare("ta.sma(hl2, 20)", run<pine::ta::Sma>(hl2, 20), csv.col("ta.sma(hl2, 20)"));
  compare("ta.sma(hlc3, 15)", run<pine::ta::Sma>(hlc3, 15), csv.col("ta.sma(hlc3, 15)"));
  compare("ta.ema(close, 20)", run<pine::ta::Ema>(b.close, 20), csv.col("ta.ema(close, 20)"));
  compare("ta.ema(ohlc4, 10)", run<pine::ta::Ema>(ohlc4, 10), csv.col("ta.ema(ohlc4, 10)"));
  compare("ta.rma(hlcc4, 5)", run<pine::ta::Rma>(hlcc4, 5), csv.col("ta.rma(hlcc4, 5)"));
  compare("ta.rma(high, 15)", run<pine::ta::Rma>(b.high, 15), csv.col("ta.rma(high, 15)"));
  compare("ta.wma(close, 5)", run<pine::ta::Wma>(b.close, 5), csv.col("ta.wma(close, 5)"));
  compare("ta.wma(close, 20)", run<pine::ta::Wma>(b.close, 20), csv.col("ta.wma(close, 20)"));

  // hma(src, n) = wma(2*wma(src, n/2) - wma(src, n), floor(sqrt(n))).
  for (std::int64_t n : {9, 20}) {
    const Series half = run<pine::ta::Wma>(b.close, n / 2);
    const Series full = run<pine::ta::Wma>(b.close, n);
    const Series diff = zip(half, full, [](double h, double f) { return 2 * h - f; });
    const auto root = static_cast<std::int64_t>(std::floor(std::sqrt(static_cast<double>(n))));
    const std::string name = "ta.hma(close, " + std::to_string(n) + ")";
    compare(name, run<pine::ta::Wma>(diff, root), csv.col(name));
  }

  // vwma(src, n) = sma(src*volume, n) / sma(volume, n).
  const Series& vol = csv.col("Volume");
  const Series pv = zip(b.close, vol, [](double c, double v) { return c * v; });
  compare("ta.vwma(close, 20)",
          zip(run<pine::ta::Sma>(pv, 20), run<pine::ta::Sma>(vol, 20), [](double a, double d) { return a / d; }),
          csv.col("ta.vwma(close, 20)"));
}

TEST_CASE("tradingview: tr and atr (tr.csv)") {
  const Csv csv = read_export("tr.csv");
  const Bars b(csv);
  pine::ta::Tr tr_false, tr_true, tr_plain;
  pine::ta::Atr atr;
  Series f, t, p, a;
  for (std::size_t i = 0; i < b.size(); ++i) {
    f.push_back(tr_false.step(b.high[i], b.low[i], b.close[i], false));
    t.push_back(tr_true.step(b.high[i], b.low[i], b.close[i], true));
    p.push_back(tr_plain.step(b.high[i], b.low[i], b.close[i], false));
    a.push_back(atr.step(b.high[i], b.low[i], b.close[i], 14));
  }
  compare("ta.tr(false)", f, csv.col("ta.tr(false)"));
  compare("ta.tr(true)", t, csv.col("ta.tr(true)"));
  compare("ta.tr", p, csv.col("ta.tr"));
  compare("ta.atr(14)", a, csv.col("ta.atr(14)"));
}

TEST_CASE("tradingview: macd (macd.csv)") {
  const Csv csv = read_export("macd.csv");
  const Bars b(csv);
  pine::ta::Macd macd;
  Series m, s, h;
  for (std::size_t i = 0; i < b.size(); ++i) {
    const auto r = macd.step(b.close[i], 12, 26, 9);
    m.push_back(r.macd);
    s.push_back(r.signal);
    h.push_back(r.hist);
  }
  compare("ta.macd(close, 12, 26, 9).macd", m, csv.col("ta.macd(close, 12, 26, 9).macd"));
  compare("ta.macd(close, 12, 26, 9).signal", s, csv.col("ta.macd(close, 12, 26, 9).signal"));
  compare("ta.macd(close, 12, 26, 9).hist", h, csv.col("ta.macd(close, 12, 26, 9).hist"));
}

TEST_CASE("tradingview: rsi and stoch (mfi+rsi+stoch.csv)") {
  const Csv csv = read_export("mfi+rsi+stoch.csv");
  const Bars b(csv);
  compare("ta.rsi(close, 14)", run<pine::ta::Rsi>(b.close, 14), csv.col("ta.rsi(close, 14)"));

  // stoch(close, high, low, n) = 100*(close - lowest(low, n)) / (highest(high, n) - lowest(low, n)).
  const Series hi = run<pine::ta::Highest>(b.high, 20);
  const Series lo = run<pine::ta::Lowest>(b.low, 20);
  Series st(b.size());
  for (std::size_t i = 0; i < b.size(); ++i) st[i] = 100 * (b.close[i] - lo[i]) / (hi[i] - lo[i]);
  compare("ta.stoch(close, high, low, 20)", st, csv.col("ta.stoch(close, high, low, 20)"));
}

TEST_CASE("tradingview: highest and lowest (highest+lowest.csv, range.csv)") {
  const Csv csv = read_export("highest+lowest.csv");
  const Bars b(csv);
  compare("ta.highest(10)", run<pine::ta::Highest>(b.high, 10), csv.col("ta.highest(10)"), 0.0);
  compare("ta.highest(close, 10)", run<pine::ta::Highest>(b.close, 10), csv.col("ta.highest(close, 10)"), 0.0);
  compare("ta.lowest(10)", run<pine::ta::Lowest>(b.low, 10), csv.col("ta.lowest(10)"), 0.0);
  compare("ta.lowest(close, 10)", run<pine::ta::Lowest>(b.close, 10), csv.col("ta.lowest(close, 10)"), 0.0);

  const Csv rng = read_export("range.csv");
  const Bars rb(rng);
  compare("ta.range(close, 20)",
          zip(run<pine::ta::Highest>(rb.close, 20), run<pine::ta::Lowest>(rb.close, 20),
              [](double h, double l) { return h - l; }),
          rng.col("ta.range(close, 20)"));
}

TEST_CASE("tradingview: stdev through bollinger bands (bb.csv)") {
  const Csv csv = read_export("bb.csv");
  const Bars b(csv);
  const Series basis = run<pine::ta::Sma>(b.close, 20);
  const Series dev = run<pine::ta::Stdev>(b.close, 20);
  compare("ta.bb(close, 20, 2).base", basis, csv.col("ta.bb(close, 20, 2).base"));
  compare("ta.bb(close, 20, 2).upper", zip(basis, dev, [](double m, double d) { return m + 2 * d; }),
          csv.col("ta.bb(close, 20, 2).upper"));
  compare("ta.bb(close, 20, 2).lower", zip(basis, dev, [](double m, double d) { return m - 2 * d; }),
          csv.col("ta.bb(close, 20, 2).lower"));
  // bbw = (upper - lower)/basis*100 with mult 2.1 (this order is bit-exact).
  compare("ta.bbw(close, 20, 2.1)",
          zip(basis, dev, [](double m, double d) { return ((m + 2.1 * d) - (m - 2.1 * d)) / m * 100; }),
          csv.col("ta.bbw(close, 20, 2.1)"));
  // The stdev itself, recovered as (upper - base)/2: the subtraction is exact
  // (Sterbenz), so this is TradingView's 2*stdev rounded to one ulp of the
  // base (~2e-16 absolute, ~2e-13 relative to a stdev of ~1e-3).
  const Series tv_dev = zip(csv.col("ta.bb(close, 20, 2).upper"), csv.col("ta.bb(close, 20, 2).base"),
                            [](double u, double m) { return (u - m) / 2; });
  compare("ta.stdev(close, 20) [from bb]", dev, tv_dev, 1e-9);
}

TEST_CASE("tradingview: crossover crossunder cross (cross.csv)") {
  const Csv csv = read_export("cross.csv");
  const Bars b(csv);
  const Series e1 = run<pine::ta::Ema>(b.close, 5);
  const Series e2 = run<pine::ta::Ema>(b.close, 11);
  pine::ta::Cross over, under, either;
  Series o, u, c;
  for (std::size_t i = 0; i < b.size(); ++i) {
    c.push_back(either.step_cross(e1[i], e2[i]) ? 0.5 : 0.0);
    o.push_back(over.step_over(e1[i], e2[i]) ? 1.0 : 0.0);
    u.push_back(under.step_under(e1[i], e2[i]) ? -1.0 : 0.0);
  }
  compare("ta.cross(ema1, ema2)", c, csv.col("ta.cross(ema1, ema2)"), 0.0);
  compare("ta.crossover(ema1, ema2)", o, csv.col("ta.crossover(ema1, ema2)"), 0.0);
  compare("ta.crossunder(ema1, ema2)", u, csv.col("ta.crossunder(ema1, ema2)"), 0.0);
}

TEST_CASE("tradingview: change through tsi (tsi.csv)") {
  // tsi(src, short, long) = ema(ema(pc, long), short) / ema(ema(|pc|, long), short), pc = change(src).
  const Csv csv = read_export("tsi.csv");
  const Bars b(csv);
  const Series pc = run<pine::ta::Change>(b.close, 1);
  Series apc(pc.size());
  for (std::size_t i = 0; i < pc.size(); ++i) apc[i] = std::fabs(pc[i]);
  const Series num = run<pine::ta::Ema>(run<pine::ta::Ema>(pc, 26), 12);
  const Series den = run<pine::ta::Ema>(run<pine::ta::Ema>(apc, 26), 12);
  compare("ta.tsi(close, 12, 26)", zip(num, den, [](double n, double d) { return n / d; }),
          csv.col("ta.tsi(close, 12, 26)"));
}

TEST_CASE("tradingview: change, tr and rma through dmi (dmi.csv)") {
  // TradingView's ta.dmi (Pine reference source): up = change(high),
  // down = -change(low), +DM/-DM chosen with Pine's tolerant '>', smoothed by
  // rma over ta.tr (= tr(false)), ADX = 100*rma(|+DI - -DI|/(+DI + -DI), adx).
  const Csv csv = read_export("dmi.csv");
  const Bars b(csv);
  pine::ta::Change ch_high, ch_low;
  pine::ta::Tr tr;
  pine::ta::Rma tr_rma, plus_rma, minus_rma, adx_rma;
  Series plus_s, minus_s, adx_s;
  for (std::size_t i = 0; i < b.size(); ++i) {
    const double up = ch_high.step(b.high[i], 1);
    const double down = -ch_low.step(b.low[i], 1);
    const double plus_dm = std::isnan(up) ? kNa : (pine_gt(up, down) && pine_gt(up, 0) ? up : 0.0);
    const double minus_dm = std::isnan(down) ? kNa : (pine_gt(down, up) && pine_gt(down, 0) ? down : 0.0);
    const double trur = tr_rma.step(tr.step(b.high[i], b.low[i], b.close[i], false), 17);
    const double plus = 100 * plus_rma.step(plus_dm, 17) / trur;
    const double minus = 100 * minus_rma.step(minus_dm, 17) / trur;
    const double sum = plus + minus;
    const double adx = 100 * adx_rma.step(std::fabs(plus - minus) / (sum == 0 ? 1 : sum), 14);
    plus_s.push_back(plus);
    minus_s.push_back(minus);
    adx_s.push_back(adx);
  }
  compare("ta.dmi(17, 14).dip", plus_s, csv.col("ta.dmi(17, 14).dip"));
  compare("ta.dmi(17, 14).dim", minus_s, csv.col("ta.dmi(17, 14).dim"));
  compare("ta.dmi(17, 14).adx", adx_s, csv.col("ta.dmi(17, 14).adx"));
}
