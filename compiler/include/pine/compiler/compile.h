// The compiler's entry point: Pine source text -> Program.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pine/compiler/diagnostic.h"
#include "pine/vm/program.h"

namespace pine {

struct CompileOptions {
  std::string file_name = "script.pine"; ///< used in diagnostics
  /// Folders searched, in order, for `import owner/name/version`: the file
  /// is DIR/owner/name/version.pine (a bare `import name` reads DIR/name.pine).
  std::vector<std::string> lib_paths;
};

/// The outcome of a compilation: a verified program, or errors.
struct CompileResult {
  std::shared_ptr<const Program> program; ///< null when there were errors
  std::vector<Diagnostic> diagnostics;    ///< errors and warnings, in source order
  /// The script declares library(): it compiles (its exported functions are
  /// checked) but has no body to run; a host should refuse to run it.
  bool is_library = false;
  bool ok() const { return program != nullptr; }
  /// All diagnostics rendered as `file:line:col: error: message` + caret lines.
  std::string format(std::string_view source, std::string_view file_name) const {
    return format_diagnostics(diagnostics, file_name, source);
  }
};

/// Compiles a whole script. Never throws for bad source: problems come back
/// as diagnostics.
CompileResult compile(std::string_view source, const CompileOptions& options = {});

} // namespace pine
