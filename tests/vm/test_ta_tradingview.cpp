// The ta.* builtins against TradingView exports (tests/data/tradingview,
// copied from PyneCore's test data, Apache-2.0; that folder's README.md names
// the Pine expression of every column).
//
// Each export holds the chart's OHLCV and one column per plotted expression.
// Two kinds of check run on them: the state structs of every composite
// indicator (alma, hma, vwma, stoch, bb, tsi, dmi, supertrend, vwap...) fed
// the bars directly, and the same composites rebuilt from the building-block
// structs (sma, ema, rma, wma, highest, lowest, stdev, change, tr), which
// pins those down too; the rebuilt columns are reported with a "[composed]"
// suffix. Comparisons are column by column: na exactly where TradingView has
// NaN, values within 1e-9 relative unless told (the exports carry 17
// significant digits). PINEVM_TA_REPORT=1 prints the measured maximum
// relative error of every column. Test cases follow the indicator families
// of vm/src/builtins (moving averages, oscillators, volatility, extremes and
// statistics, trend, events, volume, pivots).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ta_state.h"
#include "vm/ta_test_support.h"

namespace {

using namespace pine::ta;
using ta_test::Csv;
using ta_test::kNa;
using ta_test::read_export;
using ta_test::Series;

// Compares `got` with TradingView's column: na exactly where TradingView has
// NaN, relative error at most 1e-9 unless told (ta_test::compare_export).
ta_test::ExportComparer compare{{"TradingView exports: max relative error per column", 60}};

// The bars of an export.
struct ExportBars {
  const Series& open;
  const Series& high;
  const Series& low;
  const Series& close;
  explicit ExportBars(const Csv& c) : open(c.col("open")), high(c.col("high")), low(c.col("low")), close(c.col("close")) {}
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

// Pine's float comparison a > b, tolerant by 1e-10 (docs/semantics.md, float
// comparison; PyneCore measured it).
bool pine_gt(double a, double b) { return a - b > 1e-10; }

// An int result as a plotted float (kIntNa is na).
double plotted(std::int64_t v) { return v == pine::kIntNa ? kNa : static_cast<double>(v); }

} // namespace

// ---------------------------------------------------------------- moving averages

TEST_CASE("tradingview: sma ema rma wma, and hma vwma composed from them (ma.csv)") {
  const Csv csv = read_export("ma.csv");
  const ExportBars b(csv);
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
    compare(name + " [composed]", run<pine::ta::Wma>(diff, root), csv.col(name));
  }

  // vwma(src, n) = sma(src*volume, n) / sma(volume, n).
  const Series& vol = csv.col("Volume");
  const Series pv = zip(b.close, vol, [](double c, double v) { return c * v; });
  compare("ta.vwma(close, 20) [composed]",
          zip(run<pine::ta::Sma>(pv, 20), run<pine::ta::Sma>(vol, 20), [](double a, double d) { return a / d; }),
          csv.col("ta.vwma(close, 20)"));
}

TEST_CASE("tradingview: alma hma swma vwma (ma.csv)") {
  const Csv c = read_export("ma.csv");
  const Series &high = c.col("high"), &low = c.col("low"), &close = c.col("close"), &vol = c.col("Volume");
  Alma a1, a2;
  Hma h9, h20;
  Swma sw;
  Vwma vw;
  Series ra1, ra2, rh9, rh20, rsw, rvw;
  for (std::size_t i = 0; i < c.rows(); ++i) {
    ra1.push_back(a1.step(close[i], 5, 0.85, 6, false));
    ra2.push_back(a2.step(close[i], 10, 0.55, 12, false));
    rh9.push_back(h9.step(close[i], 9));
    rh20.push_back(h20.step(close[i], 20));
    rsw.push_back(sw.step((high[i] + low[i] + close[i]) / 3));
    rvw.push_back(vw.step(close[i], vol[i], 20));
  }
  compare("ta.alma(close, 5, 0.85, 6)", ra1, c.col("ta.alma(close, 5, 0.85, 6)"));
  compare("ta.alma(close, 10, 0.55, 12)", ra2, c.col("ta.alma(close, 10, 0.55, 12)"));
  compare("ta.hma(close, 9)", rh9, c.col("ta.hma(close, 9)"));
  compare("ta.hma(close, 20)", rh20, c.col("ta.hma(close, 20)"));
  compare("ta.swma(hlc3)", rsw, c.col("ta.swma(hlc3)"));
  compare("ta.vwma(close, 20)", rvw, c.col("ta.vwma(close, 20)"));
}

