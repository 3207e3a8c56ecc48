// The canonical text form of diagnostics (see diagnostic.h).
#include "pine/compiler/diagnostic.h"

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
  std::size_t end = source.find_first_of("\r\n", start);
  if (end == std::string_view::npos) end = source.size();
  return source.substr(start, end - start);
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
  out += source_line(source, d.loc.line);
  out += '\n';
  if (d.loc.col > 1) out.append(d.loc.col - 1, ' ');
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
