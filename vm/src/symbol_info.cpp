// Symbol information: validation, the context value table and the chart
// context an instance derives from its configuration.
#include "pine/vm/symbol_info.h"

#include <cmath>
#include <map>
#include <stdexcept>

#include "chart_context.h"
#include "pine/vm/program.h"

namespace pine {

namespace {

/// Fails naming the SymbolInfo field at fault.
[[noreturn]] void bad_field(const char* field, const std::string& why) {
  throw std::invalid_argument(std::string("syminfo '") + field + "' " + why);
}

/// Bounds the length of a text field (it is archived in snapshots).
void check_text(const char* field, const std::string& text) {
  if (text.size() > kMaxSymbolInfoText) bad_field(field, "is longer than 4096 characters");
}

/// The exchange prefix and ticker of a symbol string (empty: the default).
struct SymbolParts {
  std::string tickerid, prefix, ticker;
};

/// Splits "EXCHANGE:TICKER" at its first colon; no colon means no prefix.
SymbolParts split_symbol(const std::string& symbol) {
  SymbolParts p;
  p.tickerid = symbol.empty() ? kDefaultSymbol : symbol;
  const std::size_t colon = p.tickerid.find(':');
  if (colon == std::string::npos) {
    p.ticker = p.tickerid;
  } else {
    p.prefix = p.tickerid.substr(0, colon);
    p.ticker = p.tickerid.substr(colon + 1);
  }
  return p;
}

} // namespace

void validate_symbol_info(const SymbolInfo& info) {
  for (const auto& [field, text] : {std::pair<const char*, const std::string*>{"description", &info.description},
                                    {"currency", &info.currency},
                                    {"basecurrency", &info.basecurrency},
                                    {"type", &info.type},
                                    {"timezone", &info.timezone},
                                    {"session", &info.session},
                                    {"volumetype", &info.volumetype},
                                    {"root", &info.root},
                                    {"isin", &info.isin}})
    check_text(field, *text);
  if (info.country) check_text("country", *info.country);
  if (info.sector) check_text("sector", *info.sector);
  if (info.industry) check_text("industry", *info.industry);
  if (info.pricescale < 1) bad_field("pricescale", "must be a positive integer");
  if (info.minmove < 1) bad_field("minmove", "must be a positive integer");
  if (!std::isfinite(info.pointvalue) || info.pointvalue <= 0) bad_field("pointvalue", "must be a positive number");
  if (!std::isfinite(info.mincontract) || info.mincontract <= 0) bad_field("mincontract", "must be a positive number");
  if (!TimeZone::parse(info.timezone)) bad_field("timezone", "'" + info.timezone + "' is unknown: " + kTimeZoneHelp);
  if (info.trading_day_start < 0 || info.trading_day_start >= 24 * 60)
    bad_field("trading_day_start", "must be a time of day from 00:00 to 23:59");
  if (info.session != "regular" && info.session != "extended")
    bad_field("session", "must be \"regular\" or \"extended\" (session.regular, session.extended), not '" + info.session + "'");
}

void validate_symbol(const std::string& symbol) {
  if (symbol.size() > kMaxSymbolInfoText) throw std::invalid_argument("the symbol is longer than 4096 characters");
  if (split_symbol(symbol).ticker.empty())
    throw std::invalid_argument("the symbol '" + symbol + "' has no ticker; expected EXCHANGE:TICKER or TICKER");
}

void validate_timeframe(const std::string& timeframe) {
  if (!timeframe.empty() && !parse_timeframe(timeframe))
    throw std::invalid_argument("the timeframe '" + timeframe +
                                "' is not valid; expected a quantity and a unit such as \"15S\", \"1D\", \"1W\" or "
                                "\"3M\", or minutes without a unit (\"240\" is four hours)");
}

const ContextValueInfo& context_value_info(ContextValue v) {
  static const ContextValueInfo table[] = {
#define PINE_CONTEXT_INFO(id, name, type) {name, Type::type},
      PINE_CONTEXT_VALUES(PINE_CONTEXT_INFO)
#undef PINE_CONTEXT_INFO
  };
  return table[static_cast<std::size_t>(v)];
}

std::optional<ContextValue> find_context_value(const std::string& name) {
  static const std::map<std::string, ContextValue> index = [] {
    std::map<std::string, ContextValue> m;
    for (std::uint16_t i = 0; i < static_cast<std::uint16_t>(ContextValue::Count); ++i)
      m.emplace(context_value_info(static_cast<ContextValue>(i)).name, static_cast<ContextValue>(i));
    return m;
  }();
  auto it = index.find(name);
  if (it == index.end()) return std::nullopt;
  return it->second;
}

ChartContext make_chart_context(const InstanceConfig& config, std::vector<std::string>& strings) {
  try {
    validate_symbol(config.symbol);
    validate_timeframe(config.timeframe);
    validate_symbol_info(config.syminfo);
  } catch (const std::invalid_argument& e) {
    throw ProgramError(std::string("instance configuration: ") + e.what());
  }
  const SymbolInfo& info = config.syminfo;
  const SymbolParts sym = split_symbol(config.symbol);
  ChartContext ctx;
  ctx.timeframe = *parse_timeframe(config.timeframe.empty() ? std::string(kDefaultTimeframe) : config.timeframe);
  ctx.tz = *TimeZone::parse(info.timezone);
  const std::string period = timeframe_text(ctx.timeframe);
  using Unit = Timeframe::Unit;
  const Unit unit = ctx.timeframe.unit;

  ctx.values.assign(static_cast<std::size_t>(ContextValue::Count), Value{});
  auto set = [&](ContextValue v, Value x) { ctx.values[static_cast<std::size_t>(v)] = x; };
  auto set_text = [&](ContextValue v, const std::optional<std::string>& text) {
    if (!text) {
      set(v, make_int(kStringNa));
      return;
    }
    set(v, make_int(static_cast<std::int64_t>(strings.size())));
    strings.push_back(*text);
  };
  set_text(ContextValue::SYMINFO_TICKER, sym.ticker);
  set_text(ContextValue::SYMINFO_TICKERID, sym.tickerid);
  set_text(ContextValue::SYMINFO_PREFIX, sym.prefix);
  set_text(ContextValue::SYMINFO_ROOT, info.root.empty() ? sym.ticker : info.root);
  set_text(ContextValue::SYMINFO_DESCRIPTION, info.description);
  set_text(ContextValue::SYMINFO_CURRENCY, info.currency);
  set_text(ContextValue::SYMINFO_BASECURRENCY, info.basecurrency);
  set_text(ContextValue::SYMINFO_TYPE, info.type);
  set(ContextValue::SYMINFO_MINTICK, make_float(static_cast<double>(info.minmove) / static_cast<double>(info.pricescale)));
  set(ContextValue::SYMINFO_POINTVALUE, make_float(info.pointvalue));
  set(ContextValue::SYMINFO_PRICESCALE, make_int(info.pricescale));
  set(ContextValue::SYMINFO_MINMOVE, make_int(info.minmove));
  set(ContextValue::SYMINFO_MINCONTRACT, make_float(info.mincontract));
  set_text(ContextValue::SYMINFO_TIMEZONE, info.timezone);
  set_text(ContextValue::SYMINFO_SESSION, info.session);
  set_text(ContextValue::SYMINFO_VOLUMETYPE, info.volumetype);
  set_text(ContextValue::SYMINFO_MAIN_TICKERID, sym.tickerid);
  set_text(ContextValue::SYMINFO_COUNTRY, info.country);
  set_text(ContextValue::SYMINFO_ISIN, info.isin);
  set_text(ContextValue::SYMINFO_SECTOR, info.sector);
  set_text(ContextValue::SYMINFO_INDUSTRY, info.industry);
  set_text(ContextValue::TIMEFRAME_PERIOD, period);
  set_text(ContextValue::TIMEFRAME_MAIN_PERIOD, period);
  set(ContextValue::TIMEFRAME_MULTIPLIER, make_int(ctx.timeframe.multiplier));
  set(ContextValue::TIMEFRAME_ISINTRADAY, make_int(unit == Unit::Minutes || unit == Unit::Seconds));
  set(ContextValue::TIMEFRAME_ISDAILY, make_int(unit == Unit::Days));
  set(ContextValue::TIMEFRAME_ISWEEKLY, make_int(unit == Unit::Weeks));
  set(ContextValue::TIMEFRAME_ISMONTHLY, make_int(unit == Unit::Months));
  set(ContextValue::TIMEFRAME_ISDWM, make_int(unit == Unit::Days || unit == Unit::Weeks || unit == Unit::Months));
  set(ContextValue::TIMEFRAME_ISMINUTES, make_int(unit == Unit::Minutes));
  set(ContextValue::TIMEFRAME_ISSECONDS, make_int(unit == Unit::Seconds));
  set(ContextValue::TIMEFRAME_ISTICKS, make_int(unit == Unit::Ticks));
  return ctx;
}

} // namespace pine
