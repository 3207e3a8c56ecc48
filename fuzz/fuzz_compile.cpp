// libFuzzer target: the compiler front end, pine::compile(source).
//
// The input is Pine source text: it goes through the lexer, the parser, the
// checker and the code generator, and when it compiles, through the
// verifier (inside compile()), the disassembler and a program round trip
// (serialize, deserialize, serialize: the bytes must not change). Every
// outcome is fine except a crash, a sanitizer report, an exception escaping
// compile() (it promises diagnostics instead), a diagnostic without a
// position on an input that parsed, or a round trip that changes the bytes.
//
// Inputs are capped at kMaxInputBytes (scripts/fuzz passes the same cap as
// -max_len): on inputs that small every pass should take milliseconds, so a
// libFuzzer timeout means a super-linear step, not a big input.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "pine/compiler/compile.h"
#include "pine/vm/program.h"

namespace {

/// Largest source compiled: 64 KiB, a long real script is 10-30 KiB.
constexpr std::size_t kMaxInputBytes = 64 * 1024;

/// Stops the fuzzer with a message (libFuzzer reports the abort as a crash).
[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_compile: %s\n", what);
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInputBytes) return -1; // not added to the corpus
  const std::string_view source(reinterpret_cast<const char*>(data), size);
  pine::CompileResult r = pine::compile(source, {.file_name = "fuzz.pine"});
  // Formatting must cope with any position the compiler reports.
  const std::string text = r.format(source, "fuzz.pine");
  if (!r.ok()) {
    if (r.diagnostics.empty()) fail("compile() failed without a diagnostic");
    for (const pine::Diagnostic& d : r.diagnostics)
      if (d.severity == pine::Severity::Error && d.loc.line == 0) fail("an error without a source position");
    return 0;
  }
  const pine::Program& p = *r.program;
  (void)pine::disassemble(p);
  (void)pine::describe_outputs(p);
  const std::vector<std::uint8_t> bytes = pine::serialize_program(p);
  const pine::Program again = pine::deserialize_program(bytes);
  if (pine::serialize_program(again) != bytes) fail("the program bytes change in a round trip");
  return 0;
}
