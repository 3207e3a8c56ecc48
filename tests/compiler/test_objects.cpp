// Compiler tests for heap objects, enums, methods and imports: the listing
// of the new instructions (expected text written by hand from the lowering
// in codegen_objects.cpp) and the diagnostics of misuse.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "compile_helpers.h"

TEST_CASE("objects: array calls lower to COLL with the element type in T") {
  // a is r31 (the first register after the built-ins); the arguments of
  // each COLL go to consecutive registers (r34, r35), the result follows
  // them. Constant arguments are loaded straight into their argument
  // registers: their first loads (into r32, r33, then r33) are dropped,
  // which leaves those registers allocated but unused. Each COLL writes
  // its result straight into the declared variable (a r31, x r32) instead
  // of r36.
  CHECK(disasm_of("a = array.new<float>(2, 0.5)\nx = a.get(0)\nplot(x)\n") ==
        "function 0 main params=0 results=0 slots=37\n"
        "     0  LOADK       r34, k0  ; 2\n"
        "     1  LOADK       r35, k1  ; 0.5\n"
        "     2  COLL        array.new<float>, r34, r31\n"
        "     3  MOVE        r34, r31\n"
        "     4  LOADK       r35, k2  ; 0\n"
        "     5  COLL        array.get<float>, r34, r32\n"
        "     6  PLOT        plot0, r32\n"
        "     7  RET         r0, 0\n");
}

TEST_CASE("objects: UDT construction and field access") {
  // The named argument n = 3 is compiled first (k0), then the default of x
  // (k1); the fields go to consecutive registers in declaration order
  // (x into r34, n into r35), each constant loaded straight there. NEWOBJ
  // writes the new object straight into p (r31).
  CHECK(disasm_of("type P\n    float x = 1.0\n    int n\np = P.new(n = 3)\nplot(p.x)\n") ==
        "function 0 main params=0 results=0 slots=37\n"
        "     0  LOADK       r34, k1  ; 1\n"
        "     1  LOADK       r35, k0  ; 3\n"
        "     2  NEWOBJ      r31, type0, r34  ; P\n"
        "     3  GETFIELD    r32, r31, field0\n"
        "     4  PLOT        plot0, r32\n"
        "     5  RET         r0, 0\n");
}

TEST_CASE("objects: enums print their titles") {
  const std::string text = disasm_of("enum D\n    up = \"Up\"\n    down\nlog.info(str.tostring(D.down))\n");
  CHECK(text.find("ENUMSTR") != std::string::npos);
}

TEST_CASE("objects: misuse is diagnosed") {
  CHECK(first_error("type P\n    float x\np = P.new()\nplot(p.y)\n") == "6:6 type 'P' has no field 'y'");
  CHECK(first_error("a = array.new<float>()\na.push(\"s\")\n") ==
        "4:8 type mismatch: argument 'value' of 'array.push' expects float, got const string");
  CHECK(first_error("a = array.new<string>()\nx = a.sum()\n") == "4:5 'array.sum' cannot be used on array<string>");
  CHECK(first_error("m = map.new<array<int>, int>()\n") ==
        "3:13 map keys must be a value type (int, float, bool, color, string or an enum)");
  CHECK(first_error("x = 1\nx.frob()\n") == "4:1 no method 'frob' for const int");
  CHECK(first_error("enum D\n    a\nd = D.b\n") == "5:5 enum 'D' has no member 'b'");
  CHECK(first_error("int[] a = array.new<float>()\n") ==
        "3:11 type mismatch: variable 'a' expects array<int>, got array<float>");
  CHECK(first_error("m = map.new<string, int>()\nfor v in m\n    log.info(str.tostring(v))\n") ==
        "4:1 a 'for ... in' loop over a map needs the '[key, value]' form");
  CHECK(first_error("type P\n    float x\ntype P\n    int y\n") == "5:1 type 'P' is already declared");
  CHECK(first_error("x = foo.Bar.new()\n").find("undeclared function") != std::string::npos);
}

