// InstanceBuilder: resolves inputs (defaults and host overrides) and checks
// the symbol, timeframe and symbol information the host gives.
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "pine/vm/symbol_info.h"

#include "pine/vm/calendar.h"
#include "pine/vm/color.h"
#include "pine/vm/instance.h"
#include "pine/vm/number_format.h"

namespace pine {

namespace {

/// Throws the error for a bad value of input `in`, naming it as a host does.
[[noreturn]] void bad_input(const InputDecl& in, const std::string& why) {
  throw std::invalid_argument("input '" + (in.key.empty() ? in.title : in.key) + "': " + why);
}

/// Parses an int or float input given as text, checking bounds and options.
Value parse_number_input(const InputDecl& in, const std::string& text) {
  const char* first = text.data();
  const char* last = text.data() + text.size();
  double as_double = 0;
  Value v{};
  if (in.kind == InputKind::Int) {
    std::int64_t x = 0;
    auto [ptr, ec] = std::from_chars(first, last, x);
    if (ec != std::errc() || ptr != last) bad_input(in, "'" + text + "' is not an integer");
    v.i = x;
    as_double = static_cast<double>(x);
  } else {
    double x = 0;
    auto [ptr, ec] = std::from_chars(first, last, x);
    if (ec != std::errc() || ptr != last || !std::isfinite(x)) bad_input(in, "'" + text + "' is not a number");
    v.f = x;
    as_double = x;
  }
  if (as_double < in.minval) bad_input(in, text + " is below the minimum " + format_pine_number(in.minval));
  if (as_double > in.maxval) bad_input(in, text + " is above the maximum " + format_pine_number(in.maxval));
  return v;
}

/// Parses a colour input given as #RRGGBB or #RRGGBBAA.
Value parse_color_input(const InputDecl& in, const std::string& text) {
  const std::optional<std::uint32_t> rgba = parse_color_hex(text);
  if (!rgba) bad_input(in, "'" + text + "' is not a colour (#RRGGBB or #RRGGBBAA)");
  return make_int(*rgba);
}

/// True for "HHMM" with HH 00-23 and MM 00-59.
bool is_clock(std::string_view s) {
  if (s.size() != 4) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return (s[0] - '0') * 10 + (s[1] - '0') <= 23 && (s[2] - '0') * 10 + (s[3] - '0') <= 59;
}

/// Checks a session such as "0930-1600", "0930-1200,1300-1600:23456" or
/// "24x7": comma-separated HHMM-HHMM ranges, then optionally ':' and the
/// trading days as distinct digits 1 (Sunday) to 7.
void check_session(const InputDecl& in, const std::string& text) {
  if (text == "24x7") return;
  const std::string why = "'" + text + "' is not a session such as \"0930-1600\" or \"0930-1600:23456\"";
  const std::size_t colon = text.find(':');
  const std::string_view ranges = std::string_view(text).substr(0, colon);
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = ranges.find(',', start);
    const std::string_view range = ranges.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (range.size() != 9 || range[4] != '-' || !is_clock(range.substr(0, 4)) || !is_clock(range.substr(5)))
      bad_input(in, why);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (colon == std::string::npos) return;
  const std::string_view days = std::string_view(text).substr(colon + 1);
  bool seen[8] = {};
  if (days.empty()) bad_input(in, why);
  for (char c : days) {
    if (c < '1' || c > '7' || seen[c - '0']) bad_input(in, why);
    seen[c - '0'] = true;
  }
}

/// Checks the text of a string input against its format (timeframes as
/// --timeframe, symbols as --symbol but with no spaces, sessions).
void check_format(const InputDecl& in, const std::string& text) {
  try {
    switch (in.format) {
      case InputFormat::Any: return;
      case InputFormat::Timeframe: validate_timeframe(text); return; // "" is the chart's timeframe
      case InputFormat::Symbol:
        if (text.empty()) bad_input(in, "the symbol is empty; expected EXCHANGE:TICKER or TICKER");
        for (char c : text)
          if (static_cast<unsigned char>(c) <= ' ' || c == '\x7F') bad_input(in, "the symbol '" + text + "' contains a space or a control character");
        validate_symbol(text);
        return;
      case InputFormat::Session: check_session(in, text); return;
    }
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    if (what.rfind("input '", 0) == 0) throw; // already names the input
    bad_input(in, what);
  }
}

/// How a host names input `in`: its key when it has one, else its title.
const std::string& input_name(const InputDecl& in) { return in.key.empty() ? in.title : in.key; }

} // namespace

InstanceBuilder::InstanceBuilder(std::shared_ptr<const Program> program) : program_(std::move(program)) {
  const Program& p = *program_;
  config_.input_values.resize(p.inputs.size());
  config_.input_strings.resize(p.inputs.size());
  for (std::size_t i = 0; i < p.inputs.size(); ++i) {
    const InputDecl& in = p.inputs[i];
    config_.input_values[i] = in.default_value;
    if (in.kind == InputKind::String) {
      config_.input_strings[i] = p.strings[static_cast<std::size_t>(in.default_value.i)];
      config_.input_values[i] = make_int(0);
    }
  }
}

InstanceBuilder& InstanceBuilder::input(const std::string& title, const std::string& value) {
  const Program& p = *program_;
  // `title` names an input by its key ("group/title", for titles shared
  // across groups) or by its title when that is unambiguous.
  std::vector<std::size_t> matches;
  for (std::size_t i = 0; i < p.inputs.size(); ++i)
    if (!p.inputs[i].key.empty() && p.inputs[i].key == title) matches.push_back(i);
  if (matches.empty())
    for (std::size_t i = 0; i < p.inputs.size(); ++i)
      if (p.inputs[i].title == title) matches.push_back(i);
  if (matches.size() > 1) {
    std::string candidates;
    for (std::size_t i : matches) candidates += (candidates.empty() ? "'" : ", '") + input_name(p.inputs[i]) + "'";
    throw std::invalid_argument("input '" + title + "' is ambiguous: several inputs have that title; name one as group/title: " +
                                candidates);
  }
  for (std::size_t i : matches) {
    const InputDecl& in = p.inputs[i];
    if (!in.options.empty()) {
      bool found = false;
      for (const std::string& o : in.options) found = found || o == value;
      if (!found) bad_input(in, "'" + value + "' is not one of its options");
    }
    switch (in.kind) {
      case InputKind::Int:
      case InputKind::Float: config_.input_values[i] = parse_number_input(in, value); break;
      case InputKind::Bool:
        if (value != "true" && value != "false") bad_input(in, "'" + value + "' is not true or false");
        config_.input_values[i] = make_int(value == "true");
        break;
      case InputKind::String:
        check_format(in, value);
        config_.input_strings[i] = value;
        break;
      case InputKind::Color: config_.input_values[i] = parse_color_input(in, value); break;
      case InputKind::Time: {
        // An integer is UNIX ms; anything else must be a date timestamp() reads.
        std::int64_t ms = 0;
        auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
        if (ec != std::errc() || ptr != value.data() + value.size()) {
          const std::optional<std::int64_t> parsed = parse_date_string(value);
          if (!parsed) bad_input(in, "'" + value + "' is neither UNIX milliseconds nor a date such as 2024-01-02T09:30:00Z");
          ms = *parsed;
        }
        config_.input_values[i] = make_int(ms);
        break;
      }
      case InputKind::Enum: {
        // The options (titles) were checked above; the value is the ordinal.
        std::size_t k = 0;
        while (k < in.options.size() && in.options[k] != value) ++k;
        config_.input_values[i] = make_int(static_cast<std::int64_t>(k));
        break;
      }
      case InputKind::Source: {
        std::uint64_t found = static_cast<std::uint64_t>(BuiltinVar::Count);
        for (std::uint8_t v = 0; v < static_cast<std::uint8_t>(BuiltinVar::Count); ++v)
          if (is_source_var(v) && value == builtin_var_info(static_cast<BuiltinVar>(v)).name) found = v;
        if (found == static_cast<std::uint64_t>(BuiltinVar::Count))
          bad_input(in, "'" + value + "' is not a source (open, high, low, close, volume, hl2, hlc3, ohlc4, hlcc4)");
        config_.input_values[i].u = found;
        break;
      }
    }
    return *this;
  }
  std::string known;
  for (const InputDecl& in : p.inputs) known += (known.empty() ? "" : ", ") + ("'" + input_name(in) + "'");
  throw std::invalid_argument("unknown input '" + title + "'" +
                              (known.empty() ? std::string(": the script has no inputs") : "; inputs are " + known));
}

InstanceBuilder& InstanceBuilder::symbol(std::string symbol) {
  validate_symbol(symbol);
  config_.symbol = std::move(symbol);
  return *this;
}

InstanceBuilder& InstanceBuilder::timeframe(std::string timeframe) {
  validate_timeframe(timeframe);
  config_.timeframe = std::move(timeframe);
  return *this;
}

InstanceBuilder& InstanceBuilder::syminfo(SymbolInfo info) {
  validate_symbol_info(info);
  config_.syminfo = std::move(info);
  return *this;
}

InstanceConfig InstanceBuilder::config() const { return config_; }

Instance InstanceBuilder::build() const { return Instance(program_, config_); }

} // namespace pine
