// Stateless builtins: math.* and str.tostring.
#include "builtins_impl.h"

#include <cmath>
#include <string>

#include "compare.h"
#include "pine/vm/number_format.h"

namespace pine {

namespace {

/// math.round's rule: half up (toward +inf), as the reference manual says.
double round_half_up(double x) { return std::floor(x + 0.5); }

/// Float result of a function that maps na to na.
Value float_result(double x) { return make_float(x); }

Value int_from_float(double x) { return make_int(float_to_int(x)); }

constexpr double kPi = 3.14159265358979323846;

/// Alpha byte of a transparency 0..100 (0 opaque), clamped and rounded.
std::int64_t alpha_of(double transp) {
  const double t = transp < 0 ? 0 : (transp > 100 ? 100 : transp);
  return static_cast<std::int64_t>(std::lround(255.0 * (1.0 - t / 100.0)));
}

/// A color channel 0..255, clamped and rounded.
std::int64_t channel(double v) {
  const double c = v < 0 ? 0 : (v > 255 ? 255 : v);
  return static_cast<std::int64_t>(std::lround(c));
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
      // Any na argument gives na (spec 5.4); otherwise an exact comparison.
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
      std::string pattern = h == kStringNa ? std::string() : std::string(strings.get(h));
      result = make_int(strings.add(pattern.empty() ? format_pine_number(x) : format_with_pattern(x, pattern)));
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
      const std::int64_t c = args[0].i;
      const double t = args[1].f;
      result = make_int(c == kColorNa || std::isnan(t) ? kColorNa : ((c & ~std::int64_t{0xFF}) | alpha_of(t)));
      break;
    }
    case BuiltinId::COLOR_RGB: {
      const double r = args[0].f, g = args[1].f, b = args[2].f, t = args[3].f;
      if (std::isnan(r) || std::isnan(g) || std::isnan(b) || std::isnan(t)) {
        result = make_int(kColorNa);
        break;
      }
      result = make_int((channel(r) << 24) | (channel(g) << 16) | (channel(b) << 8) | alpha_of(t));
      break;
    }
    case BuiltinId::COLOR_R:
    case BuiltinId::COLOR_G:
    case BuiltinId::COLOR_B:
    case BuiltinId::COLOR_T: {
      const std::int64_t c = args[0].i;
      if (c == kColorNa) {
        result = make_float(kFloatNa);
        break;
      }
      const int shift = id == BuiltinId::COLOR_R ? 24 : id == BuiltinId::COLOR_G ? 16 : id == BuiltinId::COLOR_B ? 8 : 0;
      const double byte = static_cast<double>((c >> shift) & 0xFF);
      // color.t is transparency 0..100 (0 = opaque), from the alpha byte.
      result = make_float(id == BuiltinId::COLOR_T ? std::round((255.0 - byte) * 100.0 / 255.0) : byte);
      break;
    }
    case BuiltinId::STR_LENGTH: case BuiltinId::STR_CONTAINS: case BuiltinId::STR_STARTSWITH:
    case BuiltinId::STR_ENDSWITH: case BuiltinId::STR_UPPER: case BuiltinId::STR_LOWER: case BuiltinId::STR_TRIM:
    case BuiltinId::STR_REPEAT: case BuiltinId::STR_REPLACE_ALL: case BuiltinId::STR_POS: case BuiltinId::STR_SUBSTRING:
    case BuiltinId::STR_TONUMBER:
      return call_str_builtin(id, args, result, strings);
    case BuiltinId::TIME_YEAR: case BuiltinId::TIME_MONTH: case BuiltinId::TIME_WEEKOFYEAR:
    case BuiltinId::TIME_DAYOFMONTH: case BuiltinId::TIME_DAYOFWEEK: case BuiltinId::TIME_HOUR:
    case BuiltinId::TIME_MINUTE: case BuiltinId::TIME_SECOND: case BuiltinId::TIMESTAMP:
    case BuiltinId::TF_IN_SECONDS: case BuiltinId::TF_FROM_SECONDS:
      return call_time_builtin(id, args, result, strings);
    case BuiltinId::Count: return "invalid builtin";
  }
  return nullptr;
}

} // namespace pine
