// The order book: strategy.close (FIFO and close_entries_rule "ANY"),
// close_all, immediately = true, strategy.cancel/cancel_all, OCA groups,
// strategy.order netting, pyramiding, re-placing an order by id,
// process_orders_on_close and backtest_fill_limits_assumption. Tick 0.01.
#include "broker_test_support.h"

using namespace broker_test;

namespace {

/// Two pyramided longs: "A" 5 @ 100 (bar 1), "B" 10 @ 102 (bar 2); bar 2
/// asks strategy.close("B"), which fills at bar 3's open 104.
const char* kCloseB = R"(
if bar_index == 0
    strategy.entry("A", strategy.long, qty = 5)
if bar_index == 1
    strategy.entry("B", strategy.long, qty = 10)
if bar_index == 2
    strategy.close("B")
)";

void run_close_b(Sim& s) { s.bars({{99, 99, 99, 99}, {100, 100, 100, 100}, {102, 102, 102, 102}, {104, 104, 104, 104}}); }

} // namespace

// Under the default close_entries_rule "FIFO" an exit closes the oldest
// trades first whatever it names: strategy.close("B") is a 10-contract
// market order that closes all 5 of A ((104 - 100) * 5 = 20) and 5 of B
// ((104 - 102) * 5 = 10); the other 5 of B stay open.
TEST_CASE("broker: strategy.close is FIFO across pyramided entries") {
  Sim s(compile_strategy("pyramiding = 2", kCloseB));
  run_close_b(s);
  REQUIRE(s.closed().size() == 2);
  CHECK(s.closed()[0].entry_id == "A");
  CHECK(s.closed()[0].qty == 5);
  CHECK(s.closed()[0].exit_price == 104);
  CHECK(s.closed()[0].profit == 20);
  CHECK(s.closed()[1].entry_id == "B");
  CHECK(s.closed()[1].qty == 5);
  CHECK(s.closed()[1].profit == 10);
  // pinevm's exit id for strategy.close without a comment (TradingView's
  // text for it is an open question).
  CHECK(s.closed()[1].exit_id == "Close entry(s) order B");
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].entry_id == "B");
  CHECK(s.open()[0].qty == 5);
}

// close_entries_rule = "ANY": strategy.close("B") closes B's 10 contracts
// ((104 - 102) * 10 = 20) and leaves A open.
TEST_CASE("broker: close_entries_rule ANY closes the trades the exit names") {
  Sim s(compile_strategy("pyramiding = 2, close_entries_rule = \"ANY\"", kCloseB));
  run_close_b(s);
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].entry_id == "B");
  CHECK(s.closed()[0].qty == 10);
  CHECK(s.closed()[0].profit == 20);
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].entry_id == "A");
  CHECK(s.open()[0].qty == 5);
}

// Under "ANY" a strategy.exit bound to B also closes B, not the older A:
// B's stop 101 (A's would be irrelevant: A has none). Bar 3 falls from 102
// to 100.5 and B exits at 101: (101 - 102) * 10 = -10.
TEST_CASE("broker: close_entries_rule ANY lets strategy.exit close its own entry") {
  Sim s(compile_strategy("pyramiding = 2, close_entries_rule = \"ANY\"", R"(
if bar_index == 0
    strategy.entry("A", strategy.long, qty = 5)
if bar_index == 1
    strategy.entry("B", strategy.long, qty = 10)
    strategy.exit("XB", "B", stop = 101)
)"));
  s.bars({{99, 99, 99, 99}, {100, 100, 100, 100}, {102, 102, 102, 102}, {102, 102.2, 100.5, 101.5}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].entry_id == "B");
  CHECK(s.closed()[0].qty == 10);
  CHECK(s.closed()[0].profit == -10);
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].entry_id == "A");
}

// Under the default "FIFO" the same exit bound to B closes the oldest
// trades first: its 10 contracts at the stop 101 are all 5 of A
// ((101 - 100) * 5 = 5) and 5 of B ((101 - 102) * 5 = -5); 5 of B stay open.
TEST_CASE("broker: under FIFO a strategy.exit bound to a later entry closes the oldest first") {
  Sim s(compile_strategy("pyramiding = 2", R"(
if bar_index == 0
    strategy.entry("A", strategy.long, qty = 5)
if bar_index == 1
    strategy.entry("B", strategy.long, qty = 10)
    strategy.exit("XB", "B", stop = 101)
)"));
  s.bars({{99, 99, 99, 99}, {100, 100, 100, 100}, {102, 102, 102, 102}, {102, 102.2, 100.5, 101.5}});
  REQUIRE(s.closed().size() == 2);
  CHECK(s.closed()[0].entry_id == "A");
  CHECK(s.closed()[0].qty == 5);
  CHECK(s.closed()[0].profit == 5);
  CHECK(s.closed()[1].entry_id == "B");
  CHECK(s.closed()[1].qty == 5);
  CHECK(s.closed()[1].profit == -5);
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].entry_id == "B");
  CHECK(s.open()[0].qty == 5);
}

