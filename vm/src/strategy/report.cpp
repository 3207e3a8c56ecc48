// The Performance Summary of a strategy (pine/vm/strategy_report.h): the
// trade figures per direction from the ledger, the account figures from the
// totals the broker keeps along the way.
#include <algorithm>
#include <cmath>

#include "broker.h"
#include "pine/vm/calendar.h"

namespace pine {

namespace {

constexpr double kNa = kFloatNa;

/// Accumulates the figures of the closed trades of one direction.
struct FigureBuilder {
  TradeFigures f;
  double pv = 1;
  double capital = 1;
  double sum_percent = 0, sum_win_percent = 0, sum_loss_percent = 0;
  double bars = 0, win_bars = 0, loss_bars = 0;

  void add(const TradeRecord& t) {
    const double percent = t.profit / (t.entry_price * t.qty * pv) * 100;
    const auto held = static_cast<double>(t.exit_bar_index - t.entry_bar_index);
    f.total_closed_trades += 1;
    f.net_profit += t.profit;
    f.commission_paid += t.entry_commission + t.exit_commission;
    sum_percent += percent;
    bars += held;
    if (t.profit > 0) {
      f.number_winning_trades += 1;
      f.gross_profit += t.profit;
      sum_win_percent += percent;
      win_bars += held;
      if (t.profit > f.largest_winning_trade) {
        f.largest_winning_trade = t.profit;
        f.largest_winning_trade_percent = percent;
      }
    } else if (t.profit < 0) {
      f.number_losing_trades += 1;
      f.gross_loss -= t.profit;
      sum_loss_percent -= percent;
      loss_bars += held;
      if (-t.profit > f.largest_losing_trade) {
        f.largest_losing_trade = -t.profit;
        f.largest_losing_trade_percent = -percent;
      }
    } else {
      f.number_even_trades += 1;
    }
  }

  /// The averages and ratios, once every trade is in.
  TradeFigures finish() {
    const auto n = static_cast<double>(f.total_closed_trades);
    const auto wins = static_cast<double>(f.number_winning_trades);
    const auto losses = static_cast<double>(f.number_losing_trades);
    f.net_profit_percent = f.net_profit / capital * 100;
    f.gross_profit_percent = f.gross_profit / capital * 100;
    f.gross_loss_percent = f.gross_loss / capital * 100;
    f.profit_factor = f.gross_loss > 0 ? f.gross_profit / f.gross_loss : kNa;
    f.percent_profitable = n > 0 ? wins / n * 100 : kNa;
    f.avg_trade = n > 0 ? f.net_profit / n : kNa;
    f.avg_trade_percent = n > 0 ? sum_percent / n : kNa;
    f.avg_winning_trade = wins > 0 ? f.gross_profit / wins : kNa;
    f.avg_winning_trade_percent = wins > 0 ? sum_win_percent / wins : kNa;
    f.avg_losing_trade = losses > 0 ? f.gross_loss / losses : kNa;
    f.avg_losing_trade_percent = losses > 0 ? sum_loss_percent / losses : kNa;
    f.ratio_avg_win_loss = wins > 0 && losses > 0 ? f.avg_winning_trade / f.avg_losing_trade : kNa;
    f.avg_bars_in_trades = n > 0 ? bars / n : kNa;
    f.avg_bars_in_winning_trades = wins > 0 ? win_bars / wins : kNa;
    f.avg_bars_in_losing_trades = losses > 0 ? loss_bars / losses : kNa;
    return f;
  }
};

/// The month number (year * 12 + month - 1) of `time` in `tz`; na for a
/// time outside the calendar's range.
std::int64_t month_of(std::int64_t time, const TimeZone& tz) {
  if (calendar_field(CalendarField::Year, time, tz) == kIntNa) return kIntNa;
  return calendar_field(CalendarField::Year, time, tz) * 12 + calendar_field(CalendarField::Month, time, tz) - 1;
}

} // namespace

void Broker::start_month(std::int64_t time) {
  const std::int64_t month = month_of(time, tz_);
  if (month == month_) return;
  // The month that ended, from its first equity to its last.
  const bool first = month_ == kIntNa;
  if (!first && month_start_equity_ != 0)
    months_.add((last_equity_ - month_start_equity_) / month_start_equity_, monthly_risk_free());
  month_ = month;
  month_start_equity_ = first ? settings_.initial_capital : last_equity_;
}

StrategyReport Broker::report() const {
  StrategyReport r;
  const double capital = settings_.initial_capital;
  const double pv = symbol_.pointvalue;
  r.initial_capital = capital;
  r.open_profit = bar_index_ >= 0 ? open_profit(bar_.close) : 0;
  r.open_profit_percent = r.open_profit / capital * 100;
  r.equity = capital + totals_.netprofit + r.open_profit;
  r.max_drawdown = totals_.max_drawdown;
  r.max_drawdown_percent = totals_.max_drawdown_percent;
  r.max_runup = totals_.max_runup;
  r.max_runup_percent = totals_.max_runup_percent;
  r.margin_calls = totals_.margin_calls;
  // Buy and hold: the initial capital in the symbol at the first open,
  // valued at the last close.
  if (bar_index_ >= 0 && first_open_ > 0) {
    r.buy_hold_return_percent = (bar_.close - first_open_) / first_open_ * 100;
    r.buy_hold_return = capital * (bar_.close - first_open_) / first_open_;
  }
  // Sharpe and Sortino from the monthly returns, the current month's so far
  // included; the risk-free rate is annual, so a twelfth a month.
  const double rf = monthly_risk_free();
  MonthlyReturns months = months_;
  if (month_ != kIntNa && month_start_equity_ != 0) months.add((r.equity - month_start_equity_) / month_start_equity_, rf);
  r.sharpe_ratio = r.sortino_ratio = kNa;
  if (months.count >= 2) {
    // Population deviations (divided by the number of months).
    const auto n = static_cast<double>(months.count);
    const double sd = std::sqrt(months.m2 / n);
    const double dd = std::sqrt(months.downside / n);
    r.sharpe_ratio = sd > 0 ? (months.mean - rf) / sd : kNa;
    r.sortino_ratio = dd > 0 ? (months.mean - rf) / dd : kNa;
  }
  FigureBuilder all{{}, pv, capital}, longs{{}, pv, capital}, shorts{{}, pv, capital};
  for (const TradeRecord& t : closed_) {
    all.add(t);
    (t.direction > 0 ? longs : shorts).add(t);
  }
  for (const TradeRecord& t : open_) {
    FigureBuilder& side = t.direction > 0 ? longs : shorts;
    for (FigureBuilder* b : {&all, &side}) {
      b->f.total_open_trades += 1;
      b->f.commission_paid += t.entry_commission;
    }
  }
  all.f.max_contracts_held = totals_.max_held_all;
  longs.f.max_contracts_held = totals_.max_held_long;
  shorts.f.max_contracts_held = totals_.max_held_short;
  r.all = all.finish();
  r.long_trades = longs.finish();
  r.short_trades = shorts.finish();
  return r;
}

} // namespace pine
