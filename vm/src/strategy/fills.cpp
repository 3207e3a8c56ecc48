// The broker's price path and fills: how pending orders and exits become
// trades as a bar's prices unfold (docs/strategies.md, "Fill model").
//
// A bar (or, with the bar magnifier, each of its intrabars) is the path
// open -> nearer extreme -> other extreme -> close. Market orders fill at
// the first open; an order whose price the open has already passed fills at
// the open; along each leg of the path orders fill in the order the price
// reaches them, each at its own price. Every point the path passes marks the
// open trades (their run-up and drawdown) and the equity, and runs the risk
// rules.
#include <algorithm>
#include <cmath>

#include "broker.h"

namespace pine {

namespace {

/// Most events one leg of the path may have. Each fill closes or opens a
/// trade or removes an order, so a real bar has a handful; the bound only
/// guarantees termination.
constexpr int kMaxEventsPerLeg = 100000;

bool is_na(double x) { return x != x; }

} // namespace

void Broker::begin_bar(const Bar& bar, std::int64_t bar_index, std::span<const Bar> intrabars) {
  bar_ = bar;
  bar_index_ = bar_index;
  if (first_open_ != first_open_) first_open_ = bar.open;
  start_month(bar.time);
  start_day(bar.time, bar.open);
  if (settings_.use_bar_magnifier && !intrabars.empty()) {
    for (std::size_t i = 0; i < intrabars.size(); ++i)
      run_unit(intrabars[i].open, intrabars[i].high, intrabars[i].low, intrabars[i].close, i == 0);
  } else {
    run_unit(bar.open, bar.high, bar.low, bar.close, true);
  }
}

void Broker::end_bar() {
  if (!settings_.process_orders_on_close) return;
  fill_market_orders(bar_.close);
  fill_at(bar_.close);
  mark(bar_.close);
}

void Broker::run_unit(double open, double high, double low, double close, bool first_unit) {
  tick_level_ = kFloatNa; // a new bar: no price moment yet
  if (first_unit) fill_market_orders(open);
  fill_at(open);
  mark(open);
  // The open is nearer the high: up first (a tie goes up first too).
  const bool up_first = high - open <= open - low;
  const double first = up_first ? high : low;
  const double second = up_first ? low : high;
  walk(open, first);
  walk(first, second);
  walk(second, close);
}

void Broker::fill_market_orders(double price) {
  // In placement order; a fill can cancel later orders (OCA), so the index
  // is looked at afresh after each.
  for (std::size_t i = 0; i < orders_.size();) {
    if (!orders_[i].is_market()) {
      ++i;
      continue;
    }
    execute_order(i, price, true);
  }
}

bool Broker::next_event(double cur, double to, Event& out) const {
  const int dir = to > cur ? 1 : (to < cur ? -1 : 0);
  // Ticks a limit needs price to go through; counted on the tick grid (not
  // as limit - k * mintick in doubles, which can land a hair beyond the
  // grid price k ticks away, so that exactly k ticks through never fills).
  const auto assume = static_cast<double>(settings_.backtest_fill_limits_assumption);
  bool found = false;
  // `up`: the event happens when price rises to `level` (a buy stop, a sell
  // limit), else when it falls to it. Already past it: it happens here, at
  // the current price (a gap); ahead on this leg: at `level`, filling at
  // e.fill.
  auto consider = [&](Event e, bool up, double level) {
    if (up ? cur >= level : cur <= level) {
      e.distance = 0;
      e.level = cur;
      e.fill = cur;
    } else if (up ? (dir > 0 && level <= to) : (dir < 0 && level >= to)) {
      e.distance = std::fabs(level - cur);
      e.level = level;
    } else {
      return;
    }
    if (!found || e.distance < out.distance || (e.distance == out.distance && e.seq < out.seq)) out = e;
    found = true;
  };
  for (std::size_t i = 0; i < orders_.size(); ++i) {
    const PendingOrder& o = orders_[i];
    if (o.is_market()) continue;
    const bool buy = o.direction > 0;
    Event e;
    e.order = i;
    e.seq = o.seq;
    if (!is_na(o.stop) && !o.stop_triggered) {
      // A stop, or a stop-limit's stop (which then works as a limit order).
      e.what = is_na(o.limit) ? Event::What::FillOrder : Event::What::TriggerStop;
      e.slips = true;
      e.fill = o.stop;
      consider(e, buy, o.stop);
    } else {
      // A limit fills at its price once price has passed it by `assume`.
      e.what = Event::What::FillOrder;
      e.fill = o.limit;
      consider(e, !buy, grid_.offset(o.limit, buy ? -assume : assume));
    }
  }
  for (std::size_t r = 0; r < exits_.size(); ++r) {
    const ExitRule& rule = exits_[r];
    for (const ExitRule::Leg& leg : rule.legs) {
      const TradeRecord* t = find_open_trade(leg.trade);
      if (t == nullptr) continue;
      if (leg.closed >= leg.allocated) continue;
      const ExitLevels lv = exit_levels(rule, leg, *t);
      // Closing a long sells: its take-profit is a sell limit (up), its
      // stops sell stops (down).
      const bool long_trade = t->direction > 0;
      Event e;
      e.rule = r;
      e.trade = t->number;
      e.seq = rule.seq;
      if (!is_na(lv.take_profit)) {
        e.what = Event::What::ExitProfit;
        e.fill = lv.take_profit;
        consider(e, long_trade, grid_.offset(lv.take_profit, long_trade ? assume : -assume));
      }
      if (!is_na(lv.stop)) {
        e.what = lv.stop_is_trail ? Event::What::ExitTrail : Event::What::ExitLoss;
        e.fill = lv.stop;
        e.slips = true;
        consider(e, !long_trade, lv.stop);
        e.slips = false;
      }
      if (!is_na(lv.trail_activation)) {
        e.what = Event::What::ActivateTrail;
        e.fill = lv.trail_activation;
        consider(e, long_trade, lv.trail_activation);
      }
    }
  }
  return found;
}

void Broker::fill_at(double price) {
  Event e;
  for (int n = 0; n < kMaxEventsPerLeg && next_event(price, price, e); ++n) handle(e);
}

void Broker::walk(double from, double to) {
  Event e;
  for (int n = 0; n < kMaxEventsPerLeg && next_event(from, to, e); ++n) {
    from = e.level;
    handle(e);
  }
  mark(to);
}

void Broker::handle(const Event& e) {
  switch (e.what) {
    case Event::What::FillOrder:
      // A margin call or a risk rule changed the book: the caller looks
      // for the next event again (this one may be gone).
      if (mark(e.level)) return;
      if (e.level != tick_level_) {
        tick_level_ = e.level;
        tick_open_trades_ = open_.size();
      }
      execute_order(e.order, e.fill, e.slips);
      return;
    case Event::What::TriggerStop:
      orders_[e.order].stop_triggered = true;
      return;
    case Event::What::ActivateTrail:
      if (ExitRule::Leg* leg = find_leg(exits_[e.rule], e.trade)) {
        leg->trail_active = true;
        leg->trail_best = e.fill;
      }
      return;
    case Event::What::ExitProfit:
    case Event::What::ExitLoss:
    case Event::What::ExitTrail: {
      if (mark(e.level)) return; // as for FillOrder
      const ExitRule& rule = exits_[e.rule];
      const std::string* comment = &rule.comment;
      if (e.what == Event::What::ExitProfit && !rule.comment_profit.empty()) comment = &rule.comment_profit;
      if (e.what == Event::What::ExitLoss && !rule.comment_loss.empty()) comment = &rule.comment_loss;
      if (e.what == Event::What::ExitTrail && !rule.comment_trailing.empty()) comment = &rule.comment_trailing;
      execute_exit(e.rule, e.trade, e.fill, e.slips, *comment);
      return;
    }
  }
}

bool Broker::mark(double price) {
  for (TradeRecord& t : open_) {
    if ((price - t.best_price) * static_cast<double>(t.direction) > 0) t.best_price = price;
    if ((price - t.worst_price) * static_cast<double>(t.direction) < 0) t.worst_price = price;
  }
  // Trailing stops follow the best price since their activation.
  for (ExitRule& rule : exits_)
    for (ExitRule::Leg& leg : rule.legs) {
      if (!leg.trail_active) continue;
      const TradeRecord* t = find_open_trade(leg.trade);
      if (t != nullptr && (price - leg.trail_best) * static_cast<double>(t->direction) > 0) leg.trail_best = price;
    }
  const double eq = equity(price);
  LedgerTotals& s = totals_;
  s.peak_equity = std::max(s.peak_equity, eq);
  s.trough_equity = std::min(s.trough_equity, eq);
  s.max_drawdown = std::max(s.max_drawdown, s.peak_equity - eq);
  s.max_drawdown_percent = std::max(s.max_drawdown_percent, (s.peak_equity - eq) / s.peak_equity * 100);
  s.max_runup = std::max(s.max_runup, eq - s.trough_equity);
  if (s.trough_equity > 0) s.max_runup_percent = std::max(s.max_runup_percent, (eq - s.trough_equity) / s.trough_equity * 100);
  // A margin call closes at this price, which moves no equity: eq holds.
  const bool liquidated = check_margin(price, eq);
  return check_risk(price, eq) || liquidated;
}

double Broker::slipped(double price, std::int64_t direction) const {
  if (settings_.slippage == 0) return price;
  return grid_.offset(price, static_cast<double>(settings_.slippage * direction));
}

double Broker::commission(double qty, double price, double order_qty) const {
  switch (settings_.commission_type) {
    case CommissionType::Percent: return settings_.commission_value / 100 * qty * price * symbol_.pointvalue;
    case CommissionType::CashPerContract: return settings_.commission_value * qty;
    // One fee per order, shared by its legs (a reversal) in proportion.
    case CommissionType::CashPerOrder: return order_qty > 0 ? settings_.commission_value * qty / order_qty : 0;
  }
  return 0;
}

void Broker::execute_order(std::size_t index, double price, bool slips) {
  PendingOrder o = std::move(orders_[index]);
  orders_.erase(orders_.begin() + static_cast<std::ptrdiff_t>(index));
  const double pos = position_size();
  std::int64_t dir = o.direction;
  double closes = 0; // the part that closes open trades
  double opens = 0;  // the part that opens a new trade
  std::string exit_id = o.id;
  switch (o.kind) {
    case PendingOrder::Kind::Entry: {
      const bool same = pos * static_cast<double>(dir) > 0;
      if (risk_.allow_entry_in != kDirectionAll && risk_.allow_entry_in != dir) {
        // An entry against allow_entry_in only closes the opposite position.
        if (pos * static_cast<double>(dir) >= 0) return;
        closes = std::fabs(pos);
        break;
      }
      // Price entries that trigger at one moment all count against the
      // trades open before it, so they can all fill past the limit (as
      // the User Manual says); market entries count every fill.
      const std::size_t held = o.is_market() ? open_.size() : std::min(open_.size(), tick_open_trades_);
      if (same && static_cast<std::int64_t>(held) >= std::max<std::int64_t>(1, settings_.pyramiding)) return;
      opens = o.qty;
      if (!is_na(risk_.max_position_size)) opens = std::max(0.0, std::min(opens, risk_.max_position_size - (same ? std::fabs(pos) : 0)));
      if (opens <= 0 && same) return;
      closes = same ? 0 : std::fabs(pos);
      break;
    }
    case PendingOrder::Kind::Order: {
      // Nets against the position: closes first, opens the rest.
      closes = pos * static_cast<double>(dir) < 0 ? std::min(o.qty, std::fabs(pos)) : 0;
      opens = o.qty - closes;
      break;
    }
    case PendingOrder::Kind::Close:
    case PendingOrder::Kind::CloseAll: {
      double held = 0;
      for (const TradeRecord& t : open_)
        if (o.kind == PendingOrder::Kind::CloseAll || t.entry_id == o.id) held += t.qty;
      closes = !is_na(o.qty) ? std::min(o.qty, held) : o.qty_percent >= 100 ? held : floor_to_step(held * o.qty_percent / 100);
      dir = pos > 0 ? -1 : 1;
      exit_id = o.kind == PendingOrder::Kind::CloseAll ? "Close position order" : "Close entry(s) order " + o.id;
      break;
    }
  }
  // Computed apart, not as a difference: (a + b) - a is not always b.
  const double fill_qty = closes + opens;
  if (!(fill_qty > 0)) return;
  const double fill = slips ? slipped(price, dir) : price;
  const bool named = o.kind == PendingOrder::Kind::Close && settings_.close_entries_any;
  if (closes > 0) close_trades(closes, fill, dir, exit_id, o.comment, named ? o.id : std::string(), 0, fill_qty);
  if (closes > 0 && opens > 0) {
    // A reversal ends the exits meant for the old position: those naming
    // no entry that were placed before the reversing order (its own bar's
    // exits are meant for the new position).
    std::erase_if(exits_, [&](const ExitRule& r) { return r.from_entry.empty() && r.placed_bar < o.placed_bar; });
  }
  if (opens > 0) open_trade(dir, opens, fill, o, fill_qty);
  risk_state_.day_fills += 1;
  // One-cancels-all: the group's other orders go, or shrink by the fill.
  if (o.oca_type != OcaType::None && !o.oca_name.empty()) {
    std::erase_if(orders_, [&](PendingOrder& other) {
      if (other.oca_name != o.oca_name || other.oca_type != o.oca_type) return false;
      return o.oca_type == OcaType::Cancel || (other.qty -= fill_qty) <= 0;
    });
  }
  after_fill(fill);
}

void Broker::execute_exit(std::size_t rule_index, std::int64_t trade, double price, bool slips, const std::string& comment) {
  ExitRule& rule = exits_[rule_index];
  ExitRule::Leg* leg = find_leg(rule, trade);
  const TradeRecord* t = find_open_trade(trade);
  if (leg == nullptr || t == nullptr) return;
  const double qty = std::min(leg->allocated - leg->closed, t->qty);
  if (qty <= 0) return;
  const std::int64_t dir = -t->direction;
  const double fill = slips ? slipped(price, dir) : price;
  leg->closed += qty;
  // Copies: closing the trade may drop the rule (the position goes flat).
  const std::string id = rule.id, text = comment;
  close_trades(qty, fill, dir, id, text, std::string(), trade, qty);
  risk_state_.day_fills += 1;
  after_fill(fill);
}

void Broker::open_trade(std::int64_t dir, double qty, double price, const PendingOrder& o, double order_qty) {
  TradeRecord t;
  t.number = next_trade_number_++;
  t.direction = dir;
  t.qty = qty;
  t.entry_id = o.id;
  t.entry_comment = o.comment;
  t.entry_price = price;
  t.entry_bar_index = bar_index_;
  t.entry_time = bar_.time;
  t.entry_commission = commission(qty, price, order_qty);
  t.best_price = price;
  t.worst_price = price;
  t.entry_order_bar = o.placed_bar;
  totals_.commission_paid += t.entry_commission;
  open_.push_back(std::move(t));
}

void Broker::close_trades(double qty, double price, std::int64_t dir, const std::string& exit_id,
                          const std::string& exit_comment, const std::string& only_entry, std::int64_t only_trade,
                          double order_qty) {
  const double pv = symbol_.pointvalue;
  double remaining = qty;
  for (std::size_t i = 0; i < open_.size() && remaining > 0;) {
    TradeRecord& t = open_[i];
    // FIFO closes the oldest trades first, whatever the exit names; under
    // close_entries_rule "ANY" an exit closes the trades it names.
    bool eligible = t.direction == -dir;
    if (!only_entry.empty()) eligible = eligible && t.entry_id == only_entry;
    if (only_trade != 0 && settings_.close_entries_any) eligible = eligible && t.number == only_trade;
    if (!eligible) {
      ++i;
      continue;
    }
    const double take = std::min(remaining, t.qty);
    TradeRecord closed = t;
    closed.qty = take;
    closed.entry_commission = take == t.qty ? t.entry_commission : t.entry_commission * take / t.qty;
    closed.exit_id = exit_id;
    closed.exit_comment = exit_comment;
    closed.exit_price = price;
    closed.exit_bar_index = bar_index_;
    closed.exit_time = bar_.time;
    closed.exit_commission = commission(take, price, order_qty);
    const double d = static_cast<double>(t.direction);
    // The exit's own fill (slippage included) is the last price it saw.
    if ((price - t.best_price) * d > 0) closed.best_price = t.best_price = price;
    if ((price - t.worst_price) * d < 0) closed.worst_price = t.worst_price = price;
    closed.profit = d * (price - t.entry_price) * take * pv - closed.entry_commission - closed.exit_commission;
    closed.max_runup = std::max(0.0, d * (closed.best_price - t.entry_price) * take * pv - closed.entry_commission);
    closed.max_drawdown = std::min(0.0, d * (closed.worst_price - t.entry_price) * take * pv - closed.entry_commission);
    totals_.commission_paid += closed.exit_commission;
    totals_.netprofit += closed.profit;
    const double percent = closed.profit / (t.entry_price * take * pv) * 100;
    totals_.sum_profit_percent += percent;
    if (closed.profit > 0) {
      totals_.grossprofit += closed.profit;
      totals_.wins += 1;
      totals_.sum_win_percent += percent;
    } else if (closed.profit < 0) {
      totals_.grossloss -= closed.profit;
      totals_.losses += 1;
      totals_.sum_loss_percent += percent;
    } else {
      totals_.evens += 1;
    }
    remaining -= take;
    if (take == t.qty) {
      open_.erase(open_.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      t.qty -= take;
      t.entry_commission -= closed.entry_commission;
      ++i;
    }
    // Realised equity change: net profit less the entry commissions the
    // still-open trades have already paid.
    double held_commission = 0;
    for (const TradeRecord& o : open_) held_commission += o.entry_commission;
    closed.cumulative_profit = totals_.netprofit - held_commission;
    closed_.push_back(std::move(closed));
  }
}

void Broker::after_fill(double price) {
  const double pos = position_size();
  totals_.max_held_all = std::max(totals_.max_held_all, std::fabs(pos));
  if (pos > 0) totals_.max_held_long = std::max(totals_.max_held_long, pos);
  if (pos < 0) totals_.max_held_short = std::max(totals_.max_held_short, -pos);
  if (open_.empty()) {
    exits_.clear(); // exits last until the position is flat
  } else {
    for (ExitRule& rule : exits_)
      std::erase_if(rule.legs, [&](const ExitRule::Leg& leg) { return find_open_trade(leg.trade) == nullptr; });
    attach_exits();
  }
  if (risk_.max_intraday_filled_orders != kIntNa && risk_state_.day_fills >= risk_.max_intraday_filled_orders &&
      !risk_state_.halted_for_day)
    force_close(price, "Max intraday filled orders", false);
}

} // namespace pine
