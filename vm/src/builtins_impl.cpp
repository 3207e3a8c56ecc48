// Stateless builtins: math.*, color.* and str.tostring.
#include "builtins_impl.h"

#include <charconv>
#include <cmath>
#include <string>
#include <string_view>

#include "builtins/ta_pivots.h"
#include "compare.h"
#include "pine/vm/color.h"
#include "pine/vm/number_format.h"

namespace pine {

namespace {

/// math.round's rule: half up (toward +inf), as the reference manual says.
double round_half_up(double x) { return std::floor(x + 0.5); }

/// Float result of a function that maps na to na.
Value float_result(double x) { return make_float(x); }

Value int_from_float(double x) { return make_int(float_to_int(x)); }

constexpr double kPi = 3.14159265358979323846;

/// syminfo.mintick until pinevm knows the symbol: 0.01 (a cent, the tick of
/// most stocks), used by math.round_to_mintick and format.mintick. The
/// pattern prints exactly the mintick's decimals.
constexpr std::string_view kMintickPattern = "0.00";

/// str.tostring(x, format): the format.* keywords, else a number pattern.
/// "mintick": rounded to the mintick, trailing zeros kept (reference manual).
/// "percent": two decimals and a percent sign, the value not scaled (Pine's
/// format.percent "adds a percent sign"; precision 2 is its default).
/// "volume": K, M, B, T suffixes with up to three decimals ("5183" ->
/// "5.183K", the manual's example). "price", "inherit" and "": the default.
std::string format_with_keyword(double x, std::string_view format) {
  if (format.empty() || format == "price" || format == "inherit") return format_pine_number(x);
  if (format == "mintick") return format_with_pattern(x, kMintickPattern);
  if (format == "percent") return std::isfinite(x) ? format_with_pattern(x, "0.00") + "%" : "NaN";
  if (format == "volume") {
    static constexpr struct {
      double scale;
      const char* suffix;
    } kUnits[] = {{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "K"}};
    for (const auto& unit : kUnits)
      if (std::fabs(x) >= unit.scale) return format_with_pattern(x / unit.scale, "#.###") + unit.suffix;
    return format_with_pattern(x, "#.###");
  }
  return format_with_pattern(x, format);
}

} // namespace

const char* call_builtin(BuiltinId id, const Value* args, Value& result, StringTable& strings) {
  switch (id) {
    case BuiltinId::ABS_F: result = float_result(std::fabs(args[0].f)); break;
    case BuiltinId::ABS_I: {
      const std::int64_t x = args[0].i;
      result = make_int(x == kIntNa ? kIntNa : (x < 0 ? -x : x));
      break;
    }
    case BuiltinId::MAX_F:
    case BuiltinId::MIN_F: {
      // Any na argument gives na (Reference: math.max); otherwise an exact comparison.
      const double x = args[0].f, y = args[1].f;
      if (std::isnan(x) || std::isnan(y)) result = make_float(kFloatNa);
      else result = make_float(id == BuiltinId::MAX_F ? (x >= y ? x : y) : (x <= y ? x : y));
      break;
    }
    case BuiltinId::MAX_I:
    case BuiltinId::MIN_I: {
      const std::int64_t x = args[0].i, y = args[1].i;
      if (x == kIntNa || y == kIntNa) result = make_int(kIntNa);
      else result = make_int(id == BuiltinId::MAX_I ? (x >= y ? x : y) : (x <= y ? x : y));
      break;
    }
    case BuiltinId::ROUND: result = int_from_float(round_half_up(args[0].f)); break;
    case BuiltinId::ROUND_PREC: {
      const double x = args[0].f;
      const std::int64_t p = args[1].i;
      if (p == kIntNa || !std::isfinite(x)) {
        result = make_float(kFloatNa);
        break;
      }
      const double scale = std::pow(10.0, static_cast<double>(p));
      result = make_float(round_half_up(x * scale) / scale);
      break;
    }
    case BuiltinId::FLOOR: result = int_from_float(std::floor(args[0].f)); break;
    case BuiltinId::CEIL: result = int_from_float(std::ceil(args[0].f)); break;
    case BuiltinId::SQRT: result = make_float(std::sqrt(args[0].f)); break;
    case BuiltinId::POW: result = make_float(std::pow(args[0].f, args[1].f)); break;
    case BuiltinId::LOG: result = make_float(std::log(args[0].f)); break;
    case BuiltinId::LOG10: result = make_float(std::log10(args[0].f)); break;
    case BuiltinId::EXP: result = make_float(std::exp(args[0].f)); break;
    case BuiltinId::SIGN_F: {
      const double x = args[0].f;
      result = make_float(std::isnan(x) ? kFloatNa : (x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0)));
      break;
    }
    case BuiltinId::TOSTRING_F: result = make_int(strings.add(format_pine_number(args[0].f))); break;
    case BuiltinId::TOSTRING_I: result = make_int(strings.add(format_pine_int(args[0].i))); break;
    case BuiltinId::TOSTRING_B: result = make_int(strings.add(args[0].i != 0 ? "true" : "false")); break;
    case BuiltinId::TOSTRING_S: {
      const std::int64_t h = args[0].i;
      result = make_int(h == kStringNa ? strings.add("NaN") : h);
      break;
    }
    case BuiltinId::TOSTRING_FMT: {
      const std::int64_t h = args[1].i;
      const double x = args[0].f;
      const std::string format = h == kStringNa ? std::string() : std::string(strings.get(h));
      result = make_int(strings.add(format_with_keyword(x, format)));
      break;
    }
    case BuiltinId::SIN: result = make_float(std::sin(args[0].f)); break;
    case BuiltinId::COS: result = make_float(std::cos(args[0].f)); break;
    case BuiltinId::TAN: result = make_float(std::tan(args[0].f)); break;
    case BuiltinId::ASIN: result = make_float(std::asin(args[0].f)); break;
    case BuiltinId::ACOS: result = make_float(std::acos(args[0].f)); break;
    case BuiltinId::ATAN: result = make_float(std::atan(args[0].f)); break;
    case BuiltinId::TODEGREES: result = make_float(args[0].f * (180.0 / kPi)); break;
    case BuiltinId::TORADIANS: result = make_float(args[0].f * (kPi / 180.0)); break;
    case BuiltinId::COLOR_NEW: {
      result = make_int(color_with_transp(args[0].i, args[1].f));
      break;
    }
    case BuiltinId::COLOR_RGB: {
      result = make_int(color_from_rgb(args[0].f, args[1].f, args[2].f, args[3].f));
      break;
    }
    case BuiltinId::COLOR_R:
    case BuiltinId::COLOR_G:
    case BuiltinId::COLOR_B:
    case BuiltinId::COLOR_T: {
      const int shift = id == BuiltinId::COLOR_R ? 24 : id == BuiltinId::COLOR_G ? 16 : id == BuiltinId::COLOR_B ? 8 : 0;
      result = make_float(color_component(args[0].i, shift));
      break;
    }
    case BuiltinId::STR_LENGTH: case BuiltinId::STR_CONTAINS: case BuiltinId::STR_STARTSWITH:
    case BuiltinId::STR_ENDSWITH: case BuiltinId::STR_UPPER: case BuiltinId::STR_LOWER: case BuiltinId::STR_TRIM:
    case BuiltinId::STR_REPEAT: case BuiltinId::STR_REPLACE_ALL: case BuiltinId::STR_POS: case BuiltinId::STR_SUBSTRING:
    case BuiltinId::STR_TONUMBER: case BuiltinId::STR_REPLACE: case BuiltinId::STR_MATCH:
    case BuiltinId::STR_FORMAT_TIME:
      return call_str_builtin(id, args, result, strings);
    case BuiltinId::ROUND_TO_MINTICK: {
      // Half away from zero on the shortest decimal digits, as str.tostring
      // rounds (1.005 -> 1.01), then back to the nearest double.
      const double x = args[0].f;
      if (!std::isfinite(x)) {
        result = make_float(kFloatNa);
        break;
      }
      const std::string text = format_with_pattern(x, kMintickPattern);
      double rounded = kFloatNa;
      std::from_chars(text.data(), text.data() + text.size(), rounded);
      result = make_float(rounded);
      break;
    }
    case BuiltinId::COLOR_FROM_GRADIENT: {
      // Linear in every RGBA byte; the position is clamped to [0, 1]; na
      // value, bound or colour gives na; equal bounds give the bottom colour.
      const double v = args[0].f, lo = args[1].f, hi = args[2].f;
      const std::int64_t c_lo = args[3].i, c_hi = args[4].i;
      if (std::isnan(v) || std::isnan(lo) || std::isnan(hi) || c_lo == kColorNa || c_hi == kColorNa) {
        result = make_int(kColorNa);
        break;
      }
      if (lo == hi) {
        result = make_int(c_lo);
        break;
      }
      double pos = (v - lo) / (hi - lo);
      pos = pos < 0 ? 0 : (pos > 1 ? 1 : pos);
      result = make_int(color_mix_channel(c_lo, c_hi, 24, pos) | color_mix_channel(c_lo, c_hi, 16, pos) | color_mix_channel(c_lo, c_hi, 8, pos) |
                        color_mix_channel(c_lo, c_hi, 0, pos));
      break;
    }
    case BuiltinId::TIME_YEAR: case BuiltinId::TIME_MONTH: case BuiltinId::TIME_WEEKOFYEAR:
    case BuiltinId::TIME_DAYOFMONTH: case BuiltinId::TIME_DAYOFWEEK: case BuiltinId::TIME_HOUR:
    case BuiltinId::TIME_MINUTE: case BuiltinId::TIME_SECOND: case BuiltinId::TIMESTAMP:
    case BuiltinId::TF_IN_SECONDS: case BuiltinId::TF_FROM_SECONDS: case BuiltinId::TIME_OF_PERIOD:
      return call_time_builtin(id, args, result, strings);
    case BuiltinId::PIVOT_TYPE: {
      // Parsed on every call because the argument is a series string.
      const std::int64_t h = args[0].i;
      ta::PivotType type{};
      if (h == kStringNa || !ta::parse_pivot_type(strings.get(h), type))
        return "invalid type argument of ta.pivot_point_levels: it must be \"Traditional\", \"Fibonacci\", "
               "\"Woodie\", \"Classic\", \"DM\" or \"Camarilla\"";
      result = make_int(static_cast<std::int64_t>(type));
      break;
    }
    case BuiltinId::Count: return "invalid builtin";
  }
  return nullptr;
}

} // namespace pine
