// The ten TradingView Strategy Tester exports (tests/data/strategy): each
// script runs on its bars and pinevm's trades must be TradingView's, trade
// for trade: the same number of trades, and for each the same type, entry
// and exit instants, signals, prices (within half a tick), quantity, and net
// P&L, run-up, drawdown and cumulative P&L within the export's rounding.
//
// The export rounds money to two decimals (one significant digit below
// 0.005), so a value matches when it is within half a unit of the last
// digit shown, plus 1e-7 of the account: TradingView's own sums drift from
// the exact ones by that much (its Cumulative P&L differs from the sum of
// its Net P&L column by up to 0.0055 on a 1,000,000 account). A trade still
// open at the export has its exit row stamped with the export's moment and
// price: only its entry row is compared.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "bars_csv.h"
#include "pine/compiler/compile.h"
#include "pine/vm/instance.h"

namespace fs = std::filesystem;
using namespace pine;

namespace {

const fs::path kData = fs::path(PINEVM_SOURCE_DIR) / "tests" / "data" / "strategy";

/// One case: its files and the symbol the export was made on.
struct Case {
  const char* name;
  const char* bars;
  const char* intrabars; ///< bar magnifier data, or null
  const char* symbol;
  const char* timeframe;
  SymbolInfo info;
  std::size_t trades;    ///< trades in the export (a check on the file itself)
};

SymbolInfo eurusd() {
  SymbolInfo s;
  s.currency = "USD";
  s.basecurrency = "EUR";
  s.type = "forex";
  s.pricescale = 100000;
  s.minmove = 1;
  s.pointvalue = 1;
  s.mincontract = 0.1;
  s.timezone = "America/New_York";
  s.trading_day_start = 17 * 60; // the FX day runs from 17:00 New York
  return s;
}

SymbolInfo qm1() {
  SymbolInfo s;
  s.currency = "USD";
  s.type = "futures";
  s.pricescale = 1000;
  s.minmove = 25;
  s.pointvalue = 500;
  s.mincontract = 1;
  s.timezone = "America/New_York";
  s.trading_day_start = 18 * 60; // CME Globex energy: 18:00 to 17:00 New York
  return s;
}

SymbolInfo btcusdt() {
  SymbolInfo s;
  s.currency = "USDT";
  s.basecurrency = "BTC";
  s.type = "crypto";
  s.pricescale = 100;
  s.minmove = 1;
  s.pointvalue = 1;
  s.mincontract = 0.000001;
  s.timezone = "Etc/UTC";
  return s;
}

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"barupdn", "eurusd_60.csv", nullptr, "CAPITALCOM:EURUSD", "60", eurusd(), 5550},
      {"bollinger", "eurusd_60.csv", nullptr, "CAPITALCOM:EURUSD", "60", eurusd(), 579},
      {"rsi", "eurusd_60.csv", nullptr, "CAPITALCOM:EURUSD", "60", eurusd(), 194},
      {"macd", "eurusd_60.csv", nullptr, "CAPITALCOM:EURUSD", "60", eurusd(), 1808},
      {"supertrend", "eurusd_60.csv", nullptr, "CAPITALCOM:EURUSD", "60", eurusd(), 602},
      {"slippage_basic", "eurusd_60.csv", nullptr, "CAPITALCOM:EURUSD", "60", eurusd(), 2},
      {"slippage_direction", "eurusd_60.csv", nullptr, "CAPITALCOM:EURUSD", "60", eurusd(), 2304},
      {"slippage_pyramiding", "slippage_pyramiding_60.csv", nullptr, "CAPITALCOM:EURUSD", "60", eurusd(), 3},
      {"futures_pnl", "qm1_60.csv", nullptr, "NYMEX_MINI:QM1!", "60", qm1(), 294},
      {"bar_magnifier_tv", "btcusdt_1d.csv", "btcusdt_60.csv", "BINANCE:BTCUSDT", "1D", btcusdt(), 56},
  };
  return all;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open " << p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The fields of one CSV line (the exports quote nothing).
std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream ss(line);
  while (std::getline(ss, field, ',')) out.push_back(field);
  return out;
}

/// The rows of an export, header dropped.
std::vector<std::vector<std::string>> read_export(const fs::path& p) {
  std::istringstream in(read_text(p));
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) rows.push_back(split(line));
  }
  return rows;
}

