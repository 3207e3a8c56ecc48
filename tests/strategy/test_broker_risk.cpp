// The strategy.risk.* rules on tiny data sets: allow_entry_in,
// max_position_size, max_intraday_loss (cash and percent),
// max_drawdown (cash and percent), max_intraday_filled_orders and
// max_cons_loss_days. Hourly bars in UTC, so a trading day is a UTC
// calendar day; tick 0.01.
//
// Where the forced close of a rule happens is pinevm's documented choice:
// the rules run at every point of the price path (open, extremes, close,
// fill prices) and close the position at the point where they fire.
#include "broker_test_support.h"

using namespace broker_test;

namespace {

/// A Sim on hourly bars.
Sim hourly(std::shared_ptr<const Program> program) { return Sim(program, symbol(), "60", kHour); }

/// The time of hour `hour` of day `day` after kStart.
std::int64_t at(int day, int hour) { return kStart + day * kDay + hour * kHour; }

} // namespace

// allow_entry_in(long): a short entry when flat does nothing; a short entry
// against a long only closes it. Long 2 @ 101 (bar 2), the short of 3
// placed on bar 3 fills at bar 4's open 104: the long closes
// ((104 - 101) * 2 = 6) and no short opens.
TEST_CASE("broker: allow_entry_in turns opposite entries into closes") {
  Sim s(hourly(compile_strategy("", R"(
strategy.risk.allow_entry_in(strategy.direction.long)
if bar_index == 0
    strategy.entry("S0", strategy.short)
if bar_index == 1
    strategy.entry("L", strategy.long, qty = 2)
if bar_index == 3
    strategy.entry("S", strategy.short, qty = 3)
plot(strategy.position_size, "pos")
)")));
  s.bars({{100, 100, 100, 100}, {100, 100, 100, 100}, {101, 101, 101, 101}, {102, 102, 102, 102}, {104, 104, 104, 104}});
  CHECK(s.plot("pos", 1) == 0); // the short placed on bar 0 did not open
  CHECK(s.plot("pos", 2) == 2);
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].direction == kStrategyLong);
  CHECK(s.closed()[0].exit_price == 104);
  CHECK(s.closed()[0].profit == 6);
  CHECK(s.open().empty());
  CHECK(s.plot("pos", 4) == 0);
}

// max_position_size(3) caps strategy.entry quantities: an entry of 5 opens
// 3; a second long entry (pyramiding 2) of 2 finds 3 held and opens
// nothing; a reversal of 5 closes the 3 and opens 3 short.
TEST_CASE("broker: max_position_size reduces entries") {
  Sim s(hourly(compile_strategy("pyramiding = 2", R"(
strategy.risk.max_position_size(3)
if bar_index == 0
    strategy.entry("A", strategy.long, qty = 5)
if bar_index == 1
    strategy.entry("B", strategy.long, qty = 2)
if bar_index == 2
    strategy.entry("S", strategy.short, qty = 5)
plot(strategy.position_size, "pos")
)")));
  s.bars({{100, 100, 100, 100}, {100, 100, 100, 100}, {101, 101, 101, 101}, {102, 102, 102, 102}});
  CHECK(s.plot("pos", 1) == 3);
  CHECK(s.plot("pos", 2) == 3);
  CHECK(s.plot("pos", 3) == -3);
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].qty == 3);
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].qty == 3);
}

// max_intraday_loss(50, cash): long 10 @ 100 (bar 1). Bar 2 goes 99 ->
// 99.5 (high nearer) -> 94: at 94 the day's loss is 10 * 6 = 60 >= 50, so
// the position closes there (profit -60) and trading stops for the day:
// the entries placed on bars 2 and 3 (same day) are ignored. The next day
// trading resumes: the entry placed on its first bar (4) fills at bar 5's
// open 97.
TEST_CASE("broker: max_intraday_loss in cash closes and stops for the day") {
  Sim s(hourly(compile_strategy("", R"(
strategy.risk.max_intraday_loss(50, strategy.cash)
if bar_index == 0
    strategy.entry("L", strategy.long, qty = 10)
if bar_index == 2 or bar_index == 3
    strategy.entry("L2", strategy.long)
if bar_index == 4
    strategy.entry("L3", strategy.long)
)")));
  REQUIRE(s.bar_at(at(0, 0), 100, 100, 100, 100));
  REQUIRE(s.bar_at(at(0, 1), 100, 101, 99, 100));
  REQUIRE(s.bar_at(at(0, 2), 99, 99.5, 94, 96));
  REQUIRE(s.bar_at(at(0, 3), 96, 97, 95, 96));
  REQUIRE(s.bar_at(at(1, 0), 96, 97, 95, 96));
  REQUIRE(s.bar_at(at(1, 1), 97, 98, 96, 97));
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].exit_price == 94);
  CHECK(s.closed()[0].exit_bar_index == 2);
  CHECK(s.closed()[0].profit == -60);
  CHECK(s.closed()[0].exit_id == "Max intraday loss");
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].entry_id == "L3");
  CHECK(s.open()[0].entry_price == 97);
}

