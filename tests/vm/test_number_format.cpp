// Tests of Pine number formatting (vm/include/pine/vm/number_format.h).
// Every expected string was worked out by hand from the rules in the header:
// shortest round-trip digits rounded half up for str.tostring, exact value
// rounded half even for PatternRounding::ExactHalfEven.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "pine/vm/number_format.h"
#include "pine/vm/value.h"

using pine::format_pine_int;
using pine::format_pine_number;
using pine::format_with_pattern;
using pine::PatternRounding;

namespace {

/// `v` formatted with `pattern` the way Java's DecimalFormat rounds.
std::string java(double v, std::string_view pattern) {
  return format_with_pattern(v, pattern, PatternRounding::ExactHalfEven);
}

} // namespace

TEST_CASE("number_format: default str.tostring float format") {
  CHECK(format_pine_number(0) == "0");
  CHECK(format_pine_number(1) == "1");
  CHECK(format_pine_number(100) == "100");
  CHECK(format_pine_number(-1.5) == "-1.5");
  CHECK(format_pine_number(2.5) == "2.5");
  CHECK(format_pine_number(0.1) == "0.1");
  CHECK(format_pine_number(0.1 + 0.2) == "0.3");
  CHECK(format_pine_number(1.23456789012345) == "1.2345678901");
  CHECK(format_pine_number(1.0 / 3) == "0.3333333333");
  CHECK(format_pine_number(2.0 / 3) == "0.6666666667");
  CHECK(format_pine_number(-2.0 / 3) == "-0.6666666667");
  CHECK(format_pine_number(123456789.125) == "123456789.125");
  CHECK(format_pine_number(1.0695299999999999) == "1.06953");
  CHECK(format_pine_number(1e-7) == "0.0000001");
  CHECK(format_pine_number(1e-10) == "0.0000000001");
  CHECK(format_pine_number(0.99999999995) == "1");      // half up carries into the integer part
  CHECK(format_pine_number(-0.99999999995) == "-1");
  CHECK(format_pine_number(9.99999999996) == "10");
  CHECK(format_pine_number(0.00048828125) == "0.0004882813"); // 2^-11: an exact tie, half up
}

TEST_CASE("number_format: zero, tiny values and signs") {
  CHECK(format_pine_number(-0.0) == "0");
  CHECK(format_pine_number(-1e-11) == "0"); // rounds to zero: no sign
  CHECK(format_pine_number(1e-11) == "0");
  CHECK(format_pine_number(4.9e-11) == "0");
  CHECK(format_pine_number(5e-11) == "0.0000000001");
  CHECK(format_pine_number(-5e-11) == "-0.0000000001");
  CHECK(format_pine_number(5e-324) == "0");
  CHECK(format_pine_number(-std::numeric_limits<double>::denorm_min()) == "0");
}

TEST_CASE("number_format: large values never use an exponent") {
  CHECK(format_pine_number(1e20) == "100000000000000000000");
  CHECK(format_pine_number(1e21) == "1000000000000000000000");
  CHECK(format_pine_number(-1e21) == "-1000000000000000000000");
  CHECK(format_pine_number(1e23) == "100000000000000000000000"); // shortest digits, not 99999999999999991611392
  CHECK(format_pine_number(9007199254740993.0) == "9007199254740992");
  CHECK(format_pine_number(123456789012.5) == "123456789012.5");
  CHECK(format_pine_number(1.5e300) == "15" + std::string(299, '0'));
  CHECK(format_pine_number(std::numeric_limits<double>::max()) == "17976931348623157" + std::string(292, '0'));
}

TEST_CASE("number_format: na prints NaN") {
  CHECK(format_pine_number(std::numeric_limits<double>::quiet_NaN()) == "NaN");
  CHECK(format_pine_number(std::numeric_limits<double>::infinity()) == "NaN");
  CHECK(format_pine_number(-std::numeric_limits<double>::infinity()) == "NaN");
  CHECK(format_with_pattern(std::numeric_limits<double>::quiet_NaN(), "#.##") == "NaN");
  CHECK(format_with_pattern(std::numeric_limits<double>::infinity(), "0.00%") == "NaN");
  CHECK(format_with_pattern(1e307, "#%") == "NaN"); // overflows when multiplied by 100
}

TEST_CASE("number_format: ints") {
  CHECK(format_pine_int(0) == "0");
  CHECK(format_pine_int(42) == "42");
  CHECK(format_pine_int(-7) == "-7");
  CHECK(format_pine_int(std::numeric_limits<std::int64_t>::max()) == "9223372036854775807");
  CHECK(format_pine_int(std::numeric_limits<std::int64_t>::min() + 1) == "-9223372036854775807");
  CHECK(format_pine_int(pine::kIntNa) == "NaN");
}

