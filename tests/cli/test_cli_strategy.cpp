// `pinevm run` with strategies: --trades (TradingView's List of trades
// layout), --feed for the bar magnifier, and the usage errors around them.
#include <doctest/doctest.h>

#include <sstream>

#include "cli/cli_test_support.h"

using namespace cli_test;

namespace {

const fs::path kStrategyData = fs::path(PINEVM_SOURCE_DIR) / "tests" / "data" / "strategy";

/// The symbol facts of the EUR/USD exports (tests/data/strategy/README.md).
const char* kEurUsd =
    R"({"currency": "USD", "type": "forex", "pricescale": 100000, "minmove": 1, "pointvalue": 1, "mincontract": 0.1, "timezone": "America/New_York", "trading_day_start": "17:00"})";

/// The lines of `text`.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// The fields of a CSV line without quotes.
std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string f; std::getline(in, f, ',');) out.push_back(f);
  return out;
}

/// The arguments that run `name`'s script on the EUR/USD bars.
std::vector<std::string> eurusd_run(const TempDir& dir, const std::string& name, const std::string& data) {
  return {"run",     (kStrategyData / "scripts" / (name + ".pine")).string(),
          "--data",  data,
          "--syminfo", dir.write("eurusd.json", kEurUsd),
          "--symbol", "CAPITALCOM:EURUSD",
          "--timeframe", "60",
          "--out", dir.file("plots.csv")};
}

} // namespace

// The header is TradingView's, in the account currency; each trade is an
// entry row and an exit row with the same numbers; times carry the
// exchange's offset; money is unrounded (the export's two decimals are a
// rounding of it). slippage_basic's first trade by hand: a long from the
// 04:00 open (bar 11) 1.13466 + 10 ticks = 1.13476 to the 14:00 open (bar
// 21) 1.1295 - 10 ticks = 1.1294, commission 0.1% of each fill: (1.1294 - 1.13476) - 0.001 *
// (1.13476 + 1.1294) = -0.00536 - 0.00226416 = -0.00762416.
TEST_CASE("run --trades writes the List of trades") {
  TempDir dir;
  std::vector<std::string> args = eurusd_run(dir, "slippage_basic", (kStrategyData / "eurusd_60.csv").string());
  args.insert(args.end(), {"--trades", dir.file("trades.csv")});
  const Result r = pinevm(args);
  REQUIRE_MESSAGE(r.code == 0, r.err);
  const std::vector<std::string> rows = lines_of(read_file(dir.file("trades.csv")));
  REQUIRE(rows.size() == 5);
  CHECK(rows[0] == "Trade #,Type,Date/Time,Signal,Price USD,Position size (qty),Position size (value),Net P&L USD,"
                   "Net P&L %,Run-up USD,Run-up %,Drawdown USD,Drawdown %,Cumulative P&L USD,Cumulative P&L %");
  const auto entry = fields(rows[1]);
  const auto exit = fields(rows[2]);
  CHECK(entry[0] == "1");
  CHECK(entry[1] == "Entry long");
  CHECK(entry[2] == "2022-01-03T04:00:00-05:00");
  CHECK(exit[2] == "2022-01-03T14:00:00-05:00");
  CHECK(entry[3] == "Long Entry");
  CHECK(std::stod(entry[4]) == doctest::Approx(1.13476).epsilon(1e-12));
  CHECK(exit[1] == "Exit long");
  CHECK(exit[3] == "Long Exit");
  CHECK(std::stod(exit[4]) == doctest::Approx(1.1294).epsilon(1e-12));
  CHECK(std::stod(exit[7]) == doctest::Approx(-0.00762416).epsilon(1e-9));
  for (std::size_t i = 5; i < entry.size(); ++i) CHECK(entry[i] == exit[i]);
  CHECK(fields(rows[3])[1] == "Entry short");
}