// strategy.close with qty closes part: qty 3 of a 5-contract trade at the
// next open 104 -> closed part 3 ((104 - 100) * 3 = 12), open rest 2; then
// qty_percent 50 of the 2 left -> 1 at 106 ((106 - 100) * 1 = 6).
TEST_CASE("broker: strategy.close with qty and qty_percent closes part") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, qty = 5)
if bar_index == 2
    strategy.close("L", qty = 3)
if bar_index == 3
    strategy.close("L", qty_percent = 50)
)"));
  s.bars({{99, 99, 99, 99}, {100, 100, 100, 100}, {102, 102, 102, 102}, {104, 104, 104, 104}, {106, 106, 106, 106}});
  REQUIRE(s.closed().size() == 2);
  CHECK(s.closed()[0].qty == 3);
  CHECK(s.closed()[0].profit == 12);
  CHECK(s.closed()[1].qty == 1);
  CHECK(s.closed()[1].profit == 6);
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].qty == 1);
}

// strategy.close_all closes every trade in one market order at the next
// open: A 5 @ 100 and B 10 @ 102 at 104 -> +20 and +20, with its comment
// on both rows.
TEST_CASE("broker: strategy.close_all closes every trade at the next open") {
  Sim s(compile_strategy("pyramiding = 2", R"(
if bar_index == 0
    strategy.entry("A", strategy.long, qty = 5)
if bar_index == 1
    strategy.entry("B", strategy.long, qty = 10)
if bar_index == 2
    strategy.close_all(comment = "all out")
)"));
  run_close_b(s);
  REQUIRE(s.closed().size() == 2);
  CHECK(s.closed()[0].profit == 20);
  CHECK(s.closed()[1].profit == 20);
  for (const TradeRecord& t : s.closed()) {
    CHECK(t.exit_price == 104);
    CHECK(t.exit_bar_index == 3);
    CHECK(t.exit_comment == "all out");
  }
  CHECK(s.open().empty());
}

// immediately = true fills the closing order at the current bar's close
// (bar 2 closes at 107), on that bar, not at the next open (110).
// Long 1 @ 100: (107 - 100) * 1 = 7.
TEST_CASE("broker: immediately = true closes at the current close") {
  for (const char* call : {"strategy.close(\"L\", immediately = true)", "strategy.close_all(immediately = true)"}) {
    CAPTURE(call);
    Sim s(compile_strategy("", std::string(R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
if bar_index == 2
    )") + call + "\n"));
    s.bars({{99, 99, 99, 99}, {100, 101, 99, 100}, {101, 108, 100, 107}, {110, 111, 109, 110}});
    REQUIRE(s.closed().size() == 1);
    CHECK(s.closed()[0].exit_price == 107);
    CHECK(s.closed()[0].exit_bar_index == 2);
    CHECK(s.closed()[0].profit == 7);
  }
}

// strategy.close and close_all when flat place nothing: an entry placed on
// the same bar then fills alone at the next open and stays open.
TEST_CASE("broker: closing when flat is a no-op") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.close_all()
    strategy.close("L")
    strategy.entry("L", strategy.long)
)"));
  s.bars({{99, 99, 99, 99}, {100, 101, 99, 100}, {100, 101, 99, 100}});
  CHECK(s.closed().empty());
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].entry_price == 100);
}

// strategy.cancel removes a pending order by id: a buy limit at 90 placed on
// bar 0, not reached on bar 1 (low 95), cancelled by bar 1's script; bar 2
// falls to 85 and nothing fills. strategy.cancel_all removes both of two.
TEST_CASE("broker: strategy.cancel and cancel_all remove pending orders") {
  SUBCASE("cancel by id") {
    Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, limit = 90)
    strategy.entry("S", strategy.short, limit = 110)
if bar_index == 1
    strategy.cancel("L")
)"));
    s.bars({{100, 100, 100, 100}, {100, 101, 95, 100}, {95, 96, 85, 90}});
    CHECK(s.open().empty());
    CHECK(s.closed().empty());
    // "S" was not cancelled: bar 3 rises through 110 and fills it.
    s.bars({{105, 112, 104, 111}});
    REQUIRE(s.open().size() == 1);
    CHECK(s.open()[0].entry_id == "S");
    CHECK(s.open()[0].entry_price == 110);
  }
  SUBCASE("cancel_all") {
    Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, limit = 90)
    strategy.entry("S", strategy.short, limit = 110)
