// The --report JSON and --equity rows (report_writer.h).
#include "report_writer.h"

#include "output_writer.h"

namespace pine::cli {

namespace {

/// Appends `"key": value,` with the number in shortest round-trip form.
void number(std::string& out, const char* key, double v) {
  out += "\"";
  out += key;
  out += "\": ";
  out += v != v ? std::string("null") : format_float_shortest(v == 0 ? 0.0 : v);
  out += ", ";
}

void count(std::string& out, const char* key, std::int64_t v) {
  out += "\"";
  out += key;
  out += "\": " + std::to_string(v) + ", ";
}

/// The trade figures as "key": value pairs (no braces).
void figures(std::string& out, const TradeFigures& f) {
  number(out, "net_profit", f.net_profit);
  number(out, "net_profit_percent", f.net_profit_percent);
  number(out, "gross_profit", f.gross_profit);
  number(out, "gross_profit_percent", f.gross_profit_percent);
  number(out, "gross_loss", f.gross_loss);
  number(out, "gross_loss_percent", f.gross_loss_percent);
  number(out, "profit_factor", f.profit_factor);
  number(out, "commission_paid", f.commission_paid);
  number(out, "max_contracts_held", f.max_contracts_held);
  count(out, "total_closed_trades", f.total_closed_trades);
  count(out, "total_open_trades", f.total_open_trades);
  count(out, "number_winning_trades", f.number_winning_trades);
  count(out, "number_losing_trades", f.number_losing_trades);
  count(out, "number_even_trades", f.number_even_trades);
  number(out, "percent_profitable", f.percent_profitable);
  number(out, "avg_trade", f.avg_trade);
  number(out, "avg_trade_percent", f.avg_trade_percent);
  number(out, "avg_winning_trade", f.avg_winning_trade);
  number(out, "avg_winning_trade_percent", f.avg_winning_trade_percent);
  number(out, "avg_losing_trade", f.avg_losing_trade);
  number(out, "avg_losing_trade_percent", f.avg_losing_trade_percent);
  number(out, "ratio_avg_win_loss", f.ratio_avg_win_loss);
  number(out, "largest_winning_trade", f.largest_winning_trade);
  number(out, "largest_winning_trade_percent", f.largest_winning_trade_percent);
  number(out, "largest_losing_trade", f.largest_losing_trade);
  number(out, "largest_losing_trade_percent", f.largest_losing_trade_percent);
  number(out, "avg_bars_in_trades", f.avg_bars_in_trades);
  number(out, "avg_bars_in_winning_trades", f.avg_bars_in_winning_trades);
  number(out, "avg_bars_in_losing_trades", f.avg_bars_in_losing_trades);
}

/// Drops the ", " after the last pair.
void trim(std::string& out) {
  if (out.size() >= 2 && out.compare(out.size() - 2, 2, ", ") == 0) out.resize(out.size() - 2);
}

} // namespace

std::string report_json(const StrategyReport& r) {
  std::string out = "{";
  number(out, "initial_capital", r.initial_capital);
  number(out, "equity", r.equity);
  number(out, "open_profit", r.open_profit);
  number(out, "open_profit_percent", r.open_profit_percent);
  number(out, "max_drawdown", r.max_drawdown);
  number(out, "max_drawdown_percent", r.max_drawdown_percent);
  number(out, "max_runup", r.max_runup);
  number(out, "max_runup_percent", r.max_runup_percent);
  number(out, "buy_hold_return", r.buy_hold_return);
  number(out, "buy_hold_return_percent", r.buy_hold_return_percent);
  number(out, "sharpe_ratio", r.sharpe_ratio);
  number(out, "sortino_ratio", r.sortino_ratio);
  count(out, "margin_calls", r.margin_calls);
  figures(out, r.all);
  out += "\"long\": {";
  figures(out, r.long_trades);
  trim(out);
  out += "}, \"short\": {";
  figures(out, r.short_trades);
  trim(out);
  out += "}}\n";
  return out;
}

std::string equity_row(std::int64_t time, std::int64_t bar_index, const StrategySummary& s) {
  const auto text = [](double v) { return format_float_shortest(v == 0 ? 0.0 : v); }; // -0 as 0
  return std::to_string(time) + "," + std::to_string(bar_index) + "," + text(s.equity) + "," + text(s.net_profit) + "," +
         text(s.open_profit) + "," + text(s.position_size) + "\n";
}

} // namespace pine::cli
