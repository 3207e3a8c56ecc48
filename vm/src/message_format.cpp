// str.format: Java MessageFormat patterns, as Pine documents them.
//
// Pattern rules (java.text.MessageFormat, US locale):
// - `{n}` is argument n; `{n,number}`, `{n,number,integer|percent|currency}`,
//   `{n,number,<DecimalFormat pattern>}`, `{n,date[,short|medium|long|full|
//   <pattern>]}` and `{n,time[,...]}` format it. Keywords are matched without
//   case and surrounding spaces. pinevm also trims the spaces around the index
//   and around a DecimalFormat pattern (Java would reject " 0" and keep a
//   leading space of " #.#"; Pine's own example "{0, number, #.#}" prints
//   "1.3").
// - `'` quotes: text between quotes is literal (so '{' is a brace) and `''`
//   is one quote. Outside an argument an unmatched `}` is literal text.
// - An argument index with no argument prints `{n}` unchanged, as Java.
// - Errors (runtime errors): an index that is not a number, an unclosed `{`,
//   an unknown format type, the choice format, a number format applied to a
//   bool or a string.
// Argument rendering: numbers without a format use Java's default number
// format "#,##0.###" (grouping, at most 3 decimals); `integer` is "#,##0",
// `percent` "#,##0%", `currency` "$#,##0.00". Every number format rounds half
// even on the exact binary value, as DecimalFormat. Ints print exactly
// (no detour through double unless a pattern needs decimals). na numbers and
// na strings print "NaN" (as str.tostring); bools print true/false. Dates
// format epoch milliseconds in UTC (pinevm knows no exchange time zone).
#include <cctype>
#include <string>

#include "pine/vm/number_format.h"
#include "text_format.h"

namespace pine {

namespace {

/// Java's default number format for the US locale.
constexpr std::string_view kDefaultNumber = "#,##0.###";

/// `s` without leading and trailing spaces.
std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

/// Lower-case copy of a trimmed keyword.
std::string keyword(std::string_view s) {
  std::string k(trim(s));
  for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return k;
}

/// Digits of |v| with ',' every three, for an int formatted without decimals.
std::string grouped_int(std::int64_t v) {
  const bool negative = v < 0;
  std::string digits = std::to_string(v);
  if (negative) digits.erase(0, 1);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return negative ? "-" + out : out;
}

/// The java.text.DateFormat style patterns of the US locale.
std::string_view date_style(std::string_view style, bool time, bool& known) {
  known = true;
  if (style.empty() || style == "medium") return time ? "h:mm:ss a" : "MMM d, yyyy";
  if (style == "short") return time ? "h:mm a" : "M/d/yy";
  if (style == "long") return time ? "h:mm:ss a z" : "MMMM d, yyyy";
  if (style == "full") return time ? "h:mm:ss a zzzz" : "EEEE, MMMM d, yyyy";
  known = false;
  return {};
}

/// Formats argument `index` (type `type`) with a format type and style.
const char* format_argument(const Value& arg, char type, std::string_view format_type, std::string_view style,
                            const StringTable& strings, std::string& out) {
  const std::string kind = keyword(format_type);
  const bool is_number = type == 'f' || type == 'i';
  const bool is_na = (type == 'f' && !std::isfinite(arg.f)) || (type == 'i' && arg.i == kIntNa);
  if (kind.empty()) {
    if (type == 's') out.append(arg.i == kStringNa ? std::string_view("NaN") : strings.get(arg.i));
    else if (type == 'b') out.append(arg.i != 0 ? "true" : "false");
    else if (is_na) out.append("NaN");
    else if (type == 'i') out.append(grouped_int(arg.i));
    else out.append(format_with_pattern(arg.f, kDefaultNumber, PatternRounding::ExactHalfEven));
    return nullptr;
  }
  if (kind == "choice") return "str.format: the choice format is not supported";
  if (kind != "number" && kind != "date" && kind != "time")
    return builtin_error("str.format: unknown format type '" + std::string(trim(format_type)) + "'");
  if (!is_number) return "str.format: a number, date or time format needs a number argument";
  if (is_na) {
    out.append("NaN");
    return nullptr;
  }
  const std::string modifier = keyword(style);
  if (kind == "date" || kind == "time") {
    bool known = false;
    std::string_view pattern = date_style(modifier, kind == "time", known);
    if (!known) pattern = trim(style);
    const std::int64_t ms = type == 'i' ? arg.i : static_cast<std::int64_t>(arg.f);
    return format_date(ms, 0, pattern, out);
  }
  std::string_view pattern = kDefaultNumber;
  if (modifier == "integer") pattern = "#,##0";
  else if (modifier == "percent") pattern = "#,##0%";
  else if (modifier == "currency") pattern = "$#,##0.00";
  else if (!modifier.empty()) pattern = trim(style);
  // An int needs no rounding when the pattern shows no decimals and does not scale.
  if (type == 'i' && (modifier.empty() || modifier == "integer")) out.append(grouped_int(arg.i));
  else out.append(format_with_pattern(type == 'i' ? static_cast<double>(arg.i) : arg.f, pattern, PatternRounding::ExactHalfEven));
  return nullptr;
}

} // namespace

const char* builtin_error(std::string message) {
  thread_local std::string buffer;
  buffer = std::move(message);
  return buffer.c_str();
}

const char* format_message(std::string_view pattern, const Value* args, std::string_view types,
                           const StringTable& strings, std::string& out) {
  out.clear();
  bool in_quote = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\'') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '\'') {
        out.push_back('\'');
        ++i;
      } else {
        in_quote = !in_quote;
      }
      continue;
    }
    if (in_quote || c != '{') {
      out.push_back(c);
      continue;
    }
    // An argument: index, type and style split at the first two commas; a
    // quoted or nested-brace part belongs to the style (Java's rules).
    std::string parts[3];
    int part = 0, depth = 0;
    bool quoted = false, closed = false;
    std::size_t j = i + 1;
    for (; j < pattern.size(); ++j) {
      const char d = pattern[j];
      if (quoted) {
        parts[part].push_back(d);
        if (d == '\'') quoted = false;
        continue;
      }
      if (d == ',' && part < 2) {
        ++part;
        continue;
      }
      if (d == '}' && depth == 0) {
        closed = true;
        break;
      }
      if (d == '{') ++depth;
      if (d == '}') --depth;
      if (d == '\'') quoted = true;
      parts[part].push_back(d);
    }
    if (!closed) return "str.format: unmatched braces in the pattern";
    i = j;
    const std::string_view index_text = trim(parts[0]);
    std::size_t index = 0;
    bool ok = !index_text.empty() && index_text.size() <= 9;
    for (char d : index_text) ok = ok && d >= '0' && d <= '9';
    if (!ok) return builtin_error("str.format: can't parse argument number: " + parts[0]);
    for (char d : index_text) index = index * 10 + static_cast<std::size_t>(d - '0');
    if (index >= types.size()) {
      out.append("{").append(std::to_string(index)).append("}");
      continue;
    }
    if (const char* err = format_argument(args[index], types[index], parts[1], parts[2], strings, out)) return err;
    if (out.size() > kMaxStringLength) return "string is longer than 40960 characters";
  }
  if (out.size() > kMaxStringLength) return "string is longer than 40960 characters";
  return nullptr;
}

} // namespace pine
