// The broker's price path and fill prices: market orders at the next open,
// reversals in one fill, limit/stop/stop-limit entries (gapped and
// intrabar), the order of the path deciding a bracket, tick rounding and
// slippage. Tick 0.01 unless a test says otherwise; quantities are whole
// contracts so that every product below is exact in binary or noted.
#include "broker_test_support.h"

using namespace broker_test;

// A market order placed on bar N fills at bar N+1's open, not at bar N's
// close nor at a later price of bar N+1; strategy.position_size and
// position_avg_price see it on the fill bar itself.
TEST_CASE("broker: a market entry fills at the next bar's open") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, qty = 2)
plot(strategy.position_size, "pos")
plot(strategy.position_avg_price, "avg")
)"));
  s.bars({{100, 101, 99, 100.5}, {102, 103, 101, 102.5}, {103, 104, 102, 103}});
  REQUIRE(s.open().size() == 1);
  const TradeRecord& t = s.open()[0];
  CHECK(t.direction == kStrategyLong);
  CHECK(t.qty == 2);
  CHECK(t.entry_price == 102);          // bar 1's open
  CHECK(t.entry_bar_index == 1);
  CHECK(t.entry_time == kStart + kDay); // the fill bar's open time
  CHECK(t.entry_id == "L");
  CHECK(s.plot("pos", 0) == 0);          // placed, not filled yet
  CHECK(na(s.plot("avg", 0)));           // flat: na
  CHECK(s.plot("pos", 1) == 2);
  CHECK(s.plot("avg", 1) == 102);
}

// An entry against the position is one order of qty + |position|: it closes
// the old trade and opens the new one at one price, the next open (105).
// Long 2 @ 102 closed at 105: (105 - 102) * 2 = 6. The new short is 3, not 5.
TEST_CASE("broker: a reversal closes and opens in one fill at one price") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, qty = 2)
if bar_index == 2
    strategy.entry("S", strategy.short, qty = 3)
plot(strategy.position_size, "pos")
)"));
  s.bars({{100, 101, 99, 100}, {102, 103, 101, 102}, {103, 104, 102, 104}, {105, 106, 104, 105}});
  REQUIRE(s.closed().size() == 1);
  REQUIRE(s.open().size() == 1);
  const TradeRecord& old = s.closed()[0];
  const TradeRecord& fresh = s.open()[0];
  CHECK(old.entry_price == 102);
  CHECK(old.exit_price == 105);
  CHECK(old.exit_bar_index == 3);
  CHECK(old.exit_id == "S"); // the reversing entry names the closing leg
  CHECK(old.profit == 6);
  CHECK(fresh.direction == kStrategyShort);
  CHECK(fresh.qty == 3);
  CHECK(fresh.entry_price == 105);
  CHECK(fresh.entry_bar_index == 3);
  CHECK(s.plot("pos", 3) == -3);
}

// Limit entries: a buy limit at 95 on a bar opening at 97 that falls to 94
// fills at its own price 95; a sell limit at 105 on a bar rising from 103 to
// 106 fills at 105. The bars are placed on bar 0 and fill on bar 1.
TEST_CASE("broker: limit entries fill at their price when the path reaches it") {
  SUBCASE("buy limit") {
    Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, limit = 95)
)"));
    s.bars({{100, 101, 99, 100}, {97, 98, 94, 96}});
    REQUIRE(s.open().size() == 1);
    CHECK(s.open()[0].entry_price == 95);
    CHECK(s.open()[0].entry_bar_index == 1);
  }
  SUBCASE("sell limit") {
    Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("S", strategy.short, limit = 105)
)"));
    s.bars({{100, 101, 99, 100}, {103, 106, 102, 104}});
    REQUIRE(s.open().size() == 1);
    CHECK(s.open()[0].entry_price == 105);
    CHECK(s.open()[0].direction == kStrategyShort);
  }
  SUBCASE("a limit the path does not reach waits") {
    // Bar 1's low 95.01 stays a tick above the limit; bar 2 reaches it.
    Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, limit = 95)
)"));
    s.bars({{100, 101, 99, 100}, {97, 98, 95.01, 96}});
    CHECK(s.open().empty());
    s.bars({{96, 96.5, 94.5, 95.5}});
    REQUIRE(s.open().size() == 1);
    CHECK(s.open()[0].entry_price == 95);
    CHECK(s.open()[0].entry_bar_index == 2);
  }
}

