// The List of trades CSV (trades_writer.h).
#include "trades_writer.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "output_writer.h"
#include "pine/vm/calendar.h"
#include "pine/vm/time_zone.h"

namespace pine::cli {

namespace {

/// `utc_ms` as "2022-01-02T19:00:00-05:00" in `tz`.
std::string iso_time(std::int64_t utc_ms, const TimeZone& tz) {
  const std::int64_t offset = tz.offset_at(utc_ms);
  const std::int64_t local = utc_ms + offset;
  const std::int64_t day = floor_div(local, kMsPerDay);
  const std::int64_t ms = local - day * kMsPerDay;
  const CivilDate d = civil_from_days(day);
  const std::int64_t off_min = (offset >= 0 ? offset : -offset) / 60000;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02lld:%02lld:%02lld%c%02lld:%02lld", static_cast<long long>(d.year),
                d.month, d.day, static_cast<long long>(ms / 3600000), static_cast<long long>(ms / 60000 % 60),
                static_cast<long long>(ms / 1000 % 60), offset < 0 ? '-' : '+', static_cast<long long>(off_min / 60),
                static_cast<long long>(off_min % 60));
  return buf;
}

/// A number field: shortest round trip, empty for na; -0 (a short closed
/// at its entry price) as 0.
std::string number(double v) { return v != v ? std::string() : format_float_shortest(v == 0 ? 0.0 : v); }

} // namespace

std::string trades_header(const std::string& currency) {
  const std::string c = " " + currency;
  return "Trade #,Type,Date/Time,Signal,Price" + c + ",Position size (qty),Position size (value),Net P&L" + c +
         ",Net P&L %,Run-up" + c + ",Run-up %,Drawdown" + c + ",Drawdown %,Cumulative P&L" + c + ",Cumulative P&L %\n";
}

void write_trades_csv(std::ostream& out, const Instance& instance) {
  const SymbolInfo& info = instance.config().syminfo;
  const StrategySettings& settings = instance.strategy_settings();
  const StrategySummary summary = instance.strategy_summary();
  const TimeZone tz = TimeZone::parse(info.timezone).value_or(TimeZone());
  out << trades_header(settings.currency.empty() ? info.currency : settings.currency);
  const double pv = info.pointvalue;
  const double capital = settings.initial_capital;

  // Closed parts and open trades, by trade number (a partly closed trade's
  // closed part before its open rest).
  struct Row {
    const TradeRecord* trade;
    bool open;
  };
  std::vector<Row> rows;
  for (const TradeRecord& t : instance.closed_trades()) rows.push_back({&t, false});
  for (const TradeRecord& t : instance.open_trades()) rows.push_back({&t, true});
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.trade->number < b.trade->number; });

  double open_cumulative = summary.net_profit;
  std::string line;
  for (const Row& r : rows) {
    const TradeRecord& t = *r.trade;
    const double d = static_cast<double>(t.direction);
    const double value = t.qty * t.entry_price;
    const double basis = value * pv;
    double exit_price = t.exit_price, profit = t.profit, runup = t.max_runup, drawdown = t.max_drawdown,
           cumulative = t.cumulative_profit;
    std::int64_t exit_time = t.exit_time;
    std::string exit_signal = t.exit_comment.empty() ? t.exit_id : t.exit_comment;
    if (r.open) {
      // Marked at the last close, as the Strategy Tester shows it.
      exit_price = summary.last_close;
      exit_time = instance.last_bar_time();
      exit_signal = "Open";
      profit = d * (exit_price - t.entry_price) * t.qty * pv - t.entry_commission;
      const double best = t.direction > 0 ? std::max(t.best_price, exit_price) : std::min(t.best_price, exit_price);
      const double worst = t.direction > 0 ? std::min(t.worst_price, exit_price) : std::max(t.worst_price, exit_price);
      runup = std::max(0.0, d * (best - t.entry_price) * t.qty * pv - t.entry_commission);
      drawdown = std::min(0.0, d * (worst - t.entry_price) * t.qty * pv - t.entry_commission);
      open_cumulative += profit;
      cumulative = open_cumulative;
    }
    const std::string side = t.direction > 0 ? "long" : "short";
    const std::string tail = "," + number(t.qty) + "," + number(value) + "," + number(profit) + "," +
                             number(profit / basis * 100) + "," + number(runup) + "," + number(runup / basis * 100) + "," +
                             number(drawdown) + "," + number(drawdown / basis * 100) + "," + number(cumulative) + "," +
                             number(cumulative / capital * 100) + "\n";
    line.clear();
    line += std::to_string(t.number) + ",Entry " + side + "," + iso_time(t.entry_time, tz) + ",";
    append_csv_field(line, t.entry_comment.empty() ? t.entry_id : t.entry_comment);
    line += "," + number(t.entry_price) + tail;
    line += std::to_string(t.number) + ",Exit " + side + "," + iso_time(exit_time, tz) + ",";
    append_csv_field(line, exit_signal);
    line += "," + number(exit_price) + tail;
    out << line;
  }
}

} // namespace pine::cli
