// The table of table-driven builtins (see builtin_table.h).
#include "builtin_table.h"

#include <map>

namespace pine {

namespace {

using L = BuiltinSig::Lowering;

Value i64(std::int64_t x) { return make_int(x); }

ParamSig req(const char* name, Type t) { return ParamSig{name, t, false, std::nullopt}; }
ParamSig simple(const char* name, Type t) { return ParamSig{name, t, true, std::nullopt}; }
ParamSig opt(const char* name, Type t, Value v) { return ParamSig{name, t, false, v}; }

BuiltinSig pure(const char* name, std::vector<ParamSig> params, Type result, BuiltinId id) {
  return BuiltinSig{name, std::move(params), {result}, L::Builtin, static_cast<std::uint16_t>(id)};
}
BuiltinSig stateful(const char* name, std::vector<ParamSig> params, std::vector<Type> results, StateKind kind) {
  return BuiltinSig{name, std::move(params), std::move(results), L::State, static_cast<std::uint16_t>(kind)};
}

constexpr Type F = Type::Float;
constexpr Type I = Type::Int;
constexpr Type B = Type::Bool;
constexpr Type S = Type::String;
constexpr Type C = Type::Color;

/// All overloads. Int overloads come first so an int argument keeps an int
/// result; float overloads accept ints by promotion.
const std::vector<BuiltinSig>& table() {
  static const std::vector<BuiltinSig> t = {
      pure("math.abs", {req("number", I)}, I, BuiltinId::ABS_I),
      pure("math.abs", {req("number", F)}, F, BuiltinId::ABS_F),
      pure("math.round", {req("number", F)}, I, BuiltinId::ROUND),
      pure("math.round", {req("number", F), req("precision", I)}, F, BuiltinId::ROUND_PREC),
      pure("math.floor", {req("number", F)}, I, BuiltinId::FLOOR),
      pure("math.ceil", {req("number", F)}, I, BuiltinId::CEIL),
      pure("math.sqrt", {req("number", F)}, F, BuiltinId::SQRT),
      pure("math.pow", {req("base", F), req("exponent", F)}, F, BuiltinId::POW),
      pure("math.log", {req("number", F)}, F, BuiltinId::LOG),
      pure("math.log10", {req("number", F)}, F, BuiltinId::LOG10),
      pure("math.exp", {req("number", F)}, F, BuiltinId::EXP),
      pure("math.sign", {req("number", F)}, F, BuiltinId::SIGN_F),
      pure("str.tostring", {req("value", I)}, S, BuiltinId::TOSTRING_I),
      pure("str.tostring", {req("value", F)}, S, BuiltinId::TOSTRING_F),
      pure("str.tostring", {req("value", B)}, S, BuiltinId::TOSTRING_B),
      pure("str.tostring", {req("value", S)}, S, BuiltinId::TOSTRING_S),
      pure("str.tostring", {req("value", F), req("format", S)}, S, BuiltinId::TOSTRING_FMT),

      pure("math.sin", {req("angle", F)}, F, BuiltinId::SIN),
      pure("math.cos", {req("angle", F)}, F, BuiltinId::COS),
      pure("math.tan", {req("angle", F)}, F, BuiltinId::TAN),
      pure("math.asin", {req("angle", F)}, F, BuiltinId::ASIN),
      pure("math.acos", {req("angle", F)}, F, BuiltinId::ACOS),
      pure("math.atan", {req("angle", F)}, F, BuiltinId::ATAN),
      pure("math.todegrees", {req("radians", F)}, F, BuiltinId::TODEGREES),
      pure("math.toradians", {req("degrees", F)}, F, BuiltinId::TORADIANS),
      pure("color.new", {req("color", C), req("transp", F)}, C, BuiltinId::COLOR_NEW),
      pure("color.rgb", {req("red", F), req("green", F), req("blue", F), opt("transp", F, make_float(0))}, C,
           BuiltinId::COLOR_RGB),
      pure("color.r", {req("color", C)}, F, BuiltinId::COLOR_R),
      pure("color.g", {req("color", C)}, F, BuiltinId::COLOR_G),
      pure("color.b", {req("color", C)}, F, BuiltinId::COLOR_B),
      pure("color.t", {req("color", C)}, F, BuiltinId::COLOR_T),

      pure("str.length", {req("string", S)}, I, BuiltinId::STR_LENGTH),
      pure("str.contains", {req("source", S), req("str", S)}, B, BuiltinId::STR_CONTAINS),
      pure("str.startswith", {req("source", S), req("str", S)}, B, BuiltinId::STR_STARTSWITH),
      pure("str.endswith", {req("source", S), req("str", S)}, B, BuiltinId::STR_ENDSWITH),
      pure("str.upper", {req("source", S)}, S, BuiltinId::STR_UPPER),
      pure("str.lower", {req("source", S)}, S, BuiltinId::STR_LOWER),
      pure("str.trim", {req("source", S)}, S, BuiltinId::STR_TRIM),
      pure("str.repeat", {req("source", S), req("repeat", I), opt("separator", S, i64(kEmptyString))}, S,
           BuiltinId::STR_REPEAT),
      pure("str.replace_all", {req("source", S), req("target", S), req("replacement", S)}, S, BuiltinId::STR_REPLACE_ALL),
      pure("str.pos", {req("source", S), req("str", S)}, I, BuiltinId::STR_POS),
      pure("str.substring", {req("source", S), req("begin_pos", I), opt("end_pos", I, i64(kIntNa))}, S,
           BuiltinId::STR_SUBSTRING),
      pure("str.tonumber", {req("string", S)}, F, BuiltinId::STR_TONUMBER),

      stateful("ta.sma", {req("source", F), req("length", I)}, {F}, StateKind::SMA),
      stateful("ta.ema", {req("source", F), simple("length", I)}, {F}, StateKind::EMA),
      stateful("ta.rma", {req("source", F), simple("length", I)}, {F}, StateKind::RMA),
      stateful("ta.wma", {req("source", F), req("length", I)}, {F}, StateKind::WMA),
      stateful("ta.rsi", {req("source", F), simple("length", I)}, {F}, StateKind::RSI),
      stateful("ta.atr", {simple("length", I)}, {F}, StateKind::ATR),
      stateful("ta.tr", {opt("handle_na", B, i64(0))}, {F}, StateKind::TR),
      stateful("ta.highest", {req("source", F), req("length", I)}, {F}, StateKind::HIGHEST),
      stateful("ta.lowest", {req("source", F), req("length", I)}, {F}, StateKind::LOWEST),
      stateful("ta.stdev", {req("source", F), req("length", I), opt("biased", B, i64(1))}, {F}, StateKind::STDEV),
      stateful("ta.variance", {req("source", F), req("length", I), opt("biased", B, i64(1))}, {F}, StateKind::VARIANCE),
      stateful("ta.change", {req("source", I), opt("length", I, i64(1))}, {I}, StateKind::CHANGE_I),
      stateful("ta.change", {req("source", F), opt("length", I, i64(1))}, {F}, StateKind::CHANGE),
      stateful("ta.change", {req("source", B), opt("length", I, i64(1))}, {B}, StateKind::CHANGE_B),
      stateful("ta.crossover", {req("source1", F), req("source2", F)}, {B}, StateKind::CROSSOVER),
      stateful("ta.crossunder", {req("source1", F), req("source2", F)}, {B}, StateKind::CROSSUNDER),
      stateful("ta.cross", {req("source1", F), req("source2", F)}, {B}, StateKind::CROSS),
      stateful("ta.macd",
               {req("source", F), simple("fastlen", I), simple("slowlen", I), simple("siglen", I)},
               {F, F, F}, StateKind::MACD),
      stateful("math.sum", {req("source", F), req("length", I)}, {F}, StateKind::SUM),
      stateful("fixnan", {req("source", I)}, {I}, StateKind::FIXNAN_I),
      stateful("fixnan", {req("source", F)}, {F}, StateKind::FIXNAN_F),
      pure("str.replace", {req("source", S), req("target", S), req("replacement", S), opt("occurrence", I, i64(0))}, S,
           BuiltinId::STR_REPLACE),
      pure("str.match", {req("source", S), req("regex", S)}, S, BuiltinId::STR_MATCH),
      // Empty format: Pine's default pattern; empty zone: UTC (no syminfo yet).
      pure("str.format_time",
           {req("time", I), opt("format", S, i64(kEmptyString)), opt("timezone", S, i64(kEmptyString))}, S,
           BuiltinId::STR_FORMAT_TIME),
      pure("math.round_to_mintick", {req("number", F)}, F, BuiltinId::ROUND_TO_MINTICK),
      pure("color.from_gradient",
           {req("value", F), req("bottom_value", F), req("top_value", F), req("bottom_color", C), req("top_color", C)}, C,
           BuiltinId::COLOR_FROM_GRADIENT),

      // The time builtins; codegen_time.cpp supplies the timezone and
      // timeframe defaults (instance values) and timestamp()'s overloads.
      pure("year", {req("time", I), req("timezone", S)}, I, BuiltinId::TIME_YEAR),
      pure("month", {req("time", I), req("timezone", S)}, I, BuiltinId::TIME_MONTH),
      pure("weekofyear", {req("time", I), req("timezone", S)}, I, BuiltinId::TIME_WEEKOFYEAR),
      pure("dayofmonth", {req("time", I), req("timezone", S)}, I, BuiltinId::TIME_DAYOFMONTH),
      pure("dayofweek", {req("time", I), req("timezone", S)}, I, BuiltinId::TIME_DAYOFWEEK),
      pure("hour", {req("time", I), req("timezone", S)}, I, BuiltinId::TIME_HOUR),
      pure("minute", {req("time", I), req("timezone", S)}, I, BuiltinId::TIME_MINUTE),
      pure("second", {req("time", I), req("timezone", S)}, I, BuiltinId::TIME_SECOND),
      pure("timestamp",
           {req("timezone", S), req("year", I), req("month", I), req("day", I), opt("hour", I, i64(0)),
            opt("minute", I, i64(0)), opt("second", I, i64(0))},
           I, BuiltinId::TIMESTAMP),
      pure("timeframe.in_seconds", {req("timeframe", S)}, I, BuiltinId::TF_IN_SECONDS),
      pure("timeframe.from_seconds", {req("seconds", I)}, S, BuiltinId::TF_FROM_SECONDS),
      stateful("ta.cum", {req("source", F)}, {F}, StateKind::CUM),
      stateful("ta.mom", {req("source", F), req("length", I)}, {F}, StateKind::MOM),
      stateful("ta.roc", {req("source", F), req("length", I)}, {F}, StateKind::ROC),
      stateful("ta.barssince", {req("condition", B)}, {I}, StateKind::BARSSINCE),
      stateful("ta.valuewhen", {req("condition", B), req("source", I), simple("occurrence", I)}, {I},
               StateKind::VALUEWHEN_I),
      stateful("ta.valuewhen", {req("condition", B), req("source", F), simple("occurrence", I)}, {F},
               StateKind::VALUEWHEN),
      stateful("ta.vwma", {req("source", F), req("length", I)}, {F}, StateKind::VWMA),
      stateful("ta.swma", {req("source", F)}, {F}, StateKind::SWMA),
      stateful("ta.hma", {req("source", F), simple("length", I)}, {F}, StateKind::HMA),
      stateful("ta.alma",
               {req("series", F), req("length", I), req("offset", F), req("sigma", F), opt("floor", B, i64(0))},
               {F}, StateKind::ALMA),
      stateful("ta.linreg", {req("source", F), req("length", I), req("offset", I)}, {F}, StateKind::LINREG),
      stateful("ta.cci", {req("source", F), req("length", I)}, {F}, StateKind::CCI),
      stateful("ta.cmo", {req("series", F), req("length", I)}, {F}, StateKind::CMO),
      stateful("ta.mfi", {req("series", F), req("length", I)}, {F}, StateKind::MFI),
      stateful("ta.tsi", {req("source", F), simple("short_length", I), simple("long_length", I)}, {F},
               StateKind::TSI),
      stateful("ta.wpr", {req("length", I)}, {F}, StateKind::WPR),
      stateful("ta.cog", {req("source", F), req("length", I)}, {F}, StateKind::COG),
      stateful("ta.dev", {req("source", F), req("length", I)}, {F}, StateKind::DEV),
      stateful("ta.median", {req("source", F), req("length", I)}, {F}, StateKind::MEDIAN),
      stateful("ta.mode", {req("source", F), req("length", I)}, {F}, StateKind::MODE),
      stateful("ta.range", {req("source", F), req("length", I)}, {F}, StateKind::RANGE),
      stateful("ta.rising", {req("source", F), req("length", I)}, {B}, StateKind::RISING),
      stateful("ta.falling", {req("source", F), req("length", I)}, {B}, StateKind::FALLING),
      stateful("ta.highestbars", {req("length", I)}, {I}, StateKind::HIGHESTBARS_H),
      stateful("ta.highestbars", {req("source", F), req("length", I)}, {I}, StateKind::HIGHESTBARS),
      stateful("ta.lowestbars", {req("length", I)}, {I}, StateKind::LOWESTBARS_L),
      stateful("ta.lowestbars", {req("source", F), req("length", I)}, {I}, StateKind::LOWESTBARS),
      stateful("ta.max", {req("source", F)}, {F}, StateKind::MAX),
      stateful("ta.min", {req("source", F)}, {F}, StateKind::MIN),
      stateful("ta.stoch", {req("source", F), req("high", F), req("low", F), req("length", I)}, {F}, StateKind::STOCH),
      stateful("ta.bb", {req("series", F), req("length", I), req("mult", F)}, {F, F, F}, StateKind::BB),
      stateful("ta.bbw", {req("series", F), req("length", I), req("mult", F)}, {F}, StateKind::BBW),
      stateful("ta.kc", {req("series", F), simple("length", I), req("mult", F), opt("useTrueRange", B, i64(1))},
               {F, F, F}, StateKind::KC),
      stateful("ta.kcw", {req("series", F), simple("length", I), req("mult", F), opt("useTrueRange", B, i64(1))},
               {F}, StateKind::KCW),
      stateful("ta.correlation", {req("source1", F), req("source2", F), req("length", I)}, {F},
               StateKind::CORRELATION),
      stateful("ta.percentrank", {req("source", F), req("length", I)}, {F}, StateKind::PERCENTRANK),
      stateful("ta.percentile_linear_interpolation", {req("source", F), req("length", I), req("percentage", F)},
               {F}, StateKind::PERCENTILE_LINEAR),
      stateful("ta.percentile_nearest_rank", {req("source", F), req("length", I), req("percentage", F)}, {F},
               StateKind::PERCENTILE_NEAREST),
      stateful("ta.pivothigh", {req("leftbars", I), req("rightbars", I)}, {F}, StateKind::PIVOTHIGH_H),
      stateful("ta.pivothigh", {req("source", F), req("leftbars", I), req("rightbars", I)}, {F}, StateKind::PIVOTHIGH),
      stateful("ta.pivotlow", {req("leftbars", I), req("rightbars", I)}, {F}, StateKind::PIVOTLOW_L),
      stateful("ta.pivotlow", {req("source", F), req("leftbars", I), req("rightbars", I)}, {F}, StateKind::PIVOTLOW),
      stateful("ta.supertrend", {req("factor", F), simple("atrPeriod", I)}, {F, I}, StateKind::SUPERTREND),
      stateful("ta.dmi", {simple("diLength", I), simple("adxSmoothing", I)}, {F, F, F}, StateKind::DMI),
      stateful("ta.sar", {simple("start", F), simple("inc", F), simple("max", F)}, {F}, StateKind::SAR),
      stateful("ta.vwap", {req("source", F)}, {F}, StateKind::VWAP),
      stateful("ta.vwap", {req("source", F), req("anchor", B)}, {F}, StateKind::VWAP_ANCHOR),
      stateful("ta.vwap", {req("source", F), req("anchor", B), req("stdev_mult", F)}, {F, F, F},
               StateKind::VWAP_BANDS),
      stateful("ta.obv", {}, {F}, StateKind::OBV),
      stateful("ta.accdist", {}, {F}, StateKind::ACCDIST),
      stateful("ta.iii", {}, {F}, StateKind::III),
      stateful("ta.nvi", {}, {F}, StateKind::NVI),
      stateful("ta.pvi", {}, {F}, StateKind::PVI),
      stateful("ta.pvt", {}, {F}, StateKind::PVT),
      stateful("ta.wad", {}, {F}, StateKind::WAD),
      stateful("ta.wvad", {}, {F}, StateKind::WVAD),
      stateful("ta.rci", {req("source", F), req("length", I)}, {F}, StateKind::RCI),
  };
  return t;
}

const std::map<std::string, std::vector<const BuiltinSig*>>& index() {
  static const auto idx = [] {
    std::map<std::string, std::vector<const BuiltinSig*>> m;
    for (const BuiltinSig& s : table()) m[s.name].push_back(&s);
    return m;
  }();
  return idx;
}

} // namespace

std::vector<const BuiltinSig*> find_builtin(const std::string& name) {
  auto it = index().find(name);
  if (it == index().end()) return {};
  return it->second;
}

bool is_builtin_function_name(const std::string& name) {
  static const char* const special[] = {
      "plot", "hline", "indicator", "na", "nz", "int", "float", "bool", "string", "log.info", "log.warning", "log.error",
      "input", "input.source", "input.int", "input.float", "input.bool", "input.string", "input.timeframe", "input.symbol", "input.session",
      "bool", "max_bars_back", "input.text_area", "input.price", "input.color", "input.time", "input.enum", "math.max", "math.min", "math.avg",
      "runtime.error", "ta.highest", "ta.lowest",
      "plotshape", "plotchar", "plotarrow", "plotbar", "plotcandle", "fill", "bgcolor", "barcolor", "alert",
      "alertcondition", "str.format", "math.random", "ta.pivot_point_levels",
  };
  for (const char* s : special)
    if (name == s) return true;
  return index().count(name) > 0;
}

const char* unsupported_feature(const std::string& name) {
  static const std::pair<const char*, const char*> namespaces[] = {
      {"label", "drawings (label.*)"}, {"line", "drawings (line.*)"}, {"box", "drawings (box.*)"},
      {"table", "tables (table.*)"}, {"linefill", "drawings (linefill.*)"}, {"polyline", "drawings (polyline.*)"},
      {"chart.point", "drawings (chart.point.*)"}, {"request", "other symbols and timeframes (request.*)"},
      {"strategy", "strategies (strategy.*)"}, {"ticker", "ticker.* symbol constructors"},
  };
  for (const auto& [ns, feature] : namespaces) {
    const std::size_t n = std::char_traits<char>::length(ns);
    if (name == ns || (name.size() > n && name.compare(0, n, ns) == 0 && name[n] == '.')) return feature;
  }
  return nullptr;
}

std::optional<std::uint32_t> find_color_constant(const std::string& name) {
  // Pine v6 values (spec 3.7 #14 for the ones v6 changed).
  static const std::map<std::string, std::uint32_t> colors = {
      {"color.aqua", 0x00BCD4FF},   {"color.black", 0x363A45FF}, {"color.blue", 0x2962FFFF},
      {"color.fuchsia", 0xE040FBFF}, {"color.gray", 0x787B86FF},  {"color.green", 0x4CAF50FF},
      {"color.lime", 0x00E676FF},   {"color.maroon", 0x880E4FFF}, {"color.navy", 0x311B92FF},
      {"color.olive", 0x808000FF},  {"color.orange", 0xFF9800FF}, {"color.purple", 0x9C27B0FF},
      {"color.red", 0xF23645FF},    {"color.silver", 0xB2B5BEFF}, {"color.teal", 0x089981FF},
      {"color.white", 0xFFFFFFFF},  {"color.yellow", 0xFDD835FF},
  };
  auto it = colors.find(name);
  if (it == colors.end()) return std::nullopt;
  return it->second;
}

} // namespace pine
