// Helpers shared by the VM tests: compile a script body, make bars.
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "pine/compiler/compile.h"
#include "pine/vm/bar.h"
#include "pine/vm/program.h"

/// The verifier's message for `p`, or "" when it accepts it.
inline std::string verify_error(const pine::Program& p) {
  try {
    pine::verify_program(p);
  } catch (const pine::ProgramError& e) {
    return e.what();
  }
  return "";
}

/// Compiles `body` under a standard header; the test fails if it does not compile.
inline std::shared_ptr<const pine::Program> compile_ok(const std::string& body) {
  const std::string src = "//@version=6\nindicator(\"t\")\n" + body;
  pine::CompileResult r = pine::compile(src);
  REQUIRE_MESSAGE(r.ok(), r.format(src, "t.pine"));
  return r.program;
}

/// Compiles the script file at `path` as it is (header included); the test
/// fails if the file cannot be read or does not compile.
inline std::shared_ptr<const pine::Program> compile_file_ok(const std::string& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in, "cannot open " << path);
  std::stringstream source;
  source << in.rdbuf();
  pine::CompileResult r = pine::compile(source.str());
  REQUIRE_MESSAGE(r.ok(), r.format(source.str(), path));
  return r.program;
}

/// The benchmark's reference script bench/scripts/`name`, compiled.
inline std::shared_ptr<const pine::Program> compile_reference_script(const std::string& name) {
  return compile_file_ok(std::string(PINEVM_SOURCE_DIR) + "/bench/scripts/" + name);
}

/// Deterministic bars: close = 100 + i, high = close + 1, low = close - 1.
inline pine::Bar bar_at(int i) {
  pine::Bar b;
  b.time = 1'700'000'000'000 + 60'000LL * i;
  b.open = 100 + i - 0.5;
  b.close = 100 + i;
  b.high = b.close + 1;
  b.low = b.close - 1;
  b.volume = 1000;
  return b;
}

