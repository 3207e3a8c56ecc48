// Strategies: the settings a `strategy()` declaration fixes, the values of
// the strategy.* constants, and the records of the ledger a host can read
// (trades, and the running totals behind the strategy.* variables).
//
// The broker emulator that fills orders and keeps the ledger is private to
// the VM (vm/src/strategy/); docs/strategies.md describes its fill model.
#pragma once

#include <cstdint>
#include <string>

#include "pine/vm/value.h"

namespace pine {

/// How strategy.entry/order size an order given no `qty`.
enum class QtyType : std::uint8_t {
  Fixed,           ///< default_qty_value contracts
  Cash,            ///< default_qty_value in the account currency
  PercentOfEquity, ///< default_qty_value percent of the equity
};

/// How commission is charged on each fill.
enum class CommissionType : std::uint8_t {
  Percent,         ///< commission_value percent of the fill's value
  CashPerContract, ///< commission_value per contract
  CashPerOrder,    ///< commission_value per filled order
};

/// What filling one order of a one-cancels-all group does to the others.
enum class OcaType : std::uint8_t { None, Cancel, Reduce };

// The values of the strategy.* named constants. pinevm has no
// strategy_direction or qty-type types: the constants are const ints, and
// the commands check the values they receive.
inline constexpr std::int64_t kStrategyLong = 1;   ///< strategy.long, strategy.direction.long
inline constexpr std::int64_t kStrategyShort = -1; ///< strategy.short, strategy.direction.short
inline constexpr std::int64_t kDirectionAll = 0;   ///< strategy.direction.all
/// strategy.fixed, strategy.cash, strategy.percent_of_equity: a QtyType.
/// strategy.commission.*: a CommissionType. strategy.oca.*: an OcaType.

/// The settings of a strategy() declaration. Every argument of strategy() is
/// const in Pine, so these are fixed when the script compiles and are part
/// of the program (its hash covers them).
struct StrategySettings {
  double initial_capital = 1'000'000;
  /// The account currency: empty for currency.NONE (the symbol's). Another
  /// currency needs daily conversion rates pinevm has no feed for, so an
  /// instance rejects one that differs from syminfo.currency.
  std::string currency;
  QtyType default_qty_type = QtyType::Fixed;
  double default_qty_value = 1;
  /// Open entries allowed in one direction; 0 behaves as 1.
  std::int64_t pyramiding = 0;
  CommissionType commission_type = CommissionType::Percent;
  double commission_value = 0;
  /// Ticks added against the trader to market and stop fills.
  std::int64_t slippage = 0;
  bool process_orders_on_close = false;
  /// close_entries_rule "ANY" (exits close the trades they name) instead of
  /// "FIFO" (exits close the oldest trades first).
  bool close_entries_any = false;
  double margin_long = 100;  ///< percent of a long position's value that must be covered
  double margin_short = 100; ///< the same for shorts
  bool calc_on_order_fills = false;
  bool calc_on_every_tick = false;
  bool use_bar_magnifier = false;
  bool fill_orders_on_standard_ohlc = false;
  /// Ticks price must pass a limit order's price before it fills.
  std::int64_t backtest_fill_limits_assumption = 0;
  double risk_free_rate = 2; ///< annual percent, for the Sharpe and Sortino ratios

  bool operator==(const StrategySettings&) const = default;
};

/// One trade of the ledger: an entry fill and, once closed, its exit. A
/// partial exit splits a trade: the closed part becomes a closed trade with
/// the closed quantity and the rest stays open with the same number.
struct TradeRecord {
  std::int64_t number = 0;  ///< 1-based, in order of entry (TradingView's "Trade #")
  std::int64_t direction = 0; ///< kStrategyLong or kStrategyShort
  double qty = 0;           ///< contracts, > 0
  std::string entry_id;     ///< the entry order's id
  std::string entry_comment; ///< its comment; empty when it had none
  double entry_price = kFloatNa;
  std::int64_t entry_bar_index = 0;
  std::int64_t entry_time = 0; ///< open time of the chart bar of the entry fill
  double entry_commission = 0;
  std::string exit_id;      ///< the exit order's id (closed trades)
  std::string exit_comment; ///< the exit's comment or signal text; empty when none
  double exit_price = kFloatNa;
  std::int64_t exit_bar_index = kIntNa;
  std::int64_t exit_time = kIntNa;
  double exit_commission = 0;
  /// Best and worst open profit seen while the trade was open, in the
  /// account currency, entry commission included: >= 0 and <= 0.
  double max_runup = 0;
  double max_drawdown = 0;
  double profit = 0;            ///< closed trades: net profit, both commissions included
  /// Closed trades: the net profit of the ledger just after it closed, less
  /// the entry commissions of the trades still open then (TradingView's
  /// "Cumulative P&L": the realised change of equity).
  double cumulative_profit = 0;
  /// The most favourable and most adverse prices seen while it was open
  /// (max_runup and max_drawdown are derived from them).
  double best_price = kFloatNa;
  double worst_price = kFloatNa;
  /// Bar index at which its entry order was last placed: a strategy.exit
  /// naming the entry covers it only if called on that bar or later.
  std::int64_t entry_order_bar = 0;

  bool operator==(const TradeRecord&) const = default;
};

} // namespace pine
