// Comparison and conversion rules for numbers, in one place (docs/semantics.md).
//
// Float comparisons use an absolute tolerance of 1e-10: two floats within it
// are equal, and `<` needs a gap larger than it. This is what PyneCore
// measured against TradingView; the reference manual's "nine fractional
// digits" wording is close to it. Any na operand (NaN) makes every
// comparison false, `!=` included. Infinities compare as IEEE says.
#pragma once

#include <cmath>
#include <cstdint>

#include "pine/vm/value.h"

namespace pine {

inline constexpr double kFloatTolerance = 1e-10;

inline bool float_eq(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return false;
  if (a == b) return true; // also equal infinities
  return std::fabs(a - b) <= kFloatTolerance;
}
inline bool float_ne(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return false;
  return !float_eq(a, b);
}
inline bool float_lt(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return false;
  if (std::isinf(a) || std::isinf(b)) return a < b;
  return a - b < -kFloatTolerance;
}
inline bool float_le(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return false;
  return a <= b || float_eq(a, b);
}
/// Both ints are non-na.
inline bool int_cmp_ok(std::int64_t a, std::int64_t b) { return a != kIntNa && b != kIntNa; }

/// int(x): truncation toward zero; na, infinities and values outside the
/// int64 range give na.
inline std::int64_t float_to_int(double x) {
  if (!std::isfinite(x)) return kIntNa;
  const double t = std::trunc(x);
  if (t <= -9.2233720368547758e18 || t >= 9.2233720368547758e18) return kIntNa;
  return static_cast<std::int64_t>(t);
}

} // namespace pine
