// Script and program loading for the commands (script_loader.h).
#include "script_loader.h"

#include <cerrno>
#include <chrono>
#include <span>
#include <cstring>
#include <fstream>
#include <sstream>

#include "cli_error.h"
#include "output_paths.h"
#include "pine/compiler/compile.h"
#include "pine/snapshot/envelope.h"
#include "program_file.h"

namespace pine::cli {

namespace {

/// True when `text` ends with `suffix`.
bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Refuses a "script" that is binary: a snapshot, or anything holding NUL
/// bytes (no Pine source does), before the compiler reports nonsense.
void check_is_text(const std::string& path, const std::string& source) {
  if (source.compare(0, snapshot::kMagic.size(),
                     std::string(snapshot::kMagic.begin(), snapshot::kMagic.end())) == 0)
    fail(kUsage, "'" + path + "' is a pinevm snapshot, not a script: pass it to --restore-state or inspect it");
  if (source.find('\0') != std::string::npos)
    fail(kUsage, "'" + path + "' is not a Pine Script source: it holds NUL bytes (a binary file?)");
}

} // namespace

std::string read_text_file(const std::string& path, const std::string& what) {
  require_not_directory(path, what);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(kUsage, "cannot open '" + path + "': " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) fail(kUsage, "cannot read '" + path + "': " + std::strerror(errno));
  return ss.str();
}

// A library's program holds only its exported functions; running it would
// produce an empty output and look like success.
void refuse_library(const std::string& path, ScriptUse use) {
  if (use == ScriptUse::Run)
    fail(kUsage, "'" + path + "' is a library (library() script) and cannot be run or compiled to a program; "
                 "check it with `pinevm check` or import it from a script");
}

// Warnings are printed even on success, as the compiler reported them.
std::shared_ptr<const Program> compile_file(const std::string& path, const std::vector<std::string>& lib_paths,
                                            std::ostream& err, ScriptUse use) {
  return compile_source(path, read_text_file(path, "the script"), lib_paths, err, use);
}

// The one place a script's text is compiled for the commands, so run,
// compile, check, disasm and bench report alike.
std::shared_ptr<const Program> compile_source(const std::string& path, const std::string& source,
                                              const std::vector<std::string>& lib_paths, std::ostream& err,
                                              ScriptUse use, double* compile_seconds) {
  check_is_text(path, source);
  CompileOptions options;
  options.file_name = path;
  options.lib_paths = lib_paths;
  const auto t0 = std::chrono::steady_clock::now();
  CompileResult r = compile(source, options);
  if (compile_seconds)
    *compile_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!r.ok()) {
    std::size_t errors = 0;
    for (const Diagnostic& d : r.diagnostics) errors += d.severity == Severity::Error;
    fail(kCompileError, "'" + path + "' did not compile (" + std::to_string(errors) + (errors == 1 ? " error)" : " errors)"),
         r.format(source, path));
  }
  if (!r.diagnostics.empty()) err << r.format(source, path); // warnings
  if (r.is_library) refuse_library(path, use);
  return r.program;
}

// The magic decides, so a program file renamed to .pine still runs and a
// text file named .pvmc gets a clear message. The file is read once and the
// magic tested on those bytes: a script from a pipe (`<(cat s.pine)`,
// /dev/stdin) cannot be opened twice.
std::shared_ptr<const Program> load_program(const std::string& path, const std::vector<std::string>& lib_paths,
                                            std::ostream& err, ScriptUse use, double* compile_seconds) {
  const std::string bytes = read_text_file(path, "the script");
  if (is_program_file_magic(bytes)) {
    try {
      if (compile_seconds) *compile_seconds = 0;
      return std::make_shared<const Program>(program_from_bytes(
          path, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size())));
    } catch (const ProgramError& e) {
      fail(kData, e.what());
    }
  }
  if (ends_with(path, ".pvmc"))
    fail(kData, "'" + path + "' is not a pinevm program file (it does not start with the PINEVMC magic): compile "
                "the script again with `pinevm compile`");
  return compile_source(path, bytes, lib_paths, err, use, compile_seconds);
}

} // namespace pine::cli
