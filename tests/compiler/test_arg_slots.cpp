// Compiler tests for constants loaded straight into the slot that needs
// them (argument blocks, variables, conditional results), values computed
// straight into their variables, tuple declarations that keep a call's
// result registers, and the removal of instructions that do nothing.
//
// Every expected listing is written by hand from the lowering rules: main's
// registers 0..30 are the built-in variables (close r3, open r0), then come
// temporaries in allocation order. A constant is first given a temporary
// and a LOADK; when its value goes to an argument slot, that LOADK is
// retired (the temporary stays allocated, unused, so later registers keep
// their numbers) and a LOADK into the argument slot replaces the MOVE.
// Retired instructions are removed and jump targets renumbered.
#include <doctest/doctest.h>

#include <string>

#include "compile_helpers.h"

TEST_CASE("arg slots: a constant argument is loaded into its argument register") {
  // 20 was given r31; the argument block is r32 (close), r33 (20).
  CHECK(disasm_of("plot(ta.sma(close, 20))\n") ==
        "function 0 main params=0 results=0 slots=35\n"
        "  state 0: ta.sma\n"
        "     0  MOVE        r32, r3\n"
        "     1  LOADK       r33, k0  ; 20\n"
        "     2  TA          state0, r32, r34  ; ta.sma\n"
        "     3  PLOT        plot0, r34\n"
        "     4  RET         r0, 0\n");
}

TEST_CASE("arg slots: named arguments out of order land in parameter order") {
  // b = 1 is compiled first (r31, k0), then a = 5 (r32, k1); the block
  // holds a (r33) then b (r34). f(int, int) returns an int: I2F for plot.
  CHECK(disasm_of("f(a, b) => a - b\nplot(f(b = 1, a = 5))\n") ==
        "function 0 main params=0 results=0 slots=37\n"
        "  call 0: f\n"
        "     0  LOADK       r33, k1  ; 5\n"
        "     1  LOADK       r34, k0  ; 1\n"
        "     2  CALL        call0, r33, r35  ; f\n"
        "     3  I2F         r36, r35\n"
        "     4  PLOT        plot0, r36\n"
        "     5  RET         r0, 0\n"
        "function 1 f params=2 results=1 slots=3\n"
        "     0  SUBI        r2, r0, r1\n"
        "     1  RET         r2, 1\n");
}

TEST_CASE("arg slots: an overloaded call converts its int constant to the float constant") {
  // Arguments: 1.5 (r31, k0), 2 (r32, k1 int). Only the two-parameter
  // overload binds; its float b makes the 2 the float constant k2.
  CHECK(disasm_of("g(int a) => a * 2\ng(float a, float b) => a + b\nplot(g(1.5, 2))\n") ==
        "function 0 main params=0 results=0 slots=36\n"
        "  call 0: g\n"
        "     0  LOADK       r33, k0  ; 1.5\n"
        "     1  LOADK       r34, k2  ; 2\n"
        "     2  CALL        call0, r33, r35  ; g\n"
        "     3  PLOT        plot0, r35\n"
        "     4  RET         r0, 0\n"
        "function 1 g params=2 results=1 slots=3\n"
        "     0  ADDF        r2, r0, r1\n"
        "     1  RET         r2, 1\n");
}

TEST_CASE("arg slots: an int constant passed to a float parameter of a builtin") {
  // 2 (r31) is interned as int k0, then re-pointed at float 2.0 (k1).
  const std::string text = disasm_of("plot(math.pow(close, 2))\n");
  CHECK(text.find("     0  MOVE        r32, r3\n"
                  "     1  LOADK       r33, k1  ; 2\n"
                  "     2  BUILTIN     ") != std::string::npos);
  CHECK(text.find(", r32, r34\n"
                  "     3  PLOT        plot0, r34\n"
                  "     4  RET         r0, 0\n") != std::string::npos);
}