TEST_CASE("number_format: optional digits '#'") {
  CHECK(format_with_pattern(3.99, "#") == "4");
  CHECK(format_with_pattern(0.4, "#") == "0");
  CHECK(format_with_pattern(-0.4, "#") == "0");
  CHECK(format_with_pattern(2.5, "#") == "3");
  CHECK(format_with_pattern(-2.5, "#") == "-3"); // half away from zero
  CHECK(format_with_pattern(1234567, "#") == "1234567");
  CHECK(format_with_pattern(2.675, "#.##") == "2.68"); // digits "2.675" round up
  CHECK(format_with_pattern(1.005, "#.##") == "1.01");
  CHECK(format_with_pattern(0.125, "#.##") == "0.13");
  CHECK(format_with_pattern(0.5, "#.##") == "0.5");
  CHECK(format_with_pattern(3, "#.##") == "3");
  CHECK(format_with_pattern(0.001, "#.##") == "0");
  CHECK(format_with_pattern(0.5, "#.#") == "0.5");
  CHECK(format_with_pattern(0.1, "#.####################") == "0.1"); // shortest digits, no binary noise
}

TEST_CASE("number_format: forced digits '0'") {
  CHECK(format_with_pattern(3.99, "0.00") == "3.99");
  CHECK(format_with_pattern(4, "0.00") == "4.00");
  CHECK(format_with_pattern(0.5, "0.00") == "0.50");
  CHECK(format_with_pattern(-0.001, "0.00") == "0.00");
  CHECK(format_with_pattern(-1.234, "0.00") == "-1.23");
  CHECK(format_with_pattern(3.99, "#.000") == "3.990");
  CHECK(format_with_pattern(0.5, "#.00") == ".50"); // no forced integer digit: the zero is dropped
  CHECK(format_with_pattern(42, "0000") == "0042");
  CHECK(format_with_pattern(5.25, "000.#") == "005.3");
  CHECK(format_with_pattern(0.1, "0.000000000000000000") == "0.100000000000000000");
  CHECK(format_with_pattern(9.996, "0.00") == "10.00");
}

TEST_CASE("number_format: grouping") {
  CHECK(format_with_pattern(1234567.891, "#,###.0") == "1,234,567.9");
  CHECK(format_with_pattern(999.96, "#,###.0") == "1,000.0");
  CHECK(format_with_pattern(12, "#,###.0") == "12.0");
  CHECK(format_with_pattern(0.04, "#,###.0") == ".0");
  CHECK(format_with_pattern(1234.5, "#,##0.00") == "1,234.50");
  CHECK(format_with_pattern(0, "#,##0.00") == "0.00");
  CHECK(format_with_pattern(-1234.567, "#,##0.00") == "-1,234.57");
  CHECK(format_with_pattern(123456789, "#,##,###") == "123,456,789"); // the last group size counts
  CHECK(format_with_pattern(123456789, "#,####") == "1,2345,6789");
  CHECK(format_with_pattern(1e21, "#,###") == "1,000,000,000,000,000,000,000");
}

TEST_CASE("number_format: percent, affixes and negative subpatterns") {
  CHECK(format_with_pattern(0.256, "#%") == "26%");
  CHECK(format_with_pattern(0.12345, "0.0%") == "12.3%");
  CHECK(format_with_pattern(-0.5, "#%") == "-50%");
  CHECK(format_with_pattern(0.5, "%#") == "%50");
  CHECK(format_with_pattern(1234.5, "$#,##0.00") == "$1,234.50");
  CHECK(format_with_pattern(-5, "$#,##0.00") == "-$5.00");
  CHECK(format_with_pattern(12.4, "# USD") == "12 USD");
  CHECK(format_with_pattern(1.5, "#.##;(#.##)") == "1.5");
  CHECK(format_with_pattern(-1.5, "#.##;(#.##)") == "(1.5)");
  CHECK(format_with_pattern(-0.001, "#.##;(#.##)") == "0"); // rounds to zero: positive form
  CHECK(format_with_pattern(5, "'#'#") == "#5");
  CHECK(format_with_pattern(5, "it''s #") == "it's 5");
  CHECK(format_with_pattern(5, "# 'x%'") == "5 x%"); // a quoted % is literal: no multiplication
  CHECK(format_with_pattern(7, "#' pts'") == "7 pts");
}

TEST_CASE("number_format: patterns without digits") {
  CHECK(format_with_pattern(2.5, "") == "3");
  CHECK(format_with_pattern(2.4, "abc") == "abc2");
}

TEST_CASE("number_format: Java DecimalFormat rounding (half even on the exact value)") {
  CHECK(java(2.675, "#.##") == "2.67"); // 2.67499999999999982236431605997495353221893310546875
  CHECK(java(1.005, "#.##") == "1");    // 1.00499999999999989341858963598497211933135986328125
  CHECK(java(0.125, "#.##") == "0.12"); // an exact tie: to even
  CHECK(java(0.375, "#.##") == "0.38");
  CHECK(java(2.5, "#") == "2");
  CHECK(java(3.5, "#") == "4");
  CHECK(java(-2.5, "#") == "-2");
  CHECK(java(5.25, "000.#") == "005.2");
  CHECK(java(0.00048828125, "#.##########") == "0.0004882812");
  CHECK(java(0.1, "#.####################") == "0.1");
  CHECK(java(1e23, "#") == "100000000000000000000000");
  CHECK(java(1234.5678, "#,##0.00") == "1,234.57");
}
