// The `--data` CSV reader. See bars_csv.h for the accepted format.
//
// The whole input is read into memory and scanned once. The scanner is a
// small RFC 4180 tokenizer that also tracks physical line numbers, so every
// error can name the line a record starts on.
#include "bars_csv.h"

#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iostream>
#include <limits>
#include <system_error>

#include "pine/vm/calendar.h"

namespace pine::cli {
namespace {

/// The columns the reader understands, in the order of `kColumnNames`.
enum Column : std::size_t { kTime, kOpen, kHigh, kLow, kClose, kVolume, kColumnCount };
constexpr std::array<std::string_view, kColumnCount> kColumnNames = {"time", "open", "high",
                                                                     "low",  "close", "volume"};
constexpr std::size_t kNoColumn = static_cast<std::size_t>(-1);

/// True for the blanks trimmed around unquoted fields.
bool is_blank(char c) { return c == ' ' || c == '\t'; }

/// `s` without leading and trailing spaces and tabs.
std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

/// ASCII lowercase copy of `s`.
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

/// `s` in double quotes for an error message: control characters escaped,
/// long values shortened.
std::string quoted(std::string_view s) {
  constexpr std::size_t kMax = 60;
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (s.size() > kMax) out += "...";
  out += "\"";
  return out;
}

/// A forward scanner over the input text that counts physical lines.
class Scanner {
 public:
  /// Scans `text`, naming it `source` in errors. A UTF-8 BOM is skipped.
  Scanner(std::string_view text, const std::string& source) : text_(text), source_(source) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  /// Reads the next record into `fields`, skipping blank and comment lines.
  /// Returns false at the end of input; `line` gets the record's first line.
  /// `names` (may be empty) names the fields in tokenizer errors.
  bool next_record(std::vector<std::string>& fields, std::size_t& line,
                   const std::vector<std::string>& names) {
    fields.clear();
    skip_ignorable_lines();
    if (pos_ >= text_.size()) return false;
    line = line_;
    for (;;) {
      fields.emplace_back();
      const bool more = read_field(fields.back(), line, names, fields.size() - 1);
      if (!more) return true;
    }
  }

 private:
  /// Skips lines that are empty, hold only blanks, or start with '#'.
  void skip_ignorable_lines() {
    while (pos_ < text_.size()) {
      std::size_t p = pos_;
      const bool comment = text_[p] == '#';
      while (p < text_.size() && is_blank(text_[p])) ++p;
      const bool blank = p >= text_.size() || text_[p] == '\n' || text_[p] == '\r';
      if (!comment && !blank) return;
      while (p < text_.size() && text_[p] != '\n' && text_[p] != '\r') ++p;
      pos_ = p;
      if (pos_ < text_.size()) consume_line_end();
    }
  }

  /// Consumes "\n", "\r\n" or "\r" at the current position and counts a line.
  void consume_line_end() {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }

  /// Human name of field `index` for tokenizer errors.
  static std::string field_name(const std::vector<std::string>& names, std::size_t index) {
    if (index < names.size()) return "column '" + names[index] + "'";
    return "field " + std::to_string(index + 1);
  }

  /// Reads one field into `out`. Returns true when a ',' follows (another
  /// field of the same record), false at the end of the record.
  bool read_field(std::string& out, std::size_t record_line, const std::vector<std::string>& names,
                  std::size_t index) {
    std::size_t p = pos_;
    while (p < text_.size() && is_blank(text_[p])) ++p;
    if (p < text_.size() && text_[p] == '"') {
      pos_ = p + 1;
      read_quoted(out, record_line, names, index);
    } else {
      const std::size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
        ++pos_;
      }
      out.assign(trim(text_.substr(start, pos_ - start)));
    }
    if (pos_ >= text_.size()) return false;
    if (text_[pos_] == ',') {
      ++pos_;
      return true;
    }
    consume_line_end();
    return false;
  }

  /// Reads the body of a quoted field (the opening quote is consumed) and
  /// checks that only blanks stand between the closing quote and the next
  /// separator.
  void read_quoted(std::string& out, std::size_t record_line, const std::vector<std::string>& names,
                   std::size_t index) {
    out.clear();
    for (;;) {
      if (pos_ >= text_.size()) {
        throw DataError(source_ + ":" + std::to_string(record_line) + ": " + field_name(names, index) +
                            ": unterminated quoted field",
                        record_line, index < names.size() ? names[index] : std::string());
      }
      const char c = text_[pos_];
      if (c == '"') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
          out.push_back('"');
          pos_ += 2;
          continue;
        }
        ++pos_;
        break;
      }
      // Line ends inside quotes are data, but still count as physical lines.
      if (c == '\n' || (c == '\r' && !(pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n'))) ++line_;
      out.push_back(c);
      ++pos_;
    }
    while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
    if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
      throw DataError(source_ + ":" + std::to_string(record_line) + ": " + field_name(names, index) +
                          ": unexpected character after closing quote: " +
                          quoted(text_.substr(pos_, 1)),
                      record_line, index < names.size() ? names[index] : std::string());
    }
  }