TEST_CASE("arg slots: a nested call between a constant and its argument block") {
  // 5 is r31 (k0); the inner call's 3 is r32 (k1) and its block r33, r34
  // with the result in r35. The TA reads from r33 on, above r31, so the 5
  // still goes straight to the outer block (r36, r37).
  const std::string text = disasm_of("f(a, b) => a - b\nplot(f(5, ta.sma(close, 3)))\n");
  CHECK(text.find("function 0 main params=0 results=0 slots=39\n"
                  "  state 0: ta.sma\n"
                  "  call 0: f\n"
                  "     0  MOVE        r33, r3\n"
                  "     1  LOADK       r34, k1  ; 3\n"
                  "     2  TA          state0, r33, r35  ; ta.sma\n"
                  "     3  LOADK       r36, k0  ; 5\n"
                  "     4  MOVE        r37, r35\n"
                  "     5  CALL        call0, r36, r38  ; f\n"
                  "     6  PLOT        plot0, r38\n"
                  "     7  RET         r0, 0\n") == 0);
}

TEST_CASE("arg slots: a ternary argument; its arms load their constants into its result") {
  // 1 is r31 (k0). The ternary's result is r32, its test r33; each arm's
  // constant (2: k1, 3: k2) goes straight into r32. The jumps between the
  // 1 and the block do not touch r31, so the 1 goes to r33 of the block.
  CHECK(disasm_of("f(a, b) => a - b\nplot(f(1, close > open ? 2 : 3))\n").find(
            "function 0 main params=0 results=0 slots=37\n"
            "  call 0: f\n"
            "     0  GTF         r33, r3, r0\n"
            "     1  JMPF        r33, 4\n"
            "     2  LOADK       r32, k1  ; 2\n"
            "     3  JMP         5\n"
            "     4  LOADK       r32, k2  ; 3\n"
            "     5  LOADK       r33, k0  ; 1\n"
            "     6  MOVE        r34, r32\n"
            "     7  CALL        call0, r33, r35  ; f\n"
            "     8  I2F         r36, r35\n"
            "     9  PLOT        plot0, r36\n"
            "    10  RET         r0, 0\n") == 0);
}

TEST_CASE("arg slots: an int arm of a float conditional loads the float constant") {
  // x is r31; the conditional's result r32, test r33 (released, so each
  // arm's constant is first given r33). Arm 1 (k0, int 1) becomes float
  // 1.0 (k2) rather than an I2F; arm 2 is 2.5 (k1).
  CHECK(disasm_of("x = close > open ? 1 : 2.5\nplot(x)\n") ==
        "function 0 main params=0 results=0 slots=34\n"
        "     0  GTF         r33, r3, r0\n"
        "     1  JMPF        r33, 4\n"
        "     2  LOADK       r32, k2  ; 1\n"
        "     3  JMP         5\n"
        "     4  LOADK       r32, k1  ; 2.5\n"
        "     5  MOVE        r31, r32\n"
        "     6  PLOT        plot0, r31\n"
        "     7  RET         r0, 0\n");
}

TEST_CASE("arg slots: an na arm is loaded once, as the result type's na") {
  // The else arm's na (r33, float NaN k1) was moved into the result r32
  // and then overwritten with the na of the result type: both go.
  CHECK(disasm_of("x = close > open ? 1.5 : na\nplot(x)\n") ==
        "function 0 main params=0 results=0 slots=34\n"
        "     0  GTF         r33, r3, r0\n"
        "     1  JMPF        r33, 4\n"
        "     2  LOADK       r32, k0  ; 1.5\n"
        "     3  JMP         5\n"
        "     4  LOADK       r32, k1  ; NaN\n"
        "     5  MOVE        r31, r32\n"
        "     6  PLOT        plot0, r31\n"
        "     7  RET         r0, 0\n");
}

TEST_CASE("arg slots: a negative literal is one constant load") {
  // 5 (r32, k0) is negated at compile time into -5 (r33, k1), which goes
  // straight into x (r31); both temporaries are left unused.
  CHECK(disasm_of("x = -5\nplot(x)\n") ==
        "function 0 main params=0 results=0 slots=34\n"
        "     0  LOADK       r31, k1  ; -5\n"
        "     1  I2F         r32, r31\n"
        "     2  PLOT        plot0, r32\n"
        "     3  RET         r0, 0\n");
}