// An order whose price the gap between bars already passed fills at the new
// bar's open, better than its price for a limit (buy limit 95, open 93) and
// worse for a stop (buy stop 105, open 107; sell stop 95, open 92).
TEST_CASE("broker: an order the open already passed fills at the open") {
  SUBCASE("buy limit gapped through") {
    Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, limit = 95)
)"));
    s.bars({{100, 101, 99, 100}, {93, 94, 92, 93.5}});
    REQUIRE(s.open().size() == 1);
    CHECK(s.open()[0].entry_price == 93);
  }
  SUBCASE("buy stop gapped through") {
    Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, stop = 105)
)"));
    s.bars({{100, 101, 99, 100}, {107, 108, 106, 107}});
    REQUIRE(s.open().size() == 1);
    CHECK(s.open()[0].entry_price == 107);
  }
  SUBCASE("sell stop gapped through") {
    Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("S", strategy.short, stop = 95)
)"));
    s.bars({{100, 101, 99, 100}, {92, 93, 91, 92}});
    REQUIRE(s.open().size() == 1);
    CHECK(s.open()[0].entry_price == 92);
  }
}

// Stop entries inside the bar fill at the stop: buy stop 105 on a bar
// rising 103 -> 106, sell stop 95 on a bar falling 97 -> 94.
TEST_CASE("broker: stop entries fill at the stop when the path reaches it") {
  SUBCASE("buy stop") {
    Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, stop = 105)
)"));
    s.bars({{100, 101, 99, 100}, {103, 106, 102, 104}});
    REQUIRE(s.open().size() == 1);
    CHECK(s.open()[0].entry_price == 105);
  }
  SUBCASE("sell stop") {
    Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("S", strategy.short, stop = 95)
)"));
    s.bars({{100, 101, 99, 100}, {97, 98, 94, 96}});
    REQUIRE(s.open().size() == 1);
    CHECK(s.open()[0].entry_price == 95);
  }
}

// The path goes open -> nearer extreme -> other extreme -> close, so which
// leg of a bracket (take-profit 104, stop 96 around a long at 100) fills on
// a bar touching both depends on where the bar opens:
//   open 101: high 105 is 4 away, low 95 is 6 away -> up first -> 104;
//   open  99: high is 6 away, low is 4 away        -> down first -> 96;
//   open 100: 5 and 5, a tie -> up first -> 104. The tie is pinevm's
//   documented choice (TradingView's rule for it is an open question).
// The entry fills on bar 1 (open 100, range 99..101: neither leg).
TEST_CASE("broker: the nearer extreme comes first and decides a bracket") {
  const auto program = compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
    strategy.exit("X", "L", limit = 104, stop = 96)
)");
  struct Case {
    double open;
    double exit;
  };
  for (const Case c : {Case{101, 104}, Case{99, 96}, Case{100, 104}}) {
    CAPTURE(c.open);
    Sim s(program);
    s.bars({{100, 100, 100, 100}, {100, 101, 99, 100}, {c.open, 105, 95, 100}});
    REQUIRE(s.closed().size() == 1);
    CHECK(s.closed()[0].entry_price == 100);
    CHECK(s.closed()[0].exit_price == c.exit);
    CHECK(s.closed()[0].exit_bar_index == 2);
    CHECK(s.closed()[0].exit_id == "X");
  }
}