namespace {

/// A temporary library folder holding acme/geo/1.pine.
struct LibDir {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "pinevm_test_libs";
  LibDir() {
    std::filesystem::create_directories(dir / "acme" / "geo");
    std::ofstream(dir / "acme" / "geo" / "1.pine") << "//@version=6\nlibrary(\"geo\")\n"
                                                      "export type Point\n    float x\n    float y\n"
                                                      "export const float SCALE = 2.0\n"
                                                      "square(float v) => v * v\n"
                                                      "export method norm(Point p) => math.sqrt(square(p.x) + square(p.y))\n"
                                                      "export scaled(Point p) => Point.new(p.x * SCALE, p.y * SCALE)\n";
    std::ofstream(dir / "plain.pine") << "//@version=6\nindicator(\"x\")\nplot(close)\n";
    // A library that imports another; and two that import each other.
    std::filesystem::create_directories(dir / "acme" / "core");
    std::ofstream(dir / "acme" / "core" / "1.pine") << "//@version=6\nlibrary(\"core\")\nexport twice(float v) => v * 2\n";
    std::ofstream(dir / "acme" / "geo" / "2.pine") << "//@version=6\nlibrary(\"geo\")\nimport acme/core/1 as core\n"
                                                      "export quad(float v) => core.twice(core.twice(v))\n";
    std::ofstream(dir / "loop_a.pine") << "//@version=6\nlibrary(\"a\")\nimport loop_b as b\nexport f() => 1\n";
    std::ofstream(dir / "loop_b.pine") << "//@version=6\nlibrary(\"b\")\nimport loop_a as a\nexport g() => 2\n";
  }
  ~LibDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  pine::CompileResult compile(const std::string& body) const {
    pine::CompileOptions o;
    o.lib_paths = {dir.string()};
    return pine::compile("//@version=6\nindicator(\"t\")\n" + body, o);
  }
};

} // namespace

TEST_CASE("imports: exported types, methods, functions and constants under the alias") {
  LibDir libs;
  pine::CompileResult r = libs.compile("import acme/geo/1 as g\np = g.scaled(g.Point.new(3, 4))\nplot(p.norm() * g.SCALE)\n");
  REQUIRE_MESSAGE(r.ok(), r.format("", "t.pine"));
  pine::Instance inst = pine::InstanceBuilder(r.program).build();
  pine::Bar bar{};
  inst.run_bar(bar);
  // scaled doubles (3, 4) to (6, 8); its norm is 10; times SCALE is 20.
  CHECK(inst.plot_values()[0].f == 20.0);
  // A library that imports another: quad(1.5) = twice(twice(1.5)) = 6.
  pine::CompileResult nested = libs.compile("import acme/geo/2 as g\nplot(g.quad(1.5))\n");
  REQUIRE_MESSAGE(nested.ok(), nested.format("", "t.pine"));
  pine::Instance inst2 = pine::InstanceBuilder(nested.program).build();
  inst2.run_bar(bar);
  CHECK(inst2.plot_values()[0].f == 6.0);
  // The default alias is the library name.
  CHECK(libs.compile("import acme/geo/1\nplot(geo.SCALE)\n").ok());
}

TEST_CASE("imports: errors") {
  LibDir libs;
  auto err = [&](const std::string& body) {
    pine::CompileResult r = libs.compile(body);
    REQUIRE_FALSE(r.ok());
    return r.diagnostics.at(0).message;
  };
  CHECK(err("import acme/geo/1 as g\nplot(g.square(2))\n") == "library 'g' does not export 'square'");
  CHECK(err("import acme/geo/1 as g\nplot(g.nothing(2))\n") == "library 'g' has no exported member 'nothing'");
  CHECK(err("import acme/geo/3 as g\n").find("library 'acme/geo/3' not found") == 0);
  CHECK(err("import plain as p\n") == "imported script 'plain' has no 'library()' declaration");
  CHECK(err("import loop_a as a\n") == "library 'loop_a' imports itself (directly or through other libraries)");
  // A library's own imports are not visible to the script that imports it.
  CHECK(err("import acme/geo/2 as g\nplot(core.twice(1))\n") == "undeclared function 'core.twice'");
  CHECK(pine::compile("//@version=6\nindicator(\"t\")\nimport a/b/1\n").diagnostics.at(0).message ==
        "library 'a/b/1' not found (no library path given: use --lib-path DIR)");
}

