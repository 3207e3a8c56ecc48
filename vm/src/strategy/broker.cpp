// The broker's commands (what strategy.* calls do to the order book), its
// queries (strategy.opentrades.*, strategy.closedtrades.*, the strategy.*
// variables) and its risk rules. Fills are in fills.cpp.
#include "broker.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "../string_table.h"
#include "pine/vm/calendar.h"

namespace pine {

namespace {

bool is_na(double x) { return x != x; }

} // namespace

Broker::Broker(const StrategySettings& settings, const SymbolInfo& symbol, const TimeZone& tz)
    : settings_(settings), symbol_(symbol), tz_(tz), grid_(symbol.pricescale, symbol.minmove) {
  if (!settings.currency.empty() && settings.currency != symbol.currency)
    throw std::invalid_argument("the strategy's currency " + settings.currency + " differs from the symbol's (" +
                                symbol.currency + "): pinevm has no conversion rates; use currency.NONE");
  if (settings.calc_on_order_fills)
    throw std::invalid_argument("calc_on_order_fills = true is not supported yet (it needs intrabar re-execution)");
  totals_.peak_equity = settings.initial_capital;
  totals_.trough_equity = settings.initial_capital;
  last_equity_ = settings.initial_capital;
}

double Broker::position_size() const {
  double pos = 0;
  for (const TradeRecord& t : open_) pos += static_cast<double>(t.direction) * t.qty;
  return pos;
}

double Broker::position_avg_price() const {
  double qty = 0, value = 0;
  for (const TradeRecord& t : open_) {
    qty += t.qty;
    value += t.qty * t.entry_price;
  }
  return qty > 0 ? value / qty : kFloatNa;
}

double Broker::open_profit(double price) const {
  double p = 0;
  for (const TradeRecord& t : open_)
    p += static_cast<double>(t.direction) * (price - t.entry_price) * t.qty * symbol_.pointvalue - t.entry_commission;
  return p;
}

double Broker::floor_to_step(double qty) const {
  const double step = symbol_.mincontract;
  // A step like 0.1 is not exact in binary: divide by its inverse (10),
  // which is, so that 884.4 stays 884.4.
  if (step < 1) {
    const double inverse = std::round(1 / step);
    if (std::fabs(inverse * step - 1) < 1e-9) return std::floor(qty * inverse) / inverse;
  }
  return std::floor(qty / step) * step;
}

double Broker::default_qty(double price) const {
  const double pv = symbol_.pointvalue;
  switch (settings_.default_qty_type) {
    case QtyType::Fixed: return settings_.default_qty_value;
    case QtyType::Cash: return floor_to_step(settings_.default_qty_value / (price * pv));
    case QtyType::PercentOfEquity: {
      // The cash must also cover a percent commission on the order.
      const double rate = settings_.commission_type == CommissionType::Percent ? settings_.commission_value / 100 : 0;
      return floor_to_step(settings_.default_qty_value / 100 * equity(price) / (price * pv * (1 + rate)));
    }
  }
  return 0;
}

ExitRule::Leg* Broker::find_leg(ExitRule& rule, std::int64_t trade) {
  for (ExitRule::Leg& leg : rule.legs)
    if (leg.trade == trade) return &leg;
  return nullptr;
}

const TradeRecord* Broker::find_open_trade(std::int64_t number) const {
  for (const TradeRecord& t : open_)
    if (t.number == number) return &t;
  return nullptr;
}

void Broker::attach_exits() {
  for (std::size_t r = 0; r < exits_.size(); ++r) {
    ExitRule& rule = exits_[r];
    double reserved = 0;
    for (const ExitRule::Leg& leg : rule.legs) reserved += leg.allocated;
    for (const TradeRecord& t : open_) {
      // A rule naming an entry covers the trades of entry orders placed by
      // the time of its own latest call; one naming none covers every trade.
      if (!rule.from_entry.empty() && (t.entry_id != rule.from_entry || t.entry_order_bar > rule.placed_bar)) continue;
      if (find_leg(rule, t.number) != nullptr) continue;
      // Each call reserves what it may exit: a later call gets only what
      // earlier calls have not reserved, whichever of them fills first.
      double held = 0;
      for (std::size_t p = 0; p < r; ++p)
        if (const ExitRule::Leg* other = find_leg(exits_[p], t.number)) held += other->allocated - other->closed;
      const double free = std::max(0.0, t.qty - held);
      ExitRule::Leg leg;
      leg.trade = t.number;
      if (is_na(rule.qty)) {
        leg.allocated = rule.qty_percent >= 100 ? free : std::min(free, floor_to_step(t.qty * rule.qty_percent / 100));
      } else {
        leg.allocated = std::max(0.0, std::min(free, rule.qty - reserved));
        reserved += leg.allocated;
      }
      rule.legs.push_back(leg);
    }
  }
}

Broker::ExitLevels Broker::exit_levels(const ExitRule& rule, const ExitRule::Leg& leg, const TradeRecord& t) const {
  ExitLevels lv;
  const bool long_trade = t.direction > 0;
  const double d = static_cast<double>(t.direction);
  const double entry = t.entry_price;
  // Of two levels for one exit, the one price reaches first: the nearer.
  auto nearer = [&](double a, double b, bool above) {
    if (is_na(a)) return b;
    if (is_na(b)) return a;
    return above ? std::min(a, b) : std::max(a, b);
  };
  // A long's take-profit sells (a sell limit rounds up), its stop sells (a
  // sell stop rounds down); a short's the reverse.
  const double limit = is_na(rule.limit) ? kFloatNa : (long_trade ? grid_.up(rule.limit) : grid_.down(rule.limit));
  const double profit = is_na(rule.profit) ? kFloatNa : grid_.offset(entry, d * rule.profit);
  lv.take_profit = nearer(limit, profit, long_trade);
  const double stop = is_na(rule.stop) ? kFloatNa : (long_trade ? grid_.down(rule.stop) : grid_.up(rule.stop));
  const double loss = is_na(rule.loss) ? kFloatNa : grid_.offset(entry, -d * rule.loss);
  lv.stop = nearer(stop, loss, !long_trade);
  if (!is_na(rule.trail_offset) && (!is_na(rule.trail_price) || !is_na(rule.trail_points))) {
    if (leg.trail_active) {
      const double trail = grid_.offset(leg.trail_best, -d * rule.trail_offset);
      const double protective = nearer(lv.stop, trail, !long_trade);
      lv.stop_is_trail = protective == trail;
      lv.stop = protective;
    } else {
      const double points = is_na(rule.trail_points) ? kFloatNa : grid_.offset(entry, d * rule.trail_points);
      lv.trail_activation = nearer(rule.trail_price, points, long_trade);
    }
  }
  return lv;
}

const char* Broker::call(StrategyFn fn, const Value* args, Value* results, StringTable& strings) {
  auto text = [&](std::size_t i) { return args[i].i == kStringNa ? std::string() : std::string(strings.get(args[i].i)); };
  auto store = [&](const std::string& s) { results[0].i = strings.add(s); };
  const bool halted = risk_state_.halted || risk_state_.halted_for_day;
  switch (fn) {
    case StrategyFn::ENTRY:
    case StrategyFn::ORDER: {
      if (args[0].i == kStringNa) return "the order id of strategy.entry/order cannot be na";
      if (args[1].i != kStrategyLong && args[1].i != kStrategyShort)
        return "the direction must be strategy.long or strategy.short";
      if (!is_na(args[2].f) && !(args[2].f > 0)) return "the order quantity must be greater than 0";
      if (args[6].i < 0 || args[6].i > static_cast<std::int64_t>(OcaType::Reduce)) return "oca_type must be a strategy.oca.* constant";
      if (halted) return nullptr; // the risk rules stopped trading
      PendingOrder o;
      o.kind = fn == StrategyFn::ENTRY ? PendingOrder::Kind::Entry : PendingOrder::Kind::Order;
      o.id = text(0);
      o.direction = args[1].i;
      o.qty = is_na(args[2].f) ? default_qty(bar_.close) : args[2].f;
      if (!(o.qty > 0) || !std::isfinite(o.qty)) return nullptr; // too little equity for one step: no order
      const bool buy = o.direction > 0;
      // Rounded against the trader, as if price had to trade through the
      // level tick by tick: buy stops and sell limits up, the others down.
      if (!is_na(args[3].f)) o.limit = buy ? grid_.down(args[3].f) : grid_.up(args[3].f);
      if (!is_na(args[4].f)) o.stop = buy ? grid_.up(args[4].f) : grid_.down(args[4].f);
      o.oca_name = text(5);
      o.oca_type = static_cast<OcaType>(args[6].i);
      o.comment = text(7);
      o.placed_bar = bar_index_;
      for (PendingOrder& p : orders_) {
        // The same id again modifies the pending order.
        if (p.id == o.id && (p.kind == PendingOrder::Kind::Entry || p.kind == PendingOrder::Kind::Order)) {
          o.seq = p.seq;
          p = std::move(o);
          return nullptr;
        }
      }
      o.seq = next_seq_++;
      orders_.push_back(std::move(o));
      return nullptr;
    }
    case StrategyFn::EXIT: {
      if (args[0].i == kStringNa) return "the order id of strategy.exit cannot be na";
      if (!is_na(args[2].f) && !(args[2].f > 0)) return "the exit quantity must be greater than 0";
      ExitRule r;
      r.id = text(0);
      r.from_entry = text(1);
      r.qty = args[2].f;
      r.qty_percent = is_na(args[3].f) ? 100 : std::clamp(args[3].f, 0.0, 100.0);
      r.profit = args[4].f;
      r.limit = args[5].f;
      r.loss = args[6].f;
      r.stop = args[7].f;
      r.trail_price = args[8].f;
      r.trail_points = args[9].f;
      r.trail_offset = args[10].f;
      r.oca_name = text(11);
      r.comment = text(12);
      r.comment_profit = text(13);
      r.comment_loss = text(14);
      r.comment_trailing = text(15);
      r.placed_bar = bar_index_;
      // An exit with no price creates no order.
      const bool trail = !is_na(r.trail_offset) && (!is_na(r.trail_price) || !is_na(r.trail_points));
      if (is_na(r.profit) && is_na(r.limit) && is_na(r.loss) && is_na(r.stop) && !trail) return nullptr;
      if (halted) return nullptr;
      auto same = std::find_if(exits_.begin(), exits_.end(), [&](const ExitRule& e) { return e.id == r.id; });
      if (same != exits_.end()) {
        // A new call with the same id moves its levels; what it has done
        // (closed quantity, trailing state) stays.
        r.seq = same->seq;
        r.legs = std::move(same->legs);
        *same = std::move(r);
      } else {
        r.seq = next_seq_++;
        exits_.push_back(std::move(r));
      }
      attach_exits();
      return nullptr;
    }
    case StrategyFn::CLOSE:
    case StrategyFn::CLOSE_ALL: {
      const bool all = fn == StrategyFn::CLOSE_ALL;
      if (!all && args[0].i == kStringNa) return "the entry id of strategy.close cannot be na";
      PendingOrder o;
      o.kind = all ? PendingOrder::Kind::CloseAll : PendingOrder::Kind::Close;
      if (!all) {
        o.id = text(0);
        o.qty = args[2].f;
        o.qty_percent = is_na(args[3].f) ? 100 : std::clamp(args[3].f, 0.0, 100.0);
        if (!is_na(o.qty) && !(o.qty > 0)) return "the close quantity must be greater than 0";
      } else {
        o.qty = kFloatNa;
      }
      o.comment = text(all ? 0 : 1);
      o.placed_bar = bar_index_;
      const bool immediately = args[all ? 2 : 5].i != 0;
      // Nothing to close: no order (a close_all when flat is a no-op).
      bool holds = false;
      for (const TradeRecord& t : open_) holds = holds || all || t.entry_id == o.id;
      if (!holds) return nullptr;
      // The same statement twice on a bar is one order: the same id modifies.
      for (PendingOrder& p : orders_)
        if (p.kind == o.kind && p.id == o.id) {
          o.seq = p.seq;
          p = std::move(o);
          return nullptr;
        }
      o.seq = next_seq_++;
      orders_.push_back(std::move(o));
      if (immediately) {
        // Fills now, at the close, before anything else.
        execute_order(orders_.size() - 1, bar_.close, true);
      }
      return nullptr;
    }
    case StrategyFn::CANCEL: {
      const std::string id = text(0);
      std::erase_if(orders_, [&](const PendingOrder& o) {
        return o.id == id && o.kind != PendingOrder::Kind::Close && o.kind != PendingOrder::Kind::CloseAll;
      });
      std::erase_if(exits_, [&](const ExitRule& e) { return e.id == id; });
      return nullptr;
    }
    case StrategyFn::CANCEL_ALL:
      std::erase_if(orders_, [](const PendingOrder& o) {
        return o.kind != PendingOrder::Kind::Close && o.kind != PendingOrder::Kind::CloseAll;
      });
      exits_.clear();
      return nullptr;
    case StrategyFn::RISK_ALLOW_ENTRY_IN:
      if (args[0].i != kDirectionAll && args[0].i != kStrategyLong && args[0].i != kStrategyShort)
        return "allow_entry_in needs a strategy.direction.* constant";
      risk_.allow_entry_in = args[0].i;
      return nullptr;
    case StrategyFn::RISK_MAX_CONS_LOSS_DAYS:
      if (args[0].i == kIntNa || args[0].i < 1) return "max_cons_loss_days needs a count of at least 1";
      risk_.max_cons_loss_days = args[0].i;
      return nullptr;
    case StrategyFn::RISK_MAX_DRAWDOWN:
    case StrategyFn::RISK_MAX_INTRADAY_LOSS: {
      if (!(args[0].f > 0)) return "the risk limit must be greater than 0";
      if (args[1].i != static_cast<std::int64_t>(QtyType::Cash) && args[1].i != static_cast<std::int64_t>(QtyType::PercentOfEquity))
        return "the risk limit's type must be strategy.cash or strategy.percent_of_equity";
      const bool percent = args[1].i == static_cast<std::int64_t>(QtyType::PercentOfEquity);
      if (fn == StrategyFn::RISK_MAX_DRAWDOWN) {
        risk_.max_drawdown = args[0].f;
        risk_.max_drawdown_percent = percent;
      } else {
        risk_.max_intraday_loss = args[0].f;
        risk_.max_intraday_loss_percent = percent;
      }
      return nullptr;
    }
    case StrategyFn::RISK_MAX_INTRADAY_FILLED_ORDERS:
      if (args[0].i == kIntNa || args[0].i < 1) return "max_intraday_filled_orders needs a count of at least 1";
      risk_.max_intraday_filled_orders = args[0].i;
      return nullptr;
    case StrategyFn::RISK_MAX_POSITION_SIZE:
      if (!(args[0].f > 0)) return "max_position_size must be greater than 0";
      risk_.max_position_size = args[0].f;
      return nullptr;
    case StrategyFn::CONVERT_TO_ACCOUNT:
    case StrategyFn::CONVERT_TO_SYMBOL:
      results[0] = args[0]; // one currency: nothing to convert
      return nullptr;
    case StrategyFn::DEFAULT_ENTRY_QTY:
      results[0].f = default_qty(args[0].f);
      return nullptr;
    case StrategyFn::POSITION_ENTRY_NAME:
      // The entry that opened the position; na when flat.
      if (open_.empty()) results[0].i = kStringNa;
      else store(open_.front().entry_id);
      return nullptr;
    case StrategyFn::ACCOUNT_CURRENCY:
      store(settings_.currency.empty() ? symbol_.currency : settings_.currency);
      return nullptr;
    default:
      trade_query(fn, args[0].i, results[0], strings);
      return nullptr;
  }
}

void Broker::trade_query(StrategyFn fn, std::int64_t index, Value& result, StringTable& strings) const {
  const auto first_open = static_cast<int>(StrategyFn::OPEN_ENTRY_PRICE);
  const auto first_closed = static_cast<int>(StrategyFn::CLOSED_ENTRY_PRICE);
  const bool open = static_cast<int>(fn) >= first_open;
  // The same query of both lists, as its offset in PINE_TRADE_QUERIES.
  const int q = static_cast<int>(fn) - (open ? first_open : first_closed);
  const auto& list = open ? open_ : closed_;
  const Type type = strategy_spec(fn).results[0];
  result = na_value(type);
  if (index == kIntNa || index < 0 || static_cast<std::uint64_t>(index) >= list.size()) return;
  const TradeRecord& t = list[static_cast<std::size_t>(index)];
  const double value = t.qty * t.entry_price * symbol_.pointvalue;
  const double d = static_cast<double>(t.direction);
  const double pv = symbol_.pointvalue;
  const double profit = open ? d * (bar_.close - t.entry_price) * t.qty * pv - t.entry_commission : t.profit;
  const double runup = open ? std::max(0.0, d * (t.best_price - t.entry_price) * t.qty * pv - t.entry_commission) : t.max_runup;
  const double drawdown =
      open ? std::min(0.0, d * (t.worst_price - t.entry_price) * t.qty * pv - t.entry_commission) : t.max_drawdown;
  auto text = [&](const std::string& s) { result.i = s.empty() ? kStringNa : strings.add(s); };
  switch (fn) {
    case StrategyFn::CLOSED_EXIT_PRICE: result.f = t.exit_price; return;
    case StrategyFn::CLOSED_EXIT_BAR_INDEX: result.i = t.exit_bar_index; return;
    case StrategyFn::CLOSED_EXIT_TIME: result.i = t.exit_time; return;
    case StrategyFn::CLOSED_EXIT_ID: text(t.exit_id); return;
    case StrategyFn::CLOSED_EXIT_COMMENT: text(t.exit_comment); return;
    default: break;
  }
  switch (static_cast<StrategyFn>(first_closed + q)) {
    case StrategyFn::CLOSED_ENTRY_PRICE: result.f = t.entry_price; return;
    case StrategyFn::CLOSED_ENTRY_BAR_INDEX: result.i = t.entry_bar_index; return;
    case StrategyFn::CLOSED_ENTRY_TIME: result.i = t.entry_time; return;
    case StrategyFn::CLOSED_ENTRY_ID: text(t.entry_id); return;
    case StrategyFn::CLOSED_ENTRY_COMMENT: text(t.entry_comment); return;
    case StrategyFn::CLOSED_PROFIT: result.f = profit; return;
    case StrategyFn::CLOSED_PROFIT_PERCENT: result.f = profit / value * 100; return;
    case StrategyFn::CLOSED_COMMISSION: result.f = t.entry_commission + (open ? 0 : t.exit_commission); return;
    case StrategyFn::CLOSED_MAX_RUNUP: result.f = runup; return;
    case StrategyFn::CLOSED_MAX_RUNUP_PERCENT: result.f = runup / value * 100; return;
    case StrategyFn::CLOSED_MAX_DRAWDOWN: result.f = drawdown; return;
    case StrategyFn::CLOSED_MAX_DRAWDOWN_PERCENT: result.f = drawdown / value * 100; return;
    case StrategyFn::CLOSED_SIZE: result.f = d * t.qty; return;
    default: return;
  }
}

void Broker::load_variables(Value* slots) const {
  Value* v = slots + kBuiltinVarSlots;
  auto f = [&](StrategyVar id, double x) { v[static_cast<std::size_t>(id)].f = x; };
  auto i = [&](StrategyVar id, std::int64_t x) { v[static_cast<std::size_t>(id)].i = x; };
  const LedgerTotals& s = totals_;
  const double ic = settings_.initial_capital;
  const double close = bar_.close;
  const double open_profit_now = open_profit(close);
  const double pos = position_size();
  const auto closed = static_cast<double>(closed_.size());
  f(StrategyVar::POSITION_SIZE, pos);
  f(StrategyVar::POSITION_AVG_PRICE, position_avg_price());
  f(StrategyVar::EQUITY, ic + s.netprofit + open_profit_now);
  f(StrategyVar::INITIAL_CAPITAL, ic);
  f(StrategyVar::NETPROFIT, s.netprofit);
  f(StrategyVar::NETPROFIT_PERCENT, s.netprofit / ic * 100);
  f(StrategyVar::OPENPROFIT, open_profit_now);
  f(StrategyVar::OPENPROFIT_PERCENT, open_profit_now / (ic + s.netprofit) * 100);
  f(StrategyVar::GROSSPROFIT, s.grossprofit);
  f(StrategyVar::GROSSPROFIT_PERCENT, s.grossprofit / ic * 100);
  f(StrategyVar::GROSSLOSS, s.grossloss);
  f(StrategyVar::GROSSLOSS_PERCENT, s.grossloss / ic * 100);
  f(StrategyVar::MAX_DRAWDOWN, s.max_drawdown);
  f(StrategyVar::MAX_DRAWDOWN_PERCENT, s.max_drawdown_percent);
  f(StrategyVar::MAX_RUNUP, s.max_runup);
  f(StrategyVar::MAX_RUNUP_PERCENT, s.max_runup_percent);
  i(StrategyVar::WINTRADES, s.wins);
  i(StrategyVar::LOSSTRADES, s.losses);
  i(StrategyVar::EVENTRADES, s.evens);
  i(StrategyVar::OPENTRADES, static_cast<std::int64_t>(open_.size()));
  i(StrategyVar::CLOSEDTRADES, static_cast<std::int64_t>(closed_.size()));
  i(StrategyVar::CLOSEDTRADES_FIRST_INDEX, 0);
  f(StrategyVar::MAX_CONTRACTS_HELD_ALL, s.max_held_all);
  f(StrategyVar::MAX_CONTRACTS_HELD_LONG, s.max_held_long);
  f(StrategyVar::MAX_CONTRACTS_HELD_SHORT, s.max_held_short);
  f(StrategyVar::AVG_TRADE, closed > 0 ? s.netprofit / closed : kFloatNa);
  f(StrategyVar::AVG_TRADE_PERCENT, closed > 0 ? s.sum_profit_percent / closed : kFloatNa);
  f(StrategyVar::AVG_WINNING_TRADE, s.wins > 0 ? s.grossprofit / static_cast<double>(s.wins) : kFloatNa);
  f(StrategyVar::AVG_WINNING_TRADE_PERCENT, s.wins > 0 ? s.sum_win_percent / static_cast<double>(s.wins) : kFloatNa);
  f(StrategyVar::AVG_LOSING_TRADE, s.losses > 0 ? s.grossloss / static_cast<double>(s.losses) : kFloatNa);
  f(StrategyVar::AVG_LOSING_TRADE_PERCENT, s.losses > 0 ? s.sum_loss_percent / static_cast<double>(s.losses) : kFloatNa);
  f(StrategyVar::MARGIN_LIQUIDATION_PRICE, liquidation_price(pos, close, ic + s.netprofit + open_profit_now));
  double held = 0;
  for (const TradeRecord& t : open_)
    held += t.qty * t.entry_price * symbol_.pointvalue * (t.direction > 0 ? settings_.margin_long : settings_.margin_short) / 100;
  f(StrategyVar::OPENTRADES_CAPITAL_HELD, held);
}

double Broker::liquidation_price(double pos, double price, double equity_now) const {
  // Equity moves by pos * pointvalue per unit of price; a margin call comes
  // when it falls to the margin the position needs at that price.
  const double pv = symbol_.pointvalue;
  const double m = (pos > 0 ? settings_.margin_long : settings_.margin_short) / 100;
  if (pos == 0 || m <= 0) return kFloatNa;
  const double denominator = pos * pv - m * std::fabs(pos) * pv;
  if (denominator == 0) return kFloatNa;
  const double p = (pos * pv * price - equity_now) / denominator;
  return p > 0 ? p : kFloatNa;
}

std::int64_t Broker::trading_day(std::int64_t time) const {
  return trading_day_number(time, tz_, symbol_.trading_day_start);
}

void Broker::start_day(std::int64_t time, double open) {
  const std::int64_t day = trading_day(time);
  if (day == risk_state_.day) return;
  if (risk_state_.day != kIntNa) {
    // Was the day that ended a losing one (equity at its last price)?
    const double change = last_equity_ - risk_state_.day_start_equity;
    if (change < 0) risk_state_.losing_days += 1;
    else if (change > 0) risk_state_.losing_days = 0;
  }
  risk_state_.day = day;
  risk_state_.day_start_equity = last_equity_;
  risk_state_.day_fills = 0;
  risk_state_.halted_for_day = false;
  if (risk_.max_cons_loss_days != kIntNa && risk_state_.losing_days >= risk_.max_cons_loss_days && !risk_state_.halted)
    force_close(open, "Max consecutive loss days", true);
}

bool Broker::check_risk(double price, double eq) {
  last_equity_ = eq;
  if (risk_state_.halted) return false;
  if (!is_na(risk_.max_intraday_loss) && !risk_state_.halted_for_day) {
    const double base = risk_state_.day_start_equity;
    const double limit = risk_.max_intraday_loss_percent ? risk_.max_intraday_loss / 100 * base : risk_.max_intraday_loss;
    if (base - eq >= limit) {
      force_close(price, "Max intraday loss", false);
      return true;
    }
  }
  if (!is_na(risk_.max_drawdown)) {
    const double peak = totals_.peak_equity;
    const double limit = risk_.max_drawdown_percent ? risk_.max_drawdown / 100 * peak : risk_.max_drawdown;
    if (peak - eq >= limit) {
      force_close(price, "Max drawdown", true);
      return true;
    }
  }
  return false;
}

bool Broker::check_margin(double price, double eq) {
  const double pos = position_size();
  if (pos == 0) return false;
  const double pv = symbol_.pointvalue;
  const double m = (pos > 0 ? settings_.margin_long : settings_.margin_short) / 100;
  if (m <= 0) return false;
  const double available = eq - std::fabs(pos) * price * pv * m;
  if (available >= 0) return false;
  // The loss the margin no longer covers, in contracts at this price,
  // truncated to the quantity step; four times that is liquidated (at
  // least one step), never more than the position.
  const double cover = floor_to_step(-available / m / (price * pv));
  const double step = symbol_.mincontract > 0 ? symbol_.mincontract : 1;
  const double liquidate = std::min(std::fabs(pos), std::max(4 * cover, step));
  const std::int64_t dir = pos > 0 ? -1 : 1;
  close_trades(liquidate, price, dir, "Margin call", std::string(), std::string(), 0, liquidate);
  totals_.margin_calls += 1;
  if (open_.empty()) exits_.clear();
  return true;
}

void Broker::force_close(double price, const char* reason, bool for_good) {
  if (for_good) risk_state_.halted = true;
  else risk_state_.halted_for_day = true;
  orders_.clear();
  exits_.clear();
  const double pos = position_size();
  if (pos == 0) return;
  const std::int64_t dir = pos > 0 ? -1 : 1;
  close_trades(std::fabs(pos), slipped(price, dir), dir, reason, std::string(), std::string(), 0, std::fabs(pos));
  risk_state_.day_fills += 1;
}

} // namespace pine
