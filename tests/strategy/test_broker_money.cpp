// Money: commission (percent, per contract, per order, and how one order's
// commission splits over the trades it touches), sizing (cash and
// percent_of_equity, floored to syminfo.mincontract, sized at placement
// from the placing bar's close and equity), point value, and each trade's
// run-up and drawdown. Tick 0.01 unless a test says otherwise.
#include "broker_test_support.h"

using namespace broker_test;

namespace {

/// Long 10 placed on bar 0, filled at bar 1's open 100, closed by an order
/// placed on bar 2 at bar 3's open 110.
const char* kRoundTrip = R"(
if bar_index == 0
    strategy.entry("L", strategy.long, qty = 10)
if bar_index == 2
    strategy.close("L")
)";

void round_trip(Sim& s) { s.bars({{99, 99, 99, 99}, {100, 100, 100, 100}, {105, 105, 105, 105}, {110, 110, 110, 110}}); }

} // namespace

// Commission on each fill, both legs. Long 10 @ 100 -> 110, gross +100:
//   percent 0.1:           entry 0.1% * 10 * 100 = 1, exit 0.1% * 10 * 110
//                          = 1.1, net 100 - 2.1 = 97.9;
//   cash_per_contract 0.5: 0.5 * 10 = 5 each, net 90;
//   cash_per_order 3:      3 each, net 94.
TEST_CASE("broker: commission types on entry and exit fills") {
  struct Case {
    const char* settings;
    double entry, exit, profit;
  };
  for (const Case c : {Case{"commission_type = strategy.commission.percent, commission_value = 0.1", 1, 1.1, 97.9},
                       Case{"commission_type = strategy.commission.cash_per_contract, commission_value = 0.5", 5, 5, 90},
                       Case{"commission_type = strategy.commission.cash_per_order, commission_value = 3", 3, 3, 94}}) {
    CAPTURE(c.settings);
    Sim s(compile_strategy(c.settings, kRoundTrip));
    round_trip(s);
    REQUIRE(s.closed().size() == 1);
    const TradeRecord& t = s.closed()[0];
    CHECK(t.entry_commission == near(c.entry));
    CHECK(t.exit_commission == near(c.exit));
    CHECK(t.profit == near(c.profit));
    CHECK(s.instance().strategy_summary().commission_paid == near(c.entry + c.exit));
  }
}