TEST_CASE("objects: no history operator on a field, history of the object instead") {
  CHECK(first_error("type P\n    float x\np = P.new(close)\ny = p.x[1]\n") ==
        "6:5 the history operator '[]' cannot be used on a field; write (obj[1]).field instead");
  CHECK(disasm_of("type P\n    float x\np = P.new(close)\ny = (p[1]).x\nplot(y)\n").find("SERIES_GETK") != std::string::npos);
}

TEST_CASE("functions: recursion and duplicate parameters are errors even in functions never called") {
  CHECK(first_error("f(x, x) => x\nplot(close)\n") == "3:6 parameter 'x' is declared more than once in 'f'");
  CHECK(first_error("g(x) => g(x)\nplot(close)\n") == "3:9 'g' calls itself: recursion is not allowed in Pine");
  CHECK(first_error("f(x) => x\nh(x) => f(x)\nf2(x) => h(x) + f2(x)\nplot(close)\n") ==
        "5:17 'f2' calls itself: recursion is not allowed in Pine");
  // a -> b -> a: the cycle is reported where it closes, in b.
  CHECK(first_error("a(x) => b(x)\nb(x) => a(x)\nplot(close)\n") ==
        "4:9 'a' calls itself through 'b': recursion is not allowed in Pine");
}

TEST_CASE("diagnostics: misspelt namespace members and reassigned built-in constants") {
  CHECK(first_error("x = ta.bogus(close)\n") == "3:5 'ta' has no function 'bogus'");
  CHECK(first_error("color.red := color.blue\n") == "3:1 Cannot reassign const variable 'color.red' (a built-in constant)");
  CHECK(first_error("x = nope.frob(1)\n") == "3:5 undeclared function 'nope.frob'");
}

TEST_CASE("functions: overloads must differ in their required parameters") {
  CHECK(first_error("f(x) => x\nf(y) => y\nplot(f(1))\n") ==
        "4:1 function 'f' is already declared with the same required parameters");
  CHECK(first_error("g(float x) => x\ng(string s) => s\nplot(g(true))\n") == "5:6 no overload of 'g' accepts these arguments");
  CHECK(first_error("h(int x) => x\nh(int x, int y) => h(x, y)\nplot(h(1, 2))\n").find("calls itself") != std::string::npos);
}

TEST_CASE("diagnostics: log messages must be strings; one declaration statement") {
  CHECK(first_error("log.info(1)\n") == "3:10 type mismatch: log.info expects a string message, got const int");
  CHECK(first_error("indicator(\"again\")\n") == "3:1 a script may only have one indicator/strategy/library declaration");
}

TEST_CASE("functions: a qualified reference parameter accepts any reference of its type") {
  CHECK(disasm_of("f(simple array<float> k) => k.sum()\nplot(f(array.from(1.0, 2.0)))\n").find("CALL") != std::string::npos);
}

TEST_CASE("versions: v5 divides two const ints as integers, v6 keeps the fraction") {
  auto value_of = [](const std::string& version) {
    pine::CompileResult r = pine::compile("//@version=" + version + "\nindicator(\"t\")\nplot(15 / 2 * 10 + -7 / 2)\n");
    REQUIRE(r.ok());
    pine::Instance inst = pine::InstanceBuilder(r.program).build();
    inst.run_bar(pine::Bar{});
    return inst.plot_values()[0].f;
  };
  CHECK(value_of("5") == 67.0);  // 7 * 10 + (-3): truncated toward zero
  CHECK(value_of("6") == 71.5);  // 7.5 * 10 + (-3.5)
  pine::CompileResult r = pine::compile("//@version=5\nindicator(\"t\")\nn = bar_index + 15\nplot(n / 2)\n");
  REQUIRE(r.ok());
  pine::Instance inst = pine::InstanceBuilder(r.program).build();
  inst.run_bar(pine::Bar{});
  CHECK(inst.plot_values()[0].f == 7.5); // series ints keep the fraction in v5 too
}
