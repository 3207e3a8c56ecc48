// The broker emulator of a strategy: pending orders, the ledger of trades,
// and the fills that move orders into the ledger as prices move.
//
// One Broker per strategy instance; all of it is instance state (archived by
// strategy_archive.cpp). The instance drives it once per chart bar:
//   begin_bar       starts a new trading day or month when the bar does,
//                   then fills pending orders along the bar's price path (or
//                   its lower-timeframe intrabars with the bar magnifier);
//   load_variables  writes the strategy.* variables;
//   (the script runs; its strategy.* calls reach call())
//   end_bar         process_orders_on_close fills at the close.
// docs/strategies.md is the reference for the rules implemented here.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "pine/vm/bar.h"
#include "pine/vm/builtins.h"
#include "pine/vm/strategy.h"
#include "pine/vm/strategy_report.h"
#include "pine/vm/symbol_info.h"
#include "pine/vm/time_zone.h"
#include "tick_grid.h"

namespace pine {

class StringTable;

/// An order waiting to fill: from strategy.entry, strategy.order,
/// strategy.close or strategy.close_all.
struct PendingOrder {
  enum class Kind : std::uint8_t { Entry, Order, Close, CloseAll };
  Kind kind = Kind::Entry;
  std::string id;            ///< the order id; for Close the entry id whose trades it closes
  std::int64_t direction = 0; ///< +1 buy, -1 sell (Entry, Order)
  double qty = 0;            ///< contracts (Entry, Order); Close: NaN = all of id's trades
  double qty_percent = 100;  ///< Close: percent of id's trades when qty is NaN
  double limit = kFloatNa;   ///< on the tick grid, NaN when none
  double stop = kFloatNa;    ///< on the tick grid, NaN when none
  bool stop_triggered = false; ///< a stop-limit whose stop was reached: now a limit order
  std::string oca_name;
  OcaType oca_type = OcaType::None;
  std::string comment;
  std::int64_t placed_bar = 0; ///< bar index of its latest placement
  std::uint64_t seq = 0;       ///< placement order (ties fill in this order)

  bool is_market() const { return limit != limit && stop != stop; }
};

/// A strategy.exit call: the exits it keeps on the trades it covers.
struct ExitRule {
  std::string id;
  std::string from_entry; ///< empty: every trade
  double qty = kFloatNa;  ///< contracts over its trades; NaN: qty_percent of each
  double qty_percent = 100;
  double profit = kFloatNa, limit = kFloatNa, loss = kFloatNa, stop = kFloatNa; ///< ticks / prices
  double trail_price = kFloatNa, trail_points = kFloatNa, trail_offset = kFloatNa;
  std::string oca_name, comment, comment_profit, comment_loss, comment_trailing;
  std::int64_t placed_bar = 0; ///< it covers trades whose entry order was placed by then
  std::uint64_t seq = 0;
  /// Per covered trade: what it has closed of it and its trailing stop.
  struct Leg {
    std::int64_t trade = 0;   ///< TradeRecord::number
    double allocated = 0;     ///< contracts this rule may close of it
    double closed = 0;        ///< contracts closed so far
    bool trail_active = false;
    double trail_best = kFloatNa; ///< best price since activation
  };
  std::vector<Leg> legs;
};

/// Running statistics of monthly returns (Broker::months_).
struct MonthlyReturns {
  std::int64_t count = 0;
  double mean = 0;
  double m2 = 0;       ///< sum of squared deviations from the mean
  double downside = 0; ///< sum of min(0, r - risk-free)^2