if bar_index == 1
    strategy.cancel_all()
)"));
    s.bars({{100, 100, 100, 100}, {100, 101, 95, 100}, {100, 120, 80, 100}});
    CHECK(s.open().empty());
    CHECK(s.closed().empty());
  }
  SUBCASE("a market order cancelled on its own bar never fills") {
    Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
    strategy.cancel("L")
)"));
    s.bars({{100, 100, 100, 100}, {100, 101, 99, 100}});
    CHECK(s.open().empty());
  }
  SUBCASE("cancel removes an exit by id") {
    Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
    strategy.exit("X", "L", stop = 95)
if bar_index == 1
    strategy.cancel("X")
)"));
    s.bars({{100, 100, 100, 100}, {100, 101, 99, 100}, {99, 100, 90, 92}});
    CHECK(s.closed().empty());
    CHECK(s.open().size() == 1);
  }
}

// oca.cancel: the first order of the group to fill cancels the others. A
// buy stop 103 and a sell stop 97 in one group; bar 1 goes 100 -> 105 (tie:
// up first) -> 95: the buy stop fills at 103 and the sell stop is gone, so
// the fall to 95 does not reverse (without the group it would: see the path
// order test in test_broker_fills.cpp).
TEST_CASE("broker: an oca.cancel fill cancels the rest of its group") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("B", strategy.long, stop = 103, oca_name = "G", oca_type = strategy.oca.cancel)
    strategy.entry("S", strategy.short, stop = 97, oca_name = "G", oca_type = strategy.oca.cancel)
)"));
  s.bars({{100, 100, 100, 100}, {100, 105, 95, 99}, {99, 100, 90, 95}});
  CHECK(s.closed().empty());
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].entry_id == "B");
  CHECK(s.open()[0].entry_price == 103);
}

// oca.reduce: a fill reduces the group's other orders by its quantity.
// Long 3 @ 100 (strategy.order, bar 1). Two sell orders in group "G": a
// take-profit of 1 at limit 105 and a stop of 3 at 95. Bar 2 rises through
// 105: 1 sold at 105 (+5), the stop shrinks to 2. Bar 3 falls through 95:
// 2 sold at 95 ((95 - 100) * 2 = -10) and the position is flat. Without the
// reduction the stop would sell 3 and leave a short of 1.
TEST_CASE("broker: an oca.reduce fill shrinks the rest of its group") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.order("buy", strategy.long, qty = 3)
if bar_index == 1
    strategy.order("tp", strategy.short, qty = 1, limit = 105, oca_name = "G", oca_type = strategy.oca.reduce)
    strategy.order("sl", strategy.short, qty = 3, stop = 95, oca_name = "G", oca_type = strategy.oca.reduce)
plot(strategy.position_size, "pos")
)"));
  s.bars({{100, 100, 100, 100}, {100, 101, 99, 100}, {101, 106, 100.5, 104}, {99, 99.5, 93, 94}});
  REQUIRE(s.closed().size() == 2);
  CHECK(s.closed()[0].qty == 1);
  CHECK(s.closed()[0].exit_price == 105);
  CHECK(s.closed()[0].profit == 5);
  CHECK(s.closed()[1].qty == 2);
  CHECK(s.closed()[1].exit_price == 95);
  CHECK(s.closed()[1].profit == -10);
  CHECK(s.open().empty());
  CHECK(s.plot("pos", 3) == 0);
}

// strategy.order nets against the position and never reverses by itself:
// long 2 (bar 1 @ 100), then a sell of 5 closes the 2 ((104 - 100) * 2 = 8)
// and opens a short of 3, both at bar 3's open 104, in one fill.
TEST_CASE("broker: strategy.order nets a larger sell into close + short") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.order("buy", strategy.long, qty = 2)
if bar_index == 2
    strategy.order("sell", strategy.short, qty = 5)
