// compile(): parse, check and lower, then verify the program.
#include "pine/compiler/compile.h"

#include "codegen.h"
#include "parser.h"

namespace pine {

CompileResult compile(std::string_view source, const CompileOptions& options) {
  // options.file_name is used by callers when they format diagnostics.
  CompileResult result;
  ParseResult parsed = parse(source);
  const bool parsed_ok = parsed.ok();
  result.diagnostics = std::move(parsed.diagnostics);
  if (!parsed_ok) return result;
  ProgramCompiler pc;
  pc.lib_paths = options.lib_paths;
  std::shared_ptr<Program> program = pc.compile(*parsed.script);
  for (Diagnostic& d : pc.diagnostics) result.diagnostics.push_back(std::move(d));
  if (!program) return result;
  try {
    verify_program(*program);
  } catch (const ProgramError& e) {
    // A verifier failure here is a compiler bug; report it, never run it.
    result.diagnostics.push_back({Severity::Error, {1, 1}, std::string("internal compiler error: ") + e.what()});
    return result;
  }
  result.program = std::move(program);
  return result;
}

} // namespace pine