// A run split by a snapshot writes the same trades file as a straight run:
// the ledger of the instance's whole life travels in the snapshot.
TEST_CASE("run --trades after --restore-state lists every trade of the instance's life") {
  TempDir dir;
  // The first 3,000 bars, then all of them from the snapshot.
  const std::vector<std::string> all = lines_of(read_file((kStrategyData / "eurusd_60.csv").string()));
  std::string head;
  for (std::size_t i = 0; i <= 3000; ++i) head += all[i] + "\n";
  const std::string first = dir.write("first.csv", head);
  const std::string full = (kStrategyData / "eurusd_60.csv").string();

  std::vector<std::string> straight = eurusd_run(dir, "macd", full);
  straight.insert(straight.end(), {"--trades", dir.file("straight.csv")});
  REQUIRE(pinevm(straight).code == 0);

  std::vector<std::string> part1 = eurusd_run(dir, "macd", first);
  part1.insert(part1.end(), {"--save-state", dir.file("s.pvms")});
  REQUIRE(pinevm(part1).code == 0);
  std::vector<std::string> part2 = eurusd_run(dir, "macd", full);
  part2.insert(part2.end(), {"--restore-state", dir.file("s.pvms"), "--trades", dir.file("split.csv")});
  const Result r = pinevm(part2);
  REQUIRE_MESSAGE(r.code == 0, r.err);
  const std::string a = read_file(dir.file("straight.csv"));
  CHECK(lines_of(a).size() == 1 + 2 * 1808);
  CHECK(a == read_file(dir.file("split.csv")));
}

// The magnifier reads the chart symbol's lower-timeframe feed: with it the
// 56 trades are TradingView's; without it three brackets end on the other
// leg, and the run warns that the magnifier has no data.
TEST_CASE("run --feed gives the bar magnifier its intrabars") {
  TempDir dir;
  const std::string syminfo = dir.write(
      "btc.json", R"({"currency": "USDT", "type": "crypto", "pricescale": 100, "minmove": 1, "timezone": "Etc/UTC"})");
  std::vector<std::string> args = {"run", (kStrategyData / "scripts" / "bar_magnifier_tv.pine").string(),
                                   "--data", (kStrategyData / "btcusdt_1d.csv").string(),
                                   "--syminfo", syminfo, "--symbol", "BINANCE:BTCUSDT", "--timeframe", "1D",
                                   "--out", dir.file("plots.csv"), "--trades", dir.file("with.csv")};
  std::vector<std::string> with = args;
  with.insert(with.end(), {"--feed", "60=" + (kStrategyData / "btcusdt_60.csv").string()});
  const Result r = pinevm(with);
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(r.err.empty());
  const std::vector<std::string> ours = lines_of(read_file(dir.file("with.csv")));
  const std::vector<std::string> theirs = lines_of(read_file((kStrategyData / "bar_magnifier_tv_trades.csv").string()));
  REQUIRE(ours.size() == theirs.size());
  std::size_t same_exit = 0;
  for (std::size_t i = 2; i < ours.size(); i += 2)
    same_exit += std::abs(std::stod(fields(ours[i])[4]) - std::stod(fields(theirs[i])[4])) < 0.005;
  CHECK(same_exit == 56);

  args.back() = dir.file("without.csv");
  const Result plain = pinevm(args);
  REQUIRE(plain.code == 0);
  CHECK(plain.err.find("bar magnifier but no --feed") != std::string::npos);
  const std::vector<std::string> without = lines_of(read_file(dir.file("without.csv")));
  std::size_t moved = 0;
  for (std::size_t i = 2; i < without.size(); i += 2)
    moved += std::abs(std::stod(fields(without[i])[4]) - std::stod(fields(theirs[i])[4])) >= 0.005;
  CHECK(moved == 3);
}

