// strategy.exit: take-profit and stop legs in ticks or prices (the nearer
// wins), partial exits by qty_percent, trailing stops, the comment of the
// leg that filled, which trades a call covers, and exits dropped when the
// position goes flat. Tick 0.01; the long enters with a market order placed
// on bar 0, filling at bar 1's open 100 on a quiet bar (99..101) that
// touches no exit leg.
#include "broker_test_support.h"

using namespace broker_test;

namespace {

/// Bars 0 and 1 of every test here: the entry fills at 100 on bar 1.
void enter(Sim& s) { s.bars({{100, 100, 100, 100}, {100, 101, 99, 100}}); }

} // namespace

// profit/loss are ticks from the entry fill: 300 ticks of 0.01 = 3 above
// 100 -> take-profit 103; 200 ticks = 2 below -> stop 98.
//   profit bar: open 100.5, low 99.5 (1 away) first, then high 103.5
//               passes 103: exit at 103, profit (103 - 100) * 2 = 6.
//   loss bar:   open 99.5, high 100.5 (1 away) first, then low 97.5
//               passes 98: exit at 98, profit (98 - 100) * 2 = -4.
TEST_CASE("broker: strategy.exit profit and loss in ticks from the entry price") {
  const auto program = compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, qty = 2)
    strategy.exit("X", "L", profit = 300, loss = 200)
)");
  SUBCASE("take-profit") {
    Sim s(program);
    enter(s);
    s.bars({{100.5, 103.5, 99.5, 101}});
    REQUIRE(s.closed().size() == 1);
    CHECK(s.closed()[0].exit_price == 103);
    CHECK(s.closed()[0].profit == 6);
    CHECK(s.open().empty());
  }
  SUBCASE("stop-loss") {
    Sim s(program);
    enter(s);
    s.bars({{99.5, 100.5, 97.5, 99}});
    REQUIRE(s.closed().size() == 1);
    CHECK(s.closed()[0].exit_price == 98);
    CHECK(s.closed()[0].profit == -4);
  }
}

// For a short the ticks go the other way: profit 300 -> 97, loss 200 -> 102.
// Bar: open 100.5, high 101 (0.5 away) first, then low 96.5 passes 97:
// exit at 97, profit (100 - 97) * 1 = 3.
TEST_CASE("broker: strategy.exit ticks of a short trade") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("S", strategy.short)
    strategy.exit("X", "S", profit = 300, loss = 200)
)"));
  enter(s);
  s.bars({{100.5, 101, 96.5, 98}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].exit_price == 97);
  CHECK(s.closed()[0].profit == 3);
}

// With both a price and a tick distance for one leg, the leg is the level
// price reaches first. Long at 100:
//   take-profit: limit 105 vs profit 300 ticks = 103 -> 103 (nearer);
//   stop:        stop 97 vs loss 200 ticks = 98     -> 98 (nearer).
// A bar rising to 104 (open 100.5, low 100.2 first) exits at 103, not 105;
// a bar falling to 97.5 exits at 98, not 97.
TEST_CASE("broker: strategy.exit uses the nearer of limit/profit and stop/loss") {
  const auto program = compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
    strategy.exit("X", "L", limit = 105, profit = 300, stop = 97, loss = 200)
)");
  SUBCASE("take-profit") {
    Sim s(program);
    enter(s);
    s.bars({{100.5, 104, 100.2, 103.5}});
    REQUIRE(s.closed().size() == 1);
    CHECK(s.closed()[0].exit_price == 103);
  }
  SUBCASE("stop") {
    Sim s(program);
    enter(s);
    s.bars({{99.5, 99.8, 97.5, 98.5}});
    REQUIRE(s.closed().size() == 1);
    CHECK(s.closed()[0].exit_price == 98);
  }
}

// Absolute limit/stop prices, and an exit called before its entry filled:
// the legs attach when the entry fills and can fill on the entry bar.
// Bar 1 opens at 100 (entry), path 100 -> 101 (nearer) -> 94 -> 95: the
// stop 95 fills on bar 1 itself at 95; profit (95 - 100) * 1 = -5.
TEST_CASE("broker: exit legs attach at the entry fill and can fill on its bar") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
    strategy.exit("X", "L", limit = 110, stop = 95)
)"));
  s.bars({{100, 100, 100, 100}, {100, 101, 94, 95}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].entry_bar_index == 1);
  CHECK(s.closed()[0].exit_bar_index == 1);
  CHECK(s.closed()[0].exit_price == 95);
  CHECK(s.closed()[0].profit == -5);
}