/// How far a value shown as `text` may be from the exact one: half a unit
/// of its last digit ("0.26" -> 0.005, "3e-05" -> 5e-6), plus 1e-7 of the
/// larger of the value and the account.
double tolerance(const std::string& text, double capital) {
  double half = 0.5;
  const std::size_t e = text.find_first_of("eE");
  if (e != std::string::npos) {
    half = 0.5 * std::pow(10.0, std::stoi(text.substr(e + 1)));
  } else if (const std::size_t dot = text.find('.'); dot != std::string::npos) {
    half = 0.5 * std::pow(10.0, -static_cast<double>(text.size() - dot - 1));
  }
  return half + 1e-7 * std::max(std::fabs(std::stod(text)), capital);
}

/// Intrabars grouped by the chart bar whose [open, next open) they fall in.
std::vector<std::vector<Bar>> group_intrabars(const std::vector<Bar>& chart, const std::vector<Bar>& intrabars) {
  std::vector<std::vector<Bar>> groups(chart.size());
  std::size_t j = 0;
  for (std::size_t i = 0; i < chart.size(); ++i) {
    const std::int64_t end = i + 1 < chart.size() ? chart[i + 1].time : INT64_MAX;
    while (j < intrabars.size() && intrabars[j].time < chart[i].time) ++j;
    while (j < intrabars.size() && intrabars[j].time < end) groups[i].push_back(intrabars[j++]);
  }
  return groups;
}

/// Runs a case; the instance after its last bar.
Instance run_case(const Case& c) {
  const std::string source = read_text(kData / "scripts" / (std::string(c.name) + ".pine"));
  CompileResult compiled = compile(source, CompileOptions{std::string(c.name) + ".pine", {}});
  REQUIRE_MESSAGE(compiled.ok(), compiled.format(source, c.name));
  InstanceBuilder builder(compiled.program);
  builder.symbol(c.symbol).timeframe(c.timeframe).syminfo(c.info);
  Instance instance = builder.build();
  const std::vector<Bar> bars = cli::read_bars_file((kData / c.bars).string());
  std::vector<std::vector<Bar>> intrabars(bars.size());
  if (c.intrabars) intrabars = group_intrabars(bars, cli::read_bars_file((kData / c.intrabars).string()));
  instance.set_last_bar_index(static_cast<std::int64_t>(bars.size()) - 1);
  for (std::size_t i = 0; i < bars.size(); ++i) instance.run_bar(bars[i], intrabars[i]);
  return instance;
}

/// The export's "2022-01-02T19:00:00-0500" as epoch milliseconds.
std::int64_t export_time(const std::string& text) {
  std::int64_t ms = 0;
  std::string why;
  REQUIRE_MESSAGE(cli::parse_bar_time(text, ms, why), text << ": " << why);
  return ms;
}

/// The first difference between a trade and its two export rows, or "".
std::string compare_trade(const TradeRecord& t, bool open, const std::vector<std::string>& entry,
                          const std::vector<std::string>& exit, double tick, double capital) {
  std::ostringstream why;
  const std::string side = t.direction > 0 ? "long" : "short";
  const auto near = [&](double ours, const std::string& theirs, double tol, const char* what) {
    if (!(std::fabs(ours - std::stod(theirs)) <= tol)) why << what << " " << ours << " vs " << theirs << "; ";
  };
  if (entry[0] != std::to_string(t.number) || exit[0] != entry[0]) why << "trade number; ";
  if (entry[1] != "Entry " + side || exit[1] != "Exit " + side) why << "type " << side << " vs " << entry[1] << "; ";
  if (export_time(entry[2]) != t.entry_time) why << "entry time; ";
  if (entry[3] != (t.entry_comment.empty() ? t.entry_id : t.entry_comment)) why << "entry signal " << t.entry_id << "; ";
  near(t.entry_price, entry[4], tick / 2, "entry price");
  near(t.qty, entry[5], 1e-9 * t.qty, "quantity");
  if (open) return why.str();
  if (export_time(exit[2]) != t.exit_time) why << "exit time; ";
  if (exit[3] != (t.exit_comment.empty() ? t.exit_id : t.exit_comment)) why << "exit signal " << t.exit_id << "; ";
  near(t.exit_price, exit[4], tick / 2, "exit price");
  near(t.profit, exit[7], tolerance(exit[7], capital), "net P&L");
  near(t.max_runup, exit[9], tolerance(exit[9], capital), "run-up");
  near(t.max_drawdown, exit[11], tolerance(exit[11], capital), "drawdown");
  near(t.cumulative_profit, exit[13], tolerance(exit[13], capital), "cumulative P&L");
  return why.str();
}

} // namespace