// ---------------------------------------------------------------- oscillators

TEST_CASE("tradingview: macd (macd.csv)") {
  const Csv csv = read_export("macd.csv");
  const ExportBars b(csv);
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

TEST_CASE("tradingview: rsi, and stoch composed from highest and lowest (mfi+rsi+stoch.csv)") {
  const Csv csv = read_export("mfi+rsi+stoch.csv");
  const ExportBars b(csv);
  compare("ta.rsi(close, 14)", run<pine::ta::Rsi>(b.close, 14), csv.col("ta.rsi(close, 14)"));

  // stoch(close, high, low, n) = 100*(close - lowest(low, n)) / (highest(high, n) - lowest(low, n)).
  const Series hi = run<pine::ta::Highest>(b.high, 20);
  const Series lo = run<pine::ta::Lowest>(b.low, 20);
  Series st(b.size());
  for (std::size_t i = 0; i < b.size(); ++i) st[i] = 100 * (b.close[i] - lo[i]) / (hi[i] - lo[i]);
  compare("ta.stoch(close, high, low, 20) [composed]", st, csv.col("ta.stoch(close, high, low, 20)"));
}

TEST_CASE("tradingview: change through tsi (tsi.csv)") {
  // tsi(src, short, long) = ema(ema(pc, long), short) / ema(ema(|pc|, long), short), pc = change(src).
  const Csv csv = read_export("tsi.csv");
  const ExportBars b(csv);
  const Series pc = run<pine::ta::Change>(b.close, 1);
  Series apc(pc.size());
  for (std::size_t i = 0; i < pc.size(); ++i) apc[i] = std::fabs(pc[i]);
  const Series num = run<pine::ta::Ema>(run<pine::ta::Ema>(pc, 26), 12);
  const Series den = run<pine::ta::Ema>(run<pine::ta::Ema>(apc, 26), 12);
  compare("ta.tsi(close, 12, 26) [composed]", zip(num, den, [](double n, double d) { return n / d; }),
          csv.col("ta.tsi(close, 12, 26)"));
}

TEST_CASE("tradingview: mfi stoch (mfi+rsi+stoch.csv), bb bbw (bb.csv), tsi, dmi") {
  const Csv c = read_export("mfi+rsi+stoch.csv");
  Mfi mfi;
  Stoch st;
  Series rm, rs;
  for (std::size_t i = 0; i < c.rows(); ++i) {
    rm.push_back(mfi.step(c.col("close")[i], c.col("Volume")[i], 14));
    rs.push_back(st.step(c.col("close")[i], c.col("high")[i], c.col("low")[i], 20));
  }
  compare("ta.mfi(close, 14)", rm, c.col("ta.mfi(close, 14)"));
  compare("ta.stoch(close, high, low, 20)", rs, c.col("ta.stoch(close, high, low, 20)"));

  const Csv b = read_export("bb.csv");
  Bb bb, bbw;
  Series base, up, lo, w;
  for (double x : b.col("close")) {
    const Bb::Result r = bb.step(x, 20, 2);
    base.push_back(r.basis);
    up.push_back(r.upper);
    lo.push_back(r.lower);
    w.push_back(bbw.step_width(x, 20, 2.1));
  }
  compare("ta.bb(close, 20, 2).base", base, b.col("ta.bb(close, 20, 2).base"));
  compare("ta.bb(close, 20, 2).upper", up, b.col("ta.bb(close, 20, 2).upper"));
  compare("ta.bb(close, 20, 2).lower", lo, b.col("ta.bb(close, 20, 2).lower"));
  compare("ta.bbw(close, 20, 2.1)", w, b.col("ta.bbw(close, 20, 2.1)"));

  const Csv t = read_export("tsi.csv");
  Tsi tsi;
  Series rt;
  for (double x : t.col("close")) rt.push_back(tsi.step(x, 12, 26));
  compare("ta.tsi(close, 12, 26)", rt, t.col("ta.tsi(close, 12, 26)"));

  const Csv d = read_export("dmi.csv");
  Dmi dmi;
  Series dp, dm, adx;
  for (std::size_t i = 0; i < d.rows(); ++i) {
    const Dmi::Result r = dmi.step(17, 14, d.col("high")[i], d.col("low")[i], d.col("close")[i]);
    dp.push_back(r.plus);
    dm.push_back(r.minus);
    adx.push_back(r.adx);
  }
  compare("ta.dmi(17, 14).dip", dp, d.col("ta.dmi(17, 14).dip"));
  compare("ta.dmi(17, 14).dim", dm, d.col("ta.dmi(17, 14).dim"));
  compare("ta.dmi(17, 14).adx", adx, d.col("ta.dmi(17, 14).adx"));
}

// ---------------------------------------------------------------- volatility

TEST_CASE("tradingview: tr and atr (tr.csv)") {
  const Csv csv = read_export("tr.csv");
  const ExportBars b(csv);
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

TEST_CASE("tradingview: stdev through bollinger bands (bb.csv)") {
  const Csv csv = read_export("bb.csv");
  const ExportBars b(csv);
  const Series basis = run<pine::ta::Sma>(b.close, 20);
  const Series dev = run<pine::ta::Stdev>(b.close, 20);
  compare("ta.bb(close, 20, 2).base [composed]", basis, csv.col("ta.bb(close, 20, 2).base"));
  compare("ta.bb(close, 20, 2).upper [composed]", zip(basis, dev, [](double m, double d) { return m + 2 * d; }),
          csv.col("ta.bb(close, 20, 2).upper"));
  compare("ta.bb(close, 20, 2).lower [composed]", zip(basis, dev, [](double m, double d) { return m - 2 * d; }),
          csv.col("ta.bb(close, 20, 2).lower"));
  // bbw = (upper - lower)/basis*100 with mult 2.1 (this order is bit-exact).
  compare("ta.bbw(close, 20, 2.1) [composed]",
          zip(basis, dev, [](double m, double d) { return ((m + 2.1 * d) - (m - 2.1 * d)) / m * 100; }),
          csv.col("ta.bbw(close, 20, 2.1)"));
  // The stdev itself, recovered as (upper - base)/2: the subtraction is exact
  // (Sterbenz), so this is TradingView's 2*stdev rounded to one ulp of the
  // base (~2e-16 absolute, ~2e-13 relative to a stdev of ~1e-3).
  const Series tv_dev = zip(csv.col("ta.bb(close, 20, 2).upper"), csv.col("ta.bb(close, 20, 2).base"),
                            [](double u, double m) { return (u - m) / 2; });
  compare("ta.stdev(close, 20) [from bb]", dev, tv_dev, 1e-9);
}

// ---------------------------------------------------------------- extremes and statistics

TEST_CASE("tradingview: highest and lowest, and range composed from them (highest+lowest.csv, range.csv)") {
  const Csv csv = read_export("highest+lowest.csv");
  const ExportBars b(csv);
  compare("ta.highest(10)", run<pine::ta::Highest>(b.high, 10), csv.col("ta.highest(10)"), 0.0);
  compare("ta.highest(close, 10)", run<pine::ta::Highest>(b.close, 10), csv.col("ta.highest(close, 10)"), 0.0);
  compare("ta.lowest(10)", run<pine::ta::Lowest>(b.low, 10), csv.col("ta.lowest(10)"), 0.0);
  compare("ta.lowest(close, 10)", run<pine::ta::Lowest>(b.close, 10), csv.col("ta.lowest(close, 10)"), 0.0);

  const Csv rng = read_export("range.csv");
  const ExportBars rb(rng);
  compare("ta.range(close, 20) [composed]",
          zip(run<pine::ta::Highest>(rb.close, 20), run<pine::ta::Lowest>(rb.close, 20),
              [](double h, double l) { return h - l; }),
          rng.col("ta.range(close, 20)"));
}

TEST_CASE("tradingview: highestbars lowestbars range (highest+lowest.csv, range.csv)") {
  const Csv c = read_export("highest+lowest.csv");
  const Series &high = c.col("high"), &low = c.col("low"), &close = c.col("close");
  ExtremeBars<true> hb, hbc;
  ExtremeBars<false> lb, lbc;
  Series rhb, rhbc, rlb, rlbc;
  for (std::size_t i = 0; i < c.rows(); ++i) {
    rhb.push_back(plotted(hb.step(high[i], 10)));
    rhbc.push_back(plotted(hbc.step(close[i], 10)));
    rlb.push_back(plotted(lb.step(low[i], 10)));
    rlbc.push_back(plotted(lbc.step(close[i], 10)));
  }
  compare("ta.highestbars(10)", rhb, c.col("ta.highestbars(10)"), 0.0);
  compare("ta.highestbars(close, 10)", rhbc, c.col("ta.highestbars(close, 10)"), 0.0);
  compare("ta.lowestbars(10)", rlb, c.col("ta.lowestbars(10)"), 0.0);
  compare("ta.lowestbars(close, 10)", rlbc, c.col("ta.lowestbars(close, 10)"), 0.0);

  const Csv r = read_export("range.csv");
  Range rg;
  Series rr;
  for (double x : r.col("close")) rr.push_back(rg.step(x, 20));
  compare("ta.range(close, 20)", rr, r.col("ta.range(close, 20)"));
}

TEST_CASE("tradingview: correlation, rising/falling, min/max/median/mode") {
  const Csv c = read_export("correlation.csv");
  Sma sma;
  Ema ema;
  Correlation corr;
  Series rc;
  for (double x : c.col("close")) rc.push_back(corr.step(sma.step(x, 20), ema.step(x, 10), 20));
  compare("correlation(sma(close, 20), ema(close, 10), 20)", rc, c.col("correlation"));

  const Csv f = read_export("falling+rising.csv");
  Ema e20;
  Trend<false> fall;
  Trend<true> rise;
  Series rf, rr;
  for (double x : f.col("close")) {
    const double e = e20.step(x, 20);
    rf.push_back(fall.step(e, 5) ? -1.0 : 0.0);
    rr.push_back(rise.step(e, 5) ? 1.0 : 0.0);
  }
  compare("ta.falling(ema, 5)", rf, f.col("ta.falling(ema, 5)"), 0.0);
  compare("ta.rising(ema, 5)", rr, f.col("ta.rising(ema, 5)"), 0.0);

  const Csv m = read_export("min+max+median+mode.csv");
  AllTime<false> mn;
  AllTime<true> mx;
  Median med;
  Mode mode;
  Series rmn, rmx, rmed, rmode;
  for (double x : m.col("close")) {
    rmn.push_back(mn.step(x));
    rmx.push_back(mx.step(x));
    rmed.push_back(med.step(x, 20));
    rmode.push_back(mode.step(x, 20));
  }
  compare("ta.min(close)", rmn, m.col("min(close)"), 0.0);
  compare("ta.max(close)", rmx, m.col("max(close)"), 0.0);
  compare("ta.median(close, 20)", rmed, m.col("median(close)"));
  compare("ta.mode(close, 20)", rmode, m.col("mode(close)"), 0.0);
}

// ---------------------------------------------------------------- trend

TEST_CASE("tradingview: change, tr and rma through dmi (dmi.csv)") {
  // TradingView's ta.dmi (Pine reference source): up = change(high),
  // down = -change(low), +DM/-DM chosen with Pine's tolerant '>', smoothed by
  // rma over ta.tr (= tr(false)), ADX = 100*rma(|+DI - -DI|/(+DI + -DI), adx).
  const Csv csv = read_export("dmi.csv");
  const ExportBars b(csv);
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
  compare("ta.dmi(17, 14).dip [composed]", plus_s, csv.col("ta.dmi(17, 14).dip"));
  compare("ta.dmi(17, 14).dim [composed]", minus_s, csv.col("ta.dmi(17, 14).dim"));
  compare("ta.dmi(17, 14).adx [composed]", adx_s, csv.col("ta.dmi(17, 14).adx"));
}

TEST_CASE("tradingview: supertrend (supertrend.csv)") {
  // The export plots the line as "up" while the direction is -1 and as
  // "down" while it is 1.
  const Csv c = read_export("supertrend.csv");
  Supertrend st;
  Series up, down;
  for (std::size_t i = 0; i < c.rows(); ++i) {
    const double h = c.col("high")[i], l = c.col("low")[i];
    const Supertrend::Result r = st.step(3, 10, (h + l) / 2, h, l, c.col("close")[i]);
    up.push_back(r.direction == -1 ? r.line : kNa);
    down.push_back(r.direction == 1 ? r.line : kNa);
  }
  compare("ta.supertrend(3, 10).up", up, c.col("ta.supertrend(3, 10).up"));
  compare("ta.supertrend(3, 10).down", down, c.col("ta.supertrend(3, 10).down"));
}

// ---------------------------------------------------------------- events

TEST_CASE("tradingview: crossover crossunder cross (cross.csv)") {
  const Csv csv = read_export("cross.csv");
  const ExportBars b(csv);
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

TEST_CASE("tradingview: valuewhen (valuewhen.csv, valuewhen_na.csv)") {
  // slow = sma(close, 7), fast = sma(close, 14), plotted valuewhen(cross(slow, fast), close, 1).
  const Csv c = read_export("valuewhen.csv");
  Sma slow, fast;
  Cross cross;
  ValueWhen<double> vw;
  Series out;
  for (double x : c.col("close")) out.push_back(vw.step(cross.step_cross(slow.step(x, 7), fast.step(x, 14)), x, 1));
  compare("ta.valuewhen(ta.cross(slow, fast), close, 1)", out, c.col("ta.valuewhen(ta.cross(slow, fast), close, 1)"),
          0.0);

  // cond = bar_index % 3 == 0, src = na on even bars else close (PyneCore's
  // test_322 script): v0..v2 = valuewhen(cond, src, 0..2), w0 = valuewhen(cond, close, 0).
  const Csv n = read_export("valuewhen_na.csv");
  ValueWhen<double> v0, v1, v2, w0;
  Series o0, o1, o2, ow;
  for (std::size_t i = 0; i < n.rows(); ++i) {
    const bool cond = i % 3 == 0;
    const double close = n.col("close")[i];
    const double src = i % 2 == 0 ? kNa : close;
    o0.push_back(v0.step(cond, src, 0));
    o1.push_back(v1.step(cond, src, 1));
    o2.push_back(v2.step(cond, src, 2));
    ow.push_back(w0.step(cond, close, 0));
  }
  compare("valuewhen_na v0", o0, n.col("v0"), 0.0);
  compare("valuewhen_na v1", o1, n.col("v1"), 0.0);
  compare("valuewhen_na v2", o2, n.col("v2"), 0.0);
  compare("valuewhen_na w0", ow, n.col("w0"), 0.0);
}

// ---------------------------------------------------------------- volume

TEST_CASE("tradingview: volume variables (accdist+pvi+pvt+wad+wvad.csv, iii+nvi+obv.csv)") {
  const Csv c = read_export("accdist+pvi+pvt+wad+wvad.csv");
  VolumeVars ad, pvi, pvt, wad;
  Series rad, rpvi, rpvt, rwad, rwvad;
  for (std::size_t i = 0; i < c.rows(); ++i) {
    const double o = c.col("open")[i], h = c.col("high")[i], l = c.col("low")[i], cl = c.col("close")[i],
                 v = c.col("Volume")[i];
    rad.push_back(ad.accdist(h, l, cl, v));
    rpvi.push_back(pvi.pvi(cl, v));
    rpvt.push_back(pvt.pvt(cl, v));
    rwad.push_back(wad.wad(h, l, cl));
    rwvad.push_back((cl - o) / (h - l) * v);
  }
  compare("ta.accdist", rad, c.col("ta.accdist"));
  compare("ta.pvi", rpvi, c.col("ta.pvi"));
  compare("ta.pvt", rpvt, c.col("ta.pvt"));
  compare("ta.wad", rwad, c.col("ta.wad"));
  compare("ta.wvad", rwvad, c.col("ta.wvad"));

  const Csv d = read_export("iii+nvi+obv.csv");
  VolumeVars nvi, obv;
  Series riii, rnvi, robv;
  for (std::size_t i = 0; i < d.rows(); ++i) {
    const double h = d.col("high")[i], l = d.col("low")[i], cl = d.col("close")[i], v = d.col("Volume")[i];
    riii.push_back((2 * cl - h - l) / ((h - l) * v));
    rnvi.push_back(nvi.nvi(cl, v));
    robv.push_back(obv.obv(cl, v));
  }
  compare("ta.iii", riii, d.col("ta.iii"));
  compare("ta.nvi", rnvi, d.col("ta.nvi"));
  compare("ta.obv", robv, d.col("ta.obv"));
}

TEST_CASE("tradingview: vwap with session and timeframe.change anchors (vwap.csv)") {
  // EURUSD 15m, exchange time zone US/Eastern (EDT, UTC-4, on these dates),
  // sessions start at 17:00 = 21:00 UTC. The default anchor is the session
  // start; timeframe.change("240"/"360") fires when the 4h/6h period counted
  // from the session start changes (false on the first bar).
  const Csv c = read_export("vwap.csv");
  const Series &t = c.col("time"), &close = c.col("close"), &vol = c.col("Volume");
  const auto period = [](double time_s, double minutes) {
    return std::floor((time_s - 21.0 * 3600.0) / (minutes * 60.0));
  };
  Vwap session, h4, h6;
  Series rs, r4, r6, r6u, r6l;
  for (std::size_t i = 0; i < c.rows(); ++i) {
    const bool first = i == 0;
    const bool day = first ? std::fmod(t[i] - 21.0 * 3600.0, 86400.0) == 0.0
                           : period(t[i], 1440) != period(t[i - 1], 1440);
    const bool a4 = !first && period(t[i], 240) != period(t[i - 1], 240);
    const bool a6 = !first && period(t[i], 360) != period(t[i - 1], 360);
    rs.push_back(session.step(close[i], day, vol[i], 0.0).vwap);
    r4.push_back(h4.step(close[i], a4, vol[i], 0.0).vwap);
    const Vwap::Result b = h6.step(close[i], a6, vol[i], 2.0);
    r6.push_back(b.vwap);
    r6u.push_back(b.upper);
    r6l.push_back(b.lower);
  }
  compare("ta.vwap(close)", rs, c.col("ta.vwap(close)"));
  compare("ta.vwap(close, 240)", r4, c.col("ta.vwap(close, timeframe.change(&quot;240&quot;))"));
  compare("ta.vwap(close, 360, 2).vwap", r6, c.col("ta.vwap(close, timeframe.change(&quot;360&quot;), 2.0).vwap"));
  compare("ta.vwap(close, 360, 2).upper", r6u,
          c.col("ta.vwap(close, timeframe.change(&quot;360&quot;), 2.0).upper_band"), 1e-8);
  compare("ta.vwap(close, 360, 2).lower", r6l,
          c.col("ta.vwap(close, timeframe.change(&quot;360&quot;), 2.0).lower_band"), 1e-8);
}

// ---------------------------------------------------------------- pivots

TEST_CASE("tradingview: pivots (pivot.csv), percentiles (ppp.csv), rci (rci.csv)") {
  const Csv c = read_export("pivot.csv");
  PivotHigh ph, phc;
  PivotLow pl, plc;
  Series rph, rphc, rpl, rplc;
  for (std::size_t i = 0; i < c.rows(); ++i) {
    rph.push_back(ph.step(c.col("high")[i], 10, 5));
    rphc.push_back(phc.step(c.col("close")[i], 10, 5));
    rpl.push_back(pl.step(c.col("low")[i], 10, 5));
    rplc.push_back(plc.step(c.col("close")[i], 10, 5));
  }
  compare("ta.pivothigh(10, 5)", rph, c.col("ta.pivothigh(10, 5)"), 0.0);
  compare("ta.pivothigh(close, 10, 5)", rphc, c.col("ta.pivothigh(close, 10, 5)"), 0.0);
  compare("ta.pivotlow(10, 5)", rpl, c.col("ta.pivotlow(10, 5)"), 0.0);
  compare("ta.pivotlow(close, 10, 5)", rplc, c.col("ta.pivotlow(close, 10, 5)"), 0.0);

  // The columns are titled "..., 20, 30)" and "..., 20, 0)" but PyneCore's
  // script (test ppp) plots percentage 20 under both titles.
  const Csv p = read_export("ppp.csv");
  PercentileLinear pli;
  PercentileNearest pnr;
  PercentRank prk;
  Series rli, rnr, rrk;
  for (double x : p.col("close")) {
    rli.push_back(pli.step(x, 20, 20));
    rnr.push_back(pnr.step(x, 20, 20));
    rrk.push_back(prk.step(x, 33));
  }
  compare("ta.percentile_linear_interpolation(close, 20, 30)", rli,
          p.col("ta.percentile_linear_interpolation(close, 20, 30)"));
  compare("ta.percentile_nearest_rank(close, 20, 0)", rnr, p.col("ta.percentile_nearest_rank(close, 20, 0)"), 0.0);
  compare("ta.percentrank(close, 33)", rrk, p.col("ta.percentrank(close, 33)"));

  const Csv r = read_export("rci.csv");
  Rci r5, r20, rh;
  Series o5, o20, oh;
  for (std::size_t i = 0; i < r.rows(); ++i) {
    o5.push_back(r5.step(r.col("close")[i], 5));
    o20.push_back(r20.step(r.col("close")[i], 20));
    oh.push_back(rh.step((r.col("high")[i] + r.col("low")[i]) / 2, 20));
  }
  compare("ta.rci(close, 5)", o5, r.col("ta.rci(close, 5)"));
  compare("ta.rci(close, 20)", o20, r.col("ta.rci(close, 20)"));
  compare("ta.rci(hl2, 20)", oh, r.col("ta.rci(hl2, 20)"));
}
