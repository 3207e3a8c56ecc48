// The math.* builtins: typed handlers BuiltinFn<ID> (see builtin_fn.h).
//
// They follow IEEE arithmetic on Pine's floats, where na is NaN, so most need
// no na test of their own; conversions to int map na (and values outside the
// int range) to int na.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "builtins/builtin_fn.h"
#include "compare.h"
#include "pine/vm/number_format.h"

namespace pine {

namespace math_detail {

/// math.round's rule: half up (toward +inf), as the reference manual says.
inline double round_half_up(double x) { return std::floor(x + 0.5); }

/// pi to double precision, for the degree/radian conversions.
inline constexpr double kPi = 3.14159265358979323846;

/// math.max / math.min of two floats: na when either is na (the reference
/// manual's math.max), else an exact comparison; ties give the first.
inline double max_or_min(bool max, double x, double y) {
  if (std::isnan(x) || std::isnan(y)) return kFloatNa;
  return max ? (x >= y ? x : y) : (x <= y ? x : y);
}

/// The same for ints, where na is kIntNa.
inline std::int64_t max_or_min(bool max, std::int64_t x, std::int64_t y) {
  if (x == kIntNa || y == kIntNa) return kIntNa;
  return max ? (x >= y ? x : y) : (x <= y ? x : y);
}

} // namespace math_detail

/// syminfo.mintick until pinevm knows the symbol: 0.01 (a cent, the tick of
/// most stocks), used by math.round_to_mintick and format.mintick. The
/// pattern prints exactly the mintick's decimals.
inline constexpr std::string_view kMintickPattern = "0.00";

template <> struct BuiltinFn<BuiltinId::ABS_F> {
  static double run(double number) { return std::fabs(number); }
};
template <> struct BuiltinFn<BuiltinId::ABS_I> {
  static std::int64_t run(std::int64_t number) { return number == kIntNa ? kIntNa : (number < 0 ? -number : number); }
};
template <> struct BuiltinFn<BuiltinId::MAX_F> {
  static double run(double number0, double number1) { return math_detail::max_or_min(true, number0, number1); }
};
template <> struct BuiltinFn<BuiltinId::MAX_I> {
  static std::int64_t run(std::int64_t number0, std::int64_t number1) {
    return math_detail::max_or_min(true, number0, number1);
  }
};
template <> struct BuiltinFn<BuiltinId::MIN_F> {
  static double run(double number0, double number1) { return math_detail::max_or_min(false, number0, number1); }
};
template <> struct BuiltinFn<BuiltinId::MIN_I> {
  static std::int64_t run(std::int64_t number0, std::int64_t number1) {
    return math_detail::max_or_min(false, number0, number1);
  }
};
template <> struct BuiltinFn<BuiltinId::ROUND> {
  static std::int64_t run(double number) { return float_to_int(math_detail::round_half_up(number)); }
};
template <> struct BuiltinFn<BuiltinId::ROUND_PREC> {
  /// Rounds to `precision` decimals, half up; na precision gives na.
  static double run(double number, std::int64_t precision) {
    if (precision == kIntNa || !std::isfinite(number)) return kFloatNa;
    const double scale = std::pow(10.0, static_cast<double>(precision));
    return math_detail::round_half_up(number * scale) / scale;
  }
};
template <> struct BuiltinFn<BuiltinId::FLOOR> {
  static std::int64_t run(double number) { return float_to_int(std::floor(number)); }
};
template <> struct BuiltinFn<BuiltinId::CEIL> {
  static std::int64_t run(double number) { return float_to_int(std::ceil(number)); }
};
template <> struct BuiltinFn<BuiltinId::SQRT> {
  static double run(double number) { return std::sqrt(number); }
};
template <> struct BuiltinFn<BuiltinId::POW> {
  static double run(double base, double exponent) { return std::pow(base, exponent); }
};
template <> struct BuiltinFn<BuiltinId::LOG> {
  static double run(double number) { return std::log(number); }
};
template <> struct BuiltinFn<BuiltinId::LOG10> {
  static double run(double number) { return std::log10(number); }
};
template <> struct BuiltinFn<BuiltinId::EXP> {
  static double run(double number) { return std::exp(number); }
};
template <> struct BuiltinFn<BuiltinId::SIGN_F> {
  static double run(double number) {
    return std::isnan(number) ? kFloatNa : (number > 0 ? 1.0 : (number < 0 ? -1.0 : 0.0));
  }
};
template <> struct BuiltinFn<BuiltinId::SIN> {
  static double run(double angle) { return std::sin(angle); }
};
template <> struct BuiltinFn<BuiltinId::COS> {
  static double run(double angle) { return std::cos(angle); }
};
template <> struct BuiltinFn<BuiltinId::TAN> {
  static double run(double angle) { return std::tan(angle); }
};
template <> struct BuiltinFn<BuiltinId::ASIN> {
  static double run(double angle) { return std::asin(angle); }
};
template <> struct BuiltinFn<BuiltinId::ACOS> {
  static double run(double angle) { return std::acos(angle); }
};
template <> struct BuiltinFn<BuiltinId::ATAN> {
  static double run(double angle) { return std::atan(angle); }
};
template <> struct BuiltinFn<BuiltinId::TODEGREES> {
  static double run(double radians) { return radians * (180.0 / math_detail::kPi); }
};
template <> struct BuiltinFn<BuiltinId::TORADIANS> {
  static double run(double degrees) { return degrees * (math_detail::kPi / 180.0); }
};
template <> struct BuiltinFn<BuiltinId::ROUND_TO_MINTICK> {
  /// Half away from zero on the shortest decimal digits, as str.tostring
  /// rounds (1.005 -> 1.01), then back to the nearest double.
  static double run(double number) {
    if (!std::isfinite(number)) return kFloatNa;
    const std::string text = format_with_pattern(number, kMintickPattern);
    double rounded = kFloatNa;
    std::from_chars(text.data(), text.data() + text.size(), rounded);
    return rounded;
  }
};

} // namespace pine
