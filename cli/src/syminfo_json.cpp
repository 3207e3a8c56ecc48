// The --syminfo JSON reader (see syminfo_json.h).
#include "syminfo_json.h"

#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>

#include "json_text.h"

namespace pine::cli {

namespace {

/// One scalar JSON value.
struct JsonValue {
  enum class Kind { String, Number, Bool, Null } kind = Kind::Null;
  std::string text; ///< a string's contents, or a number as written
};

/// A recursive-descent reader of one flat JSON object. Stops at the first
/// error with a message giving its line and column.
class FlatObjectReader {
public:
  explicit FlatObjectReader(std::string_view text) : s_(text) {}

  /// The object's members in file order; duplicate keys are an error.
  std::map<std::string, JsonValue> read() {
    std::map<std::string, JsonValue> members;
    skip_space();
    expect('{', "the file must hold one JSON object starting with '{'");
    skip_space();
    if (peek() == '}') {
      ++pos_;
    } else {
      for (;;) {
        skip_space();
        if (peek() != '"') fail("expected a field name in double quotes");
        const std::string key = read_string();
        skip_space();
        expect(':', "expected ':' after the field name");
        skip_space();
        JsonValue value = read_value(key);
        if (!members.emplace(key, std::move(value)).second) fail("field '" + key + "' is given twice");
        skip_space();
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        expect('}', "expected ',' or '}' after a value");
        break;
      }
    }
    skip_space();
    if (pos_ != s_.size()) fail("unexpected text after the closing '}'");
    return members;
  }

private:
  /// The current character, or '\0' at the end.
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }

  /// Skips JSON white space.
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }

  /// Consumes `c`, or fails with `message`.
  void expect(char c, const std::string& message) {
    if (peek() != c) fail(message);
    ++pos_;
  }

  /// Throws `message` prefixed with the current line and column.
  [[noreturn]] void fail(const std::string& message) const {
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < pos_ && i < s_.size(); ++i) {
      if (s_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    throw std::invalid_argument("line " + std::to_string(line) + ", column " + std::to_string(col) + ": " + message);
  }

  /// A string at the opening quote; returns its decoded contents.
  std::string read_string() {
    std::string out;
    if (const char* error = read_json_string(s_, pos_, out)) fail(error);
    return out;
  }

  /// A number as JSON writes it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  std::string read_number() {
    const std::size_t start = pos_;
    auto digits = [&]() {
      const std::size_t from = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      return pos_ - from;
    };
    if (peek() == '-') ++pos_;
    if (peek() == '0') ++pos_;
    else if (digits() == 0) fail("malformed number");
    if (peek() == '.') {
      ++pos_;
      if (digits() == 0) fail("malformed number");
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (digits() == 0) fail("malformed number");
    }
    return std::string(s_.substr(start, pos_ - start));
  }