// A reversal is one order of 5 (close 2, open 3) at 110; its commission is
// split between the closing leg (the old trade's exit) and the opening leg
// (the new trade's entry) by quantity. The long 2 entered at 100.
//   percent 0.1:           exit 0.1% * 2 * 110 = 0.22, entry 0.1% * 3 * 110
//                          = 0.33; old profit 20 - 0.2 - 0.22 = 19.58.
//   cash_per_contract 0.5: exit 1, entry 1.5; old profit 20 - 1 - 1 = 18.
//   cash_per_order 5:      one fee of 5 split 2/5 and 3/5: exit 2, entry 3;
//                          old profit 20 - 5 - 2 = 13. (Splitting one
//                          per-order fee by quantity is pinevm's documented
//                          choice.)
TEST_CASE("broker: a reversal's commission splits between its legs") {
  struct Case {
    const char* settings;
    double old_exit, new_entry, old_profit;
  };
  for (const Case c : {Case{"commission_type = strategy.commission.percent, commission_value = 0.1", 0.22, 0.33, 19.58},
                       Case{"commission_type = strategy.commission.cash_per_contract, commission_value = 0.5", 1, 1.5, 18},
                       Case{"commission_type = strategy.commission.cash_per_order, commission_value = 5", 2, 3, 13}}) {
    CAPTURE(c.settings);
    Sim s(compile_strategy(c.settings, R"(
if bar_index == 0
    strategy.entry("L", strategy.long, qty = 2)
if bar_index == 2
    strategy.entry("S", strategy.short, qty = 3)
)"));
    round_trip(s);
    REQUIRE(s.closed().size() == 1);
    REQUIRE(s.open().size() == 1);
    CHECK(s.closed()[0].exit_commission == near(c.old_exit));
    CHECK(s.closed()[0].profit == near(c.old_profit));
    CHECK(s.open()[0].entry_commission == near(c.new_entry));
    CHECK(s.open()[0].qty == 3);
  }
}

// One strategy.close_all order closing two trades (5 and 10 contracts)
// pays one cash_per_order fee of 6, split by quantity: 2 and 4.
// (pinevm's documented choice, like the reversal split above.)
TEST_CASE("broker: a per-order fee of one exit order splits over the trades it closes") {
  Sim s(compile_strategy("pyramiding = 2, commission_type = strategy.commission.cash_per_order, commission_value = 6", R"(
if bar_index == 0
    strategy.entry("A", strategy.long, qty = 5)
if bar_index == 1
    strategy.entry("B", strategy.long, qty = 10)
if bar_index == 2
    strategy.close_all()
)"));
  round_trip(s);
  REQUIRE(s.closed().size() == 2);
  CHECK(s.closed()[0].entry_commission == 6);
  CHECK(s.closed()[0].exit_commission == near(2));
  CHECK(s.closed()[1].entry_commission == 6);
  CHECK(s.closed()[1].exit_commission == near(4));
}

// Percent commission scales with the point value: pointvalue 50, long 2 @
// 100 -> 103: gross (103 - 100) * 2 * 50 = 300; commission 0.1% of the
// value: entry 0.001 * 2 * 100 * 50 = 10, exit 0.001 * 2 * 103 * 50 = 10.3;
// net 279.7. Tick 0.25 (minmove 25 / pricescale 100), as on a future.
TEST_CASE("broker: point value multiplies profit and percent commission") {
  Sim s(compile_strategy("commission_type = strategy.commission.percent, commission_value = 0.1", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, qty = 2)
if bar_index == 1
    strategy.close("L")
)"),
        symbol(100, 25, 50));
  s.bars({{99, 99, 99, 99}, {100, 100, 100, 100}, {103, 103, 103, 103}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].entry_commission == near(10));
  CHECK(s.closed()[0].exit_commission == near(10.3));
  CHECK(s.closed()[0].profit == near(279.7));
}

// default_qty_type = strategy.cash: qty = value / (close * pointvalue),
// floored to syminfo.mincontract, from the close of the placing bar (30),
// not the fill price (35).
//   1000 / 30 = 33.33.. -> 33 (step 1), 33.3 (step 0.1);
//   pointvalue 2: 1000 / 60 = 16.66.. -> 16.
TEST_CASE("broker: cash sizing floors to mincontract") {
  struct Case {
    double pointvalue, mincontract, qty;
  };
  for (const Case c : {Case{1, 1, 33}, Case{1, 0.1, 33.3}, Case{2, 1, 16}}) {
    CAPTURE(c.pointvalue);
    CAPTURE(c.mincontract);
    Sim s(compile_strategy("default_qty_type = strategy.cash, default_qty_value = 1000", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
)"),
          symbol(100, 1, c.pointvalue, c.mincontract));
    s.bars({{30, 30, 30, 30}, {35, 35, 35, 35}});
    REQUIRE(s.open().size() == 1);
    CHECK(s.open()[0].qty == c.qty);
    CHECK(s.open()[0].entry_price == 35);
  }
}

// percent_of_equity: qty = pct/100 * equity / (close * pointvalue * (1 +
// percent commission)), floored to mincontract. 10% of 100,000 at close 70:
//   no commission:  10000 / 70 = 142.857.. -> 142 (step 1), 142.8 (step 0.1);
//   0.1% commission: 10000 / (70 * 1.001) = 142.714.. -> 142.7 (step 0.1).
//   pointvalue 5:   10000 / 350 = 28.57.. -> 28 (step 1).
TEST_CASE("broker: percent_of_equity sizing floors to mincontract and covers commission") {
  struct Case {
    const char* commission;
    double pointvalue, mincontract, qty;
  };
  for (const Case c : {Case{"", 1, 1, 142}, Case{"", 1, 0.1, 142.8},
                       Case{", commission_type = strategy.commission.percent, commission_value = 0.1", 1, 0.1, 142.7},
                       Case{"", 5, 1, 28}}) {
    CAPTURE(c.commission);
    CAPTURE(c.mincontract);
    Sim s(compile_strategy(std::string("initial_capital = 100000, default_qty_type = strategy.percent_of_equity, "
                                       "default_qty_value = 10") +
                               c.commission,
                           R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
)"),
          symbol(100, 1, c.pointvalue, c.mincontract));
    s.bars({{70, 70, 70, 70}, {72, 72, 72, 72}});
    REQUIRE(s.open().size() == 1);
    CHECK(s.open()[0].qty == c.qty);
  }
}

// percent_of_equity uses the equity at the placing bar's close, open
// profit included, and the order keeps the size it was given when placed.
// 50% of 10,000: bar 0 close 100 -> 5000 / 100 = 50 long, filled at bar 1's
// open 100. Bar 1 closes at 120: equity 10,000 + 50 * 20 = 11,000, so the
// short placed there is 5500 / 120 = 45.83 -> 45. It fills at bar 2's open
// 118 as one order: the long closes ((118 - 100) * 50 = 900) and 45 open
// short at 118 (sized at 120, not re-sized at 118: 5500 / 118 would be 46).
TEST_CASE("broker: percent_of_equity sizes from the placing bar's equity and close") {
  Sim s(compile_strategy("initial_capital = 10000, default_qty_type = strategy.percent_of_equity, default_qty_value = 50",
                         R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
if bar_index == 1
    strategy.entry("S", strategy.short)
)"));
  s.bars({{100, 100, 100, 100}, {100, 121, 99, 120}, {118, 119, 117, 118}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].qty == 50);
  CHECK(s.closed()[0].profit == 900);
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].qty == 45);
  CHECK(s.open()[0].entry_price == 118);
}

