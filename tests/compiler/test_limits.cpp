// Hardening of the compiler front end: inputs that used to crash it, hang it
// or fail without a position, and what it accepts now (sources are made
// here, large on purpose; each case runs in well under a second in Release).
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "compile_helpers.h"
#include "pine/compiler/compile.h"
#include "pine/vm/instance.h"

namespace {

const std::string kHeader = "//@version=6\nindicator(\"t\")\n";

/// `s` repeated `n` times.
std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

/// Compiles `body` under kHeader.
pine::CompileResult compile_body(const std::string& body) { return pine::compile(kHeader + body); }

/// "line:col message" of the first diagnostic, or "ok".
std::string outcome(const pine::CompileResult& r) {
  if (r.ok()) return "ok";
  REQUIRE_FALSE(r.diagnostics.empty());
  const pine::Diagnostic& d = r.diagnostics.front();
  return std::to_string(d.loc.line) + ":" + std::to_string(d.loc.col) + " " + d.message;
}

/// The value of the first plot after one bar with close = 1 (the scripts
/// below compute their plot from `close` or constants).
double first_plot(const pine::CompileResult& r) {
  REQUIRE(r.ok());
  pine::Instance inst = pine::InstanceBuilder(r.program).build();
  pine::Bar bar;
  bar.time = 1'700'000'000'000;
  bar.open = bar.high = bar.low = bar.close = 1;
  inst.run_bar(bar);
  return inst.plot_values()[0].f;
}

/// A chain of `n` functions, f0 .. f{n-1}, each calling the previous one,
/// and a plot of f{n-1}(close): f_i sits on line 3 + i.
std::string function_chain(std::size_t n) {
  std::string s = "f0(x) => x + 1\n";
  for (std::size_t i = 1; i < n; ++i) s += "f" + std::to_string(i) + "(x) => f" + std::to_string(i - 1) + "(x) + 1\n";
  return s + "plot(f" + std::to_string(n - 1) + "(close))\n";
}

} // namespace

TEST_CASE("limits: a 7,000-branch else-if chain compiles and picks the right branch") {
  std::string s = "x = 0.0\nif close > 7000\n    x := 7000\n";
  for (int i = 6999; i >= 0; --i) s += "else if close > " + std::to_string(i) + "\n    x := " + std::to_string(i) + "\n";
  s += "plot(x)\n";
  // close = 1: the first true test is `close > 0`, the last branch.
  CHECK(first_plot(compile_body(s)) == 0);
}

TEST_CASE("limits: user function call chains are bounded at compile time") {
  // 256 nested calls (main -> f255 -> ... -> f0) are allowed: f0 returns
  // close + 1 and each level adds 1.
  CHECK(first_plot(compile_body(function_chain(pine::kMaxUserCallDepth))) == 1 + pine::kMaxUserCallDepth);
  // One more is an error at the call that makes the chain 257 deep: the
  // one in f1 (line 4), at its callee's name (after "f1(x) => ").
  const std::string msg = "this call nests user functions more than 256 levels deep (counting from the script's top level)";
  CHECK(outcome(compile_body(function_chain(pine::kMaxUserCallDepth + 1))) == "4:10 " + msg);
  // 3,000 functions used to overflow the stack: the error is at the call
  // from f2744 (line 2747): main -> f2999 ... f2744 is 256 calls.
  CHECK(outcome(compile_body(function_chain(3000))) == "2747:13 " + msg);
  // A specialisation compiled first from a shallow place and then called
  // from deeper is counted at the deeper call: g is 250 deep below itself,
  // fine from main, too deep below h1 .. h7.
  std::string s = function_chain(250);                       // f0..f249, lines 3..252, and a plot at 253
  s += "h0(x) => f249(x)\n";                                 // line 254: h0 -> f249 is 251 deep
  for (int i = 1; i <= 6; ++i) s += "h" + std::to_string(i) + "(x) => h" + std::to_string(i - 1) + "(x)\n";
  s += "plot(h6(close))\n";                                  // main -> h6 ... h0 -> f249 ... f0: 257 calls
  // h6..h0 are fresh specialisations at depths 1..7; h0's call of f249
  // (already compiled, 249 calls below it) makes 7 + 1 + 249 = 257.
  CHECK(outcome(compile_body(s)) == "254:10 " + msg);
}

TEST_CASE("limits: the verifier rejects a hand-made program whose calls nest too deep") {
  pine::Program p;
  const std::size_t n = pine::kMaxUserCallDepth + 2; // main + 257 functions, each calling the next
  p.functions.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    pine::FunctionProto& f = p.functions[i];
    f.name = "f" + std::to_string(i);
    f.num_slots = i == 0 ? pine::kBuiltinVarSlots : 1;
    if (i + 1 < n) {
      f.call_sites.push_back(static_cast<std::uint32_t>(i + 1));
      f.code.push_back(pine::Instr{pine::Opcode::CALL, 0, 0, 0, 0});
      f.lines.push_back(1);
    }
    f.code.push_back(pine::Instr{pine::Opcode::RET, 0, 0, 0, 0});
    f.lines.push_back(1);
  }
  CHECK_THROWS_WITH_AS(pine::verify_program(p), "invalid program: user function calls nest 257 levels deep; at most 256 are allowed",
                       pine::ProgramError);
  p.functions.resize(n - 1); // 256 levels: fine
  p.functions.back().call_sites.clear();
  p.functions.back().code = {pine::Instr{pine::Opcode::RET, 0, 0, 0, 0}};
  p.functions.back().lines = {1};
  CHECK_NOTHROW(pine::verify_program(p));
}