plot(strategy.position_size, "pos")
)"));
  s.bars({{99, 99, 99, 99}, {100, 100, 100, 100}, {102, 102, 102, 102}, {104, 104, 104, 104}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].exit_price == 104);
  CHECK(s.closed()[0].profit == 8);
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].direction == kStrategyShort);
  CHECK(s.open()[0].qty == 3);
  CHECK(s.open()[0].entry_price == 104);
  CHECK(s.plot("pos", 3) == -3);
}

// A smaller opposite strategy.order only reduces: long 5, sell 2 -> long 3.
TEST_CASE("broker: strategy.order nets a smaller sell into a partial close") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.order("buy", strategy.long, qty = 5)
if bar_index == 2
    strategy.order("sell", strategy.short, qty = 2)
plot(strategy.position_size, "pos")
)"));
  s.bars({{99, 99, 99, 99}, {100, 100, 100, 100}, {102, 102, 102, 102}, {104, 104, 104, 104}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].qty == 2);
  CHECK(s.closed()[0].profit == 8); // (104 - 100) * 2
  CHECK(s.plot("pos", 3) == 3);
}

// pyramiding = N allows N open entries in one direction; later same-side
// strategy.entry calls are ignored (pyramiding 0 behaves as 1).
// strategy.order ignores the limit. An entry is placed on every bar 0..4;
// fills come at bars 1..5.
TEST_CASE("broker: pyramiding limits same-direction entries") {
  struct Case {
    const char* settings;
    const char* command;
    std::size_t open;
  };
  for (const Case c : {Case{"", "strategy.entry", 1}, Case{"pyramiding = 1", "strategy.entry", 1},
                       Case{"pyramiding = 3", "strategy.entry", 3}, Case{"", "strategy.order", 5}}) {
    CAPTURE(c.settings);
    CAPTURE(c.command);
    Sim s(compile_strategy(c.settings, std::string(c.command) + "(\"L\", strategy.long)\n"));
    for (int i = 0; i < 6; ++i) REQUIRE(s.bar(100, 101, 99, 100));
    CHECK(s.open().size() == c.open);
  }
}

// Price entries that trigger at one moment all fill, even past the
// pyramiding limit (the User Manual: entries "generated on the same tick"
// all execute); one moment later the limit holds again. Bar 0 places two
// buy stops at 101 and 102 with pyramiding 1. Case A: bar 1 gaps to 105,
// past both: both fill at the open 105 (two trades). Case B: bar 1 opens at
// 100 and rises to 103: the stop at 101 fills first, and at 102 the
// position already holds one entry, so that one is refused.
TEST_CASE("broker: price entries triggered at one moment all fill past pyramiding") {
  const char* body = R"(
if bar_index == 0
    strategy.entry("A", strategy.long, stop = 101)
    strategy.entry("B", strategy.long, stop = 102)
)";
  Sim gap(compile_strategy("", body));
  gap.bars({{100, 100, 100, 100}, {105, 106, 104, 105}});
  REQUIRE(gap.open().size() == 2);
  CHECK(gap.open()[0].entry_price == 105);
  CHECK(gap.open()[1].entry_price == 105);

  Sim walk(compile_strategy("", body));
  walk.bars({{100, 100, 100, 100}, {100, 103, 100, 103}});
  REQUIRE(walk.open().size() == 1);
  CHECK(walk.open()[0].entry_id == "A");
  CHECK(walk.open()[0].entry_price == 101);
}

// A reversal ends the exits meant for the old position. A long's bracket
// without from_entry (stop 96, limit 120), placed on bar 0 with the entry,
// must not close the short that reverses the long on bar 3: for a short a
// buy stop at 96 is already passed at its entry price 100 and would close it
// at once. An exit placed on the reversing entry's own bar is the new
// position's: the short's stop at 104 stays and fills on bar 4 (high 105)
// at 104: (100 - 104) * 1 = -4.
TEST_CASE("broker: a reversal drops the old position's exits, not the new one's") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
    strategy.exit("X", stop = 96, limit = 120)
if bar_index == 2
    strategy.entry("S", strategy.short)
    strategy.exit("XS", stop = 104)
)"));
  s.bars({{100, 100, 100, 100}, {100, 101, 99, 100}, {100, 101, 99, 100}, {100, 101, 99, 100}, {101, 105, 100, 103}});
  REQUIRE(s.closed().size() == 2);
  CHECK(s.closed()[0].exit_id == "S"); // the reversal closed the long
  CHECK(s.closed()[1].direction == kStrategyShort);
  CHECK(s.closed()[1].exit_id == "XS");
  CHECK(s.closed()[1].exit_bar_index == 4);
  CHECK(s.closed()[1].exit_price == 104);
  CHECK(s.closed()[1].profit == -4);
}