// max_intraday_loss(1, percent_of_equity): 1% of the equity at the start of
// the day (100,000) = 1000. Long 100 @ 100. Bar 2's low 91 is a loss of
// 900: nothing. Bar 3 goes 95 -> 95.5 -> 89: a loss of 1100 >= 1000 closes
// the position at 89 (profit -1100).
TEST_CASE("broker: max_intraday_loss in percent of the day's starting equity") {
  Sim s(hourly(compile_strategy("initial_capital = 100000", R"(
strategy.risk.max_intraday_loss(1, strategy.percent_of_equity)
if bar_index == 0
    strategy.entry("L", strategy.long, qty = 100)
)")));
  s.bars({{100, 100, 100, 100}, {100, 101, 99, 100}, {99, 99.5, 91, 95}});
  CHECK(s.closed().empty());
  s.bars({{95, 95.5, 89, 92}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].exit_price == 89);
  CHECK(s.closed()[0].profit == -1100);
}

// max_drawdown(100, cash), measured from the peak equity: long 10 @ 100.
// Bar 2 goes 105 -> 110 (peak equity +100) -> 99: the fall from the peak is
// 10 * 11 = 110 >= 100, so the position closes at 99 (profit -10; from the
// initial capital it is only a loss of 10) and trading stops for good:
// the entries placed on later bars, the next days included, never fill.
TEST_CASE("broker: max_drawdown in cash closes and stops for good") {
  Sim s(hourly(compile_strategy("", R"(
strategy.risk.max_drawdown(100, strategy.cash)
if bar_index == 0
    strategy.entry("L", strategy.long, qty = 10)
if bar_index >= 3
    strategy.entry("L2", strategy.long)
)")));
  REQUIRE(s.bar_at(at(0, 0), 100, 100, 100, 100));
  REQUIRE(s.bar_at(at(0, 1), 100, 101, 99, 100));
  REQUIRE(s.bar_at(at(0, 2), 105, 110, 99, 101));
  REQUIRE(s.bar_at(at(0, 3), 101, 102, 100, 101));
  REQUIRE(s.bar_at(at(1, 0), 101, 102, 100, 101));
  REQUIRE(s.bar_at(at(2, 0), 101, 102, 100, 101));
  REQUIRE(s.bar_at(at(2, 1), 101, 102, 100, 101));
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].exit_price == 99);
  CHECK(s.closed()[0].exit_bar_index == 2);
  CHECK(s.closed()[0].profit == -10);
  CHECK(s.closed()[0].exit_id == "Max drawdown");
  CHECK(s.open().empty());
}

// max_drawdown(10, percent_of_equity): 10% of the peak equity. Initial
// 1000, long 10 @ 100; bar 2's high 110 makes the peak 1100, so the limit
// is 110. Bar 2's low 99.5 is a fall of 105 (more than 10% of the initial
// capital, less than 10% of the peak): nothing. Bar 3's low 98.9 is a fall
// of 111: closed at 98.9, profit -11. (The peak as the base of the percent
// is pinevm's documented choice.)
TEST_CASE("broker: max_drawdown in percent of the peak equity") {
  Sim s(hourly(compile_strategy("initial_capital = 1000", R"(
strategy.risk.max_drawdown(10, strategy.percent_of_equity)
if bar_index == 0
    strategy.entry("L", strategy.long, qty = 10)
)")));
  s.bars({{100, 100, 100, 100}, {100, 101, 99, 100}, {105, 110, 99.5, 100}});
  CHECK(s.closed().empty());
  s.bars({{100, 100.5, 98.9, 99}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].exit_price == 98.9);
  CHECK(s.closed()[0].profit == near(-11));
}

// max_intraday_filled_orders(2): reaching 2 fills in a day cancels the
// pending orders, closes the position and stops trading for that day.
// Pyramiding 2: A fills at bar 1's open 101 (fill 1), B at bar 2's open 102
// (fill 2): both close at once at 102 (A +1, B 0); C, placed on bar 2, is
// ignored. On the next day D (placed on its first bar) fills at 104.
TEST_CASE("broker: max_intraday_filled_orders closes and stops for the day") {
  Sim s(hourly(compile_strategy("pyramiding = 2", R"(
strategy.risk.max_intraday_filled_orders(2)
if bar_index == 0
    strategy.entry("A", strategy.long)
if bar_index == 1
    strategy.entry("B", strategy.long)
if bar_index == 2
    strategy.entry("C", strategy.long)
if bar_index == 4
    strategy.entry("D", strategy.long)
)")));
  REQUIRE(s.bar_at(at(0, 0), 100, 100, 100, 100));
  REQUIRE(s.bar_at(at(0, 1), 101, 101, 101, 101));
  REQUIRE(s.bar_at(at(0, 2), 102, 102, 102, 102));
  REQUIRE(s.bar_at(at(0, 3), 103, 103, 103, 103));
  REQUIRE(s.bar_at(at(1, 0), 103, 103, 103, 103));
  REQUIRE(s.bar_at(at(1, 1), 104, 104, 104, 104));
  REQUIRE(s.closed().size() == 2);
  CHECK(s.closed()[0].entry_id == "A");
  CHECK(s.closed()[0].exit_price == 102);
  CHECK(s.closed()[0].profit == 1);
  CHECK(s.closed()[0].exit_id == "Max intraday filled orders");
  CHECK(s.closed()[1].entry_id == "B");
  CHECK(s.closed()[1].exit_price == 102);
  CHECK(s.closed()[1].profit == 0);
  REQUIRE(s.open().size() == 1);
  CHECK(s.open()[0].entry_id == "D");
  CHECK(s.open()[0].entry_price == 104);
}

// max_cons_loss_days(2): after two losing days in a row, the position is
// closed at the next day's first price and trading stops for good.
//   day 0: long 1 @ 100 (bar 1), closed at 98 (bar 2): -2, a losing day.
//   day 1: long 1 @ 98 (bar 4), closed at 97 (bar 5): -1; long again @ 97
//          (bar 6), still open at the day's close 97: the day lost 1.
//   day 2: its first bar (7) opens at 97.5: the rule closes the long there
//          (+0.5); the entries placed on bars 7 and 9 never fill.
TEST_CASE("broker: max_cons_loss_days closes and stops for good") {
  Sim s(hourly(compile_strategy("", R"(
strategy.risk.max_cons_loss_days(2)
if bar_index == 0 or bar_index == 3 or bar_index == 5 or bar_index == 7 or bar_index == 9
    strategy.entry("L", strategy.long)
if bar_index == 1 or bar_index == 4
    strategy.close("L")
)")));
  REQUIRE(s.bar_at(at(0, 0), 100, 100, 100, 100));
  REQUIRE(s.bar_at(at(0, 1), 100, 100, 100, 100));
  REQUIRE(s.bar_at(at(0, 2), 98, 98, 98, 98));
  REQUIRE(s.bar_at(at(1, 0), 98, 98, 98, 98));
  REQUIRE(s.bar_at(at(1, 1), 98, 98, 98, 98));
  REQUIRE(s.bar_at(at(1, 2), 97, 97, 97, 97));
  REQUIRE(s.bar_at(at(1, 3), 97, 97, 97, 97));
  REQUIRE(s.bar_at(at(2, 0), 97.5, 98, 97, 97.5));
  REQUIRE(s.bar_at(at(2, 1), 98, 98, 98, 98));
  REQUIRE(s.bar_at(at(3, 0), 99, 99, 99, 99));
  REQUIRE(s.bar_at(at(3, 1), 99, 99, 99, 99));
  REQUIRE(s.closed().size() == 3);
  CHECK(s.closed()[0].profit == -2);
  CHECK(s.closed()[1].profit == -1);
  CHECK(s.closed()[2].entry_price == 97);
  CHECK(s.closed()[2].exit_price == 97.5);
  CHECK(s.closed()[2].exit_bar_index == 7);
  CHECK(s.closed()[2].profit == 0.5);
  CHECK(s.closed()[2].exit_id == "Max consecutive loss days");
  CHECK(s.open().empty());
}

// A winning day resets the count: losses on day 0 and day 2 with a win on
// day 1 never make two losing days in a row, so nothing stops the day-3
// entry. Day 0: 100 -> 98 (-2); day 1: 98 -> 99 (+1); day 2: 99 -> 98
// (-1); day 3: the entry placed on its first bar fills at 98.
TEST_CASE("broker: max_cons_loss_days counts consecutive days only") {
  Sim s(hourly(compile_strategy("", R"(
strategy.risk.max_cons_loss_days(2)
if bar_index % 3 == 0
    strategy.entry("L", strategy.long)
if bar_index % 3 == 1
    strategy.close("L")
)")));
  const double price[4][3] = {{100, 100, 98}, {98, 98, 99}, {99, 99, 98}, {98, 98, 98}};
  for (int day = 0; day < 4; ++day)
    for (int h = 0; h < 3; ++h) {
      const double p = price[day][h];
      REQUIRE(s.bar_at(at(day, h), p, p, p, p));
    }
  REQUIRE(s.closed().size() == 4);
  CHECK(s.closed()[0].profit == -2);
  CHECK(s.closed()[1].profit == 1);
  CHECK(s.closed()[2].profit == -1);
  CHECK(s.closed()[3].entry_price == 98);
  CHECK(s.closed()[3].exit_bar_index == 11);
}

// A trading day is a calendar day in the exchange's time zone, not in UTC.
// (pinevm's choice: it knows no session times, so midnight in
// syminfo.timezone ends the day; TradingView ends it with the symbol's
// session, 17:00 New York for a forex pair.)
// max_intraday_filled_orders(2), pyramiding 2, America/New_York (UTC-5 in
// January). A fills at 2024-01-01 23:00 UTC, B at 2024-01-02 01:00 UTC:
// two UTC days, but both 18:00 and 20:00 on January 1st in New York, so the
// second fill reaches the count and both trades close at its open 102 (A +1,
// B 0). The same bars on a UTC symbol leave both trades open.
TEST_CASE("broker: the trading day of the risk rules is the exchange's") {
  const auto program = compile_strategy("pyramiding = 2", R"(
strategy.risk.max_intraday_filled_orders(2)
if bar_index == 0
    strategy.entry("A", strategy.long)
if bar_index == 1
    strategy.entry("B", strategy.long)
)");
  for (const char* zone : {"America/New_York", "Etc/UTC"}) {
    CAPTURE(zone);
    SymbolInfo info = symbol();
    info.timezone = zone;
    Sim s(program, info, "60", kHour);
    REQUIRE(s.bar_at(kStart + 22 * kHour, 100, 100, 100, 100));
    REQUIRE(s.bar_at(kStart + 23 * kHour, 101, 101, 101, 101));
    REQUIRE(s.bar_at(kStart + 25 * kHour, 102, 102, 102, 102));
    REQUIRE(s.bar_at(kStart + 26 * kHour, 103, 103, 103, 103));
    if (std::string(zone) == "America/New_York") {
      REQUIRE(s.closed().size() == 2);
      CHECK(s.closed()[0].exit_price == 102);
      CHECK(s.closed()[0].profit == 1);
      CHECK(s.closed()[1].profit == 0);
      CHECK(s.open().empty());
    } else {
      CHECK(s.closed().empty());
      CHECK(s.open().size() == 2);
    }
  }
}

// The same rule on an FX-like symbol whose trading day begins at 17:00 New
// York: A fills at 21:00 UTC (16:00 New York, January 1st's trading day), B
// at 23:00 UTC (18:00 New York, January 2nd's): one fill each day, so both
// stay open. Without the trading day start both fills fall on January 1st
// in New York, the second reaches the count and both trades close at its
// open 102.
TEST_CASE("broker: the risk rules' day begins at the symbol's trading day start") {
  const auto program = compile_strategy("pyramiding = 2", R"(
strategy.risk.max_intraday_filled_orders(2)
if bar_index == 0
    strategy.entry("A", strategy.long)
if bar_index == 1
    strategy.entry("B", strategy.long)
)");
  for (std::int64_t start : {std::int64_t{17 * 60}, std::int64_t{0}}) {
    CAPTURE(start);
    SymbolInfo info = symbol();
    info.timezone = "America/New_York";
    info.trading_day_start = start;
    Sim s(program, info, "60", kHour);
    REQUIRE(s.bar_at(kStart + 20 * kHour, 100, 100, 100, 100));
    REQUIRE(s.bar_at(kStart + 21 * kHour, 101, 101, 101, 101));
    REQUIRE(s.bar_at(kStart + 23 * kHour, 102, 102, 102, 102));
    REQUIRE(s.bar_at(kStart + 24 * kHour, 103, 103, 103, 103));
    if (start != 0) {
      CHECK(s.closed().empty());
      CHECK(s.open().size() == 2);
    } else {
      REQUIRE(s.closed().size() == 2);
      CHECK(s.closed()[0].exit_price == 102);
    }
  }
}

// Once a rule has stopped trading, new orders of every kind are ignored,
// strategy.exit included: after max_drawdown fires, an entry and an exit
// placed later never act. (Bars as in the max_drawdown test: the long 10 @
// 100 closes at 99 on bar 2.) A strategy.order placed on bar 3 does not
// fill on bar 4.
TEST_CASE("broker: a halted strategy ignores every later order") {
  Sim s(hourly(compile_strategy("", R"(
strategy.risk.max_drawdown(100, strategy.cash)
if bar_index == 0
    strategy.entry("L", strategy.long, qty = 10)
if bar_index == 3
    strategy.order("O", strategy.long, qty = 1)
    strategy.exit("X", stop = 50)
plot(strategy.position_size, "pos")
)")));
  s.bars({{100, 100, 100, 100}, {100, 101, 99, 100}, {105, 110, 99, 101}, {101, 102, 100, 101}, {101, 102, 100, 101}});
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].exit_price == 99);
  CHECK(s.open().empty());
  CHECK(s.plot("pos", 4) == 0);
}