TEST_CASE("limits: flat operator chains of thousands of terms compile and compute") {
  // a + a + ... with a = close = 1: the sum is the number of terms.
  for (std::size_t n : {257, 5000}) {
    const std::string sum = "x = " + repeat("close + ", n - 1) + "close\nplot(x)\n";
    CHECK(first_plot(compile_body(sum)) == static_cast<double>(n));
  }
  // 2 * 2 * ... 20 times; - chains; and/or chains of 5,000 operands.
  CHECK(first_plot(compile_body("plot(" + repeat("2 * ", 19) + "2)\n")) == 1048576);
  CHECK(first_plot(compile_body("plot(100" + repeat(" - close", 3000) + ")\n")) == -2900);
  CHECK(first_plot(compile_body("b = " + repeat("close > 0 and ", 4999) + "close > 0\nplot(b ? 1 : 0)\n")) == 1);
  CHECK(first_plot(compile_body("b = " + repeat("close < 0 or ", 4999) + "close > 0\nplot(b ? 1 : 0)\n")) == 1);
  // A long method chain: m adds 1, 3,000 times.
  CHECK(first_plot(compile_body("method m(float self) => self + 1\nplot(close" + repeat(".m()", 3000) + ")\n")) == 3001);
}

TEST_CASE("limits: deep nesting gives a positioned error, never a crash") {
  // Parentheses, ternaries and blocks: the parser's kMaxNesting.
  CHECK(outcome(compile_body("x = " + repeat("(", 500) + "1" + repeat(")", 500) + "\nplot(x)\n")).find(
            "3:" + std::to_string(5 + 128) + " expression nested too deeply") == 0);
  CHECK(outcome(compile_body("x = " + repeat("close > 0 ? 1 : ", 500) + "2\nplot(x)\n")).find("expression nested too deeply") !=
        std::string::npos);
  std::string blocks;
  for (int i = 0; i < 200; ++i) blocks += std::string(static_cast<std::size_t>(4 * i), ' ') + "if close > 0\n";
  blocks += std::string(800, ' ') + "x = 1\nplot(close)\n";
  // Blocks and the expressions in them share the parser's depth: the
  // condition of the 129th `if` (line 3 + 128, column 4 * 128 + 4) is one too many.
  CHECK(outcome(compile_body(blocks)) == "131:516 expression nested too deeply");
  // The compiler's own depth is summed over function bodies: 200 chained
  // functions whose call sits at the bottom of a 150-term sum each nest
  // about 30,000 levels, past kMaxCompileNesting (20,000), and are
  // reported where the count runs out instead of overflowing the stack.
  std::string deep = "g0(x) => x\n";
  for (int i = 1; i < 200; ++i)
    deep += "g" + std::to_string(i) + "(x) => g" + std::to_string(i - 1) + "(x)" + repeat(" + x", 150) + "\n";
  deep += "plot(g199(close))\n";
  CHECK(outcome(compile_body(deep)).find("the code is nested too deeply: more than 20000 levels") != std::string::npos);
}

TEST_CASE("limits: a 60,000-field chain is checked in linear time") {
  // Each prefix of `a.next.next...` used to be rebuilt and looked up: O(n^2),
  // over a minute for 100,000 fields. Linear work takes milliseconds; the
  // bound leaves room for slow (sanitizer) builds.
  const std::string s = "type N\n    float v = 1\n    N next\na = N.new()\nb = a" + repeat(".next", 60000) + "\nplot(close)\n";
  const auto start = std::chrono::steady_clock::now();
  const pine::CompileResult r = compile_body(s);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(r.ok());
  CHECK(seconds < 10);
}

TEST_CASE("limits: running out of registers names the line") {
  // Each declaration keeps one register of main's 65,535; the error is at
  // the value of one of the declarations (line 3 + i holds "x<i> = 1").
  std::string s;
  for (int i = 0; i < 66000; ++i) s += "x" + std::to_string(i) + " = 1\n";
  const pine::CompileResult r = compile_body(s + "plot(close)\n");
  REQUIRE_FALSE(r.ok());
  const pine::Diagnostic& d = r.diagnostics.front();
  CHECK(d.message == "the script's top level needs more than 65535 registers (too many variables and values in one function)");
  CHECK(d.loc.line >= 3);
  CHECK(d.loc.line <= 66002);
  const std::string name = "x" + std::to_string(d.loc.line - 3);
  CHECK(d.loc.col == name.size() + 4);
}