// A stop-limit (buy, stop 105, limit 104) does nothing until price reaches
// the stop; then it is a buy limit at 104.
TEST_CASE("broker: a stop-limit triggers at the stop and then fills as a limit") {
  const auto program = compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, stop = 105, limit = 104)
)");
  SUBCASE("triggered and filled on one bar") {
    // open 103, low 102 (1 away) first, then high 106 triggers the stop,
    // then the fall to the close 104 reaches the limit: fill at 104.
    Sim s(program);
    s.bars({{100, 101, 99, 100}, {103, 106, 102, 104}});
    REQUIRE(s.open().size() == 1);
    CHECK(s.open()[0].entry_price == 104);
    CHECK(s.open()[0].entry_bar_index == 1);
  }
  SUBCASE("below the limit before the stop: nothing") {
    // Bar 1 goes down to 102 (under the limit) but never up to the stop.
    Sim s(program);
    s.bars({{100, 101, 99, 100}, {103, 104.5, 102, 103}});
    CHECK(s.open().empty());
  }
  SUBCASE("triggered, filled on a later bar") {
    // Bar 1: 103 -> 102 -> 106 (trigger) -> 104.5, never back to 104.
    // Bar 2 opens at 104.8 and falls to 103.9: the limit fills at 104.
    Sim s(program);
    s.bars({{100, 101, 99, 100}, {103, 106, 102, 104.5}});
    CHECK(s.open().empty());
    s.bars({{104.8, 105, 103.9, 104.2}});
    REQUIRE(s.open().size() == 1);
    CHECK(s.open()[0].entry_price == 104);
    CHECK(s.open()[0].entry_bar_index == 2);
  }
}

// Off-grid order prices go to the tick grid against the trader, as if price
// had to trade through the level tick by tick: buy stops and sell limits
// round up, sell stops and buy limits down. Tick 0.25 (minmove 25 /
// pricescale 100) makes the direction plain:
//   buy stop 105.1 -> 105.25, sell stop 94.9 -> 94.75,
//   buy limit 95.2 -> 95.00,  sell limit 104.8 -> 105.00.
// Each bar sweeps 90..110 from an open of 100 (a tie: up first), so every
// order is reached inside the bar and fills at its rounded price. The
// rounding of limits is pinevm's documented choice (the stops' direction
// is measured on TradingView exports).
TEST_CASE("broker: off-grid prices round to the tick against the trader") {
  struct Case {
    const char* call;
    double fill;
  };
  for (const Case c : {Case{"strategy.entry(\"E\", strategy.long, stop = 105.1)", 105.25},
                       Case{"strategy.entry(\"E\", strategy.short, stop = 94.9)", 94.75},
                       Case{"strategy.entry(\"E\", strategy.long, limit = 95.2)", 95.0},
                       Case{"strategy.entry(\"E\", strategy.short, limit = 104.8)", 105.0}}) {
    CAPTURE(c.call);
    Sim s(compile_strategy("", std::string("if bar_index == 0\n    ") + c.call + "\n"), symbol(100, 25));
    s.bars({{100, 100, 100, 100}, {100, 110, 90, 100}});
    REQUIRE(s.open().size() == 1);
    CHECK(s.open()[0].entry_price == c.fill);
  }
}