TEST_CASE("TradingView strategy exports: every trade of every case") {
  for (const Case& c : cases()) {
    INFO("case ", std::string(c.name));
    const Instance instance = run_case(c);
    const auto rows = read_export(kData / (std::string(c.name) + "_trades.csv"));
    REQUIRE(rows.size() == 2 * c.trades);
    // A trade open at the export: its exit row says "Open" (empty in one).
    const bool export_open = rows.back()[3] == "Open" || rows.back()[3].empty();
    std::vector<std::pair<const TradeRecord*, bool>> ours;
    for (const TradeRecord& t : instance.closed_trades()) ours.push_back({&t, false});
    for (const TradeRecord& t : instance.open_trades()) ours.push_back({&t, true});
    CHECK(instance.open_trades().size() == (export_open ? 1u : 0u));
    REQUIRE(ours.size() == c.trades);
    const double tick = static_cast<double>(c.info.minmove) / static_cast<double>(c.info.pricescale);
    const double capital = instance.strategy_settings().initial_capital;
    std::size_t differing = 0;
    for (std::size_t i = 0; i < ours.size(); ++i) {
      const std::string why = compare_trade(*ours[i].first, ours[i].second, rows[2 * i], rows[2 * i + 1], tick, capital);
      if (why.empty()) continue;
      if (++differing <= 5) FAIL_CHECK("trade " << i + 1 << ": " << why);
    }
    CHECK(differing == 0);
  }
}

// slippage_pyramiding's bars carry TradingView's own plot of
// strategy.position_avg_price per bar: the script plots the same value.
TEST_CASE("TradingView strategy exports: the average entry price bar by bar") {
  const Case& c = cases()[7];
  REQUIRE(std::string(c.name) == "slippage_pyramiding");
  const std::string source = read_text(kData / "scripts" / "slippage_pyramiding.pine");
  CompileResult compiled = compile(source);
  REQUIRE(compiled.ok());
  std::size_t column = compiled.program->plots.size();
  for (std::size_t i = 0; i < compiled.program->plots.size(); ++i)
    if (compiled.program->plots[i].title == "Avg Entry Price") column = i;
  REQUIRE(column < compiled.program->plots.size());
  Instance instance = InstanceBuilder(compiled.program).symbol(c.symbol).timeframe(c.timeframe).syminfo(c.info).build();
  const std::vector<Bar> bars = cli::read_bars_file((kData / c.bars).string());
  std::istringstream file(read_text(kData / c.bars));
  std::string line;
  std::getline(file, line);
  std::size_t compared = 0, holding = 0;
  for (const Bar& bar : bars) {
    instance.run_bar(bar);
    REQUIRE(std::getline(file, line));
    const std::string theirs = split(line)[5];
    const double ours = instance.plot_values()[column].f;
    if (theirs == "NaN") {
      CHECK(std::isnan(ours));
    } else {
      CHECK(ours == doctest::Approx(std::stod(theirs)).epsilon(1e-12));
      ++holding;
    }
    ++compared;
  }
  CHECK(compared == bars.size());
  CHECK(holding >= 15); // the three entries and the bars they are held
}

// Without the magnifier, three of the 56 trades take the other leg of their
// bracket (the daily bar's path says stop, the hourly bars say limit or the
// reverse): the 60-minute intrabars are what makes the case pass.
TEST_CASE("TradingView strategy exports: the bar magnifier decides three brackets") {
  Case c = cases()[9];
  REQUIRE(std::string(c.name) == "bar_magnifier_tv");
  c.intrabars = nullptr;
  const Instance instance = run_case(c);
  const auto rows = read_export(kData / "bar_magnifier_tv_trades.csv");
  REQUIRE(instance.closed_trades().size() == 56);
  // Entries do not depend on the exits here (fixed 0.01 BTC each), so the
  // trades stay aligned and only the exit prices differ.
  std::size_t differing = 0;
  for (std::size_t i = 0; i < 56; ++i)
    differing += std::fabs(instance.closed_trades()[i].exit_price - std::stod(rows[2 * i + 1][4])) > 0.005;
  CHECK(differing == 3);
}