// qty_percent = 50 of a 4-contract trade closes 2 at the take-profit 103:
// the trade splits into a closed part (qty 2, profit (103 - 100) * 2 = 6)
// and an open rest (qty 2, same number, entry price and bar). The exit has
// then done its part: a later bar through 103 again closes nothing more.
TEST_CASE("broker: qty_percent exits part of a trade and splits it") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, qty = 4)
    strategy.exit("X", "L", qty_percent = 50, profit = 300)
plot(strategy.position_size, "pos")
)"));
  enter(s);
  s.bars({{100.5, 103.5, 99.5, 101}});
  REQUIRE(s.closed().size() == 1);
  REQUIRE(s.open().size() == 1);
  const TradeRecord& part = s.closed()[0];
  const TradeRecord& rest = s.open()[0];
  CHECK(part.qty == 2);
  CHECK(part.exit_price == 103);
  CHECK(part.profit == 6);
  CHECK(rest.qty == 2);
  CHECK(rest.number == part.number);
  CHECK(rest.entry_price == 100);
  CHECK(rest.entry_bar_index == 1);
  CHECK(s.plot("pos", 2) == 2);
  s.bars({{101, 106, 100.5, 105}});
  CHECK(s.closed().size() == 1);
  CHECK(s.open().size() == 1);
  CHECK(s.plot("pos", 3) == 2);
}

// Two exits of one trade, each with its own qty: 1 at 102 and the rest (3)
// at 104, a scaled exit. Long 4 @ 100; bar 2 rises 100.5 -> (low 100.2
// first) 104.5: 102 fills first (1 contract, +2), then 104 (3, +12).
TEST_CASE("broker: two exits with quantities scale out of one trade") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, qty = 4)
    strategy.exit("T1", "L", qty = 1, limit = 102)
    strategy.exit("T2", "L", qty = 3, limit = 104)
)"));
  enter(s);
  s.bars({{100.5, 104.5, 100.2, 104}});
  REQUIRE(s.closed().size() == 2);
  CHECK(s.closed()[0].exit_id == "T1");
  CHECK(s.closed()[0].qty == 1);
  CHECK(s.closed()[0].exit_price == 102);
  CHECK(s.closed()[0].profit == 2);
  CHECK(s.closed()[1].exit_id == "T2");
  CHECK(s.closed()[1].qty == 3);
  CHECK(s.closed()[1].exit_price == 104);
  CHECK(s.closed()[1].profit == 12);
  CHECK(s.open().empty());
}

// Each strategy.exit call reserves its quantity: a later call can only exit
// what earlier calls left, whichever fills first (the User Manual's
// "Reserved exit demo"). Long 20 @ 100; "limit" (qty 19 at 102) is called
// first, "stop" (qty 20 at 98) second, so "stop" holds only 20 - 19 = 1.
//   bar 2: 99.8 -> 100.2 (the high is 0.4 away, the low 2.3) -> 97.5: the
//          stop fills first, 1 share at 98: (98 - 100) * 1 = -2.
//   bar 3: 99.5 -> 99.4 -> 102.5 reaches the limit: 19 at 102:
//          (102 - 100) * 19 = 38.
TEST_CASE("broker: an earlier strategy.exit's quantity is reserved from later ones") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("buy", strategy.long, qty = 20)
    strategy.exit("limit", limit = 102, qty = 19)
    strategy.exit("stop", stop = 98, qty = 20)
plot(strategy.position_size, "pos")
)"));
  enter(s);
  s.bars({{99.8, 100.2, 97.5, 99.5}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].exit_id == "stop");
  CHECK(s.closed()[0].qty == 1);
  CHECK(s.closed()[0].exit_price == 98);
  CHECK(s.closed()[0].profit == -2);
  CHECK(s.plot("pos", 2) == 19);
  s.bars({{99.5, 102.5, 99.4, 102}});
  REQUIRE(s.closed().size() == 2);
  CHECK(s.closed()[1].exit_id == "limit");
  CHECK(s.closed()[1].qty == 19);
  CHECK(s.closed()[1].profit == 38);
  CHECK(s.open().empty());
}