// The entry commission already paid lowers the equity that sizes the next
// entry. 10% of 10,000 with 0.1% commission at close 100: 1000 / 100.1 =
// 9.99 -> 9 contracts, commission 0.001 * 9 * 100 = 0.9 at the fill (open
// 100). Bar 1 closes at 100 (no open profit): equity 10,000 - 0.9 =
// 9999.1; the second entry (pyramiding 2) is 999.91 / 100.1 = 9.989 -> 9.
// With mincontract 0.01 the difference shows: first 1000 / 100.1 = 9.99 ->
// 9.99, commission 0.999; then 999.9001 / 100.1 = 9.98901.. -> 9.98.
TEST_CASE("broker: percent_of_equity counts the entry commission already paid") {
  Sim s(compile_strategy("initial_capital = 10000, pyramiding = 2, default_qty_type = strategy.percent_of_equity, "
                         "default_qty_value = 10, commission_type = strategy.commission.percent, commission_value = 0.1",
                         R"(
if bar_index <= 1
    strategy.entry(bar_index == 0 ? "A" : "B", strategy.long)
)"),
        symbol(100, 1, 1, 0.01));
  s.bars({{100, 100, 100, 100}, {100, 100, 100, 100}, {100, 100, 100, 100}});
  REQUIRE(s.open().size() == 2);
  CHECK(s.open()[0].qty == 9.99);
  CHECK(s.open()[1].qty == 9.98);
}

