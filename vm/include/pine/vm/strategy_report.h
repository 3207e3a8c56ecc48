// A strategy's Performance Summary, Trades Analysis and Risk/Performance
// Ratios (the tabs of TradingView's Strategy Tester), computed from the
// instance's ledger (Instance::strategy_report). docs/strategies.md defines
// every figure and says where TradingView leaves a definition open.
#pragma once

#include <cstdint>

namespace pine {

/// The figures TradingView shows per direction (All, Long, Short). Money in
/// the account currency; percents of the initial capital unless said
/// otherwise; NaN where a figure has no value (an average of no trades).
struct TradeFigures {
  double net_profit = 0, net_profit_percent = 0;
  double gross_profit = 0, gross_profit_percent = 0;
  double gross_loss = 0, gross_loss_percent = 0; ///< positive numbers
  double profit_factor = 0;                      ///< gross profit / gross loss (NaN without losses)
  double commission_paid = 0;                    ///< closed trades' and open trades' entry commissions
  double max_contracts_held = 0;
  std::int64_t total_closed_trades = 0, total_open_trades = 0;
  std::int64_t number_winning_trades = 0, number_losing_trades = 0, number_even_trades = 0;
  double percent_profitable = 0;                 ///< winning / closed trades x 100
  double avg_trade = 0, avg_trade_percent = 0;   ///< percent: the mean of the trades' profit percents
  double avg_winning_trade = 0, avg_winning_trade_percent = 0;
  double avg_losing_trade = 0, avg_losing_trade_percent = 0; ///< positive numbers
  double ratio_avg_win_loss = 0;
  double largest_winning_trade = 0, largest_winning_trade_percent = 0;
  double largest_losing_trade = 0, largest_losing_trade_percent = 0; ///< positive numbers
  double avg_bars_in_trades = 0, avg_bars_in_winning_trades = 0, avg_bars_in_losing_trades = 0;
};

/// The whole report.
struct StrategyReport {
  double initial_capital = 0;
  double open_profit = 0, open_profit_percent = 0; ///< at the last close
  double equity = 0;
  double max_drawdown = 0, max_drawdown_percent = 0; ///< of equity along the price path
  double max_runup = 0, max_runup_percent = 0;
  double buy_hold_return = 0, buy_hold_return_percent = 0;
  double sharpe_ratio = 0, sortino_ratio = 0; ///< from monthly returns; NaN with fewer than two months
  std::int64_t margin_calls = 0;
  TradeFigures all, long_trades, short_trades;
};

} // namespace pine
