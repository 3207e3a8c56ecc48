// syminfo.*/timeframe.* names and the time builtins (see codegen_time.h).
// The builtins themselves are table entries (builtin_table.cpp); this file
// supplies the defaults the table cannot express (they are instance values,
// not constants), picks timestamp()'s overload, and rejects literal time
// zones, timeframes and date strings that pinevm cannot read at compile time
// rather than on the first bar.
#include "codegen_time.h"

#include <set>

#include "pine/vm/calendar.h"
#include "pine/vm/symbol_info.h"

namespace pine {

namespace {

/// The text of a compiled string argument when it is a literal constant.
std::optional<std::string> literal_text(FunctionCompiler& fc, const ExprValue& v) {
  if (!v.const_load || v.type.type != Type::String || v.type.is_na) return std::nullopt;
  const std::int64_t h = v.const_value.i;
  if (h < 0 || static_cast<std::size_t>(h) >= fc.pc_.program.strings.size()) return std::nullopt;
  return fc.pc_.program.strings[static_cast<std::size_t>(h)];
}

/// Rejects a literal time zone pinevm does not support.
void check_time_zone(FunctionCompiler& fc, const CompiledArg& arg) {
  if (auto text = literal_text(fc, arg.value); text && !TimeZone::parse(*text))
    fc.error(arg.loc, "unknown time zone '" + *text + "': " + kTimeZoneHelp);
}

/// The argument bound to parameter `name` (named, or positional `pos`).
CompiledArg* find(std::vector<CompiledArg>& args, std::size_t pos, const char* name) {
  std::size_t positional = 0;
  for (CompiledArg& a : args) {
    if (a.name.empty() ? positional++ == pos : a.name == name) return &a;
  }
  return nullptr;
}

/// Every argument of `call`, compiled in source order.
std::vector<CompiledArg> compile_args(FunctionCompiler& fc, const ast::Expr& call) {
  std::vector<CompiledArg> args;
  for (const ast::Arg& a : call.args) args.push_back({a.name, a.loc, fc.compile_single(*a.value)});
  return args;
}

/// timestamp(dateString): a const int computed now, as Pine's overload is.
ExprValue compile_date_string(FunctionCompiler& fc, const ast::Expr& literal) {
  const std::optional<std::int64_t> t = parse_date_string(literal.text);
  if (!t)
    fc.error(literal.loc, "timestamp(): '" + literal.text +
                              "' is not a date; write \"YYYY-MM-DD[THH:MM[:SS]][zone]\" or \"DD Mon YYYY [HH:MM[:SS]] [zone]\"");
  return fc.constant(Type::Int, make_int(*t));
}

} // namespace

std::optional<ExprValue> compile_context_name(FunctionCompiler& fc, const std::string& name, SourceLoc loc) {
  const std::optional<ContextValue> id = find_context_value(name);
  if (!id) return std::nullopt;
  ExprValue r;
  r.reg = fc.alloc_reg(loc);
  r.type = sema::make_type(context_value_info(*id).type, sema::Qual::Simple);
  fc.emit_.abc(Opcode::LOADCONTEXT, r.reg, static_cast<std::uint16_t>(*id));
  return r;
}

/// time(timeframe, session = na, timezone = syminfo.timezone) and its
/// time_close/timeframe.change uses: the open (`close`: the close) of the
/// `timeframe` period holding the bar, na when the bar is outside `session`.
static ExprValue period_time(FunctionCompiler& fc, const ast::Expr& call, const std::string& name, bool close) {
  std::vector<CompiledArg> given = compile_args(fc, call);
  const char* names[] = {"timeframe", "session", "timezone"};
  std::vector<std::optional<ExprValue>> slot(3);
  std::size_t pos = 0;
  for (CompiledArg& a : given) {
    std::size_t p = pos;
    if (!a.name.empty()) {
      p = 0;
      while (p < 3 && a.name != names[p]) ++p;
      if (p == 3) fc.error(a.loc, "'" + name + "' has no parameter named '" + a.name + "' (bars_back is not supported yet)");
    } else {
      ++pos;
    }
    if (p >= 3) fc.error(a.loc, "too many arguments in the call to '" + name + "'");
    if (!fc.convert(a.value, Type::String))
      fc.error(a.loc, "type mismatch: argument '" + std::string(names[p]) + "' of '" + name + "' expects string, got " +
                          sema::describe(a.value.type));
    if (p == 2) check_time_zone(fc, a);
    slot[p] = a.value;
  }
  std::vector<ExprValue> args;
  args.push_back(fc.compile_name_value("time", call.loc));
  args.push_back(slot[0] ? *slot[0] : fc.compile_name_value("timeframe.period", call.loc));
  args.push_back(slot[1] ? *slot[1] : fc.constant(Type::String, make_int(kStringNa)));
  args.push_back(slot[2] ? *slot[2] : fc.compile_name_value("syminfo.timezone", call.loc));
  args.push_back(fc.constant(Type::Bool, make_int(close ? 1 : 0)));
  const std::uint16_t first = fc.alloc_regs(5, call.loc);
  fc.emit_arg_block(first, args);
  ExprValue out;
  out.reg = fc.alloc_reg(call.loc);
  out.type = sema::make_type(Type::Int, sema::Qual::Series);
  fc.at(call.loc);
  fc.emit_.abc(Opcode::BUILTIN, static_cast<std::uint16_t>(BuiltinId::TIME_OF_PERIOD), first, out.reg);
  return out;
}

std::optional<std::vector<ExprValue>> compile_time_call(FunctionCompiler& fc, const ast::Expr& call, const std::string& name) {
  static const std::set<std::string> calendar = {"year", "month", "weekofyear", "dayofmonth",
                                                 "dayofweek", "hour", "minute", "second"};
  if (calendar.count(name)) {
    // name(time, timezone = syminfo.timezone)
    std::vector<CompiledArg> args = compile_args(fc, call);
    if (CompiledArg* tz = find(args, 1, "timezone")) check_time_zone(fc, *tz);
    else args.push_back({"timezone", call.loc, fc.compile_name_value("syminfo.timezone", call.loc)});
    return fc.emit_table_call(call, name, std::move(args));
  }
  if (name == "timestamp") {
    const bool one_arg = call.args.size() == 1 && (call.args[0].name.empty() || call.args[0].name == "dateString");
    if (one_arg && call.args[0].value->kind == ast::ExprKind::StringLit)
      return std::vector<ExprValue>{compile_date_string(fc, *call.args[0].value)};
    std::vector<CompiledArg> args = compile_args(fc, call);
    if (args.empty()) fc.error(call.loc, "missing arguments in the call to 'timestamp'");
    if (one_arg && args[0].value.type.type == Type::String && !args[0].value.type.is_na)
      fc.error(args[0].loc, "timestamp(dateString) needs a literal date string such as \"2020-02-20T15:30:00+0000\"");
    CompiledArg* tz = find(args, 0, "timezone");
    if (tz != nullptr && (!tz->name.empty() || tz->value.type.type == Type::String)) {
      // timestamp(timezone, year, month, day, hour, minute, second)
      check_time_zone(fc, *tz);
    } else {
      // timestamp(year, month, day, ...) in the exchange time zone.
      args.insert(args.begin(), CompiledArg{"", call.loc, fc.compile_name_value("syminfo.timezone", call.loc)});
    }
    return fc.emit_table_call(call, name, std::move(args));
  }
  if ((name == "time" || name == "time_close") && !call.args.empty())
    return std::vector<ExprValue>{period_time(fc, call, name, name == "time_close")};
  if (name == "timeframe.change") {
    // True on the first bar of a new `timeframe` period (the first bar
    // included): the period's open time differs from the last bar's. An na
    // change (the first bar) makes EQI false, so NOT gives true.
    ExprValue open = period_time(fc, call, name, false);
    std::vector<CompiledArg> change_args{{"", call.loc, open}, {"", call.loc, fc.constant(Type::Int, make_int(1))}};
    const ExprValue change = fc.emit_table_call(call, "ta.change", std::move(change_args)).at(0);
    const ExprValue zero = fc.constant(Type::Int, make_int(0));
    ExprValue out;
    out.reg = fc.alloc_reg(call.loc);
    out.type = sema::make_type(Type::Bool, sema::Qual::Series);
    fc.emit_.abc(Opcode::EQI, out.reg, change.reg, zero.reg);
    fc.emit_.abc(Opcode::NOT, out.reg, out.reg);
    return std::vector<ExprValue>{out};
  }
  if (name == "timeframe.in_seconds") {
    // timeframe.in_seconds(timeframe = timeframe.period)
    std::vector<CompiledArg> args = compile_args(fc, call);
    if (CompiledArg* tf = find(args, 0, "timeframe")) {
      if (auto text = literal_text(fc, tf->value); text && !parse_timeframe(*text))
        fc.error(tf->loc, "timeframe.in_seconds(): '" + *text + "' is not a valid timeframe");
    } else {
      args.push_back({"timeframe", call.loc, fc.compile_name_value("timeframe.period", call.loc)});
    }
    return fc.emit_table_call(call, name, std::move(args));
  }
  return std::nullopt;
}

std::optional<ExprValue> FunctionCompiler::compile_session_name(const ast::Expr& e) {
  const std::string& name = e.text;
  // One continuous (24x7) session: every bar is in the market session.
  if (name == "session.ismarket") return constant(Type::Bool, make_int(1), sema::Qual::Series);
  if (name == "session.ispremarket" || name == "session.ispostmarket")
    return constant(Type::Bool, make_int(0), sema::Qual::Series);
  // The first bar of a day is the first of its session; the last bar of a
  // day is the one that closes when the day does.
  auto day_call = [&](const char* fn) {
    ast::Expr call(ast::ExprKind::Call, e.loc);
    call.lhs = std::make_unique<ast::Expr>(ast::ExprKind::Name, e.loc);
    call.lhs->text = fn;
    ast::Arg tf;
    tf.loc = e.loc;
    tf.value = std::make_unique<ast::Expr>(ast::ExprKind::StringLit, e.loc);
    tf.value->text = "1D";
    call.args.push_back(std::move(tf));
    return compile_single(call);
  };
  if (name == "session.isfirstbar" || name == "session.isfirstbar_regular") return day_call("timeframe.change");
  if (name == "session.islastbar" || name == "session.islastbar_regular") {
    const ExprValue day_close = day_call("time_close");
    const ExprValue bar_close = compile_name_value("time_close", e.loc);
    ExprValue out;
    out.reg = alloc_reg(e.loc);
    out.type = sema::make_type(Type::Bool, sema::Qual::Series);
    emit_.abc(Opcode::EQI, out.reg, day_close.reg, bar_close.reg);
    return out;
  }
  // No fundamentals feed: the upcoming earnings and dividends are unknown.
  static const char* const future_floats[] = {"earnings.future_eps", "earnings.future_revenue", "dividends.future_amount"};
  static const char* const future_times[] = {"earnings.future_time", "earnings.future_period_end_time",
                                             "dividends.future_ex_date", "dividends.future_pay_date"};
  for (const char* f : future_floats)
    if (name == f) return constant(Type::Float, make_float(kFloatNa), sema::Qual::Series);
  for (const char* f : future_times)
    if (name == f) return constant(Type::Int, make_int(kIntNa), sema::Qual::Series);
  return std::nullopt;
}

} // namespace pine