  /// Adds return `r`; `rf` is the monthly risk-free rate.
  void add(double r, double rf) {
    count += 1;
    const double delta = r - mean;
    mean += delta / static_cast<double>(count);
    m2 += delta * (r - mean);
    const double below = r < rf ? r - rf : 0.0;
    downside += below * below;
  }
};

/// The strategy.risk.* rules in force (set by the script each bar).
struct RiskRules {
  std::int64_t allow_entry_in = kDirectionAll;
  std::int64_t max_cons_loss_days = kIntNa;
  double max_drawdown = kFloatNa;
  bool max_drawdown_percent = false;
  std::int64_t max_intraday_filled_orders = kIntNa;
  double max_intraday_loss = kFloatNa;
  bool max_intraday_loss_percent = false;
  double max_position_size = kFloatNa;
};

/// What the risk rules count (per trading day and over the whole run).
struct RiskState {
  std::int64_t day = kIntNa;          ///< current trading day (days since 1970 in the exchange zone)
  double day_start_equity = 0;
  std::int64_t day_fills = 0;
  std::int64_t losing_days = 0;       ///< consecutive losing days so far
  bool halted_for_day = false;        ///< a daily rule fired: no orders until the next day
  bool halted = false;                ///< max_drawdown or max_cons_loss_days fired: no more orders
};

/// The running totals of the ledger behind the strategy.* variables.
struct LedgerTotals {
  double netprofit = 0;
  double grossprofit = 0;
  double grossloss = 0; ///< a positive number
  std::int64_t wins = 0, losses = 0, evens = 0;
  double commission_paid = 0;
  double max_held_all = 0, max_held_long = 0, max_held_short = 0;
  /// Equity extremes along the price path, for max drawdown and run-up.
  double peak_equity = 0, trough_equity = 0;
  double max_drawdown = 0, max_drawdown_percent = 0;
  double max_runup = 0, max_runup_percent = 0;
  /// Sums of the closed trades' profit percents (all, winners, losers).
  double sum_profit_percent = 0, sum_win_percent = 0, sum_loss_percent = 0;
  std::int64_t margin_calls = 0;
};

class Broker {
public:
  /// `settings` from the program, the symbol facts from the configuration;
  /// throws std::invalid_argument for what pinevm cannot simulate (another
  /// account currency, calc_on_order_fills).
  Broker(const StrategySettings& settings, const SymbolInfo& symbol, const TimeZone& tz);

  /// Fills pending orders along the price path of chart bar `bar` (number
  /// `bar_index`): its own open, high, low and close, or, with the bar
  /// magnifier and `intrabars` given, each intrabar's in turn.
  void begin_bar(const Bar& bar, std::int64_t bar_index, std::span<const Bar> intrabars);
  /// After the script's execution on the bar: process_orders_on_close fills.
  void end_bar();

  /// Runs strategy function `fn` on argument registers `args`, writing its
  /// results (if any) to `results`. Returns nullptr, or a runtime error
  /// message for a bad argument.
  const char* call(StrategyFn fn, const Value* args, Value* results, StringTable& strings);

  /// Writes the strategy.* variables into the main frame's slots from
  /// kBuiltinVarSlots on, marked to the current bar's close.
  void load_variables(Value* slots) const;

  const StrategySettings& settings() const { return settings_; }
  std::span<const TradeRecord> closed_trades() const { return closed_; }
  std::span<const TradeRecord> open_trades() const { return open_; }
  const LedgerTotals& totals() const { return totals_; }
  /// The Performance Summary of the ledger so far (report.cpp).
  StrategyReport report() const;
  /// Signed position size, and its average entry price (NaN when flat).
  double position_size() const;
  double position_avg_price() const;
  /// Open profit of the open trades at `price`, their entry commissions
  /// deducted.
  double open_profit(double price) const;
  /// initial capital + net profit + open profit at `price`.
  double equity(double price) const { return settings_.initial_capital + totals_.netprofit + open_profit(price); }
  /// The chart bar being (or last) processed.
  const Bar& bar() const { return bar_; }

