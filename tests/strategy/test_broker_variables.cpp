// The strategy.* variables and the strategy.closedtrades.* /
// strategy.opentrades.* queries, read by the script itself (plots for
// numbers, exact; logs for strings and ints), out-of-range indexes
// included. The variables a bar's script sees include that bar's fills.
// Tick 0.01.
#include "broker_test_support.h"

using namespace broker_test;

// A win, a loss, an even trade and an open one, fixed quantities, no
// commission, initial capital 10,000:
//   trade 1: long 2  @ 100 (bar 1) -> 105 (bar 2): +10
//   trade 2: short 3 @ 104 (bar 3) -> 106 (bar 4): -6
//   trade 3: long 1  @ 107 (bar 5) -> 107 (bar 6):  0
//   trade 4: long 4  @ 110 (bar 7), bar 7 closes at 112: open profit 8.
// On bar 7: netprofit 10 - 6 + 0 = 4, grossprofit 10, grossloss 6,
// equity 10,000 + 4 + 8 = 10,012, avg_trade 4 / 3, avg_winning_trade 10,
// avg_losing_trade 6 (a positive amount, like grossloss), the most
// contracts held 4 (long) and 3 (short), capital held 4 * 110 = 440 at
// 100% margin. Percents: trade 1 made 10 / (100 * 2) = 5%, trade 2
// -6 / (104 * 3) = -1.923..%, trade 3 0%; avg_trade_percent is their mean
// (pinevm's choice: the mean of the trades' own percents, which no
// TradingView export settles).
TEST_CASE("broker: strategy.* ledger variables") {
  Sim s(compile_strategy("initial_capital = 10000", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, qty = 2)
if bar_index == 1 or bar_index == 3 or bar_index == 5
    strategy.close_all()
if bar_index == 2
    strategy.entry("S", strategy.short, qty = 3)
if bar_index == 4
    strategy.entry("L", strategy.long, qty = 1)
if bar_index == 6
    strategy.entry("L", strategy.long, qty = 4)
plot(strategy.position_size, "pos")
plot(strategy.position_avg_price, "avg")
plot(strategy.equity, "equity")
plot(strategy.initial_capital, "ic")
plot(strategy.netprofit, "net")
plot(strategy.netprofit_percent, "net%")
plot(strategy.openprofit, "open")
plot(strategy.grossprofit, "gp")
plot(strategy.grossprofit_percent, "gp%")
plot(strategy.grossloss, "gl")
plot(strategy.grossloss_percent, "gl%")
plot(strategy.wintrades, "wins")
plot(strategy.losstrades, "losses")
plot(strategy.eventrades, "evens")
plot(strategy.opentrades, "opentrades")
plot(strategy.closedtrades, "closedtrades")
plot(strategy.max_contracts_held_all, "held")
plot(strategy.max_contracts_held_long, "held_long")
plot(strategy.max_contracts_held_short, "held_short")
plot(strategy.avg_trade, "avg_trade")
plot(strategy.avg_trade_percent, "avg_trade%")
plot(strategy.avg_winning_trade, "avg_win")
plot(strategy.avg_winning_trade_percent, "avg_win%")
plot(strategy.avg_losing_trade, "avg_loss")
plot(strategy.opentrades.capital_held, "capital_held")
)"));
  s.bars({{100, 100, 100, 100},
          {100, 100, 100, 100},
          {105, 105, 105, 105},
          {104, 104, 104, 104},
          {106, 106, 106, 106},
          {107, 107, 107, 107},
          {107, 107, 107, 107},
          {110, 113, 109, 112}});
  // Before any trade closes, the averages are na and the counts zero.
  CHECK(na(s.plot("avg_trade", 1)));
  CHECK(na(s.plot("avg_win", 1)));
  CHECK(na(s.plot("avg_loss", 1)));
  CHECK(s.plot("closedtrades", 1) == 0);
  CHECK(s.plot("pos", 3) == -3);
  const std::size_t b = 7;
  CHECK(s.plot("pos", b) == 4);
  CHECK(s.plot("avg", b) == 110);
  CHECK(s.plot("ic", b) == 10000);
  CHECK(s.plot("net", b) == 4);
  CHECK(s.plot("net%", b) == near(0.04));
  CHECK(s.plot("open", b) == 8);
  CHECK(s.plot("equity", b) == 10012);
  CHECK(s.plot("gp", b) == 10);
  CHECK(s.plot("gp%", b) == near(0.1));
  CHECK(s.plot("gl", b) == 6);
  CHECK(s.plot("gl%", b) == near(0.06));
  CHECK(s.plot("wins", b) == 1);
  CHECK(s.plot("losses", b) == 1);
  CHECK(s.plot("evens", b) == 1);
  CHECK(s.plot("opentrades", b) == 1);
  CHECK(s.plot("closedtrades", b) == 3);
  CHECK(s.plot("held", b) == 4);
  CHECK(s.plot("held_long", b) == 4);
  CHECK(s.plot("held_short", b) == 3);
  CHECK(s.plot("avg_trade", b) == near(4.0 / 3));
  CHECK(s.plot("avg_trade%", b) == near((5 - 600.0 / 312) / 3));
  CHECK(s.plot("avg_win", b) == 10);
  CHECK(s.plot("avg_win%", b) == near(5));
  CHECK(s.plot("avg_loss", b) == 6);
  CHECK(s.plot("capital_held", b) == 440);
}