// The same id while the order is pending modifies it: a buy limit at 90
// (bar 0) moved to 95 on bar 1; bar 2 falls to 94 and fills it at 95, once.
TEST_CASE("broker: placing a pending order's id again modifies it") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, limit = 90)
if bar_index == 1
    strategy.entry("L", strategy.long, limit = 95)
)"));
  s.bars({{100, 100, 100, 100}, {100, 101, 99, 100}, {97, 97.5, 94, 96}});
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].entry_price == 95);
  CHECK(s.open()[0].entry_bar_index == 2);
}

// process_orders_on_close: a market order fills at the close of the bar
// whose script placed it. Entry on bar 0 fills at bar 0's close 100.5;
// strategy.close on bar 2 fills at bar 2's close 104.5: (104.5 - 100.5) * 1 = 4.
TEST_CASE("broker: process_orders_on_close fills market orders at the close") {
  Sim s(compile_strategy("process_orders_on_close = true", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
if bar_index == 2
    strategy.close("L")
)"));
  s.bars({{100, 101, 99, 100.5}, {102, 103, 101, 102}, {103, 105, 102, 104.5}, {106, 107, 105, 106}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].entry_price == 100.5);
  CHECK(s.closed()[0].entry_bar_index == 0);
  CHECK(s.closed()[0].exit_price == 104.5);
  CHECK(s.closed()[0].exit_bar_index == 2);
  CHECK(s.closed()[0].profit == 4);
}

// backtest_fill_limits_assumption = 2: a limit fills only once price goes 2
// ticks (0.02) through it, still at its price. Buy limit 95:
//   bar 1 low 94.99 (1 tick through): no fill;
//   bar 2 low 94.98 (2 ticks through): fills at 95.
// A limit the open gaps through by more fills at the open (bar opening at
// 94): open 94 is at or beyond 94.98.
TEST_CASE("broker: backtest_fill_limits_assumption needs price through the limit") {
  const auto program = compile_strategy("backtest_fill_limits_assumption = 2", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, limit = 95)
)");
  SUBCASE("inside the bar") {
    Sim s(program);
    s.bars({{100, 100, 100, 100}, {96, 96.5, 94.99, 95.5}});
    CHECK(s.open().empty());
    s.bars({{96, 96.5, 94.98, 95.5}});
    REQUIRE(s.open().size() == 1);
    CHECK(s.open()[0].entry_price == 95);
    CHECK(s.open()[0].entry_bar_index == 2);
  }
  SUBCASE("gapped through") {
    Sim s(program);
    s.bars({{100, 100, 100, 100}, {94, 94.5, 93, 94}});
    REQUIRE(s.open().size() == 1);
    CHECK(s.open()[0].entry_price == 94);
  }
}

// An exit's take-profit is a limit too: with the assumption at 2 ticks a
// long's take-profit at 103 needs 103.02. Bar 2 peaks at 103.01: no exit;
// bar 3 peaks at 103.02: exit at 103. (Applying it to exits is pinevm's
// documented choice.)
TEST_CASE("broker: backtest_fill_limits_assumption applies to take-profits") {
  Sim s(compile_strategy("backtest_fill_limits_assumption = 2", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
    strategy.exit("X", "L", limit = 103)
)"));
  s.bars({{100, 100, 100, 100}, {100, 101, 99, 100}, {101, 103.01, 100.5, 102}});
  CHECK(s.closed().empty());
  s.bars({{102, 103.02, 101.5, 102}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].exit_price == 103);
}

// The ticks of the assumption are counted on the tick grid: a buy limit at
// 10.01 with the assumption at 5 ticks fills once price reaches 9.96, five
// ticks of 0.01 below. (10.01 - 5 * 0.01 in plain doubles is
// 9.959999999999999, a hair under 9.96, which a low of exactly 9.96 would
// never reach.) Bar 1's low 9.97 is 4 ticks through: no fill; bar 2's low
// 9.96 is 5 ticks through: fill at 10.01.
TEST_CASE("broker: backtest_fill_limits_assumption counts whole ticks exactly") {
  Sim s(compile_strategy("backtest_fill_limits_assumption = 5", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, limit = 10.01)
)"));
  s.bars({{10.5, 10.5, 10.5, 10.5}, {10.2, 10.25, 9.97, 10.1}});
  CHECK(s.open().empty());
  s.bars({{10.2, 10.25, 9.96, 10.1}});
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].entry_price == 10.01);
}