  // The state, walked directly by the archive (strategy_archive.cpp).
  std::vector<PendingOrder> orders_;
  std::vector<ExitRule> exits_;
  std::vector<TradeRecord> open_;
  std::vector<TradeRecord> closed_;
  std::int64_t next_trade_number_ = 1;
  std::uint64_t next_seq_ = 1;
  LedgerTotals totals_;
  RiskRules risk_;
  RiskState risk_state_;
  double last_equity_ = 0;     ///< equity at the last price marked
  // For the report (report.cpp): buy and hold from the first bar's open,
  // and the equity's monthly returns (calendar months in the exchange zone).
  double first_open_ = kFloatNa;
  std::int64_t month_ = kIntNa;     ///< year * 12 + month - 1 of the current bar
  double month_start_equity_ = 0;   ///< equity when the current month began
  /// The returns of the months that ended, as fractions, summarised as
  /// they come (Welford's mean and sum of squared deviations, and the sum
  /// of squared shortfalls below the monthly risk-free rate): no list grows
  /// with the run, so a bar allocates nothing.
  MonthlyReturns months_;
  Bar bar_{};                  ///< the chart bar being processed
  std::int64_t bar_index_ = -1;

private:
  /// Something that happens at a price: an order or exit filling, a
  /// stop-limit's stop triggering, a trailing stop activating.
  struct Event {
    enum class What : std::uint8_t { FillOrder, TriggerStop, ExitProfit, ExitLoss, ExitTrail, ActivateTrail };
    What what = What::FillOrder;
    std::size_t order = 0;  ///< index into orders_ (FillOrder, TriggerStop)
    std::size_t rule = 0;   ///< index into exits_ (the exit events)
    std::int64_t trade = 0; ///< trade number (the exit events)
    double level = 0;       ///< the price at which it happens
    double fill = 0;        ///< its fill price before slippage
    bool slips = false;     ///< a market or stop fill: slippage applies
    double distance = 0;    ///< from the current price along the leg
    std::uint64_t seq = 0;  ///< ties go to the earlier placement
  };
  /// The prices of one exit rule on one trade.
  struct ExitLevels {
    double take_profit = kFloatNa;
    double stop = kFloatNa;       ///< the stop-loss or the trailing stop, whichever is nearer
    bool stop_is_trail = false;
    double trail_activation = kFloatNa; ///< until the trailing stop is active
  };

  // Commands and queries (broker.cpp).
  double default_qty(double price) const;
  double floor_to_step(double qty) const;
  void trade_query(StrategyFn fn, std::int64_t index, Value& result, StringTable& strings) const;
  double liquidation_price(double pos, double price, double equity_now) const;
  ExitRule::Leg* find_leg(ExitRule& rule, std::int64_t trade);
  const TradeRecord* find_open_trade(std::int64_t number) const;
  /// Gives each exit rule a leg on every open trade it covers.
  void attach_exits();
  ExitLevels exit_levels(const ExitRule& rule, const ExitRule::Leg& leg, const TradeRecord& t) const;
  std::int64_t trading_day(std::int64_t time) const;
  void start_day(std::int64_t time, double open);
  /// Month bookkeeping for the Sharpe and Sortino ratios (report.cpp).
  void start_month(std::int64_t time);
  /// risk_free_rate (annual, percent) as a monthly fraction.
  double monthly_risk_free() const { return settings_.risk_free_rate / 100 / 12; }
  /// A margin call at `price` when the equity no longer covers the
  /// position's margin (TradingView's algorithm, docs/strategies.md); true
  /// when it liquidated.
  bool check_margin(double price, double eq);
  /// Runs the risk rules at `price` (equity `eq`); true when one fired.
  bool check_risk(double price, double eq);
  /// Cancels every order and exit and closes the position at `price`;
  /// stops trading for the day or for good.
  void force_close(double price, const char* reason, bool for_good);

  // The price path and fills (fills.cpp).
  void run_unit(double open, double high, double low, double close, bool first_unit);
  void fill_market_orders(double price);
  /// The first thing that happens between `cur` and `to` (or at `cur`).
  bool next_event(double cur, double to, Event& out) const;
  void fill_at(double price);
  void walk(double from, double to);
  void handle(const Event& e);
  /// Passes `price`: run-ups, drawdowns, trailing stops, equity extremes,
  /// margin calls and the risk rules; true when a margin call or a risk rule
  /// changed the position, the orders or the exits (so an event found
  /// before may no longer exist).
  bool mark(double price);
  double slipped(double price, std::int64_t direction) const;
  double commission(double qty, double price, double order_qty) const;
  void execute_order(std::size_t index, double price, bool slips);
  void execute_exit(std::size_t rule, std::int64_t trade, double price, bool slips, const std::string& comment);
  void open_trade(std::int64_t dir, double qty, double price, const PendingOrder& o, double order_qty);
  void close_trades(double qty, double price, std::int64_t dir, const std::string& exit_id, const std::string& exit_comment,
                    const std::string& only_entry, std::int64_t only_trade, double order_qty);
  void after_fill(double price);

  // The price moment of the latest fill along the path and the trades
  // open before it (pyramiding of entries triggered together). Only
  // meaningful within one bar, so never archived.
  double tick_level_ = kFloatNa;
  std::size_t tick_open_trades_ = 0;

  StrategySettings settings_;
  SymbolInfo symbol_;
  TimeZone tz_;
  TickGrid grid_;
};

} // namespace pine