TEST_CASE("arg slots: a variable argument is still moved (the optimisation does not apply)") {
  // len = 20 loads straight into len's register r31; passing len copies it.
  CHECK(disasm_of("len = 20\nplot(ta.sma(close, len))\n") ==
        "function 0 main params=0 results=0 slots=35\n"
        "  state 0: ta.sma\n"
        "     0  LOADK       r31, k0  ; 20\n"
        "     1  MOVE        r32, r3\n"
        "     2  MOVE        r33, r31\n"
        "     3  TA          state0, r32, r34  ; ta.sma\n"
        "     4  PLOT        plot0, r34\n"
        "     5  RET         r0, 0\n");
}

TEST_CASE("tuples: the names of a destructured call take its result registers") {
  // Constants 12, 26, 9 were r31..r33 (k0..k2); the block is r34..r37 and
  // the results m, s, h are r38..r40, kept: the next statement's
  // temporaries start at r41.
  CHECK(disasm_of("[m, s, h] = ta.macd(close, 12, 26, 9)\nplot(h)\nplot(m + s)\n") ==
        "function 0 main params=0 results=0 slots=42\n"
        "  state 0: ta.macd\n"
        "     0  MOVE        r34, r3\n"
        "     1  LOADK       r35, k0  ; 12\n"
        "     2  LOADK       r36, k1  ; 26\n"
        "     3  LOADK       r37, k2  ; 9\n"
        "     4  TA          state0, r34, r38  ; ta.macd\n"
        "     5  PLOT        plot0, r40\n"
        "     6  ADDF        r41, r38, r39\n"
        "     7  PLOT        plot1, r41\n"
        "     8  RET         r0, 0\n");
}

TEST_CASE("tuples: a user function's tuple, returned and destructured without copies") {
  // f reads the globals close and open into r0, r1 and returns them where
  // they are; main's call has no arguments and results in r31, r32 (a, b).
  CHECK(disasm_of("f() => [close, open]\n[a, b] = f()\nplot(a - b)\n") ==
        "function 0 main params=0 results=0 slots=34\n"
        "  call 0: f\n"
        "     0  CALL        call0, r31, r31  ; f\n"
        "     1  SUBF        r33, r31, r32\n"
        "     2  PLOT        plot0, r33\n"
        "     3  RET         r0, 0\n"
        "function 1 f params=0 results=2 slots=2\n"
        "     0  GETGLOBAL   r0, g3\n"
        "     1  GETGLOBAL   r1, g0\n"
        "     2  RET         r0, 2\n");
}

TEST_CASE("tuples: a tuple from a conditional is still copied (the optimisation does not apply)") {
  // The conditional's elements are r31, r32 (na first: float NaN k4), its
  // own result register r33, the test r34, the arm values r34, r35. The
  // names a, b get new registers r34, r35 and copies.
  CHECK(disasm_of("[a, b] = if close > open\n    [1.0, 2.0]\nelse\n    [3.0, 4.0]\nplot(a)\n") ==
        "function 0 main params=0 results=0 slots=36\n"
        "     0  LOADK       r31, k4  ; NaN\n"
        "     1  LOADK       r32, k4  ; NaN\n"
        "     2  GTF         r34, r3, r0\n"
        "     3  JMPF        r34, 9\n"
        "     4  LOADK       r34, k0  ; 1\n"
        "     5  LOADK       r35, k1  ; 2\n"
        "     6  MOVE        r31, r34\n"
        "     7  MOVE        r32, r35\n"
        "     8  JMP         13\n"
        "     9  LOADK       r34, k2  ; 3\n"
        "    10  LOADK       r35, k3  ; 4\n"
        "    11  MOVE        r31, r34\n"
        "    12  MOVE        r32, r35\n"
        "    13  MOVE        r34, r31\n"
        "    14  MOVE        r35, r32\n"
        "    15  PLOT        plot0, r34\n"
        "    16  RET         r0, 0\n");
}