// Usage errors name the option; nothing is run.
TEST_CASE("run --trades and --feed usage errors") {
  TempDir dir;
  const std::string data = (kStrategyData / "slippage_pyramiding_60.csv").string();
  const std::string indicator = dir.write("i.pine", "//@version=6\nindicator(\"i\")\nplot(close)\n");
  Result r = pinevm({"run", indicator, "--data", data, "--trades", dir.file("t.csv")});
  CHECK(r.code == 2);
  CHECK(r.err.find("--trades needs a strategy") != std::string::npos);

  std::vector<std::string> args = eurusd_run(dir, "rsi", data);
  for (const char* bad : {"60", "60=", "@60=x.csv", "6Q=x.csv"}) {
    std::vector<std::string> a = args;
    a.insert(a.end(), {"--feed", bad});
    r = pinevm(a);
    CHECK_MESSAGE(r.code == 2, bad);
    CHECK_MESSAGE(r.err.find("--feed") != std::string::npos, r.err);
  }
  // A feed nothing reads is a warning, not an error.
  std::vector<std::string> a = args;
  a.insert(a.end(), {"--feed", "1D=" + data});
  r = pinevm(a);
  CHECK(r.code == 0);
  CHECK(r.err.find("is not used") != std::string::npos);

  // An account currency other than the symbol's needs rates pinevm lacks.
  const std::string eur = dir.write("eur.pine", "//@version=6\nstrategy(\"s\", currency = currency.EUR)\nplot(close)\n");
  r = pinevm({"run", eur, "--data", data});
  CHECK(r.code == 2);
  CHECK(r.err.find("currency.NONE") != std::string::npos);
}

// The report and the equity curve of two trades worked by hand. Bars
// (daily, open/high/low/close): 100/101/99/100, 100/106/99/105,
// 105/110/104/108, 110/111/100/102, 102/103/95/96, 96/98/90/97. A long of
// 1 placed on bar 0 fills at bar 1's open 100 and is closed at bar 3's open
// 110 (+10, 10%, 2 bars); a short placed on bar 3 fills at bar 4's open 102
// and is closed at bar 5's open 96 (+6, 5.88235%, 1 bar). So net profit 16,
// no loss (profit factor null), 2 winners, average trade 8, average percent
// (10 + 600/102) / 2, average bars 1.5; buy and hold from the first open 100
// to the last close 97 is -3% of 1,000 = -30. Equity at each close: 1000,
// 1005, 1008, 1010, 1016, 1016.
TEST_CASE("run --report and --equity") {
  TempDir dir;
  const std::string data = dir.write("d.csv",
                                     "time,open,high,low,close\n"
                                     "2024-01-01,100,101,99,100\n2024-01-02,100,106,99,105\n2024-01-03,105,110,104,108\n"
                                     "2024-01-04,110,111,100,102\n2024-01-05,102,103,95,96\n2024-01-06,96,98,90,97\n");
  const std::string script = dir.write("s.pine",
                                       "//@version=6\nstrategy(\"r\", initial_capital = 1000)\n"
                                       "if bar_index == 0\n    strategy.entry(\"L\", strategy.long)\n"
                                       "if bar_index == 2\n    strategy.close(\"L\")\n"
                                       "if bar_index == 3\n    strategy.entry(\"S\", strategy.short)\n"
                                       "if bar_index == 4\n    strategy.close(\"S\")\n");
  const Result r = pinevm({"run", script, "--data", data, "--out", dir.file("o.csv"), "--report", dir.file("r.json"),
                           "--equity", dir.file("e.csv")});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  const std::string report = read_file(dir.file("r.json"));
  const std::string top = report.substr(0, report.find("\"long\""));
  for (const char* pair : {"\"net_profit\": 16,", "\"gross_profit\": 16,", "\"gross_loss\": 0,", "\"profit_factor\": null,",
                           "\"total_closed_trades\": 2,", "\"number_winning_trades\": 2,", "\"number_losing_trades\": 0,",
                           "\"percent_profitable\": 100,", "\"avg_trade\": 8,", "\"largest_winning_trade\": 10,",
                           "\"largest_winning_trade_percent\": 10,", "\"avg_bars_in_trades\": 1.5,",
                           "\"buy_hold_return\": -30,", "\"buy_hold_return_percent\": -3,", "\"equity\": 1016,",
                           "\"max_contracts_held\": 1,"})
    CHECK_MESSAGE(top.find(pair) != std::string::npos, pair << " in " << top);
  const double avg_percent = (10 + 600.0 / 102) / 2;
  const std::size_t at = top.find("\"avg_trade_percent\": ");
  REQUIRE(at != std::string::npos);
  CHECK(std::stod(top.substr(at + 21)) == doctest::Approx(avg_percent).epsilon(1e-12));
  const std::string longs = report.substr(report.find("\"long\""), report.find("\"short\"") - report.find("\"long\""));
  CHECK(longs.find("\"net_profit\": 10,") != std::string::npos);
  CHECK(report.substr(report.find("\"short\"")).find("\"net_profit\": 6,") != std::string::npos);
  const std::vector<std::string> equity = lines_of(read_file(dir.file("e.csv")));
  REQUIRE(equity.size() == 7);
  CHECK(equity[0] == "time,bar_index,equity,net_profit,open_profit,position_size");
  const char* expected[] = {"1000", "1005", "1008", "1010", "1016", "1016"};
  for (std::size_t i = 0; i < 6; ++i) CHECK(fields(equity[i + 1])[2] == expected[i]);
  CHECK(fields(equity[5])[5] == "-1"); // short on bar 4
}