// A consequence of the reservation: two full-size calls for one entry (a
// take-profit call, then a separate stop call) leave the second with
// nothing, so only the first ever exits. Long 1 @ 100, "TP" at 105 first,
// "SL" at 95 second: bar 2 falls through 95 (open 99, low nearer) and
// nothing happens; bar 3 rises through 105 and "TP" exits at 105.
TEST_CASE("broker: a second full-size strategy.exit for the same entry holds nothing") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
    strategy.exit("TP", "L", limit = 105)
    strategy.exit("SL", "L", stop = 95)
)"));
  enter(s);
  s.bars({{99, 100, 94, 96}});
  CHECK(s.closed().empty());
  s.bars({{96, 106, 95.5, 104}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].exit_id == "TP");
  CHECK(s.closed()[0].exit_price == 105);
}

// The same with percents: "half" (qty_percent 50 at 104) is called before
// "rest" (100% at 96), so "rest" holds the other half only. Long 4 @ 100;
// bar 2 falls to 95.5 (open 99.5, high 99.8 nearer): "rest" sells 2 at 96
// ((96 - 100) * 2 = -8) and 2 stay open for "half".
TEST_CASE("broker: qty_percent exits reserve their share from later calls") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, qty = 4)
    strategy.exit("half", "L", qty_percent = 50, limit = 104)
    strategy.exit("rest", "L", stop = 96)
)"));
  enter(s);
  s.bars({{99.5, 99.8, 95.5, 97}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].exit_id == "rest");
  CHECK(s.closed()[0].qty == 2);
  CHECK(s.closed()[0].profit == -8);
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].qty == 2);
}

// Trailing stop: trail_points 200 -> activates at 102; trail_offset 100 ->
// the stop trails the best price by 1.00. Long 1 @ 100.
//   bar 2: 100.5 -> 100 (low nearer) -> 101.5 -> 101: never 102, inactive.
//   bar 3: 101 -> 100.8 (low nearer) -> 104 -> 103.5: activates at 102,
//          best 104 -> stop 103; the close 103.5 stays above it.
//   bar 4: 103.8 -> 105 (high nearer: 1.2 vs 1.8) -> 102 -> 102.5: best
//          105 -> stop 104; the fall passes 104: exit at 104, profit 4.
// The exit row carries comment_trailing.
TEST_CASE("broker: a trailing stop activates, trails the best price and fills") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
    strategy.exit("X", "L", trail_points = 200, trail_offset = 100, comment_trailing = "trail")
)"));
  enter(s);
  s.bars({{100.5, 101.5, 100, 101}, {101, 104, 100.8, 103.5}});
  CHECK(s.closed().empty());
  s.bars({{103.8, 105, 102, 102.5}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].exit_price == 104);
  CHECK(s.closed()[0].exit_bar_index == 4);
  CHECK(s.closed()[0].profit == 4);
  CHECK(s.closed()[0].exit_comment == "trail");
}

// A trailing stop activated on the way up can be hit on the way down of the
// same bar (the path open -> high -> low): trail_price 102, offset 100
// ticks. Bar 2: 101.8 -> 104 (high nearer: 2.2 vs 2.8) activates at 102
// and sets the stop 103; the fall to 99 passes it: exit at 103, profit 3.
// Filling on the activation bar is pinevm's documented choice (the path is
// walked leg by leg; TradingView's rule for that bar is an open question).
TEST_CASE("broker: a trailing stop can fill on its activation bar") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
    strategy.exit("X", "L", trail_price = 102, trail_offset = 100)
)"));
  enter(s);
  s.bars({{101.8, 104, 99, 100}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].exit_price == 103);
  CHECK(s.closed()[0].profit == 3);
}

// A short's trailing stop mirrors: trail_points 200 -> activates at 98,
// offset 50 ticks = 0.5 above the lowest price. Short 1 @ 100.
//   bar 2: 99 -> 96 (the low is 3 away, the high 103 is 4) activates at
//          98, best 96 -> stop 96.5; then up to 103 passes it: exit at
//          96.5, profit (100 - 96.5) * 1 = 3.5.
TEST_CASE("broker: a short trade's trailing stop") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("S", strategy.short)
    strategy.exit("X", "S", trail_points = 200, trail_offset = 50)
)"));
  enter(s);
  s.bars({{99, 103, 96, 100}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].exit_price == 96.5);
  CHECK(s.closed()[0].profit == 3.5);
}

