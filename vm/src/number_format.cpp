// Pine number formatting: `str.tostring` and DecimalFormat-like patterns.
//
// Research notes (why the rounding is what it is):
// - Pine documents the default float format as "#.##########" and that
//   patterns round ("#" turns 3.99 into "4"). The pattern language is Java's
//   DecimalFormat, whose default rounding mode is RoundingMode.HALF_EVEN, and
//   since JDK 8 it breaks ties on the double's exact binary value.
// - TradingView's `str.tostring` does not behave like DecimalFormat, though:
//   PyneCore (which checks itself against TradingView exports) measured that it
//   rounds the shortest round-trip digits half up, so str.tostring(2.675, "#.##")
//   is "2.68", where DecimalFormat says "2.67". We follow that measurement for
//   `str.tostring` and keep DecimalFormat's rule available for `str.format`.
// Everything below works on decimal digit strings produced by std::to_chars,
// so the results are exact and independent of the locale and of libm.
#include "pine/vm/number_format.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>

#include "pine/vm/value.h"

namespace pine {
namespace {

/// Java's DecimalFormat never shows more than 340 fraction digits of a double.
constexpr int kMaxFractionDigits = 340;

/// A pattern, parsed once: affixes and digit counts.
struct PatternSpec {
  std::string pos_prefix;
  std::string pos_suffix;
  std::string neg_prefix;
  std::string neg_suffix;
  bool has_negative = false; ///< an explicit `;negative` subpattern was given
  int min_int = 0;           ///< forced integer digits (`0` before the point)
  int min_frac = 0;          ///< forced fraction digits (`0` after the point)
  int max_frac = 0;          ///< all fraction digits (`0` and `#`)
  int grouping = 0;          ///< digits per group, 0 = no grouping
  int multiplier = 1;        ///< 100 when the pattern holds an unquoted `%`
};

/// The decimal digits of a non-negative number, split at the point.
struct DecimalDigits {
  std::string int_digits;  ///< no leading zeros; empty when the integer part is 0
  std::string frac_digits; ///< no trailing zeros
};

/// Removes leading '0' characters (an all-zero string becomes empty).
void strip_leading_zeros(std::string& s) {
  std::size_t i = 0;
  while (i < s.size() && s[i] == '0') ++i;
  s.erase(0, i);
}

/// Removes trailing '0' characters (an all-zero string becomes empty).
void strip_trailing_zeros(std::string& s) {
  while (!s.empty() && s.back() == '0') s.pop_back();
}

/// The shortest round-trip decimal digits of a finite `mag >= 0`, laid out
/// without exponent: 1.5e-3 -> {"", "0015"}, 1e20 -> {"1000...0", ""}.
DecimalDigits shortest_digits(double mag) {
  std::array<char, 64> buf{};
  auto res = std::to_chars(buf.data(), buf.data() + buf.size(), mag, std::chars_format::scientific);
  std::string_view text(buf.data(), static_cast<std::size_t>(res.ptr - buf.data()));
  std::size_t e_pos = text.find('e');
  std::string mantissa;
  for (char c : text.substr(0, e_pos)) {
    if (c != '.') mantissa.push_back(c);
  }
  std::string_view exp_text = text.substr(e_pos + 1);
  if (!exp_text.empty() && exp_text.front() == '+') exp_text.remove_prefix(1);
  int exponent = 0;
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);