  /// Consumes `word` (true, false, null) when it is next.
  bool read_word(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  /// One scalar value of field `key`; objects and arrays are errors.
  JsonValue read_value(const std::string& key) {
    JsonValue v;
    const char c = peek();
    if (c == '"') {
      v.kind = JsonValue::Kind::String;
      v.text = read_string();
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      v.kind = JsonValue::Kind::Number;
      v.text = read_number();
    } else if (read_word("true") || read_word("false")) {
      v.kind = JsonValue::Kind::Bool;
    } else if (read_word("null")) {
      v.kind = JsonValue::Kind::Null;
    } else if (c == '{' || c == '[') {
      fail("field '" + key + "': nested objects and arrays are not supported");
    } else {
      fail("field '" + key + "': expected a string, number, true, false or null");
    }
    return v;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

/// Fails naming the field at fault.
[[noreturn]] void bad(const std::string& key, const std::string& why) {
  throw std::invalid_argument("field '" + key + "' " + why);
}

/// The value of a text field.
std::string text_of(const std::string& key, const JsonValue& v) {
  if (v.kind != JsonValue::Kind::String) bad(key, "must be a string");
  return v.text;
}

/// The value of a text field that may be null (na).
std::optional<std::string> optional_text_of(const std::string& key, const JsonValue& v) {
  if (v.kind == JsonValue::Kind::Null) return std::nullopt;
  if (v.kind != JsonValue::Kind::String) bad(key, "must be a string or null");
  return v.text;
}

/// The value of an integer field (no fraction, no exponent).
/// A time of day "HH:MM" (00:00 to 23:59) as minutes after midnight.
std::int64_t minutes_of(const std::string& key, const JsonValue& v) {
  const std::string t = text_of(key, v);
  const auto digit = [&](std::size_t i) { return i < t.size() && t[i] >= '0' && t[i] <= '9'; };
  if (t.size() != 5 || !digit(0) || !digit(1) || t[2] != ':' || !digit(3) || !digit(4))
    bad(key, "must be a time of day \"HH:MM\", e.g. \"17:00\", not \"" + t + "\"");
  const int hours = (t[0] - '0') * 10 + (t[1] - '0');
  const int minutes = (t[3] - '0') * 10 + (t[4] - '0');
  if (hours > 23 || minutes > 59) bad(key, "must be a time of day from 00:00 to 23:59, not \"" + t + "\"");
  return hours * 60 + minutes;
}

std::int64_t integer_of(const std::string& key, const JsonValue& v) {
  std::int64_t x = 0;
  const char* end = v.text.data() + v.text.size();
  if (v.kind != JsonValue::Kind::Number || std::from_chars(v.text.data(), end, x).ptr != end)
    bad(key, "must be an integer");
  return x;
}

/// The value of a number field.
double number_of(const std::string& key, const JsonValue& v) {
  double x = 0;
  const char* end = v.text.data() + v.text.size();
  if (v.kind != JsonValue::Kind::Number || std::from_chars(v.text.data(), end, x).ptr != end || !std::isfinite(x))
    bad(key, "must be a number");
  return x;
}

} // namespace

// A UTF-8 byte order mark (editors on Windows write one) is skipped: it is
// not JSON text, but it says nothing but "UTF-8", which the file is anyway.
// Line and column numbers are unaffected (the BOM is on line 1 and columns
// count from after it).
SymbolInfo parse_syminfo_json(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  const std::map<std::string, JsonValue> members = FlatObjectReader(text).read();
  SymbolInfo info;
  std::map<std::string, std::string*> texts = {
      {"description", &info.description}, {"currency", &info.currency},     {"basecurrency", &info.basecurrency},
      {"type", &info.type},               {"timezone", &info.timezone},     {"session", &info.session},
      {"volumetype", &info.volumetype},   {"root", &info.root},             {"isin", &info.isin}};
  std::map<std::string, std::optional<std::string>*> optional_texts = {
      {"country", &info.country}, {"sector", &info.sector}, {"industry", &info.industry}};
  static const std::set<std::string> from_symbol = {"ticker", "prefix", "tickerid", "main_tickerid", "symbol"};
  for (const auto& [key, value] : members) {
    if (auto t = texts.find(key); t != texts.end()) *t->second = text_of(key, value);
    else if (auto o = optional_texts.find(key); o != optional_texts.end()) *o->second = optional_text_of(key, value);
    else if (key == "pricescale") info.pricescale = integer_of(key, value);
    else if (key == "minmove") info.minmove = integer_of(key, value);
    else if (key == "pointvalue") info.pointvalue = number_of(key, value);
    else if (key == "mincontract") info.mincontract = number_of(key, value);
    else if (key == "trading_day_start") info.trading_day_start = minutes_of(key, value);
    else if (key == "mintick") bad(key, "is derived (minmove / pricescale): give 'pricescale' and 'minmove' instead");
    else if (from_symbol.count(key)) bad(key, "comes from --symbol EXCHANGE:TICKER, not from --syminfo");
    else
      bad(key, "is not a symbol information field (known: description, currency, basecurrency, type, pricescale, "
               "minmove, pointvalue, mincontract, timezone, session, volumetype, root, country, isin, sector, "
               "industry, trading_day_start)");
  }
  validate_symbol_info(info);
  return info;
}

} // namespace pine::cli