// slippage = 3 ticks of 0.01 = 0.03, against the trader, on market and stop
// fills only:
//   market buy at the open 100         -> 100.03
//   market sell (strategy.close) at 110 -> 109.97
//   buy stop 105 inside the bar        -> 105.03
//   buy stop 105 gapped, open 107      -> 107.03 (slippage on a gapped stop
//        is pinevm's documented choice: it is a stop order filling)
//   buy limit 95 inside the bar        -> 95 (limits never slip)
TEST_CASE("broker: slippage moves market and stop fills, not limit fills") {
  SUBCASE("market entry and market close") {
    Sim s(compile_strategy("slippage = 3", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
if bar_index == 1
    strategy.close("L")
)"));
    s.bars({{99, 99, 99, 99}, {100, 101, 99, 100}, {110, 111, 109, 110}});
    REQUIRE(s.closed().size() == 1);
    CHECK(s.closed()[0].entry_price == 100.03);
    CHECK(s.closed()[0].exit_price == 109.97);
  }
  struct Case {
    const char* call;
    Ohlc bar;
    double fill;
  };
  for (const Case c : {Case{"strategy.entry(\"E\", strategy.long, stop = 105)", {103, 106, 102, 104}, 105.03},
                       Case{"strategy.entry(\"E\", strategy.long, stop = 105)", {107, 108, 106, 107}, 107.03},
                       Case{"strategy.entry(\"E\", strategy.short, stop = 95)", {97, 98, 94, 96}, 94.97},
                       Case{"strategy.entry(\"E\", strategy.long, limit = 95)", {97, 98, 94, 96}, 95},
                       Case{"strategy.entry(\"E\", strategy.short, limit = 105)", {103, 106, 102, 104}, 105}}) {
    CAPTURE(c.call);
    CAPTURE(c.bar.open);
    Sim s(compile_strategy("slippage = 3", std::string("if bar_index == 0\n    ") + c.call + "\n"));
    s.bars({{100, 101, 99, 100}, c.bar});
    REQUIRE(s.open().size() == 1);
    CHECK(s.open()[0].entry_price == c.fill);
  }
}

// Exit legs slip like entries: a stop-loss (a sell stop at 96 for a long) by
// 3 ticks to 95.97, a take-profit (a sell limit at 104) not at all. The
// long is a market entry at bar 1's open 100, so it fills at 100.03.
//   stop-loss bar:   open 99, low 95 nearer -> 96 -> fill 95.97
//   take-profit bar: open 101, high 105 nearer -> 104 -> fill 104
TEST_CASE("broker: slippage applies to exit stops, not exit limits") {
  const auto program = compile_strategy("slippage = 3", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
    strategy.exit("X", "L", limit = 104, stop = 96)
)");
  SUBCASE("stop-loss") {
    Sim s(program);
    s.bars({{100, 100, 100, 100}, {100, 101, 99, 100}, {99, 105, 95, 100}});
    REQUIRE(s.closed().size() == 1);
    CHECK(s.closed()[0].entry_price == 100.03);
    CHECK(s.closed()[0].exit_price == 95.97);
  }
  SUBCASE("take-profit") {
    Sim s(program);
    s.bars({{100, 100, 100, 100}, {100, 101, 99, 100}, {101, 105, 95, 100}});
    REQUIRE(s.closed().size() == 1);
    CHECK(s.closed()[0].exit_price == 104);
  }
}

// Several orders on one bar fill in the order the path reaches them, each
// at its own price: a buy stop at 103 and a sell stop at 97 (no OCA) on a
// bar 100 -> 105 -> 95 -> 99 (tie: up first). The buy stop opens long 1 @
// 103; the sell stop at 97 then reverses it (sell 2): the long closes at 97
// ((97 - 103) * 1 = -6) and a short of 1 opens at 97.
TEST_CASE("broker: orders on one bar fill in the order the path reaches them") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("B", strategy.long, stop = 103)
    strategy.entry("S", strategy.short, stop = 97)
)"));
  s.bars({{100, 100, 100, 100}, {100, 105, 95, 99}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].entry_id == "B");
  CHECK(s.closed()[0].entry_price == 103);
  CHECK(s.closed()[0].exit_price == 97);
  CHECK(s.closed()[0].profit == -6);
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].entry_id == "S");
  CHECK(s.open()[0].direction == kStrategyShort);
  CHECK(s.open()[0].entry_price == 97);
}

// A limit already marketable when placed fills at the next open, which is
// at or better than its price: a buy limit at 105 placed when price is
// about 100 fills at bar 1's open 101.
TEST_CASE("broker: a limit already marketable fills at the next open") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, limit = 105)
)"));
  s.bars({{100, 100, 100, 100}, {101, 103, 99, 102}});
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].entry_price == 101);
}

// A stop-limit whose stop the open gaps through: buy, stop 105, limit 106.
//   open 105.5: the stop has triggered and the open is under the limit, so
//               it fills at the open 105.5;
//   open 107:   triggered, but above the limit: it waits as a buy limit at
//               106 and fills when the bar falls to it (107 -> 108 nearer
//               -> 105.5): at 106.
// Filling at the open when the limit is marketable there is pinevm's
// documented choice (a limit fills at its price or better).
TEST_CASE("broker: a stop-limit gapped through its stop") {
  const auto program = compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long, stop = 105, limit = 106)
)");
  struct Case {
    Ohlc bar;
    double fill;
  };
  for (const Case c : {Case{{105.5, 106.5, 105, 106}, 105.5}, Case{{107, 108, 105.5, 107}, 106}}) {
    CAPTURE(c.bar.open);
    Sim s(program);
    s.bars({{100, 100, 100, 100}, c.bar});
    REQUIRE(s.open().size() == 1);
    CHECK(s.open()[0].entry_price == c.fill);
  }
}