  std::string_view text_;
  const std::string& source_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

/// Parses an unsigned run of exactly `n` ASCII digits at `s[pos]`.
bool fixed_digits(std::string_view s, std::size_t pos, std::size_t n, unsigned& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

/// True when every character of `s` is '0'.
bool all_zeros(std::string_view s) {
  for (char c : s) {
    if (c != '0') return false;
  }
  return true;
}

/// Parses an ISO-8601 timestamp (see bars_csv.h) to epoch milliseconds.
bool parse_iso_time(std::string_view s, std::int64_t& ms, std::string& why) {
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, milli = 0;
  if (!fixed_digits(s, 0, 4, year) || s.size() < 10 || s[4] != '-' || !fixed_digits(s, 5, 2, month) ||
      s[7] != '-' || !fixed_digits(s, 8, 2, day)) {
    why = "expected YYYY-MM-DD";
    return false;
  }
  if (month < 1 || month > 12) return why = "month out of range", false;
  if (day < 1 || day > static_cast<unsigned>(days_in_month(year, static_cast<int>(month)))) return why = "day out of range", false;
  std::size_t p = 10;
  std::int64_t offset_minutes = 0;
  if (p < s.size()) {
    if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return why = "expected 'T' after the date", false;
    ++p;
    if (!fixed_digits(s, p, 2, hour) || p + 2 >= s.size() || s[p + 2] != ':' ||
        !fixed_digits(s, p + 3, 2, minute)) {
      return why = "expected HH:MM after the date", false;
    }
    p += 5;
    if (hour > 23) return why = "hour out of range", false;
    if (minute > 59) return why = "minute out of range", false;
    if (p < s.size() && s[p] == ':') {
      if (!fixed_digits(s, p + 1, 2, second)) return why = "expected two digits of seconds", false;
      if (second > 59) return why = "second out of range", false;
      p += 3;
      if (p < s.size() && s[p] == '.') {
        const std::size_t start = ++p;
        while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p;
        const std::string_view frac = s.substr(start, p - start);
        if (frac.empty()) return why = "expected digits after '.'", false;
        if (frac.size() > 3 && !all_zeros(frac.substr(3))) {
          return why = "finer than a millisecond", false;
        }
        for (std::size_t i = 0; i < 3; ++i) {
          milli = milli * 10 + (i < frac.size() ? static_cast<unsigned>(frac[i] - '0') : 0U);
        }
      }
    }
    if (p < s.size()) {
      const char c = s[p];
      if (c == 'Z' || c == 'z') {
        ++p;
      } else if (c == '+' || c == '-') {
        unsigned oh = 0, om = 0;
        if (!fixed_digits(s, p + 1, 2, oh)) return why = "expected a +HH:MM offset", false;
        p += 3;
        if (p < s.size() && s[p] == ':') ++p;
        if (p < s.size()) {
          if (!fixed_digits(s, p, 2, om)) return why = "expected a +HH:MM offset", false;
          p += 2;
        }
        if (oh > 23 || om > 59) return why = "offset out of range", false;
        offset_minutes = (c == '-' ? -1 : 1) * static_cast<std::int64_t>(oh * 60 + om);
      }
    }
    if (p != s.size()) return why = "unexpected text after the time", false;
  }
  const std::int64_t days = days_from_civil(year, static_cast<int>(month), static_cast<int>(day));
  ms = days * 86'400'000 + static_cast<std::int64_t>(hour) * 3'600'000 +
       static_cast<std::int64_t>(minute) * 60'000 + static_cast<std::int64_t>(second) * 1000 + milli -
       offset_minutes * 60'000;
  return true;
}

/// Parses a numeric time: ms, or seconds when below 1e11 (see bars_csv.h).
bool parse_numeric_time(std::string_view s, std::int64_t& ms, std::string& why) {
  bool negative = false;
  std::size_t p = 0;
  if (p < s.size() && (s[p] == '-' || s[p] == '+')) negative = s[p++] == '-';
  const std::size_t int_start = p;
  while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p;
  std::string_view int_digits = s.substr(int_start, p - int_start);
  std::string_view frac;
  if (p < s.size() && s[p] == '.') {
    const std::size_t start = ++p;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p;
    frac = s.substr(start, p - start);
  }
  if (int_digits.empty() || p != s.size()) {
    why = "expected epoch milliseconds, epoch seconds or YYYY-MM-DD[THH:MM[:SS]]";
    return false;
  }
  while (int_digits.size() > 1 && int_digits.front() == '0') int_digits.remove_prefix(1);
  std::int64_t whole = 0;
  if (int_digits.size() > 18 ||
      std::from_chars(int_digits.data(), int_digits.data() + int_digits.size(), whole).ec != std::errc()) {
    return why = "out of range", false;
  }
  // The threshold applies to the magnitude: -1e12 is milliseconds (1938),
  // as 1e12 is (2001); only |value| < 1e11 (1966-1973 in ms) is seconds.
  constexpr std::int64_t kSecondsLimit = 100'000'000'000; // 1e11
  if (whole < kSecondsLimit) {
    if (whole > std::numeric_limits<std::int64_t>::max() / 1000 - 1) return why = "out of range", false;
    if (frac.size() > 3 && !all_zeros(frac.substr(3))) return why = "finer than a millisecond", false;
    std::int64_t milli = 0;
    for (std::size_t i = 0; i < 3; ++i) milli = milli * 10 + (i < frac.size() ? frac[i] - '0' : 0);
    ms = whole * 1000 + milli;
  } else {
    if (!all_zeros(frac)) return why = "fractional milliseconds", false;
    ms = whole;
  }
  if (negative) ms = -ms;
  return true;
}

/// Outcome of parsing a price or volume field.
enum class NumberStatus { Ok, Empty, Invalid, OutOfRange };

/// Parses a whole field as a double with std::from_chars (a leading '+' is
/// accepted). NaN and infinities parse as such; callers judge them.
NumberStatus parse_number(std::string_view s, double& out) {
  if (s.empty()) return NumberStatus::Empty;
  if (s.size() > 1 && s.front() == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
  const auto res = std::from_chars(s.data(), s.data() + s.size(), out, std::chars_format::general);
  if (res.ec == std::errc::result_out_of_range) return NumberStatus::OutOfRange;
  if (res.ec != std::errc() || res.ptr != s.data() + s.size()) return NumberStatus::Invalid;
  return NumberStatus::Ok;
}

/// Maps the header's fields to the known columns. A known column named
/// twice (in any case: `close,Close`) is an error: which one holds the data
/// is a guess, and a wrong guess gives plausible but wrong results.
std::array<std::size_t, kColumnCount> map_header(const std::vector<std::string>& header, const std::string& source,
                                                 std::size_t line) {
  std::array<std::size_t, kColumnCount> index{};
  index.fill(kNoColumn);
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string name = lower(header[i]);
    for (std::size_t c = 0; c < kColumnCount; ++c) {
      if (name != kColumnNames[c]) continue;
      if (index[c] != kNoColumn) {
        const std::string canonical(kColumnNames[c]);
        throw DataError(source + ":" + std::to_string(line) + ": column '" + canonical + "' appears twice in the header (" +
                            quoted(header[index[c]]) + " in column " + std::to_string(index[c] + 1) + " and " +
                            quoted(header[i]) + " in column " + std::to_string(i + 1) + "); keep one",
                        line, canonical);
      }
      index[c] = i;
    }
  }
  return index;
}

/// Builds the error for one field: "<source>:<line>: column '<name>': <what>".
DataError field_error(const std::string& source, std::size_t line, Column column, const std::string& what) {
  const std::string name(kColumnNames[column]);
  return DataError(source + ":" + std::to_string(line) + ": column '" + name + "': " + what, line, name);
}

/// Parses a price (open/high/low/close): a finite number, never empty or NaN.
double parse_price(const std::string& text, const std::string& source, std::size_t line, Column column) {
  double v = 0;
  switch (parse_number(text, v)) {
    case NumberStatus::Empty: throw field_error(source, line, column, "empty value");
    case NumberStatus::Invalid: throw field_error(source, line, column, "not a number: " + quoted(text));
    case NumberStatus::OutOfRange: throw field_error(source, line, column, "out of range: " + quoted(text));
    case NumberStatus::Ok: break;
  }
  if (std::isnan(v)) throw field_error(source, line, column, "NaN is not allowed for prices");
  if (std::isinf(v)) throw field_error(source, line, column, "not finite: " + quoted(text));
  return v;
}

/// Parses a volume: empty, NaN or "na" give na (NaN); infinities are errors.
double parse_volume(const std::string& text, const std::string& source, std::size_t line) {
  if (text.empty() || lower(text) == "na") return std::numeric_limits<double>::quiet_NaN();
  double v = 0;
  switch (parse_number(text, v)) {
    case NumberStatus::Empty: return std::numeric_limits<double>::quiet_NaN();
    case NumberStatus::Invalid: throw field_error(source, line, kVolume, "not a number: " + quoted(text));
    case NumberStatus::OutOfRange: throw field_error(source, line, kVolume, "out of range: " + quoted(text));
    case NumberStatus::Ok: break;
  }
  if (std::isnan(v)) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(v)) throw field_error(source, line, kVolume, "not finite: " + quoted(text));
  return v;
}

/// Reads the whole stream in large blocks (fast even for a stdio-synced
/// std::cin, whose character-by-character path is slow).
std::string read_all(std::istream& in, const std::string& source) {
  std::string text;
  std::array<char, 1 << 16> block{};
  while (in.read(block.data(), static_cast<std::streamsize>(block.size())) || in.gcount() > 0) {
    text.append(block.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw DataError(source + ": read error");
  return text;
}

} // namespace

/// Dispatches a time field to the ISO or the numeric parser.
bool parse_bar_time(std::string_view text, std::int64_t& ms, std::string& why) {
  if (text.empty()) {
    why = "empty value";
    return false;
  }
  const bool iso = text.size() >= 5 && text[4] == '-' && text[0] >= '0' && text[0] <= '9';
  return iso ? parse_iso_time(text, ms, why) : parse_numeric_time(text, ms, why);
}

/// Reads the header, maps the columns, then parses and checks every row.
std::vector<Bar> read_bars_csv(std::istream& in, const std::string& source_name) {
  const std::string text = read_all(in, source_name);

  Scanner scanner(text, source_name);
  std::vector<std::string> header;
  std::size_t header_line = 0;
  if (!scanner.next_record(header, header_line, {})) {
    throw DataError(source_name + ": no header row (the input is empty)", 1);
  }
  for (std::string& name : header) name = std::string(trim(name));
  const std::array<std::size_t, kColumnCount> index = map_header(header, source_name, header_line);
  for (std::size_t c = 0; c < kVolume; ++c) {
    if (index[c] == kNoColumn) {
      const std::string name(kColumnNames[c]);
      throw DataError(source_name + ":" + std::to_string(header_line) + ": missing column '" + name +
                          "' in the header (need time, open, high, low, close; volume optional)",
                      header_line, name);
    }
  }
  // Names for tokenizer errors: the canonical name for known columns.
  std::vector<std::string> names = header;
  for (std::size_t c = 0; c < kColumnCount; ++c) {
    if (index[c] != kNoColumn) names[index[c]] = std::string(kColumnNames[c]);
  }

  std::vector<Bar> bars;
  std::vector<std::string> fields;
  std::size_t line = 0;
  std::size_t prev_line = 0;
  while (scanner.next_record(fields, line, names)) {
    if (fields.size() != header.size()) {
      throw DataError(source_name + ":" + std::to_string(line) + ": expected " + std::to_string(header.size()) +
                          " fields as in the header, found " + std::to_string(fields.size()),
                      line);
    }
    Bar bar;
    std::string why;
    const std::string& time_text = fields[index[kTime]];
    if (!parse_bar_time(time_text, bar.time, why)) {
      throw field_error(source_name, line, kTime,
                        time_text.empty() ? why : "invalid time: " + quoted(time_text) + " (" + why + ")");
    }
    if (!bars.empty() && bar.time <= bars.back().time) {
      throw field_error(source_name, line, kTime,
                        "time " + std::to_string(bar.time) + " is not after the previous bar's time " +
                            std::to_string(bars.back().time) + " (line " + std::to_string(prev_line) +
                            "); bars must be in strictly increasing time");
    }
    bar.open = parse_price(fields[index[kOpen]], source_name, line, kOpen);
    bar.high = parse_price(fields[index[kHigh]], source_name, line, kHigh);
    bar.low = parse_price(fields[index[kLow]], source_name, line, kLow);
    bar.close = parse_price(fields[index[kClose]], source_name, line, kClose);
    bar.volume = index[kVolume] == kNoColumn ? std::numeric_limits<double>::quiet_NaN()
                                             : parse_volume(fields[index[kVolume]], source_name, line);
    bars.push_back(bar);
    prev_line = line;
  }
  return bars;
}

/// Opens `path` (or stdin for "-") and reads it with read_bars_csv().
std::vector<Bar> read_bars_file(const std::string& path) {
  if (path == "-") return read_bars_csv(std::cin, "<stdin>");
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    const int err = errno;
    throw DataError(path + ": cannot open: " + std::generic_category().message(err != 0 ? err : ENOENT));
  }
  return read_bars_csv(file, path);
}

} // namespace pine::cli
