// Reading the `--data` CSV of `pinevm run` into bars (README.md, "CLI reference").
//
// Format accepted:
// - A header row naming the columns `time, open, high, low, close` and
//   optionally `volume`, matched case-insensitively and after trimming spaces,
//   in any order. Other columns are ignored. A known column named twice (in
//   any case, e.g. `volume,Volume`) is an error naming the header line and
//   the column.
// - `time` is, per row: Unix epoch milliseconds; Unix seconds when the
//   value's magnitude is below 1e11 (so -1e12 is milliseconds, in 1938; a
//   fraction down to the millisecond is allowed); or ISO-8601
//   `YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|+HH:MM|-HH:MM|+HHMM|-HHMM]` (no suffix
//   means UTC; extra fraction digits must be zeros). Converted to epoch ms.
// - Prices are decimal numbers (std::from_chars, locale-independent, exact).
//   Empty, NaN or infinite prices are errors. `volume` may be empty, `NaN` or
//   `na` (any case): it is then na (NaN).
// - Bars must be in strictly increasing time.
// - RFC 4180: fields may be quoted ("" is a quote inside quotes, quoted fields
//   may span lines); every data row has as many fields as the header.
//   Spaces and tabs around unquoted fields are ignored. LF, CRLF or CR line
//   ends; a UTF-8 BOM; blank lines; lines starting with '#' are comments
//   (before or after the header).
// Errors name the source, the 1-based line number (counting every physical
// line, header and comments included; a record spanning lines is named by its
// first line) and the column:
//   bars.csv:17: column 'close': not a number: "12,x"
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pine/vm/bar.h"

namespace pine::cli {

/// Bad input data (exit code 5). what() is the full message; `line` (0 when
/// the error is not about one line) and `column` (empty when not about one
/// column) repeat its parts for callers that want them.
struct DataError : std::runtime_error {
  /// Builds the error from its complete message and its location.
  DataError(const std::string& message, std::size_t line = 0, std::string column = {})
      : std::runtime_error(message), line(line), column(std::move(column)) {}

  std::size_t line = 0;
  std::string column;
};

/// Reads every bar of a CSV stream; `source_name` prefixes error messages.
/// Throws DataError on malformed input. An input with a header and no data
/// rows gives an empty vector.
std::vector<Bar> read_bars_csv(std::istream& in, const std::string& source_name);

/// Reads a CSV file; "-" reads standard input (named "<stdin>" in errors).
/// Throws DataError when the file cannot be opened or read.
std::vector<Bar> read_bars_file(const std::string& path);

/// Parses one `time` field to epoch milliseconds (the rules above). Returns
/// false and sets `why` to a short reason on failure. Exposed for tests.
bool parse_bar_time(std::string_view text, std::int64_t& ms, std::string& why);

} // namespace pine::cli