// A size that floors to zero places no order (pinevm's documented choice):
// cash 10 at close 30 is 0.33 contracts -> 0 at step 1.
TEST_CASE("broker: a default size below one step places no order") {
  Sim s(compile_strategy("default_qty_type = strategy.cash, default_qty_value = 10", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
)"));
  s.bars({{30, 30, 30, 30}, {30, 31, 29, 30}});
  CHECK(s.open().empty());
}

// strategy.default_entry_qty(price) is the size a default entry would get
// at that price: 10% of 100,000 / 70 = 142.857.. -> 142.8 (step 0.1).
TEST_CASE("broker: strategy.default_entry_qty") {
  Sim s(compile_strategy("initial_capital = 100000, default_qty_type = strategy.percent_of_equity, default_qty_value = 10",
                         "plot(strategy.default_entry_qty(70), \"q\")\n"),
        symbol(100, 1, 1, 0.1));
  s.bars({{70, 70, 70, 70}});
  CHECK(s.plot("q", 0) == 142.8);
}

// Run-up and drawdown of a closed trade: the best and worst open profit
// over the prices it saw (from its entry bar on, the whole entry bar
// included) and its exit fill, not the exit bar's later prices.
// Long 1 @ 100 (bar 1's open), stop 95:
//   bar 1: 100 -> 99 -> 104 -> 102 (entry bar: 104 and 99 count)
//   bar 2: 102 -> 106 -> 97 -> 100
//   bar 3: 98 -> 94 (low nearer) hits the stop at 95, then 108 (ignored).
// Best 106: run-up 6; worst 95: drawdown -5; profit -5.
// With 0.1% commission (entry 0.1, exit 0.095) the entry commission is
// deducted from both: run-up 5.9, drawdown -5.1; profit -5.195.
TEST_CASE("broker: a trade's run-up and drawdown") {
  struct Case {
    const char* settings;
    double runup, drawdown, profit;
  };
  for (const Case c : {Case{"", 6, -5, -5},
                       Case{"commission_type = strategy.commission.percent, commission_value = 0.1", 5.9, -5.1, -5.195}}) {
    CAPTURE(c.settings);
    Sim s(compile_strategy(c.settings, R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
    strategy.exit("X", "L", stop = 95)
)"));
    s.bars({{99, 99, 99, 99}, {100, 104, 99, 102}, {102, 106, 97, 100}, {98, 108, 94, 100}});
    REQUIRE(s.closed().size() == 1);
    CHECK(s.closed()[0].exit_price == 95);
    CHECK(s.closed()[0].max_runup == near(c.runup));
    CHECK(s.closed()[0].max_drawdown == near(c.drawdown));
    CHECK(s.closed()[0].profit == near(c.profit));
  }
}

// A market exit at a gap: the exit fill itself is the best price seen.
// Long 1 @ 100, bars reach 102 and 103; the close fills at bar 3's open 105
// (then the bar goes to 107, after the exit): run-up 5, drawdown -1 (99).
// A short mirrors: short 1 @ 100, lows 98 and 97, highs 101 and 102.5:
// run-up (100 - 97) = 3, drawdown (100 - 102.5) = -2.5.
TEST_CASE("broker: the exit fill counts in the run-up, the exit bar's later prices do not") {
  SUBCASE("long") {
    Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
if bar_index == 2
    strategy.close("L")
)"));
    s.bars({{99, 99, 99, 99}, {100, 102, 99, 101}, {101, 103, 100, 102}, {105, 107, 104, 106}});
    REQUIRE(s.closed().size() == 1);
    CHECK(s.closed()[0].exit_price == 105);
    CHECK(s.closed()[0].max_runup == 5);
    CHECK(s.closed()[0].max_drawdown == -1);
  }
  SUBCASE("short") {
    Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("S", strategy.short)
if bar_index == 2
    strategy.close("S")
)"));
    s.bars({{99, 99, 99, 99}, {100, 101, 98, 99}, {99, 102.5, 97, 98}, {98, 99, 90, 95}});
    REQUIRE(s.closed().size() == 1);
    CHECK(s.closed()[0].exit_price == 98);
    CHECK(s.closed()[0].max_runup == 3);
    CHECK(s.closed()[0].max_drawdown == -2.5);
  }
}

