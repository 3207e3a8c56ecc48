// Compiler diagnostics and their canonical text form.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pine {

/// A position in a source file; both fields are 1-based (0 = unknown).
struct SourceLoc {
  std::uint32_t line = 0;
  std::uint32_t col = 0;
};

enum class Severity : std::uint8_t { Error, Warning };

/// One compiler message, anchored at a source position.
struct Diagnostic {
  Severity severity = Severity::Error;
  SourceLoc loc;
  std::string message;
};

/// Renders `file:line:col: error: message`, then the source line and a caret
/// under the column, each line ending in '\n'.
std::string format_diagnostic(const Diagnostic& d, std::string_view file_name, std::string_view source);

/// Renders every diagnostic in order.
std::string format_diagnostics(const std::vector<Diagnostic>& ds, std::string_view file_name,
                               std::string_view source);

} // namespace pine
