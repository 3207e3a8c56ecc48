// Bad uses of the strategy functions: runtime errors for arguments only
// known while running (an na id, a non-positive quantity, a direction or
// constant of the wrong kind), and compile errors for what the compiler
// can see (strategy.* in an indicator, strategy() arguments that are not
// constants or not parameters at all).
#include <limits>

#include "broker_test_support.h"

using namespace broker_test;

namespace {

/// Runs `call` on bar 1 of a strategy (bar 0 runs clean) and returns the
/// runtime error's message ("" when there is none). The call may use
/// `na_id`, a string variable holding na.
std::string error_on_bar_1(const std::string& call) {
  Sim s(compile_strategy("", "string na_id = na\nif bar_index == 1\n    " + call + "\n"));
  REQUIRE(s.bar(100, 100, 100, 100));
  if (s.bar(100, 100, 100, 100)) return "";
  return s.error;
}

/// Whether `text` contains `part`.
bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

// Each bad argument raises a runtime error on the bar that runs the call
// (the message names the problem); the same calls with good arguments run.
TEST_CASE("broker: runtime errors for bad strategy arguments") {
  struct Case {
    const char* call;
    const char* message;
  };
  for (const Case c : {
           Case{"strategy.entry(na_id, strategy.long)", "order id of strategy.entry/order cannot be na"},
           Case{"strategy.order(na_id, strategy.long)", "order id of strategy.entry/order cannot be na"},
           Case{"strategy.entry(\"L\", strategy.long, qty = 0)", "quantity must be greater than 0"},
           Case{"strategy.entry(\"L\", strategy.long, qty = -1)", "quantity must be greater than 0"},
           Case{"strategy.order(\"L\", strategy.short, qty = -2.5)", "quantity must be greater than 0"},
           Case{"strategy.entry(\"L\", 2)", "direction must be strategy.long or strategy.short"},
           Case{"strategy.entry(\"L\", 0)", "direction must be strategy.long or strategy.short"},
           Case{"strategy.entry(\"L\", strategy.long, oca_type = 7)", "oca_type must be a strategy.oca.* constant"},
           Case{"strategy.exit(na_id, stop = 90)", "order id of strategy.exit cannot be na"},
           Case{"strategy.exit(\"X\", qty = 0, stop = 90)", "exit quantity must be greater than 0"},
           Case{"strategy.close(na_id)", "entry id of strategy.close cannot be na"},
           Case{"strategy.risk.allow_entry_in(5)", "allow_entry_in needs a strategy.direction.* constant"},
           Case{"strategy.risk.max_cons_loss_days(0)", "max_cons_loss_days needs a count of at least 1"},
           Case{"strategy.risk.max_drawdown(0, strategy.cash)", "risk limit must be greater than 0"},
           Case{"strategy.risk.max_drawdown(5, strategy.fixed)", "must be strategy.cash or strategy.percent_of_equity"},
           Case{"strategy.risk.max_intraday_loss(-1, strategy.cash)", "risk limit must be greater than 0"},
           Case{"strategy.risk.max_intraday_filled_orders(0)", "max_intraday_filled_orders needs a count of at least 1"},
           Case{"strategy.risk.max_position_size(0)", "max_position_size must be greater than 0"},
       }) {
    CAPTURE(c.call);
    const std::string error = error_on_bar_1(c.call);
    CHECK_MESSAGE(has(error, c.message), error);
  }
  for (const char* good : {"strategy.entry(\"L\", strategy.long, qty = 1)", "strategy.order(\"L\", strategy.short)",
                           "strategy.exit(\"X\", stop = 90)", "strategy.close(\"L\")",
                           "strategy.risk.allow_entry_in(strategy.direction.all)",
                           "strategy.risk.max_drawdown(5, strategy.percent_of_equity)",
                           "strategy.risk.max_position_size(0.5)"}) {
    CAPTURE(good);
    CHECK(error_on_bar_1(good).empty());
  }
}

// A close with a non-positive qty is an error only when there is something
// it could close (a close of nothing is a no-op that checks nothing more):
// here a long is open, so qty = 0 fails.
TEST_CASE("broker: strategy.close with a non-positive qty") {
  Sim s(compile_strategy("", R"(
if bar_index == 0
    strategy.entry("L", strategy.long)
if bar_index == 2
    strategy.close("L", qty = 0)
)"));
  s.bars({{100, 100, 100, 100}, {100, 100, 100, 100}});
  CHECK_FALSE(s.bar(100, 100, 100, 100));
  CHECK(has(s.error, "close quantity must be greater than 0"));
}

// The runtime error stops the instance on the failing bar: the error names
// the bar, and a later bar is refused.
TEST_CASE("broker: a runtime error halts the strategy") {
  Sim s(compile_strategy("", "if bar_index == 2\n    strategy.entry(\"L\", strategy.long, qty = 0)\n"));
  s.bars({{100, 100, 100, 100}, {100, 100, 100, 100}});
  pine::Bar b{kStart + 2 * kDay, 100, 100, 100, 100, 1};
  try {
    s.instance().run_bar(b);
    FAIL("no error");
  } catch (const RuntimeError& e) {
    CHECK(e.bar_index() == 2);
    CHECK(e.line() == 4);
  }
  b.time += kDay;
  CHECK_THROWS_AS(s.instance().run_bar(b), RuntimeError);
}

// strategy.* commands, queries and variables belong to strategies: an
// indicator using one does not compile, and the message says why.
TEST_CASE("broker: strategy.* in an indicator is a compile error") {
  for (const char* line : {"strategy.entry(\"L\", strategy.long)", "plot(strategy.position_size)",
                           "plot(strategy.closedtrades.profit(0))", "strategy.close_all()",
                           "x = strategy.position_entry_name"}) {
    CAPTURE(line);
    const std::string errors = compile_errors(std::string("//@version=6\nindicator(\"t\")\n") + line + "\n");
    CHECK_MESSAGE(has(errors, "can only be used in a strategy"), errors);
  }
}

// Every strategy() argument is const: a series value, an input or a
// variable is refused; so is a parameter strategy() does not have, a
// value out of range and a close_entries_rule other than FIFO/ANY.
TEST_CASE("broker: bad strategy() declarations are compile errors") {
  struct Case {
    const char* declaration;
    const char* message;
  };
  for (const Case c : {
           Case{"strategy(\"t\", pyramiding = bar_index)", "argument 'pyramiding' of 'strategy' must be a constant"},
           Case{"strategy(\"t\", initial_capital = close)", "argument 'initial_capital' of 'strategy' must be a constant"},
           Case{"strategy(\"t\", slippage = input.int(2))", "argument 'slippage' of 'strategy' must be a constant"},
           Case{"strategy(\"t\", no_such_setting = 1)", "'strategy' has no parameter named 'no_such_setting'"},
           Case{"strategy(\"t\", slippage = -1)", "argument 'slippage' of 'strategy' is out of range"},
           Case{"strategy(\"t\", default_qty_value = 0)", "'default_qty_value' of 'strategy' must be positive"},
           Case{"strategy(\"t\", close_entries_rule = \"LIFO\")", "close_entries_rule must be \"FIFO\" or \"ANY\""},
           Case{"strategy(pyramiding = 2)", "missing argument 'title'"},
       }) {
    CAPTURE(c.declaration);
    const std::string errors = compile_errors(std::string("//@version=6\n") + c.declaration + "\nplot(close)\n");
    CHECK_MESSAGE(has(errors, c.message), errors);
  }
  // Constant expressions fold: these compile.
  for (const char* ok : {"strategy(\"t\", pyramiding = 1 + 2)", "strategy(\"t\", initial_capital = 5000 * 2)",
                         "strategy(\"t\", default_qty_type = strategy.percent_of_equity, default_qty_value = 10)"}) {
    CAPTURE(ok);
    CHECK(compile_errors(std::string("//@version=6\n") + ok + "\nplot(close)\n").empty());
  }
}

// Settings pinevm cannot simulate are refused when the instance is built,
// not silently ignored: calc_on_order_fills, and an account currency that
// differs from the symbol's.
TEST_CASE("broker: unsupported strategy settings are refused at build time") {
  for (const char* settings : {"calc_on_order_fills = true", "currency = currency.EUR"}) {
    CAPTURE(settings);
    const auto program = compile_strategy(settings, "plot(close)\n");
    CHECK_THROWS(InstanceBuilder(program).syminfo(symbol()).build());
  }
}

// Bar times outside the calendar's range (a host may pass any int64) have no
// month and no trading day: the broker keeps trading, and the months and
// days it counts for the report and the risk rules ignore those bars. The
// entry placed on bar 0 fills at bar 1's open 100 and the exit at bar 2's
// open 110, as on ordinary times.
TEST_CASE("broker: bar times outside the calendar are traded without calendar bookkeeping") {
  Sim s(compile_strategy("", "if bar_index == 0\n    strategy.entry(\"L\", strategy.long, qty = 1)\n"
                             "if bar_index == 1\n    strategy.close(\"L\")\n"));
  const std::int64_t huge = std::numeric_limits<std::int64_t>::max() - 1000;
  REQUIRE(s.bar_at(std::numeric_limits<std::int64_t>::min() + 1, 90, 90, 90, 90));
  REQUIRE(s.bar_at(huge, 100, 100, 100, 100));
  REQUIRE(s.bar_at(huge + 1, 110, 110, 110, 110));
  REQUIRE(s.closed().size() == 1);
  CHECK(s.closed()[0].profit == 10);
  CHECK(s.instance().strategy_report().sharpe_ratio != s.instance().strategy_report().sharpe_ratio);
}