// The exit row's comment is the leg's own comment when given (comment_profit
// for the take-profit, comment_loss for the stop), else `comment`; the exit
// id is the strategy.exit id either way.
TEST_CASE("broker: comment_profit and comment_loss name the leg that filled") {
  const auto program = compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
    strategy.exit("X", "L", limit = 104, stop = 96, comment = "any", comment_profit = "TP", comment_loss = "SL")
)");
  struct Case {
    double open;
    double exit;
    const char* comment;
  };
  // open 101: up first to 105 -> 104 (TP); open 99: down first -> 96 (SL).
  for (const Case c : {Case{101, 104, "TP"}, Case{99, 96, "SL"}}) {
    CAPTURE(c.open);
    Sim s(program);
    enter(s);
    s.bars({{c.open, 105, 95, 100}});
    REQUIRE(s.closed().size() == 1);
    CHECK(s.closed()[0].exit_price == c.exit);
    CHECK(s.closed()[0].exit_id == "X");
    CHECK(s.closed()[0].exit_comment == c.comment);
  }
  SUBCASE("no leg comment: the exit's comment") {
    Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
    strategy.exit("X", "L", limit = 104, comment = "any")
)"));
    enter(s);
    s.bars({{101, 105, 95, 100}});
    REQUIRE(s.closed().size() == 1);
    CHECK(s.closed()[0].exit_comment == "any");
  }
}

// A strategy.exit naming an entry covers the trades of that entry whose
// order was placed on or before the bar of the exit call. Pyramiding 2:
// entry "L" placed on bar 0 (fills bar 1 @ 100) is covered by the exit
// called once on bar 0; entry "L" placed again on bar 2 (fills bar 3 @ 101)
// is not. Bar 4 rises through the take-profit 300 ticks above each entry
// (103 and 104): only trade 1 exits, at 103.
TEST_CASE("broker: a from_entry exit covers entries placed by its call's bar") {
  Sim s(compile_strategy("pyramiding = 2", R"(
if bar_index == 0
    strategy.exit("X", "L", profit = 300)
if bar_index == 0 or bar_index == 2
    strategy.entry("L", strategy.long)
)"));
  enter(s);
  s.bars({{100.5, 101, 100, 100.5}, {101, 101.5, 100.5, 101}, {101.5, 106, 101.2, 105}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].number == 1);
  CHECK(s.closed()[0].exit_price == 103);
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].number == 2);
  CHECK(s.open()[0].entry_price == 101);
}

// Without from_entry an exit covers every trade, later ones too: called
// once on bar 0 with profit 300 ticks, it closes trade 1 (@ 100 -> 103) and
// trade 2 (@ 101, placed on bar 2 -> 104) on bar 4.
TEST_CASE("broker: an exit without from_entry covers every trade") {
  Sim s(compile_strategy("pyramiding = 2", R"(
if bar_index == 0
    strategy.exit("X", profit = 300)
if bar_index == 0 or bar_index == 2
    strategy.entry("L", strategy.long)
)"));
  enter(s);
  s.bars({{100.5, 101, 100, 100.5}, {101, 101.5, 100.5, 101}, {101.5, 106, 101.2, 105}});
  REQUIRE(s.closed().size() == 2);
  CHECK(s.closed()[0].exit_price == 103);
  CHECK(s.closed()[1].exit_price == 104);
  CHECK(s.open().empty());
}

// Exits last until the position is flat: the exit (no from_entry, take-profit
// at 105) is called only on bar 0; strategy.close flattens the position at
// bar 3's open, which drops it. The new trade (entry placed bar 3, filled
// bar 4 @ 100) later rises through 105 on bar 5 and stays open.
TEST_CASE("broker: exits are dropped when the position goes flat") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.exit("X", limit = 105)
if bar_index == 0 or bar_index == 3
    strategy.entry("L", strategy.long)
if bar_index == 2
    strategy.close("L")
)"));
  enter(s);
  s.bars({{100, 101, 99, 100}, {100, 101, 99, 100}, {100, 101, 99, 100}, {101, 107, 100.5, 106}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].exit_bar_index == 3);
  CHECK(s.closed()[0].exit_price == 100);
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].entry_bar_index == 4);
}

// Calling strategy.exit again with the same id moves its legs: a stop at 95
// from bar 0, moved to 99 on bar 2. Bar 3 falls to 98 (open 99.5, high
// 100 nearer) and exits at the new stop 99: profit -1.
TEST_CASE("broker: a strategy.exit call with the same id moves its levels") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
    strategy.exit("X", "L", stop = 95)
if bar_index == 2
    strategy.exit("X", "L", stop = 99)
)"));
  enter(s);
  s.bars({{100, 101, 99.5, 100}, {99.5, 100, 98, 98.5}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].exit_price == 99);
  CHECK(s.closed()[0].profit == -1);
}

