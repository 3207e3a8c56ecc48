// Per-bar plot output of `pinevm run` (README.md, "CLI reference"): CSV or JSON Lines.
//
// Columns: `time` (epoch ms), `bar_index`, then one column per output column
// of the program (Program::plots, see pine/vm/outputs.h) in source order,
// named by plot_column_names() (rule documented there).
//
// Value rendering, by the plot's static type:
// | type   | CSV                               | JSONL                         |
// |--------|-----------------------------------|-------------------------------|
// | float  | shortest round-trip (to_chars)    | same, as a JSON number        |
// |        | NaN -> `NaN`                      | NaN -> null                   |
// |        | +-inf -> `Infinity`/`-Infinity`   | "Infinity" / "-Infinity"      |
// | int    | decimal; na -> `NaN`              | JSON number; na -> null       |
// | bool   | `true` / `false`                  | true / false                  |
// | color  | `#RRGGBBAA` uppercase; na -> `NaN`| "#RRGGBBAA"; na -> null       |
// (colours: the columns of bgcolor/barcolor/fill and of every colour argument
// that varies per bar, see pine/vm/outputs.h)
// | string | the text; na -> `NaN`             | JSON string; na -> null       |
// Infinity: Pine's na() is true for +-inf, but a plotted inf is real data, so
// CSV keeps it (`Infinity` is what Java/JavaScript print and what strtod,
// std::from_chars and Python's float() read back). JSON has no infinity and
// strict parsers reject bare `Infinity`, so JSONL writes the same spellings
// as JSON strings, "Infinity" and "-Infinity": valid JSON, distinct from na
// (null), and what JavaScript's Number() and Python's float() read back.
// Floats keep their sign: -0.0 is written `-0` (round-trip exact).
// CSV fields are quoted per RFC 4180 when they hold a comma, a quote, CR or LF;
// rows end with "\n". JSON strings escape `"`, `\`, and control characters
// (\n \r \t \b \f, others as \u00XX); invalid UTF-8 becomes U+FFFD.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pine/vm/outputs.h"
#include "pine/vm/value.h"

namespace pine::cli {

enum class OutputFormat { Csv, Jsonl };

/// "csv" or "jsonl" (exactly, lowercase) -> the format; anything else -> nullopt.
std::optional<OutputFormat> parse_output_format(std::string_view name);

/// Resolves a string handle (Value::i of a string plot) to its text.
using StringResolver = std::function<std::string_view(std::int64_t)>;

/// Column names of the plots, in source order. Rule:
/// 1. Each output call (a column with part 0 and the columns after it) has a
///    base name: its title, or for an untitled call the Pine function's name
///    (`plot`, `hline`, `plotshape`, `fill`, `bgcolor`...).
/// 2. Titled calls claim their title first, in source order, unless it is a
///    reserved name (`time`, `bar_index`) or an earlier call already claimed it.
/// 3. Then every call still unnamed, in source order, takes its base name if
///    free, else `<base>_1`, `<base>_2`, ... the smallest suffix not yet taken.
/// 4. A column whose `field` is empty is named after its call; a column with a
///    field is `<call name>:<field>` (`RSI:color`, `Candles:open`), or
///    `<call name>:<field>_1`, ... if that is taken.
/// So untitled plots become `plot`, `plot_1`, `plot_2`...; repeated titles
/// `a`, `a_1`, `a_2`...; an explicit title always keeps its exact text when
/// it can (["a", "a", "a_1"] -> a, a_2, a_1), and no two names ever collide.
/// Names are case-sensitive.
std::vector<std::string> plot_column_names(const std::vector<PlotInfo>& plots);

/// Shortest round-trip text of a finite double (std::to_chars, no precision):
/// 0.1 -> "0.1", 1e-7 -> "1e-07", 1e21 -> "1e+21", -0.0 -> "-0".
std::string format_float_shortest(double v);

/// Appends `s` to `out` as a CSV field, quoted when it holds , " CR or LF.
void append_csv_field(std::string& out, std::string_view s);


/// Writes the header and rows of one run's plot output.
class PlotWriter {
 public:
  /// `out` must outlive the writer; `plots` is copied.
  PlotWriter(std::ostream& out, OutputFormat format, const std::vector<PlotInfo>& plots);

  /// Writes the CSV header row; does nothing for JSONL (which has no header).
  void write_header();

  /// Writes one bar's values (one per plot, in plot order). Throws
  /// std::invalid_argument if `values` has the wrong size. `string_of`
  /// resolves string handles and is only called for non-na string values.
  void write_row(std::int64_t time, std::int64_t bar_index, std::span<const Value> values,
                 const StringResolver& string_of);

  /// The output column names after `time` and `bar_index`.
  const std::vector<std::string>& column_names() const { return names_; }

 private:
  /// Appends one value as a CSV field.
  void append_csv_value(std::string& out, Type type, Value v, const StringResolver& string_of) const;
  /// Appends one value as a JSON value.
  void append_json_value(std::string& out, Type type, Value v, const StringResolver& string_of) const;

  std::ostream& out_;
  OutputFormat format_;
  std::vector<PlotInfo> plots_;
  std::vector<std::string> names_;
  std::vector<std::string> json_keys_; ///< `"name":` prefixes, pre-escaped
  std::string line_;                   ///< reused row buffer
};

} // namespace pine::cli