// A reversal with slippage is one order, so both legs share the one slipped
// price: long 1 @ 100.02 (slippage 2 ticks on the buy at the open 100), the
// short entry sells 2 at the open 110 - 0.02 = 109.98: the long closes at
// 109.98 ((109.98 - 100.02) * 1 = 9.96) and the short opens at 109.98.
TEST_CASE("broker: a reversal's legs share one slipped price") {
  Sim s(compile_strategy("slippage = 2", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
if bar_index == 1
    strategy.entry("S", strategy.short)
)"));
  s.bars({{99, 99, 99, 99}, {100, 100, 100, 100}, {110, 110, 110, 110}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].entry_price == 100.02);
  CHECK(s.closed()[0].exit_price == 109.98);
  CHECK(s.closed()[0].profit == near(9.96));
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].entry_price == 109.98);
}

// Tick distances count from the entry's fill price, slippage included:
// slippage 3 puts the long at 100.03, so profit = 300 ticks is 103.03, not
// 103. Bar 2 reaches 103.02 (no exit), bar 3 reaches 103.03 (exit there;
// a take-profit is a limit: no slippage on it).
TEST_CASE("broker: exit ticks count from the slipped entry price") {
  Sim s(compile_strategy("slippage = 3", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
    strategy.exit("X", "L", profit = 300)
)"));
  s.bars({{99, 99, 99, 99}, {100, 101, 99.5, 100}, {101, 103.02, 100.5, 102}});
  CHECK(s.closed().empty());
  s.bars({{102, 103.03, 101.5, 102}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].entry_price == 100.03);
  CHECK(s.closed()[0].exit_price == 103.03);
}

// A trailing stop is a stop: its fill slips (pinevm's documented choice).
// The long is a market entry at the open 100, slipped 1 tick to 100.01;
// trail_price 102, offset 100 ticks: bar 2 goes 101.8 -> 104 (high
// nearer) -> 99: active at 102, stop 104 - 1 = 103, filled at 103 - 0.01.
TEST_CASE("broker: slippage applies to trailing stop fills") {
  Sim s(compile_strategy("slippage = 1", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
    strategy.exit("X", "L", trail_price = 102, trail_offset = 100)
)"));
  s.bars({{99, 99, 99, 99}, {100, 101, 99.5, 100}, {101.8, 104, 99, 100}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].entry_price == 100.01);
  CHECK(s.closed()[0].exit_price == 102.99);
}

// With use_bar_magnifier the path is each intrabar's own open -> nearer
// extreme -> other extreme -> close, in turn. The daily bar 100 / 105 / 95
// / 100 alone opens midway (a tie: up first) and would hit the take-profit
// 104 first; its first hourly intrabar 100 -> 100.5 -> 95 -> 96 reaches the
// stop 96 before any intrabar gets near 104, so the stop fills. The fill is
// stamped with the chart bar (index 2, its open time).
TEST_CASE("broker: the bar magnifier walks the intrabars") {
  const auto program = compile_strategy("use_bar_magnifier = true", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
    strategy.exit("X", "L", limit = 104, stop = 96)
)");
  SUBCASE("with intrabars") {
    Sim s(program);
    s.bars({{100, 100, 100, 100}, {100, 101, 99, 100}});
    REQUIRE(s.bar_with(kStart + 2 * kDay, {100, 105, 95, 100}, {{100, 100.5, 95, 96}, {96, 105, 95.5, 100}}));
    REQUIRE(s.closed().size() == 1);
    CHECK(s.closed()[0].exit_price == 96);
    CHECK(s.closed()[0].exit_bar_index == 2);
    CHECK(s.closed()[0].exit_time == kStart + 2 * kDay);
  }
  SUBCASE("without intrabars: the bar's own path") {
    Sim s(program);
    s.bars({{100, 100, 100, 100}, {100, 101, 99, 100}, {100, 105, 95, 100}});
    REQUIRE(s.closed().size() == 1);
    CHECK(s.closed()[0].exit_price == 104);
  }
}
