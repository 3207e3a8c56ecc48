// Helpers shared by the compiler tests: compile a script body under a
// standard header and look at its listing or its first diagnostic.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "pine/compiler/compile.h"
#include "pine/vm/instance.h"

/// Compiles `body` under a standard header and returns the listing.
inline std::string disasm_of(const std::string& body) {
  const std::string src = "//@version=6\nindicator(\"t\")\n" + body;
  pine::CompileResult r = pine::compile(src);
  REQUIRE_MESSAGE(r.ok(), r.format(src, "t.pine"));
  return pine::disassemble(*r.program);
}

/// The first diagnostic's text for a failing script.
inline std::string first_error(const std::string& body) {
  const std::string src = "//@version=6\nindicator(\"t\")\n" + body;
  pine::CompileResult r = pine::compile(src);
  REQUIRE_FALSE(r.ok());
  REQUIRE_FALSE(r.diagnostics.empty());
  return std::to_string(r.diagnostics[0].loc.line) + ":" + std::to_string(r.diagnostics[0].loc.col) + " " +
         r.diagnostics[0].message;
}

