// Compiler tests that compare disassembly text (as Luau's compiler tests do).
// Each expected listing was written by hand from the lowering rules in
// compiler/src/codegen*.cpp: registers 0..30 of main are the built-in
// variables (close is r3, open r0), var slots come next, then temporaries.
#include <doctest/doctest.h>

#include <string>

#include "compile_helpers.h"

TEST_CASE("codegen: float arithmetic, a literal int becomes a float constant, history read") {
  // x is r31: the MULF writes it directly (its temporary r33 is unused).
  CHECK(disasm_of("x = close * 2\nplot(x[1], \"a\")\n") ==
        "function 0 main params=0 results=0 slots=34\n"
        "  series 0: float capacity=2\n"
        "     0  LOADK       r32, k1  ; 2\n"
        "     1  MULF        r31, r3, r32\n"
        "     2  SERIES_SET  s0, r31\n"
        "     3  SERIES_GETK r32, s0, 1\n"
        "     4  PLOT        plot0, r32\n"
        "     5  RET         r0, 0\n");
}

TEST_CASE("codegen: var initialiser guarded by ONCE, if statement, int to float for plot") {
  // var n: value r31, once-flag r32 (reserved before temporaries). The
  // initial 0 is loaded straight into r31 (its temporary r33 is left
  // unused); n += 1 adds straight into r31; the then-branch's jump to the
  // end of the if would land on the next instruction, so it is dropped; the
  // jumps count what remains.
  CHECK(disasm_of("var int n = 0\nif close > open\n    n += 1\nplot(n)\n") ==
        "function 0 main params=0 results=0 slots=36\n"
        "     0  ONCE        r32, 2\n"
        "     1  LOADK       r31, k0  ; 0\n"
        "     2  GTF         r34, r3, r0\n"
        "     3  JMPF        r34, 6\n"
        "     4  LOADK       r34, k1  ; 1\n"
        "     5  ADDI        r31, r31, r34\n"
        "     6  I2F         r33, r31\n"
        "     7  PLOT        plot0, r33\n"
        "     8  RET         r0, 0\n");
}

TEST_CASE("codegen: a user function is its own function with a call site") {
  // The argument 2 is loaded straight into the argument register r32 (the
  // temporary r31 it was first given stays allocated, unused). f returns
  // its one value from the register that holds it (r2), with no copy.
  CHECK(disasm_of("f(a) => a + 1\nplot(f(2))\n") ==
        "function 0 main params=0 results=0 slots=35\n"
        "  call 0: f\n"
        "     0  LOADK       r32, k0  ; 2\n"
        "     1  CALL        call0, r32, r33  ; f\n"
        "     2  I2F         r34, r33\n"
        "     3  PLOT        plot0, r34\n"
        "     4  RET         r0, 0\n"
        "function 1 f params=1 results=1 slots=3\n"
        "     0  LOADK       r1, k1  ; 1\n"
        "     1  ADDI        r2, r0, r1\n"
        "     2  RET         r2, 1\n");
}

TEST_CASE("codegen: two call sites of one specialisation share the function, not the state") {
  const std::string text = disasm_of("f(x) => ta.sma(x, 3)\nplot(f(close))\nplot(f(open))\n");
  // One function body with one builtin state, called from two call sites.
  CHECK(text.find("function 1 f") != std::string::npos);
  CHECK(text.find("function 2") == std::string::npos);
  CHECK(text.find("  call 0: f\n  call 1: f\n") != std::string::npos);
  CHECK(text.find("  state 0: ta.sma\n") != std::string::npos);
}

TEST_CASE("codegen: generic functions are specialised per argument type") {
  const std::string text = disasm_of("f(x) => x * 2\nplot(f(1))\nplot(f(1.5))\n");
  CHECK(text.find("function 1 f") != std::string::npos);
  CHECK(text.find("function 2 f") != std::string::npos);
  CHECK(text.find("MULI") != std::string::npos); // the int specialisation
  CHECK(text.find("MULF") != std::string::npos); // the float one
}

TEST_CASE("codegen: and/or short-circuit with jumps") {
  CHECK(disasm_of("b = close > open and close > 1\nplot(b ? 1 : 0)\n").find("JMPF") != std::string::npos);
}

TEST_CASE("codegen: diagnostics name the position and the problem") {
  CHECK(first_error("plot(nope)\n") == "3:6 undeclared identifier 'nope'");
  CHECK(first_error("x = 1\nx = 2\n") == "4:1 'x' is already declared in this scope; use ':=' to reassign it");
  CHECK(first_error("y := 1\n") == "3:1 undeclared identifier 'y'; use '=' to declare a new variable");
  CHECK(first_error("x = na\n") == "3:5 cannot declare 'x' with the value 'na' without a type; write e.g. 'float x = na'");
  CHECK(first_error("plot(ta.sma(close))\n") == "3:6 missing argument 'length' in the call to 'ta.sma'");
  CHECK(first_error("plot(ta.sma(close, 3, 4))\n") == "3:23 too many arguments in the call to 'ta.sma': it takes 2");
  CHECK(first_error("int x = \"s\"\n") == "3:9 type mismatch: variable 'x' expects int, got const string");
  CHECK(first_error("f(x) => f(x)\nplot(f(1))\n") == "3:9 'f' calls itself: recursion is not allowed in Pine");
  CHECK(first_error("if close\n    plot(1)\n") == "3:4 type mismatch: the condition expects bool, got series float");
  CHECK(first_error("plot(ta.ema(close, bar_index))\n").find("must be 'simple int'") != std::string::npos);
  CHECK(first_error("if close > open\n    plot(close)\n").find("global scope") != std::string::npos);
  CHECK(first_error("x = switch\n").size() > 0);
}