// strategy.exit with none of profit/limit/loss/stop/trail creates nothing:
// the trade stays open through any price.
TEST_CASE("broker: an exit with no price does nothing") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
    strategy.exit("X", "L")
)"));
  enter(s);
  s.bars({{100, 150, 50, 100}});
  CHECK(s.closed().empty());
  CHECK(s.open().size() == 1);
}

// Exit legs whose price the open gaps through fill at the open: a stop-loss
// worse than its stop, a take-profit better than its limit. Long 1 @ 100
// with limit 104 and stop 96:
//   bar 2 opens at 94: the stop fills at 94 (profit -6);
//   bar 2 opens at 106: the take-profit fills at 106 (profit 6).
TEST_CASE("broker: gapped exit legs fill at the open") {
  const auto program = compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
    strategy.exit("X", "L", limit = 104, stop = 96)
)");
  struct Case {
    Ohlc bar;
    double exit;
  };
  for (const Case c : {Case{{94, 95, 93, 94}, 94}, Case{{106, 107, 105, 106}, 106}}) {
    CAPTURE(c.bar.open);
    Sim s(program);
    enter(s);
    s.bars({c.bar});
    REQUIRE(s.closed().size() == 1);
    CHECK(s.closed()[0].exit_price == c.exit);
    CHECK(s.closed()[0].profit == c.exit - 100);
  }
}

// Off-grid exit prices round against the trader like orders (tick 0.25):
// a long's take-profit is a sell limit (up: 102.1 -> 102.25) and its stop
// a sell stop (down: 97.9 -> 97.75); a short's take-profit is a buy limit
// (down: 97.9 -> 97.75) and its stop a buy stop (up: 102.1 -> 102.25).
// Each bar below sweeps 95..105 from an open of 100 (a tie: up first), so
// the long exits at its take-profit 102.25 on the way up; the short, whose
// stop is above, exits at its stop 102.25 too.
TEST_CASE("broker: exit prices round to the tick against the trader") {
  // The same bracket prices for a long (take-profit above, stop below) or a
  // short (take-profit below, stop above).
  auto bracket = [](bool is_long) {
    return compile_strategy("", is_long ? R"(
if bar_index == 0
    strategy.entry("E", strategy.long)
    strategy.exit("X", "E", limit = 102.1, stop = 97.9)
)"
                                        : R"(
if bar_index == 0
    strategy.entry("E", strategy.short)
    strategy.exit("X", "E", limit = 97.9, stop = 102.1)
)");
  };
  for (const bool is_long : {true, false}) {
    CAPTURE(is_long);
    Sim up(bracket(is_long), symbol(100, 25));
    up.bars({{100, 100, 100, 100}, {100, 100.5, 99.5, 100}, {100, 105, 95, 100}});
    REQUIRE(up.closed().size() == 1);
    CHECK(up.closed()[0].exit_price == 102.25);
    // Open 99 (the low 95 nearer): the long's stop and the short's
    // take-profit, both 97.75, come first.
    Sim down(bracket(is_long), symbol(100, 25));
    down.bars({{100, 100, 100, 100}, {100, 100.5, 99.5, 100}, {99, 105, 95, 100}});
    REQUIRE(down.closed().size() == 1);
    CHECK(down.closed()[0].exit_price == 97.75);
  }
}

// An exit's qty spreads over the trades it covers, oldest first: qty 3 on
// two trades of 2 (pyramiding 2, @ 100 and @ 101) takes 2 of trade 1 and 1
// of trade 2 at the take-profit 105 (bar 3 rises to 106):
// (105 - 100) * 2 = 10 and (105 - 101) * 1 = 4; 1 of trade 2 stays open.
TEST_CASE("broker: an exit's qty spreads over the trades it covers") {
  Sim s(compile_strategy("pyramiding = 2", R"(
if bar_index <= 1
    strategy.entry(bar_index == 0 ? "A" : "B", strategy.long, qty = 2)
if bar_index == 1
    strategy.exit("X", qty = 3, limit = 105)
)"));
  s.bars({{100, 100, 100, 100}, {100, 100.5, 99.5, 100}, {101, 101.5, 100.5, 101}, {101, 106, 100.5, 105}});
  REQUIRE(s.closed().size() == 2);
  CHECK(s.closed()[0].qty == 2);
  CHECK(s.closed()[0].profit == 10);
  CHECK(s.closed()[1].qty == 1);
  CHECK(s.closed()[1].profit == 4);
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].qty == 1);
  CHECK(s.open()[0].entry_id == "B");
}
