// Plot output writers (CSV and JSON Lines). See output_writer.h for the rules.
#include "output_writer.h"

#include <array>
#include <charconv>
#include <cmath>
#include <set>
#include <stdexcept>

#include "json_text.h"
#include "pine/vm/color.h"

namespace pine::cli {
namespace {

/// Column names the writer itself uses before the plot columns.
constexpr std::array<std::string_view, 2> kReservedNames = {"time", "bar_index"};

/// Appends the decimal text of an int64.
void append_int(std::string& out, std::int64_t v) {
  std::array<char, 24> buf{};
  auto res = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), res.ptr);
}

/// Appends the shortest round-trip text of a finite double.
void append_float(std::string& out, double v) {
  std::array<char, 32> buf{};
  auto res = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), res.ptr);
}

/// True when a color slot holds na (anything above the low 32 RGBA bits).
bool color_is_na(Value v) { return (v.u >> 32) != 0; }

/// Appends `#RRGGBBAA` (uppercase hex) for the low 32 bits of a color slot.
void append_color(std::string& out, Value v) { append_color_hex(out, static_cast<std::uint32_t>(v.u & 0xFFFFFFFFu)); }

} // namespace

/// Maps a `--format` value to an OutputFormat.
std::optional<OutputFormat> parse_output_format(std::string_view name) {
  if (name == "csv") return OutputFormat::Csv;
  if (name == "jsonl") return OutputFormat::Jsonl;
  return std::nullopt;
}

/// Names the plot columns (calls first, in two passes, then their field
/// columns; rule in output_writer.h).
std::vector<std::string> plot_column_names(const std::vector<PlotInfo>& plots) {
  std::set<std::string, std::less<>> taken(kReservedNames.begin(), kReservedNames.end());
  // The first column of each call; a stray continuation column starts a call.
  std::vector<std::size_t> calls;
  for (std::size_t i = 0; i < plots.size(); ++i)
    if (plots[i].part == 0 || i == 0) calls.push_back(i);
  std::vector<std::string> call_names(calls.size());
  std::vector<bool> named(calls.size(), false);
  // Pass 1: explicit titles claim their exact text, first come first served.
  for (std::size_t c = 0; c < calls.size(); ++c) {
    const std::string& title = plots[calls[c]].title;
    if (!title.empty() && taken.insert(title).second) {
      call_names[c] = title;
      named[c] = true;
    }
  }
  // Pass 2: everything else takes its base name or the smallest free suffix.
  // The smallest name not yet taken among `base`, `base_1`, `base_2`...
  const auto claim = [&](const std::string& base) {
    std::string candidate = base;
    for (std::size_t k = 1; taken.count(candidate) != 0; ++k) candidate = base + "_" + std::to_string(k);
    taken.insert(candidate);
    return candidate;
  };
  for (std::size_t c = 0; c < calls.size(); ++c) {
    if (named[c]) continue;
    const PlotInfo& first = plots[calls[c]];
    call_names[c] = claim(first.title.empty() ? std::string(plot_kind_name(first.kind)) : first.title);
  }
  // Columns: the call's name, or `<call>:<field>`.
  std::vector<std::string> names(plots.size());
  std::size_t c = 0;
  for (std::size_t i = 0; i < plots.size(); ++i) {
    if (c + 1 < calls.size() && calls[c + 1] == i) ++c;
    names[i] = plots[i].field.empty() ? call_names[c] : claim(call_names[c] + ":" + plots[i].field);
  }
  return names;
}

/// Shortest round-trip text of a double, as a string.
std::string format_float_shortest(double v) {
  std::string out;
  append_float(out, v);
  return out;
}

/// Appends one CSV field, quoted per RFC 4180 only when needed.
void append_csv_field(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(s);
    return;
  }
  out.push_back('"');
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

