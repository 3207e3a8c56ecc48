// Archive of strategy settings and broker state (layouts in
// docs/snapshot-format.md, 6.7 "Strategy settings" and 7.6 "Broker").
// Doubles are written through Cereal's portable binary as IEEE bits; counts
// are checked against the bytes that remain before anything is allocated.
#include "strategy_archive.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "../string_table.h"

namespace pine {

namespace {

/// Fewest archive bytes of one record, to bound counts by the input: a
/// string is at least its 8-byte length, a number 8 bytes, an enum or a
/// flag 1 byte. These must not exceed the real minimum: a larger bound
/// rejected valid snapshots whose records have short (or empty) ids and
/// comments as "element count larger than the remaining input" (e.g. 20
/// closed trades with ids "L" and "TP" near the end of the archive).
/// Order: 3 strings, 7 numbers, kind, stop_triggered and oca_type bytes.
constexpr std::size_t kMinOrderBytes = 3 * 8 + 7 * 8 + 3;
/// Exit rule: 7 strings, 11 numbers, the leg count.
constexpr std::size_t kMinExitBytes = 7 * 8 + 11 * 8 + 8;
/// Leg: 4 numbers, the trail_active byte.
constexpr std::size_t kMinLegBytes = 4 * 8 + 1;
/// Trade: 4 strings, 18 numbers.
constexpr std::size_t kMinTradeBytes = 4 * 8 + 18 * 8;

/// Most pending orders, exit rules and legs a broker may hold: far above
/// what a script places (each is one strategy.* call id), and small enough
/// that scanning them per fill stays cheap.
constexpr std::uint64_t kMaxOrders = 1u << 16;
/// Most trades: a strategy filling on every bar of a 100-million-bar run.
constexpr std::uint64_t kMaxTrades = std::uint64_t{1} << 27;

void save_flag(archive::Out& ar, bool b) { ar(static_cast<std::uint8_t>(b ? 1 : 0)); }

bool load_flag(archive::In& ar) {
  std::uint8_t b = 0;
  ar(b);
  archive::require(b <= 1, "strategy flag is not 0 or 1");
  return b == 1;
}

/// A byte-sized enum below `count`.
template <class E>
E load_enum(archive::In& ar, std::uint8_t count, const char* what) {
  std::uint8_t v = 0;
  ar(v);
  archive::require(v < count, what);
  return static_cast<E>(v);
}

bool is_direction(std::int64_t d) { return d == kStrategyLong || d == kStrategyShort; }

/// A positive finite quantity.
bool is_qty(double q) { return q > 0 && std::isfinite(q); }

void save_trade(archive::Out& ar, const TradeRecord& t) {
  ar(t.number, t.direction, t.qty);
  archive::save_string(ar, t.entry_id);
  archive::save_string(ar, t.entry_comment);
  ar(t.entry_price, t.entry_bar_index, t.entry_time, t.entry_commission);
  archive::save_string(ar, t.exit_id);
  archive::save_string(ar, t.exit_comment);
  ar(t.exit_price, t.exit_bar_index, t.exit_time, t.exit_commission, t.max_runup, t.max_drawdown, t.profit,
     t.cumulative_profit, t.best_price, t.worst_price, t.entry_order_bar);
}

void load_trade(archive::In& ar, TradeRecord& t, std::int64_t next_number) {
  ar(t.number, t.direction, t.qty);
  archive::require(t.number >= 1 && t.number < next_number, "trade number out of range");
  archive::require(is_direction(t.direction), "trade direction is not long or short");
  archive::require(is_qty(t.qty), "trade quantity is not positive");
  archive::load_string(ar, t.entry_id, kMaxStringLength);
  archive::load_string(ar, t.entry_comment, kMaxStringLength);
  ar(t.entry_price, t.entry_bar_index, t.entry_time, t.entry_commission);
  archive::load_string(ar, t.exit_id, kMaxStringLength);
  archive::load_string(ar, t.exit_comment, kMaxStringLength);
  ar(t.exit_price, t.exit_bar_index, t.exit_time, t.exit_commission, t.max_runup, t.max_drawdown, t.profit,
     t.cumulative_profit, t.best_price, t.worst_price, t.entry_order_bar);
}

void save_trades(archive::Out& ar, const std::vector<TradeRecord>& trades) {
  archive::save_count(ar, trades.size());
  for (const TradeRecord& t : trades) save_trade(ar, t);
}

void load_trades(archive::In& ar, std::vector<TradeRecord>& trades, std::int64_t next_number) {
  const std::uint64_t n = archive::load_count(ar, kMinTradeBytes, kMaxTrades, sizeof(TradeRecord));
  trades.assign(static_cast<std::size_t>(n), TradeRecord{});
  for (TradeRecord& t : trades) load_trade(ar, t, next_number);
}

} // namespace

void save_strategy_settings(archive::Out& ar, const StrategySettings& s) {
  ar(s.initial_capital);
  archive::save_string(ar, s.currency);
  ar(static_cast<std::uint8_t>(s.default_qty_type), s.default_qty_value, s.pyramiding,
     static_cast<std::uint8_t>(s.commission_type), s.commission_value, s.slippage);
  for (bool b : {s.process_orders_on_close, s.close_entries_any, s.calc_on_order_fills, s.calc_on_every_tick,
                 s.use_bar_magnifier, s.fill_orders_on_standard_ohlc})
    save_flag(ar, b);
  ar(s.margin_long, s.margin_short, s.backtest_fill_limits_assumption, s.risk_free_rate);
}

void load_strategy_settings(archive::In& ar, StrategySettings& s) {
  ar(s.initial_capital);
  // A program string (the compiler's limit, as for the program's other
  // strings): the broker accepts a currency equal to the symbol's, which
  // may have up to 4,096 characters, and a limit of 64 made the snapshots
  // of such a strategy impossible to restore.
  archive::load_string(ar, s.currency, std::uint64_t{1} << 20);
  s.default_qty_type = load_enum<QtyType>(ar, 3, "bad default quantity type");
  ar(s.default_qty_value, s.pyramiding);
  s.commission_type = load_enum<CommissionType>(ar, 3, "bad commission type");
  ar(s.commission_value, s.slippage);
  for (bool* b : {&s.process_orders_on_close, &s.close_entries_any, &s.calc_on_order_fills, &s.calc_on_every_tick,
                  &s.use_bar_magnifier, &s.fill_orders_on_standard_ohlc})
    *b = load_flag(ar);
  ar(s.margin_long, s.margin_short, s.backtest_fill_limits_assumption, s.risk_free_rate);
  // The compiler's ranges (codegen_strategy.cpp): a broker built from
  // anything else could size orders from garbage.
  archive::require(s.initial_capital > 0 && s.initial_capital <= 1e15, "initial capital out of range");
  archive::require(s.default_qty_value > 0 && s.default_qty_value <= 1e15, "default quantity out of range");
  archive::require(s.pyramiding >= 0 && s.pyramiding <= 1'000'000, "pyramiding out of range");
  archive::require(s.commission_value >= 0 && s.commission_value <= 1e15, "commission out of range");
  archive::require(s.slippage >= 0 && s.slippage <= 1'000'000, "slippage out of range");
  archive::require(s.margin_long >= 0 && s.margin_long <= 1e6 && s.margin_short >= 0 && s.margin_short <= 1e6,
                   "margin out of range");
  archive::require(s.backtest_fill_limits_assumption >= 0 && s.backtest_fill_limits_assumption <= 1'000'000,
                   "fill limits assumption out of range");
  archive::require(s.risk_free_rate >= -100 && s.risk_free_rate <= 1e6, "risk-free rate out of range");
}

void save_broker(archive::Out& ar, const Broker& b) {
  ar(b.next_trade_number_, b.next_seq_, b.bar_index_, b.last_equity_);
  ar(b.bar_.time, b.bar_.open, b.bar_.high, b.bar_.low, b.bar_.close, b.bar_.volume);
  archive::save_count(ar, b.orders_.size());
  for (const PendingOrder& o : b.orders_) {
    ar(static_cast<std::uint8_t>(o.kind));
    archive::save_string(ar, o.id);
    ar(o.direction, o.qty, o.qty_percent, o.limit, o.stop);
    save_flag(ar, o.stop_triggered);
    archive::save_string(ar, o.oca_name);
    ar(static_cast<std::uint8_t>(o.oca_type));
    archive::save_string(ar, o.comment);
    ar(o.placed_bar, o.seq);
  }
  archive::save_count(ar, b.exits_.size());
  for (const ExitRule& r : b.exits_) {
    for (const std::string* s : {&r.id, &r.from_entry, &r.oca_name, &r.comment, &r.comment_profit, &r.comment_loss,
                                 &r.comment_trailing})
      archive::save_string(ar, *s);
    ar(r.qty, r.qty_percent, r.profit, r.limit, r.loss, r.stop, r.trail_price, r.trail_points, r.trail_offset,
       r.placed_bar, r.seq);
    archive::save_count(ar, r.legs.size());
    for (const ExitRule::Leg& leg : r.legs) {
      ar(leg.trade, leg.allocated, leg.closed, leg.trail_best);
      save_flag(ar, leg.trail_active);
    }
  }
  save_trades(ar, b.open_);
  save_trades(ar, b.closed_);
  const LedgerTotals& t = b.totals_;
  ar(t.netprofit, t.grossprofit, t.grossloss, t.wins, t.losses, t.evens, t.commission_paid, t.max_held_all,
     t.max_held_long, t.max_held_short, t.peak_equity, t.trough_equity, t.max_drawdown, t.max_drawdown_percent,
     t.max_runup, t.max_runup_percent, t.sum_profit_percent, t.sum_win_percent, t.sum_loss_percent, t.margin_calls);
  const RiskRules& r = b.risk_;
  ar(r.allow_entry_in, r.max_cons_loss_days, r.max_drawdown, r.max_intraday_filled_orders, r.max_intraday_loss,
     r.max_position_size);
  save_flag(ar, r.max_drawdown_percent);
  save_flag(ar, r.max_intraday_loss_percent);
  const RiskState& s = b.risk_state_;
  ar(s.day, s.day_start_equity, s.day_fills, s.losing_days);
  save_flag(ar, s.halted_for_day);
  save_flag(ar, s.halted);
  ar(b.first_open_, b.month_, b.month_start_equity_);
  ar(b.months_.count, b.months_.mean, b.months_.m2, b.months_.downside);
}

void load_broker(archive::In& ar, Broker& b) {
  ar(b.next_trade_number_, b.next_seq_, b.bar_index_, b.last_equity_);
  archive::require(b.next_trade_number_ >= 1 && b.next_trade_number_ <= static_cast<std::int64_t>(kMaxTrades) + 1,
                   "next trade number out of range");
  archive::require(b.bar_index_ >= -1, "broker bar index out of range");
  ar(b.bar_.time, b.bar_.open, b.bar_.high, b.bar_.low, b.bar_.close, b.bar_.volume);
  const std::uint64_t norders = archive::load_count(ar, kMinOrderBytes, kMaxOrders, sizeof(PendingOrder));
  b.orders_.assign(static_cast<std::size_t>(norders), PendingOrder{});
  for (PendingOrder& o : b.orders_) {
    o.kind = load_enum<PendingOrder::Kind>(ar, 4, "bad order kind");
    archive::load_string(ar, o.id, kMaxStringLength);
    ar(o.direction, o.qty, o.qty_percent, o.limit, o.stop);
    o.stop_triggered = load_flag(ar);
    archive::load_string(ar, o.oca_name, kMaxStringLength);
    o.oca_type = load_enum<OcaType>(ar, 3, "bad OCA type");
    archive::load_string(ar, o.comment, kMaxStringLength);
    ar(o.placed_bar, o.seq);
    const bool closes = o.kind == PendingOrder::Kind::Close || o.kind == PendingOrder::Kind::CloseAll;
    archive::require(closes || (is_direction(o.direction) && is_qty(o.qty)), "order direction or quantity out of range");
    archive::require(!closes || o.qty != o.qty || is_qty(o.qty), "close quantity out of range");
    archive::require(o.qty_percent >= 0 && o.qty_percent <= 100, "order quantity percent out of range");
    archive::require(o.seq < b.next_seq_, "order sequence number out of range");
  }
  const std::uint64_t nexits = archive::load_count(ar, kMinExitBytes, kMaxOrders, sizeof(ExitRule));
  b.exits_.assign(static_cast<std::size_t>(nexits), ExitRule{});
  for (ExitRule& r : b.exits_) {
    for (std::string* s : {&r.id, &r.from_entry, &r.oca_name, &r.comment, &r.comment_profit, &r.comment_loss,
                           &r.comment_trailing})
      archive::load_string(ar, *s, kMaxStringLength);
    ar(r.qty, r.qty_percent, r.profit, r.limit, r.loss, r.stop, r.trail_price, r.trail_points, r.trail_offset,
       r.placed_bar, r.seq);
    archive::require(r.qty != r.qty || is_qty(r.qty), "exit quantity out of range");
    archive::require(r.qty_percent >= 0 && r.qty_percent <= 100, "exit quantity percent out of range");
    archive::require(r.seq < b.next_seq_, "exit sequence number out of range");
    const std::uint64_t nlegs = archive::load_count(ar, kMinLegBytes, kMaxOrders, sizeof(ExitRule::Leg));
    r.legs.assign(static_cast<std::size_t>(nlegs), ExitRule::Leg{});
    for (ExitRule::Leg& leg : r.legs) {
      ar(leg.trade, leg.allocated, leg.closed, leg.trail_best);
      leg.trail_active = load_flag(ar);
      archive::require(leg.trade >= 1 && leg.trade < b.next_trade_number_, "exit leg names no trade");
      archive::require(leg.allocated >= 0 && std::isfinite(leg.allocated) && leg.closed >= 0 && std::isfinite(leg.closed),
                       "exit leg quantity out of range");
    }
    // The broker gives a rule one leg per trade (attach_exits) and finds a
    // leg by its trade: a second leg for the same trade raised events the
    // first one absorbed, so its exit never filled and each price leg of
    // each bar ran the 100,000-event bound on it.
    std::vector<std::int64_t> trades;
    trades.reserve(r.legs.size());
    for (const ExitRule::Leg& leg : r.legs) trades.push_back(leg.trade);
    std::sort(trades.begin(), trades.end());
    archive::require(std::adjacent_find(trades.begin(), trades.end()) == trades.end(), "exit legs repeat a trade");
  }
  load_trades(ar, b.open_, b.next_trade_number_);
  // The broker appends each new trade with the next number and only removes
  // trades, so its open trades are in increasing number order. A repeated
  // or reordered number made a restored broker close other trades than a
  // straight run (exit legs find trades by number, FIFO closes by position).
  for (std::size_t i = 1; i < b.open_.size(); ++i)
    archive::require(b.open_[i - 1].number < b.open_[i].number, "open trades out of number order");
  load_trades(ar, b.closed_, b.next_trade_number_);
  LedgerTotals& t = b.totals_;
  ar(t.netprofit, t.grossprofit, t.grossloss, t.wins, t.losses, t.evens, t.commission_paid, t.max_held_all,
     t.max_held_long, t.max_held_short, t.peak_equity, t.trough_equity, t.max_drawdown, t.max_drawdown_percent,
     t.max_runup, t.max_runup_percent, t.sum_profit_percent, t.sum_win_percent, t.sum_loss_percent, t.margin_calls);
  RiskRules& r = b.risk_;
  ar(r.allow_entry_in, r.max_cons_loss_days, r.max_drawdown, r.max_intraday_filled_orders, r.max_intraday_loss,
     r.max_position_size);
  archive::require(r.allow_entry_in == kDirectionAll || is_direction(r.allow_entry_in), "allow_entry_in out of range");
  // The ranges the strategy.risk.* commands accept (broker.cpp): the broker
  // acts on a limit at its next price, and a limit no script can set (a
  // max_drawdown of -1, a max_cons_loss_days of 0) closed every trade and
  // stopped the strategy.
  const auto count_ok = [](std::int64_t n) { return n == kIntNa || n >= 1; };
  const auto amount_ok = [](double x) { return x != x || x > 0; };
  archive::require(count_ok(r.max_cons_loss_days) && count_ok(r.max_intraday_filled_orders) &&
                       amount_ok(r.max_drawdown) && amount_ok(r.max_intraday_loss) && amount_ok(r.max_position_size),
                   "risk rule out of range");
  r.max_drawdown_percent = load_flag(ar);
  r.max_intraday_loss_percent = load_flag(ar);
  RiskState& s = b.risk_state_;
  ar(s.day, s.day_start_equity, s.day_fills, s.losing_days);
  // Counters the broker only increments from 0 (a negative one delays the
  // rules that compare against it).
  archive::require(s.day_fills >= 0 && s.losing_days >= 0, "risk counter out of range");
  s.halted_for_day = load_flag(ar);
  s.halted = load_flag(ar);
  ar(b.first_open_, b.month_, b.month_start_equity_);
  ar(b.months_.count, b.months_.mean, b.months_.m2, b.months_.downside);
  archive::require(b.months_.count >= 0, "month count is negative");
}

} // namespace pine