// A partial exit takes its share of the entry commission: cash_per_order 4,
// long 4 @ 100 pays 4 on entry. qty_percent 50 exits 2 at 103 (bar 2): the
// closed part carries 4 * 2 / 4 = 2 of the entry commission and its own
// exit fee 4: profit 2 * 3 - 2 - 4 = 0, an even trade. The open rest keeps
// the other 2; strategy.close sells it at bar 3's open 104: profit
// 2 * 4 - 2 - 4 = 2. Commission paid in all 4 + 4 + 4 = 12. (The pro-rata
// split of the entry commission is pinevm's documented choice.)
TEST_CASE("broker: a partial exit takes its share of the entry commission") {
  Sim s(compile_strategy("commission_type = strategy.commission.cash_per_order, commission_value = 4", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, qty = 4)
    strategy.exit("X", "L", qty_percent = 50, limit = 103)
if bar_index == 2
    strategy.close("L")
plot(strategy.eventrades, "evens")
)"));
  s.bars({{99, 99, 99, 99}, {100, 101, 99, 100}, {101, 103.5, 100.5, 103}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].entry_commission == 2);
  CHECK(s.closed()[0].exit_commission == 4);
  CHECK(s.closed()[0].profit == 0);
  CHECK(s.plot("evens", 2) == 1);
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].entry_commission == 2);
  s.bars({{104, 104, 104, 104}});
  REQUIRE(s.closed().size() == 2);
  CHECK(s.closed()[1].profit == 2);
  CHECK(s.instance().strategy_summary().commission_paid == 12);
}

// A closed trade's cumulative profit is the realised change of equity when
// it closed: the net profit so far less the entry commissions the trades
// still open have already paid. 0.1% commission, pyramiding 2: A 10 @ 100
// (commission 1) and B 10 @ 100 (1). strategy.close("A") at 110: A's
// profit 100 - 1 - 1.1 = 97.9; B is still open with its 1 paid, so A's
// cumulative profit is 97.9 - 1 = 96.9. B then closes at 120: profit
// 200 - 1 - 1.2 = 197.8; cumulative 97.9 + 197.8 = 295.7.
TEST_CASE("broker: cumulative profit deducts the open trades' entry commissions") {
  Sim s(compile_strategy("pyramiding = 2, commission_type = strategy.commission.percent, commission_value = 0.1", R"(
if bar_index <= 1
    strategy.entry(bar_index == 0 ? "A" : "B", strategy.long, qty = 10)
if bar_index == 2
    strategy.close("A")
if bar_index == 3
    strategy.close("B")
)"));
  s.bars({{100, 100, 100, 100}, {100, 100, 100, 100}, {100, 100, 100, 100}, {110, 110, 110, 110}, {120, 120, 120, 120}});
  REQUIRE(s.closed().size() == 2);
  CHECK(s.closed()[0].profit == near(97.9));
  CHECK(s.closed()[0].cumulative_profit == near(96.9));
  CHECK(s.closed()[1].profit == near(197.8));
  CHECK(s.closed()[1].cumulative_profit == near(295.7));
}

// Commission is charged on the slipped fill prices. EUR/USD-like tick
// 0.00001 (pricescale 100000), slippage 10 ticks, 0.1% commission, 1 unit:
// the entry at the open 1.13466 fills at 1.13476, the strategy.close at
// the open 1.1295 at 1.1294. Gross 1.1294 - 1.13476 = -0.00536; commission
// 0.001 * (1.13476 + 1.1294) = 0.00226416; net -0.00762416.
TEST_CASE("broker: commission on slipped prices") {
  Sim s(compile_strategy("slippage = 10, commission_type = strategy.commission.percent, commission_value = 0.1", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
if bar_index == 1
    strategy.close("L")
)"),
        symbol(100000));
  s.bars({{1.1346, 1.1346, 1.1346, 1.1346}, {1.13466, 1.1350, 1.1340, 1.1345}, {1.1295, 1.1300, 1.1290, 1.1295}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].entry_price == 1.13476);
  CHECK(s.closed()[0].exit_price == 1.1294);
  CHECK(s.closed()[0].entry_commission + s.closed()[0].exit_commission == near(0.00226416));
  CHECK(s.closed()[0].profit == near(-0.00762416));
}

// percent_of_equity on a forex-like symbol with a 0.1 lot step: 10% of
// 10,000 at the close 1.12948 with 0.1% commission is
// 1000 / (1.12948 * 1.001) = 884.48.. -> 884.4.
TEST_CASE("broker: percent_of_equity with a 0.1 step on a forex price") {
  Sim s(compile_strategy("initial_capital = 10000, default_qty_type = strategy.percent_of_equity, default_qty_value = 10, "
                         "commission_type = strategy.commission.percent, commission_value = 0.1",
                         R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
)"),
        symbol(100000, 1, 1, 0.1));
  s.bars({{1.1294, 1.1296, 1.1293, 1.12948}, {1.1295, 1.1296, 1.1294, 1.1295}});
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].qty == 884.4);
}