/// Names the columns and pre-escapes the JSON keys once.
PlotWriter::PlotWriter(std::ostream& out, OutputFormat format, const std::vector<PlotInfo>& plots)
    : out_(out), format_(format), plots_(plots), names_(plot_column_names(plots)) {
  json_keys_.reserve(names_.size());
  for (const std::string& name : names_) {
    std::string key = ",";
    append_json_string(key, name);
    key.push_back(':');
    json_keys_.push_back(std::move(key));
  }
}

/// Writes `time,bar_index,<names>` (CSV only).
void PlotWriter::write_header() {
  if (format_ != OutputFormat::Csv) return;
  line_ = "time,bar_index";
  for (const std::string& name : names_) {
    line_.push_back(',');
    append_csv_field(line_, name);
  }
  line_.push_back('\n');
  out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
}

/// Formats one bar into the reused line buffer and writes it in one call.
void PlotWriter::write_row(std::int64_t time, std::int64_t bar_index, std::span<const Value> values,
                           const StringResolver& string_of) {
  if (values.size() != plots_.size()) {
    throw std::invalid_argument("PlotWriter::write_row: " + std::to_string(values.size()) +
                                " values for " + std::to_string(plots_.size()) + " plots");
  }
  line_.clear();
  if (format_ == OutputFormat::Csv) {
    append_int(line_, time);
    line_.push_back(',');
    append_int(line_, bar_index);
    for (std::size_t i = 0; i < values.size(); ++i) {
      line_.push_back(',');
      append_csv_value(line_, plots_[i].type, values[i], string_of);
    }
    line_.push_back('\n');
  } else {
    line_ = "{\"time\":";
    append_int(line_, time);
    line_ += ",\"bar_index\":";
    append_int(line_, bar_index);
    for (std::size_t i = 0; i < values.size(); ++i) {
      line_ += json_keys_[i];
      append_json_value(line_, plots_[i].type, values[i], string_of);
    }
    line_ += "}\n";
  }
  out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
}

/// CSV text of one value of static type `type` (table in output_writer.h).
void PlotWriter::append_csv_value(std::string& out, Type type, Value v, const StringResolver& string_of) const {
  switch (type) {
    case Type::Float:
      if (std::isnan(v.f)) out += "NaN";
      else if (std::isinf(v.f)) out += v.f > 0 ? "Infinity" : "-Infinity";
      else append_float(out, v.f);
      return;
    case Type::Int:
      if (v.i == kIntNa) out += "NaN";
      else append_int(out, v.i);
      return;
    case Type::Bool: out += v.i != 0 ? "true" : "false"; return;
    case Type::Color:
      if (color_is_na(v)) out += "NaN";
      else append_color(out, v);
      return;
    case Type::String:
      if (v.i < 0) out += "NaN";
      else append_csv_field(out, string_of(v.i));
      return;
    case Type::Enum: case Type::Ref: case Type::Void: break; // never plotted (the verifier refuses them)
  }
  out += "NaN";
}

/// JSON text of one value of static type `type` (table in output_writer.h).
void PlotWriter::append_json_value(std::string& out, Type type, Value v, const StringResolver& string_of) const {
  switch (type) {
    case Type::Float:
      if (std::isnan(v.f)) out += "null";
      else if (std::isinf(v.f)) out += v.f > 0 ? "\"Infinity\"" : "\"-Infinity\"";
      else append_float(out, v.f);
      return;
    case Type::Int:
      if (v.i == kIntNa) out += "null";
      else append_int(out, v.i);
      return;
    case Type::Bool: out += v.i != 0 ? "true" : "false"; return;
    case Type::Color:
      if (color_is_na(v)) {
        out += "null";
      } else {
        out.push_back('"');
        append_color(out, v);
        out.push_back('"');
      }
      return;
    case Type::String:
      if (v.i < 0) out += "null";
      else append_json_string(out, string_of(v.i));
      return;
    case Type::Enum: case Type::Ref: case Type::Void: break; // never plotted (the verifier refuses them)
  }
  out += "null";
}

} // namespace pine::cli
