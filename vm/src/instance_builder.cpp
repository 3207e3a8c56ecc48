// InstanceBuilder: resolves inputs (defaults and host overrides) and checks
// the symbol, timeframe and symbol information the host gives.
#include <charconv>
#include <cmath>
#include <stdexcept>

#include "pine/vm/calendar.h"
#include "pine/vm/instance.h"
#include "pine/vm/number_format.h"

namespace pine {

namespace {

[[noreturn]] void bad_input(const InputDecl& in, const std::string& why) {
  throw std::invalid_argument("input '" + in.title + "': " + why);
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
  const bool ok_size = text.size() == 7 || text.size() == 9;
  std::uint32_t rgba = 0;
  bool ok = ok_size && text[0] == '#';
  for (std::size_t k = 1; ok && k < text.size(); ++k) {
    const char c = text[k];
    const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    ok = digit >= 0;
    rgba = (rgba << 4) | static_cast<std::uint32_t>(digit < 0 ? 0 : digit);
  }
  if (!ok) bad_input(in, "'" + text + "' is not a colour (#RRGGBB or #RRGGBBAA)");
  if (text.size() == 7) rgba = (rgba << 8) | 0xFF;
  return make_int(rgba);
}

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
  for (std::size_t i = 0; i < p.inputs.size(); ++i) {
    const InputDecl& in = p.inputs[i];
    if (in.title != title) continue;
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
      case InputKind::String: config_.input_strings[i] = value; break;
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
  for (const InputDecl& in : p.inputs) known += (known.empty() ? "" : ", ") + ("'" + in.title + "'");
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
