// The canonical text form of diagnostics (see diagnostic.h).
#include "pine/compiler/diagnostic.h"

#include <algorithm>

namespace pine {
namespace {

/// The text of 1-based line `line` of `source` without its terminator
/// ("\n", "\r\n" or a lone "\r", as the lexer counts lines); empty when the
/// source has fewer lines.
std::string_view source_line(std::string_view source, std::uint32_t line) {
  std::size_t start = 0;
  for (std::uint32_t n = 1; n < line; ++n) {
    std::size_t nl = source.find_first_of("\r\n", start);
    if (nl == std::string_view::npos) return {};
    start = nl + ((source[nl] == '\r' && nl + 1 < source.size() && source[nl + 1] == '\n') ? 2 : 1);
  }
  // A byte order mark is not part of line 1 (the lexer skips it too).
  if (start == 0 && source.substr(0, 3) == "\xEF\xBB\xBF") start = 3;
  std::size_t end = source.find_first_of("\r\n", start);
  if (end == std::string_view::npos) end = source.size();
  return source.substr(start, end - start);
}

/// The run of whitespace that puts a caret under byte column `col` of
/// `line` (1-based): a tab for each tab before it, so the caret lines up
/// whatever the terminal's tab width, and one space per other character
/// (UTF-8 continuation bytes take no column).
std::string caret_indent(std::string_view line, std::uint32_t col) {
  std::string out;
  // A column past the end of the line (an error at the line's end) gets
  // spaces; a bogus huge one is cut at one past the end.
  const std::size_t stop = std::min<std::size_t>(col, line.size() + 2);
  for (std::size_t i = 0; i + 1 < stop; ++i) {
    if (i >= line.size()) {
      out += ' ';
    } else if (line[i] == '\t') {
      out += '\t';
    } else if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) {
      out += ' ';
    }
  }
  return out;
}

} // namespace

std::string format_diagnostic(const Diagnostic& d, std::string_view file_name, std::string_view source) {
  std::string out(file_name);
  out += ':';
  out += std::to_string(d.loc.line);
  out += ':';
  out += std::to_string(d.loc.col);
  out += d.severity == Severity::Error ? ": error: " : ": warning: ";
  out += d.message;
  out += '\n';
  if (d.loc.line == 0) return out;
  const std::string_view line = source_line(source, d.loc.line);
  out += line;
  out += '\n';
  out += caret_indent(line, d.loc.col);
  out += "^\n";
  return out;
}

std::string format_diagnostics(const std::vector<Diagnostic>& ds, std::string_view file_name,
                               std::string_view source) {
  std::string out;
  for (const Diagnostic& d : ds) out += format_diagnostic(d, file_name, source);
  return out;
}

} // namespace pine