TEST_CASE("codegen: a script without indicator() is rejected") {
  pine::CompileResult r = pine::compile("//@version=6\nx = 1\n");
  REQUIRE_FALSE(r.ok());
  CHECK(r.diagnostics[0].message == "the script has no indicator(), strategy() or library() declaration");
}

TEST_CASE("codegen: version 4 is rejected, 5 and 6 accepted") {
  CHECK_FALSE(pine::compile("//@version=4\nindicator(\"t\")\nplot(close)\n").ok());
  CHECK(pine::compile("//@version=5\nindicator(\"t\")\nplot(close)\n").ok());
  CHECK(pine::compile("//@version=6\nindicator(\"t\")\nplot(close)\n").ok());
}

TEST_CASE("codegen: every compiled program passes the verifier and round-trips through bytes") {
  const std::string src = "//@version=6\nindicator(\"t\")\nf(x, n = 3) =>\n    var c = 0\n    c += 1\n"
                          "    [ta.sma(x, n), c]\n[a, b] = f(close)\nfor i = 0 to 3\n    if i == 2\n        break\n"
                          "plot(a, \"a\")\nplot(b, \"b\")\n";
  pine::CompileResult r = pine::compile(src);
  REQUIRE_MESSAGE(r.ok(), r.format(src, "t.pine"));
  const std::vector<std::uint8_t> bytes = pine::serialize_program(*r.program);
  const pine::Program back = pine::deserialize_program(bytes);
  CHECK(pine::serialize_program(back) == bytes);
  CHECK(pine::disassemble(back) == pine::disassemble(*r.program));
}

TEST_CASE("codegen: branches of an if statement may end with values of different types") {
  // Only an if used as a value needs its branches to agree (docs/language.md,
  // "Values of conditionals, loops and tuples").
  const std::string src = "//@version=6\nindicator(\"t\")\nfloat x = 0.0\nb = false\nif close > open\n"
                          "    if x > 1\n        x := 1\n    else\n        b := true\nplot(x)\n";
  pine::CompileResult r = pine::compile(src);
  CHECK_MESSAGE(r.ok(), r.format(src, "t.pine"));
  const std::string bad = "//@version=6\nindicator(\"t\")\ny = if close > open\n    1.0\nelse\n    true\nplot(y)\n";
  pine::CompileResult r2 = pine::compile(bad);
  REQUIRE_FALSE(r2.ok());
  CHECK(r2.diagnostics[0].message.find("incompatible types") != std::string::npos);
}

TEST_CASE("codegen: plot() and indicator() check their argument names and order") {
  CHECK(first_error("plot(close, titel = \"a\")\n") == "3:13 'plot' has no parameter named 'titel'");
  CHECK(first_error("plot(series = close, \"a\")\n") ==
        "3:22 Positional arguments cannot follow named arguments (in the call to 'plot')");
}

TEST_CASE("codegen: a failed declaration does not cascade into 'undeclared' errors") {
  const std::string src = "//@version=6\nindicator(\"t\")\nint x = \"s\"\nplot(x)\n";
  pine::CompileResult r = pine::compile(src);
  REQUIRE_FALSE(r.ok());
  CHECK(r.diagnostics.size() == 1);
}

TEST_CASE("codegen: const variables cannot be reassigned; qualified parameters cap their arguments") {
  CHECK(first_error("const int x = 10\nx := 20\n") == "4:1 Cannot reassign const variable 'x'");
  CHECK(first_error("f(const int x) => x + 1\nint y = 10\ny := y + bar_index\nplot(f(y))\n") ==
        "6:8 parameter 'x' of 'f' is const, but the argument is series int");
  CHECK(first_error("f(simple int n) => ta.ema(close, n)\nplot(f(bar_index))\n") ==
        "4:8 parameter 'n' of 'f' is simple, but the argument is series int");
  // A simple parameter can feed a builtin that needs a simple length.
  pine::CompileResult ok = pine::compile("//@version=6\nindicator(\"t\")\nf(simple int n) => ta.ema(close, n)\nplot(f(14))\n");
  CHECK(ok.ok());
}

TEST_CASE("codegen: hline() puts its price in the output as a column") {
  const std::string src = "//@version=6\nindicator(\"t\")\nlevel = input.float(70, \"Level\")\nhline(level, \"upper\")\nhline(30)\n";
  pine::CompileResult r = pine::compile(src);
  REQUIRE_MESSAGE(r.ok(), r.format(src, "t.pine"));
  REQUIRE(r.program->plots.size() == 2);
  CHECK(r.program->plots[0].title == "upper");
  CHECK(r.program->plots[1].title.empty());
  pine::Instance inst = pine::InstanceBuilder(r.program).input("Level", "80").build();
  inst.run_bar(pine::Bar{1, 1, 2, 0.5, 1.5, 10});
  CHECK(inst.plot_values()[0].f == 80);
  CHECK(inst.plot_values()[1].f == 30);
  CHECK(first_error("hline(close)\n").find("must be an input or constant") != std::string::npos);
}