// position_avg_price is the quantity-weighted mean entry of the open
// trades: 1 @ 100 and 3 @ 104 -> (100 + 312) / 4 = 103; na again when
// flat. The open profit and equity are marked to the bar's close (bar 2
// closes at 106: 1 * 6 + 3 * 2 = 12).
TEST_CASE("broker: position_avg_price, openprofit and equity of a pyramided position") {
  Sim s(compile_strategy("pyramiding = 2", R"(
if bar_index == 0
    strategy.entry("A", strategy.long, qty = 1)
if bar_index == 1
    strategy.entry("B", strategy.long, qty = 3)
if bar_index == 2
    strategy.close_all()
plot(strategy.position_avg_price, "avg")
plot(strategy.openprofit, "open")
plot(strategy.equity, "equity")
)"));
  s.bars({{99, 99, 99, 99}, {100, 100, 100, 100}, {104, 107, 103, 106}, {105, 105, 105, 105}});
  CHECK(s.plot("avg", 1) == 100);
  CHECK(s.plot("avg", 2) == 103);
  CHECK(s.plot("open", 2) == 12);
  CHECK(s.plot("equity", 2) == 1'000'012);
  CHECK(na(s.plot("avg", 3)));
  CHECK(s.plot("open", 3) == 0);
  // Closed at 105: (105 - 100) * 1 + (105 - 104) * 3 = 8.
  CHECK(s.plot("equity", 3) == 1'000'008);
}

// The entry commission leaves the equity at the entry fill and is part of
// the open profit (pinevm's documented choice): long 2 @ 100 with 0.1%
// commission (0.2), bar 1 closes at 108: openprofit 2 * 8 - 0.2 = 15.8,
// equity 1,000,015.8, netprofit still 0.
TEST_CASE("broker: openprofit and equity carry the open trade's entry commission") {
  Sim s(compile_strategy("commission_type = strategy.commission.percent, commission_value = 0.1", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, qty = 2)
plot(strategy.openprofit, "open")
plot(strategy.equity, "equity")
plot(strategy.netprofit, "net")
)"));
  s.bars({{99, 99, 99, 99}, {100, 109, 99, 108}});
  CHECK(s.plot("open", 1) == near(15.8));
  CHECK(s.plot("equity", 1) == near(1'000'015.8));
  CHECK(s.plot("net", 1) == 0);
}

// strategy.max_drawdown / max_runup follow the equity at every point of
// the price path (pinevm's documented choice). Initial 1000, long 10 @ 100:
//   bar 2: 100 -> 95 (low nearer) -> 110 -> 105: equity 950, 1100, 1050;
//   bar 3: 105 -> 106 (high nearer) -> 80 -> 90: equity 1060, 800, 900.
// Peak 1100, lowest after it 800: max drawdown 300 (300 / 1100 = 27.27..%).
// Lowest 950 before the peak 1100: max run-up 150 (150 / 950 = 15.78..%).
TEST_CASE("broker: strategy.max_drawdown and max_runup along the path") {
  Sim s(compile_strategy("initial_capital = 1000", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, qty = 10)
plot(strategy.max_drawdown, "dd")
plot(strategy.max_drawdown_percent, "dd%")
plot(strategy.max_runup, "ru")
plot(strategy.max_runup_percent, "ru%")
)"));
  s.bars({{100, 100, 100, 100}, {100, 100, 100, 100}, {100, 110, 95, 105}});
  CHECK(s.plot("dd", 2) == 50);
  CHECK(s.plot("ru", 2) == 150);
  s.bars({{105, 106, 80, 90}});
  CHECK(s.plot("dd", 3) == 300);
  CHECK(s.plot("dd%", 3) == near(300.0 / 1100 * 100));
  CHECK(s.plot("ru", 3) == 150);
  CHECK(s.plot("ru%", 3) == near(150.0 / 950 * 100));
}

// The trade queries on a closed long and an open short, with 0.1%
// commission:
//   closed: long 2 @ 100 (bar 1, "go long"), bars reach 112 and 98, closed
//     by strategy.close (comment "done") at bar 3's open 110.
//     commission 0.2 + 0.22 = 0.42; profit 2 * 10 - 0.42 = 19.58, which is
//     19.58 / 200 = 9.79% of the entry value; run-up 2 * 12 - 0.2 = 23.8
//     (11.9%), drawdown 2 * -2 - 0.2 = -4.2 (-2.1%); size 2.
//   open: short 1 @ 104 (bar 4), bar 4 ranges 100..105 and closes at 101.
//     commission 0.104; profit (104 - 101) - 0.104 = 2.896; run-up
//     (104 - 100) - 0.104 = 3.896; drawdown (104 - 105) - 0.104 = -1.104;
//     size -1 (negative for a short).
// Indexes past either list, and negative ones, give na.
TEST_CASE("broker: closedtrades.* and opentrades.* queries") {
  Sim s(compile_strategy("commission_type = strategy.commission.percent, commission_value = 0.1", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, qty = 2, comment = "go long")
if bar_index == 2
    strategy.close("L", comment = "done")
if bar_index == 3
    strategy.entry("S", strategy.short, qty = 1)
plot(strategy.closedtrades.entry_price(0), "c_entry")
plot(strategy.closedtrades.exit_price(0), "c_exit")
plot(strategy.closedtrades.profit(0), "c_profit")
plot(strategy.closedtrades.profit_percent(0), "c_profit%")
plot(strategy.closedtrades.commission(0), "c_comm")
plot(strategy.closedtrades.max_runup(0), "c_ru")
plot(strategy.closedtrades.max_runup_percent(0), "c_ru%")
plot(strategy.closedtrades.max_drawdown(0), "c_dd")
plot(strategy.closedtrades.max_drawdown_percent(0), "c_dd%")
plot(strategy.closedtrades.size(0), "c_size")
plot(strategy.closedtrades.entry_price(1), "c_past")
plot(strategy.closedtrades.profit(-1), "c_negative")
plot(strategy.opentrades.entry_price(0), "o_entry")
plot(strategy.opentrades.profit(0), "o_profit")
plot(strategy.opentrades.commission(0), "o_comm")
plot(strategy.opentrades.max_runup(0), "o_ru")
plot(strategy.opentrades.max_drawdown(0), "o_dd")
plot(strategy.opentrades.size(0), "o_size")
plot(strategy.opentrades.size(1), "o_past")
if bar_index == 4
    c_in = strategy.closedtrades.entry_bar_index(0)
    c_out = strategy.closedtrades.exit_bar_index(0)
    o_in = strategy.opentrades.entry_bar_index(0)
    log.info(str.tostring(c_in) + " " + str.tostring(c_out) + " " + str.tostring(o_in))
    c_tin = strategy.closedtrades.entry_time(0) == time[3]
    c_tout = strategy.closedtrades.exit_time(0) == time[1]
    o_tin = strategy.opentrades.entry_time(0) == time
    log.info(str.tostring(c_tin) + " " + str.tostring(c_tout) + " " + str.tostring(o_tin))
    log.info(strategy.closedtrades.entry_id(0) + " " + strategy.closedtrades.exit_id(0) + " " + strategy.opentrades.entry_id(0))
    log.info(strategy.closedtrades.entry_comment(0) + "|" + strategy.closedtrades.exit_comment(0))
    na_1 = na(strategy.closedtrades.entry_id(1))
    na_2 = na(strategy.opentrades.entry_comment(0))
    na_3 = na(strategy.closedtrades.exit_bar_index(3))
    na_4 = na(strategy.opentrades.entry_time(-1))
    log.info(str.tostring(na_1) + " " + str.tostring(na_2) + " " + str.tostring(na_3) + " " + str.tostring(na_4))
)"));
  s.bars({{99, 99, 99, 99},
          {100, 112, 99, 108},
          {108, 109, 98, 105},
          {110, 110, 110, 110},
          {104, 105, 100, 101}});
  const std::size_t b = 4;
  CHECK(s.plot("c_entry", b) == 100);
  CHECK(s.plot("c_exit", b) == 110);
  CHECK(s.plot("c_profit", b) == near(19.58));
  CHECK(s.plot("c_profit%", b) == near(9.79));
  CHECK(s.plot("c_comm", b) == near(0.42));
  CHECK(s.plot("c_ru", b) == near(23.8));
  CHECK(s.plot("c_ru%", b) == near(11.9));
  CHECK(s.plot("c_dd", b) == near(-4.2));
  CHECK(s.plot("c_dd%", b) == near(-2.1));
  CHECK(s.plot("c_size", b) == 2);
  CHECK(na(s.plot("c_past", b)));
  CHECK(na(s.plot("c_negative", b)));
  CHECK(s.plot("o_entry", b) == 104);
  CHECK(s.plot("o_profit", b) == near(2.896));
  CHECK(s.plot("o_comm", b) == near(0.104));
  CHECK(s.plot("o_ru", b) == near(3.896));
  CHECK(s.plot("o_dd", b) == near(-1.104));
  CHECK(s.plot("o_size", b) == -1);
  CHECK(na(s.plot("o_past", b)));
  // Before anything closed, closedtrades.* of index 0 is na too.
  CHECK(na(s.plot("c_entry", 1)));
  REQUIRE(s.logs.size() == 5);
  CHECK(s.logs[0] == "4: 1 3 4");
  CHECK(s.logs[1] == "4: true true true");
  CHECK(s.logs[2] == "4: L Close entry(s) order L S");
  CHECK(s.logs[3] == "4: go long|done");
  CHECK(s.logs[4] == "4: true true true true");
}

// strategy.margin_liquidation_price: the price at which the equity falls
// to the margin the position needs. Margin 50%, initial capital 600:
//   long 10 @ 100:  600 + 10 * (P - 100) = 0.5 * 10 * P  ->  P = 80;
//   short 10 @ 100: 600 - 10 * (P - 100) = 0.5 * 10 * P  ->  P = 106.67.
// At 100% margin a long can never be called: na. Flat: na.
TEST_CASE("broker: strategy.margin_liquidation_price") {
  struct Case {
    const char* settings;
    const char* direction;
    double price;
  };
  for (const Case c : {Case{"initial_capital = 600, margin_long = 50", "strategy.long", 80},
                       Case{"initial_capital = 600, margin_short = 50", "strategy.short", 1600.0 / 15},
                       Case{"initial_capital = 600, margin_long = 100", "strategy.long", kFloatNa}}) {
    CAPTURE(c.settings);
    CAPTURE(c.direction);
    Sim s(compile_strategy(c.settings, std::string("if bar_index == 0\n    strategy.entry(\"E\", ") + c.direction +
                                           ", qty = 10)\nplot(strategy.margin_liquidation_price, \"liq\")\n"));
    s.bars({{100, 100, 100, 100}, {100, 100, 100, 100}});
    CHECK(na(s.plot("liq", 0)));
    if (na(c.price)) CHECK(na(s.plot("liq", 1)));
    else CHECK(s.plot("liq", 1) == near(c.price));
  }
}

// strategy.position_entry_name is the entry id of the position's first
// open trade, na when flat; strategy.account_currency is the symbol's
// currency under currency.NONE.
TEST_CASE("broker: position_entry_name and account_currency") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("Long1", strategy.long)
log.info((na(strategy.position_entry_name) ? "na" : strategy.position_entry_name) + " " + strategy.account_currency)
)"));
  s.bars({{100, 100, 100, 100}, {100, 100, 100, 100}});
  REQUIRE(s.logs.size() == 2);
  CHECK(s.logs[0] == "0: na USD");
  CHECK(s.logs[1] == "1: Long1 USD");
}
