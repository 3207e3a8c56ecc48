// Pine's text rendering of numbers: `str.tostring` and DecimalFormat-like
// patterns.
//
// Rounding rules (researched, see docs in number_format.cpp):
// - `str.tostring` (the default "#.##########" format and explicit patterns)
//   starts from the SHORTEST decimal digits that round-trip to the double (what
//   Java's Double.toString / JavaScript print) and rounds those digits HALF UP,
//   i.e. half away from zero on the magnitude: 2.675 -> "2.68" with "#.##",
//   although the double is really 2.67499999999999982236431605997495353221893310546875.
//   PyneCore, which validates against TradingView output, measured this.
// - Java's DecimalFormat (what `str.format`'s `{0,number,...}` uses) rounds
//   HALF EVEN and breaks a tie on the exact binary value: 2.675 -> "2.67",
//   0.125 -> "0.12", 2.5 -> "2". Available as PatternRounding::ExactHalfEven.
// - No exponent notation ever: 1e20 prints as "100000000000000000000".
// - A result that rounds to zero never carries a minus sign: -0.0 and -1e-11
//   both print "0" (Java would print "-0"; TradingView's chart formatter and
//   JavaScript-style formatting print "0").
// - NaN and +-inf (na in Pine) print "NaN", with or without a pattern.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pine {

/// How format_with_pattern() rounds away the digits a pattern cannot show.
enum class PatternRounding : std::uint8_t {
  /// `str.tostring`: shortest round-trip digits, rounded half up (away from zero).
  ShortestHalfUp,
  /// Java DecimalFormat (`str.format`): half even, ties judged on the exact
  /// binary value; digits beyond the shortest representation are zeros.
  ExactHalfEven,
};

/// `str.tostring(v)` for a float: pattern "#.##########" (at most 10 decimals,
/// trailing zeros and a trailing '.' removed), no exponent, "-0" -> "0",
/// NaN/inf -> "NaN".
std::string format_pine_number(double v);

/// `str.tostring(v)` for an int: plain decimal; int na (kIntNa) -> "NaN".
std::string format_pine_int(std::int64_t v);

/// Formats `v` with a DecimalFormat-like pattern. Supported subset:
/// - `0` a forced digit, `#` an optional digit, `.` the decimal point, `,`
///   grouping in the integer part (group size = digits after the last `,`);
/// - literal prefix/suffix text around the digits; `'...'` quotes literal
///   text (so `'#'` is a hash sign) and `''` is one quote;
/// - an unquoted `%` in the prefix or suffix multiplies by 100 and prints `%`;
/// - an optional negative subpattern after `;` (only its prefix/suffix are
///   used, as in Java); without one a negative number gets `-` + prefix.
/// The integer part is printed in full (never an exponent). When the integer
/// part is zero and the pattern forces no integer digit, a pattern with forced
/// fraction digits drops the zero (`#.00` -> ".50") while an all-`#` fraction
/// keeps it (`#.#` -> "0.5"), as measured on TradingView. At most 340 fraction
/// digits are honoured. Not supported (printed as literal text): exponent `E`,
/// per-mille, currency sign. A pattern without digit characters formats the
/// value as a rounded integer after its literal text. NaN/inf -> "NaN".
std::string format_with_pattern(double v, std::string_view pattern,
                                PatternRounding rounding = PatternRounding::ShortestHalfUp);

} // namespace pine