  // The decimal point sits after `point` mantissa digits (may be <= 0 or past the end).
  const long point = static_cast<long>(exponent) + 1;
  const long len = static_cast<long>(mantissa.size());
  DecimalDigits d;
  if (point <= 0) {
    d.frac_digits.assign(static_cast<std::size_t>(-point), '0');
    d.frac_digits += mantissa;
  } else if (point >= len) {
    d.int_digits = mantissa;
    d.int_digits.append(static_cast<std::size_t>(point - len), '0');
  } else {
    d.int_digits = mantissa.substr(0, static_cast<std::size_t>(point));
    d.frac_digits = mantissa.substr(static_cast<std::size_t>(point));
  }
  strip_leading_zeros(d.int_digits);
  strip_trailing_zeros(d.frac_digits);
  return d;
}

/// Adds one unit in the last place of a decimal digit string; returns true
/// when the carry runs out of the most significant digit ("99" -> "00", true).
bool increment_digits(std::string& digits) {
  for (std::size_t i = digits.size(); i-- > 0;) {
    if (digits[i] != '9') {
      ++digits[i];
      return false;
    }
    digits[i] = '0';
  }
  return true;
}

/// Rounds a finite `mag >= 0` to at most `max_frac` fraction digits.
DecimalDigits round_magnitude(double mag, int max_frac, PatternRounding rounding) {
  DecimalDigits d = shortest_digits(mag);
  const auto keep = static_cast<std::size_t>(max_frac);
  if (d.frac_digits.size() <= keep) return d; // nothing to round away

  if (rounding == PatternRounding::ExactHalfEven) {
    // to_chars with a precision rounds the exact binary value, ties to even.
    std::array<char, 720> buf{};
    auto res = std::to_chars(buf.data(), buf.data() + buf.size(), mag, std::chars_format::fixed, max_frac);
    std::string_view text(buf.data(), static_cast<std::size_t>(res.ptr - buf.data()));
    std::size_t dot = text.find('.');
    DecimalDigits out;
    out.int_digits = std::string(text.substr(0, dot));
    if (dot != std::string_view::npos) out.frac_digits = std::string(text.substr(dot + 1));
    strip_leading_zeros(out.int_digits);
    strip_trailing_zeros(out.frac_digits);
    return out;
  }

  // Half up on the shortest digits: the first dropped digit decides.
  const bool up = d.frac_digits[keep] >= '5';
  d.frac_digits.resize(keep);
  if (up) {
    std::string all = d.int_digits + d.frac_digits;
    if (increment_digits(all)) all.insert(all.begin(), '1');
    d.int_digits = all.substr(0, all.size() - keep);
    d.frac_digits = all.substr(all.size() - keep);
    strip_leading_zeros(d.int_digits);
  }
  strip_trailing_zeros(d.frac_digits);
  return d;
}

/// One `;`-separated part of a pattern with quotes resolved: literal prefix,
/// the run of digit characters (`#0.,`), and the literal suffix.
struct SubPattern {
  std::string prefix;
  std::string number;
  std::string suffix;
  bool percent = false;
};

/// Splits `pattern` into its positive and (optional) negative subpatterns.
/// The digit run is the first contiguous run of unquoted `#`, `0`, `.`, `,`;
/// any later character, even a digit character, belongs to the suffix.
void split_pattern(std::string_view pattern, SubPattern& pos, SubPattern& neg, bool& has_neg) {
  has_neg = false;
  SubPattern* cur = &pos;
  int stage = 0; // 0 prefix, 1 number, 2 suffix
  bool in_quote = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\'') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '\'') { // '' is one quote
        if (stage == 1) stage = 2;
        (stage == 0 ? cur->prefix : cur->suffix).push_back('\'');
        ++i;
        continue;
      }
      in_quote = !in_quote;
      if (stage == 1) stage = 2;
      continue;
    }
    if (in_quote) {
      (stage == 0 ? cur->prefix : cur->suffix).push_back(c);
      continue;
    }
    if (c == ';' && cur == &pos) {
      cur = &neg;
      has_neg = true;
      stage = 0;
      continue;
    }
    const bool digit_char = c == '#' || c == '0' || c == '.' || c == ',';
    if (digit_char && stage < 2) {
      stage = 1;
      cur->number.push_back(c);
      continue;
    }
    if (stage == 1) stage = 2;
    if (c == '%') cur->percent = true;
    (stage == 0 ? cur->prefix : cur->suffix).push_back(c);
  }
}