TEST_CASE("arg slots: loop bounds load straight into the loop registers; jumps renumbered") {
  // s is r31. The bounds 1 (r32) and 3 (r33) go straight into the counter
  // r34 and the limit r35; the stride r36, direction r37, test r38. `to` is
  // re-evaluated (3, first given r39) straight into r35 after LOOPCHECK,
  // which the backward jump must still land on. s += ... adds straight into
  // s (the ADDF's temporary r42 is left unused).
  CHECK(disasm_of("float s = 0.0\nfor i = 1 to 3\n    s += i * 0.5\nplot(s)\n") ==
        "function 0 main params=0 results=0 slots=43\n"
        "     0  LOADK       r31, k0  ; 0\n"
        "     1  LOADK       r34, k1  ; 1\n"
        "     2  LOADK       r35, k2  ; 3\n"
        "     3  LOADK       r36, k1  ; 1\n"
        "     4  GTI         r37, r34, r35\n"
        "     5  JMP         8\n"
        "     6  LOOPCHECK\n"
        "     7  LOADK       r35, k2  ; 3\n"
        "     8  JMPT        r37, 11\n"
        "     9  LEI         r38, r34, r35\n"
        "    10  JMP         12\n"
        "    11  GEI         r38, r34, r35\n"
        "    12  JMPF        r38, 22\n"
        "    13  LOADK       r39, k3  ; 0.5\n"
        "    14  I2F         r40, r34\n"
        "    15  MULF        r41, r40, r39\n"
        "    16  ADDF        r31, r31, r41\n"
        "    17  JMPT        r37, 20\n"
        "    18  ADDI        r34, r34, r36\n"
        "    19  JMP         21\n"
        "    20  SUBI        r34, r34, r36\n"
        "    21  JMP         6\n"
        "    22  PLOT        plot0, r31\n"
        "    23  RET         r0, 0\n");
}

TEST_CASE("compaction: jumps that would land on the next instruction are dropped, nested ones too") {
  // The inner if's end jump lands on the outer if's end jump, which lands
  // on the plot code: both go, and both JMPFs then target the I2F.
  CHECK(disasm_of("var int n = 0\nif close > open\n    if high > low\n        n += 1\nplot(n)\n") ==
        "function 0 main params=0 results=0 slots=37\n"
        "     0  ONCE        r32, 2\n"
        "     1  LOADK       r31, k0  ; 0\n"
        "     2  GTF         r34, r3, r0\n"
        "     3  JMPF        r34, 8\n"
        "     4  GTF         r35, r1, r2\n"
        "     5  JMPF        r35, 8\n"
        "     6  LOADK       r35, k1  ; 1\n"
        "     7  ADDI        r31, r31, r35\n"
        "     8  I2F         r33, r31\n"
        "     9  PLOT        plot0, r33\n"
        "    10  RET         r0, 0\n");
}

TEST_CASE("results: a call's single result is written straight into the declared variable") {
  // s is r31; 20 (first r32) goes to the block r33, r34; the TA's result
  // slot becomes r31 instead of r35.
  CHECK(disasm_of("s = ta.sma(close, 20)\nplot(s)\n") ==
        "function 0 main params=0 results=0 slots=36\n"
        "  state 0: ta.sma\n"
        "     0  MOVE        r33, r3\n"
        "     1  LOADK       r34, k0  ; 20\n"
        "     2  TA          state0, r33, r31  ; ta.sma\n"
        "     3  PLOT        plot0, r31\n"
        "     4  RET         r0, 0\n");
}

TEST_CASE("results: an assignment from a user call on the variable itself") {
  // w is r31 (1.0 loaded straight in); w := f(w) copies w into the block
  // r32, and the CALL's result slot becomes r31 instead of r33.
  const std::string text = disasm_of("f(v) => v * 2\nfloat w = 1.0\nw := f(w)\nplot(w)\n");
  CHECK(text.find("function 0 main params=0 results=0 slots=34\n"
                  "  call 0: f\n"
                  "     0  LOADK       r31, k0  ; 1\n"
                  "     1  MOVE        r32, r31\n"
                  "     2  CALL        call0, r32, r31  ; f\n"
                  "     3  PLOT        plot0, r31\n"
                  "     4  RET         r0, 0\n") == 0);
}
