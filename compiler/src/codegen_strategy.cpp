// The strategy() declaration and the strategy.* names that are neither
// slots nor calls of the registry (the commands and trade queries are
// registry entries lowered by emit_table_call to STRATEGY).
#include <algorithm>

#include "builtin_table.h"
#include "codegen.h"

namespace pine {

namespace {

/// The parameters of strategy(), in positional order (TradingView's v6
/// signature). Only those that change the simulation are kept; the rest
/// (display and drawing limits) are accepted and ignored, like indicator()'s.
const std::vector<const char*>& strategy_params() {
  static const std::vector<const char*> names = {
      "title", "shorttitle", "overlay", "format", "precision", "scale", "pyramiding", "calc_on_order_fills",
      "calc_on_every_tick", "max_bars_back", "backtest_fill_limits_assumption", "default_qty_type",
      "default_qty_value", "initial_capital", "currency", "slippage", "commission_type", "commission_value",
      "process_orders_on_close", "close_entries_rule", "margin_long", "margin_short", "explicit_plot_zorder",
      "max_lines_count", "max_labels_count", "max_boxes_count", "calc_bars_count", "risk_free_rate",
      "use_bar_magnifier", "fill_orders_on_standard_ohlc", "max_polylines_count", "dynamic_requests", "behind_chart"};
  return names;
}

} // namespace

void FunctionCompiler::compile_strategy_declaration(const ast::Expr& e) {
  const std::vector<const char*>& params = strategy_params();
  StrategySettings s;
  std::size_t positional = 0;
  bool seen_named = false;
  for (const ast::Arg& a : e.args) {
    std::string name = a.name;
    if (name.empty()) {
      if (seen_named) error(a.value->loc, "Positional arguments cannot follow named arguments (in the call to 'strategy')");
      if (positional >= params.size()) error(a.value->loc, "too many arguments in the call to 'strategy'");
      name = params[positional++];
    } else {
      seen_named = true;
      bool known = false;
      for (const char* p : params) known = known || name == p;
      if (!known) error(a.value->loc, "'strategy' has no parameter named '" + name + "'");
    }
    const ast::Expr& v = *a.value;
    // Every argument of strategy() is const: fold it, typed as the
    // parameter wants.
    auto folded = [&](Type want) -> Value {
      std::optional<FoldedValue> f = fold_constant(v);
      if (f) f = coerce_folded(*f, want);
      if (!f || f->type == Type::Void)
        error(v.loc, "argument '" + name + "' of 'strategy' must be a constant " + sema::type_name(want));
      return f->value;
    };
    auto number = [&](double low, double high) {
      const double x = folded(Type::Float).f;
      if (!(x >= low && x <= high))
        error(v.loc, "argument '" + name + "' of 'strategy' is out of range (" + std::to_string(x) + ")");
      return x;
    };
    auto whole = [&](std::int64_t low, std::int64_t high) {
      const std::int64_t x = folded(Type::Int).i;
      if (x < low || x > high) error(v.loc, "argument '" + name + "' of 'strategy' is out of range (" + std::to_string(x) + ")");
      return x;
    };
    auto flag = [&]() { return folded(Type::Bool).i != 0; };
    auto text = [&]() { return pc_.program.strings[static_cast<std::size_t>(folded(Type::String).i)]; };
    if (name == "title") {
      if (v.kind != ast::ExprKind::StringLit) error(v.loc, "the strategy title must be a string literal");
      pc_.program.title = v.text;
    } else if (name == "pyramiding") {
      s.pyramiding = whole(0, 1'000'000);
    } else if (name == "calc_on_order_fills") {
      s.calc_on_order_fills = flag();
    } else if (name == "calc_on_every_tick") {
      s.calc_on_every_tick = flag();
    } else if (name == "max_bars_back") {
      // Read before compilation started (compile_main); checked there.
    } else if (name == "backtest_fill_limits_assumption") {
      s.backtest_fill_limits_assumption = whole(0, 1'000'000);
    } else if (name == "default_qty_type") {
      s.default_qty_type = static_cast<QtyType>(whole(0, static_cast<std::int64_t>(QtyType::PercentOfEquity)));
    } else if (name == "default_qty_value") {
      s.default_qty_value = number(0, 1e15);
      if (s.default_qty_value <= 0) error(v.loc, "argument 'default_qty_value' of 'strategy' must be positive");
    } else if (name == "initial_capital") {
      s.initial_capital = number(0, 1e15);
      if (s.initial_capital <= 0) error(v.loc, "argument 'initial_capital' of 'strategy' must be positive");
    } else if (name == "currency") {
      const std::string c = text();
      s.currency = c == "NONE" ? "" : c;
    } else if (name == "slippage") {
      s.slippage = whole(0, 1'000'000);
    } else if (name == "commission_type") {
      s.commission_type = static_cast<CommissionType>(whole(0, static_cast<std::int64_t>(CommissionType::CashPerOrder)));
    } else if (name == "commission_value") {
      s.commission_value = number(0, 1e15);
    } else if (name == "process_orders_on_close") {
      s.process_orders_on_close = flag();
    } else if (name == "close_entries_rule") {
      const std::string rule = text();
      if (rule != "FIFO" && rule != "ANY") error(v.loc, "close_entries_rule must be \"FIFO\" or \"ANY\"");
      s.close_entries_any = rule == "ANY";
    } else if (name == "margin_long") {
      s.margin_long = number(0, 1e6);
    } else if (name == "margin_short") {
      s.margin_short = number(0, 1e6);
    } else if (name == "risk_free_rate") {
      s.risk_free_rate = number(-100, 1e6);
    } else if (name == "use_bar_magnifier") {
      s.use_bar_magnifier = flag();
    } else if (name == "fill_orders_on_standard_ohlc") {
      s.fill_orders_on_standard_ohlc = flag();
    }
  }
  if (positional == 0 && !std::any_of(e.args.begin(), e.args.end(), [](const ast::Arg& a) { return a.name == "title"; }))
    error(e.loc, "missing argument 'title' in the call to 'strategy'");
  pc_.program.strategy = s;
}

std::optional<ExprValue> FunctionCompiler::compile_strategy_name(const ast::Expr& e) {
  const std::string& name = e.text;
  if (name.rfind("strategy.", 0) != 0) return std::nullopt;
  const bool entry_name = name == "strategy.position_entry_name";
  const bool currency = name == "strategy.account_currency";
  bool is_var = entry_name || currency;
  for (std::uint8_t v = 0; !is_var && v < static_cast<std::uint8_t>(StrategyVar::Count); ++v)
    is_var = name == strategy_var_info(static_cast<StrategyVar>(v)).name;
  if (!is_var) return std::nullopt;
  if (!pc_.program.strategy)
    error(e.loc, "'" + name + "' can only be used in a strategy: declare the script with strategy() instead of indicator()");
  // The variables with slots were declared in compile_main and found by
  // lookup(); these two are strings, read from the broker when used.
  at(e.loc);
  ExprValue r;
  r.reg = alloc_reg(e.loc);
  r.type = sema::make_type(Type::String, sema::Qual::Series);
  emit_.abc(Opcode::STRATEGY, static_cast<std::uint16_t>(entry_name ? StrategyFn::POSITION_ENTRY_NAME : StrategyFn::ACCOUNT_CURRENCY),
            r.reg, r.reg);
  return r;
}

} // namespace pine
