// The Pine Script parser: source text -> AST (ast.h) plus diagnostics.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "ast.h"
#include "pine/compiler/diagnostic.h"

namespace pine {

/// Limits of the front end. Inputs beyond them get a diagnostic, never a crash.
inline constexpr std::size_t kMaxParseErrors = 10; ///< total diagnostics before giving up
/// Parser recursion: brackets, unary operators, ternaries, nested blocks.
/// Each level is about ten parser frames; 128 levels stay far below any
/// stack (also when pine::parse() runs on a caller's thread), and no real
/// script nests a tenth as deep.
inline constexpr int kMaxNesting = 128;
/// Height of one expression tree. A left-associative chain (`a + b + c`,
/// `x.f().g()`) costs the parser no recursion, so it is not nesting; but the
/// checker walks the tree recursively, so the height is still bounded:
/// 10,000 allows flat sums of thousands of terms while keeping the checker's
/// depth (kMaxCompileNesting, codegen.h) within its stack.
inline constexpr int kMaxExprHeight = 10000;

/// The result of parsing one source text.
struct ParseResult {
  std::unique_ptr<ast::Script> script; ///< never null; holds what was parsed, even after errors
  std::vector<Diagnostic> diagnostics;

  /// True when the script parsed without errors.
  bool ok() const {
    if (!script) return false;
    for (const Diagnostic& d : diagnostics) {
      if (d.severity == Severity::Error) return false;
    }
    return true;
  }
};

/// Tokenizes and parses `source`. Never throws on bad input: every problem is
/// a diagnostic (the first kMaxParseErrors of the file, sorted by position), and
/// the statements that parsed cleanly are kept in `script`.
ParseResult parse(std::string_view source);

} // namespace pine