// A short closed at its entry price has a profit of -0 in floating point;
// the file says 0 (as TradingView and str.tostring do), never "-0".
TEST_CASE("run --trades writes a zero profit as 0") {
  TempDir dir;
  const std::string data = dir.write("d.csv", "time,open,high,low,close\n2024-01-01,100,100,100,100\n"
                                              "2024-01-02,100,100,100,100\n2024-01-03,100,100,100,100\n");
  const std::string script = dir.write("s.pine", "//@version=6\nstrategy(\"z\")\n"
                                                 "if bar_index == 0\n    strategy.entry(\"S\", strategy.short)\n"
                                                 "if bar_index == 1\n    strategy.close(\"S\")\n");
  const Result r = pinevm({"run", script, "--data", data, "--out", dir.file("o.csv"), "--trades", dir.file("t.csv")});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  const std::vector<std::string> rows = lines_of(read_file(dir.file("t.csv")));
  REQUIRE(rows.size() == 3);
  CHECK(fields(rows[2])[7] == "0");
  for (std::size_t row : {1, 2})
    for (const std::string& f : fields(rows[row])) CHECK(f != "-0");
}

// --syminfo's trading_day_start is a time of day "HH:MM"; anything else is a
// usage error naming the field.
TEST_CASE("run --syminfo trading_day_start") {
  TempDir dir;
  const std::string script = dir.write("i.pine", "//@version=6\nindicator(\"i\")\nplot(time_tradingday)\n");
  const std::string data = dir.write("d.csv", "time,open,high,low,close\n2024-01-02T22:00:00Z,1,1,1,1\n");
  const auto run = [&](const std::string& value) {
    const std::string info =
        dir.write("s.json", R"({"timezone": "America/New_York", "trading_day_start": )" + value + "}");
    return pinevm({"run", script, "--data", data, "--syminfo", info, "--timeframe", "60"});
  };
  // 22:00 UTC is 17:00 New York: January 3rd's trading day.
  const auto plotted = [](const Result& res) { return std::stod(fields(lines_of(res.out).at(1)).at(2)); };
  Result r = run("\"17:00\"");
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(plotted(r) == 1704240000000.0); // 2024-01-03 00:00 UTC
  r = run("\"00:00\"");
  REQUIRE(r.code == 0);
  CHECK(plotted(r) == 1704153600000.0); // 2024-01-02
  for (const char* bad : {"\"24:00\"", "\"5pm\"", "\"17:60\"", "1020"}) {
    r = run(bad);
    CHECK_MESSAGE(r.code == 2, bad);
    CHECK_MESSAGE(r.err.find("trading_day_start") != std::string::npos, r.err);
  }
}