/// Parses a DecimalFormat-like pattern into a PatternSpec.
PatternSpec parse_pattern(std::string_view pattern) {
  SubPattern pos;
  SubPattern neg;
  PatternSpec spec;
  split_pattern(pattern, pos, neg, spec.has_negative);
  spec.pos_prefix = pos.prefix;
  spec.pos_suffix = pos.suffix;
  spec.neg_prefix = neg.prefix;
  spec.neg_suffix = neg.suffix;
  spec.multiplier = pos.percent ? 100 : 1;

  const std::string& num = pos.number;
  const std::size_t dot = num.find('.');
  const std::string_view int_part = std::string_view(num).substr(0, dot);
  const std::string_view frac_part =
      dot == std::string::npos ? std::string_view() : std::string_view(num).substr(dot + 1);
  int digits_after_comma = 0;
  bool seen_comma = false;
  for (char c : int_part) {
    if (c == ',') {
      seen_comma = true;
      digits_after_comma = 0;
    } else {
      if (c == '0') ++spec.min_int;
      ++digits_after_comma;
    }
  }
  spec.grouping = seen_comma ? digits_after_comma : 0;
  for (char c : frac_part) {
    if (c == '0') ++spec.min_frac, ++spec.max_frac;
    if (c == '#') ++spec.max_frac;
  }
  if (spec.max_frac > kMaxFractionDigits) spec.max_frac = kMaxFractionDigits;
  if (spec.min_frac > spec.max_frac) spec.min_frac = spec.max_frac;
  return spec;
}

/// Inserts ',' every `group` digits from the right of a digit string.
std::string group_digits(const std::string& digits, int group) {
  if (group <= 0 || digits.size() <= static_cast<std::size_t>(group)) return digits;
  std::string out;
  const std::size_t n = digits.size();
  const auto g = static_cast<std::size_t>(group);
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % g == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

/// Formats `v` according to a parsed pattern.
std::string format_spec(double v, const PatternSpec& spec, PatternRounding rounding) {
  if (!std::isfinite(v)) return "NaN";
  const double x = spec.multiplier == 1 ? v : v * spec.multiplier;
  if (!std::isfinite(x)) return "NaN";
  DecimalDigits d = round_magnitude(std::fabs(x), spec.max_frac, rounding);
  // A result that rounds to zero is printed without a sign (-0.0 -> "0").
  const bool negative = std::signbit(x) && !(d.int_digits.empty() && d.frac_digits.empty());

  std::string int_text = d.int_digits;
  if (int_text.size() < static_cast<std::size_t>(spec.min_int)) {
    int_text.insert(0, static_cast<std::size_t>(spec.min_int) - int_text.size(), '0');
  }
  std::string frac_text = d.frac_digits;
  if (frac_text.size() < static_cast<std::size_t>(spec.min_frac)) {
    frac_text.append(static_cast<std::size_t>(spec.min_frac) - frac_text.size(), '0');
  }
  // Zero integer part: "#.00" prints ".50", "#.#" prints "0.5", "#" prints "0".
  if (int_text.empty() && spec.min_frac == 0) int_text.push_back('0');

  std::string body = group_digits(int_text, spec.grouping);
  if (!frac_text.empty()) {
    body.push_back('.');
    body += frac_text;
  }
  if (!negative) return spec.pos_prefix + body + spec.pos_suffix;
  if (spec.has_negative) return spec.neg_prefix + body + spec.neg_suffix;
  return "-" + spec.pos_prefix + body + spec.pos_suffix;
}

} // namespace

/// `str.tostring(float)`: the "#.##########" pattern, parsed once.
std::string format_pine_number(double v) {
  static const PatternSpec kDefault = parse_pattern("#.##########");
  return format_spec(v, kDefault, PatternRounding::ShortestHalfUp);
}

/// `str.tostring(int)`: decimal, or "NaN" for int na.
std::string format_pine_int(std::int64_t v) {
  if (v == kIntNa) return "NaN";
  return std::to_string(v);
}

/// Parses `pattern` and formats `v` with it.
std::string format_with_pattern(double v, std::string_view pattern, PatternRounding rounding) {
  return format_spec(v, parse_pattern(pattern), rounding);
}

} // namespace pine