// A margin call, by TradingView's algorithm: 15 contracts bought at 100 on
// 1,000 of equity with margin_long = 50. Bar 2 walks 90 -> 90 -> 60 -> 60
// (its open is nearer the high). At 90: equity 1000 - 15 x 10 = 850, margin
// 15 x 90 x 0.5 = 675: covered. At 60: equity 400, margin 450, shortfall
// 50; 50 / 0.5 / 60 = 1.67 contracts, 1 on the step of 1, and four times
// that is liquidated: 4 contracts at 60 (-160), "Margin call". Then 11 are
// left: margin 330 < 400, so the close at 60 calls nothing more.
TEST_CASE("broker: a margin call liquidates four times the uncovered contracts") {
  Sim s(compile_strategy("initial_capital = 1000, margin_long = 50, default_qty_value = 15", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
plot(strategy.position_size, "pos")
)"), symbol(100, 1, 1, 1));
  s.bars({{100, 100, 100, 100}, {100, 100, 100, 100}, {90, 90, 60, 60}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].qty == 4);
  CHECK(s.closed()[0].exit_price == 60);
  CHECK(s.closed()[0].profit == -160);
  CHECK(s.closed()[0].exit_id == "Margin call");
  CHECK(s.plot("pos", 2) == 11);
  CHECK(s.instance().strategy_report().margin_calls == 1);
}

// A margin call and a stop at the same price: the call comes first and here
// takes the whole position, so the stop has nothing left to close (and its
// exit, dropped with the position, must not be touched again). 15 contracts
// at 100 on 1,000 with margin_long = 50; the stop is at 40. Bar 2 walks
// 100 -> 100 -> 40 -> 40. At 40: equity 1000 - 15 x 60 = 100, margin
// 15 x 40 x 0.5 = 300, shortfall 200; 200 / 0.5 / 40 = 10 contracts, four
// times that is more than the position: all 15 go at 40 (-900), "Margin call".
TEST_CASE("broker: a margin call that empties the position at a stop's price leaves the stop nothing") {
  Sim s(compile_strategy("initial_capital = 1000, margin_long = 50, default_qty_value = 15", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
    strategy.exit("X", "L", stop = 40)
)"), symbol(100, 1, 1, 1));
  s.bars({{100, 100, 100, 100}, {100, 100, 100, 100}, {100, 100, 40, 40}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].qty == 15);
  CHECK(s.closed()[0].exit_price == 40);
  CHECK(s.closed()[0].profit == -900);
  CHECK(s.closed()[0].exit_id == "Margin call");
  CHECK(s.open().empty());
  CHECK(s.instance().strategy_report().margin_calls == 1);
}
