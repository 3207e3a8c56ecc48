// Parser tests: the AST of every statement and structure form (compared as
// dump_ast text), precedence, error messages with exact positions, resource
// limits, and robustness on truncated and corrupted input.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "ast_dump.h"
#include "parser.h"

namespace {

/// Parses `src`; returns dump_ast of the script, or "ERROR ..." with the
/// formatted diagnostics when parsing failed.
std::string dump(std::string_view src) {
  pine::ParseResult r = pine::parse(src);
  if (!r.ok()) return "ERROR " + pine::format_diagnostics(r.diagnostics, "t.pine", src);
  return pine::dump_ast(*r.script);
}

/// "line:col: message" of the first diagnostic, or "no error".
std::string err(std::string_view src) {
  pine::ParseResult r = pine::parse(src);
  REQUIRE(r.script != nullptr);
  if (r.diagnostics.empty()) return "no error";
  const pine::Diagnostic& d = r.diagnostics[0];
  return std::to_string(d.loc.line) + ":" + std::to_string(d.loc.col) + ": " + d.message;
}

/// Number of diagnostics of parsing `src`.
std::size_t error_count(std::string_view src) { return pine::parse(src).diagnostics.size(); }

/// Builds `s` repeated `n` times.
std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

} // namespace

TEST_CASE("parser: literals") {
  CHECK(dump("x = 42") == "(decl x 42)");
  CHECK(dump("x = 1.5") == "(decl x 1.5)");
  CHECK(dump("x = 1.") == "(decl x 1.0)");
  CHECK(dump("x = .5") == "(decl x 0.5)");
  CHECK(dump("x = 1e3") == "(decl x 1000.0)");
  CHECK(dump("x = 6.02E-23") == "(decl x 6.02e-23)");
  CHECK(dump("x = true, y = false") == "(decl x true)\n(decl y false)");
  CHECK(dump("s = \"a\\\"b\\n\"") == "(decl s \"a\\\"b\\n\")");
  CHECK(dump("s = 'it\\'s'") == "(decl s \"it's\")");
  CHECK(dump("c = #FF8800") == "(decl c #FF8800FF)");
  CHECK(dump("c = #ff880080") == "(decl c #FF880080)");
  CHECK(dump("float x = na") == "(decl float x na)");
  CHECK(dump("b = na(x)") == "(decl b (call na x))");
}

TEST_CASE("parser: operator precedence and associativity") {
  CHECK(dump("x = a + b * c") == "(decl x (+ a (* b c)))");
  CHECK(dump("x = (a + b) * c") == "(decl x (* (+ a b) c))");
  CHECK(dump("x = a - b - c") == "(decl x (- (- a b) c))");
  CHECK(dump("x = a / b % c * d") == "(decl x (* (% (/ a b) c) d))");
  CHECK(dump("x = a or b and c") == "(decl x (or a (and b c)))");
  CHECK(dump("x = a and b or c") == "(decl x (or (and a b) c))");
  CHECK(dump("x = a == b and c != d") == "(decl x (and (== a b) (!= c d)))");
  CHECK(dump("x = a < b == c >= d") == "(decl x (== (< a b) (>= c d)))");
  CHECK(dump("x = a + b < c - d") == "(decl x (< (+ a b) (- c d)))");
  CHECK(dump("x = a <= b, y = a > b") == "(decl x (<= a b))\n(decl y (> a b))");
  CHECK(dump("x = not a == b") == "(decl x (== (not a) b))");
  CHECK(dump("x = not a and b") == "(decl x (and (not a) b))");
  CHECK(dump("x = -a * b") == "(decl x (* (neg a) b))");
  CHECK(dump("x = - -a") == "(decl x (neg (neg a)))");
  CHECK(dump("x = +a") == "(decl x (pos a))");
  CHECK(dump("x = -x[1]") == "(decl x (neg (hist x 1)))");
  CHECK(dump("x = a ? b : c") == "(decl x (? a b c))");
  CHECK(dump("x = a ? b : c ? d : e") == "(decl x (? a b (? c d e)))");
  CHECK(dump("x = a or b ? c + 1 : d") == "(decl x (? (or a b) (+ c 1) d))");
  CHECK(dump("x = a ? b ? c : d : e") == "(decl x (? a (? b c d) e))");
}

TEST_CASE("parser: names, members, calls and history") {
  CHECK(dump("x = ta.sma(close, 14)") == "(decl x (call ta.sma close 14))");
  CHECK(dump("x = barstate.isfirst") == "(decl x barstate.isfirst)");
  CHECK(dump("x = strategy.closedtrades.entry_price(0)") == "(decl x (call strategy.closedtrades.entry_price 0))");
  CHECK(dump("x = f()") == "(decl x (call f))");
  CHECK(dump("x = f().y") == "(decl x (. (call f) y))");
  CHECK(dump("x = (a).b") == "(decl x (. a b))");
  CHECK(dump("x = f().g(1)") == "(decl x (call (. (call f) g) 1))");
  CHECK(dump("x = arr.get(0).price") == "(decl x (. (call arr.get 0) price))");
  CHECK(dump("x = close[1]") == "(decl x (hist close 1))");
  CHECK(dump("x = (a + b)[2]") == "(decl x (hist (+ a b) 2))");
  CHECK(dump("x = f(x)[1]") == "(decl x (hist (call f x) 1))");
  CHECK(dump("x = ta.sma(close, 10)[1]") == "(decl x (hist (call ta.sma close 10) 1))");
  CHECK(dump("x = (open[n])[1]") == "(decl x (hist (hist open n) 1))");
  CHECK(dump("x = a[1].b") == "(decl x (. (hist a 1) b))");
  CHECK(dump("plot(close, title = \"x\", color = color.red)") ==
        "(call plot close title=\"x\" color=color.red)");
  CHECK(dump("f(a,\n  b = 2,\n  )") == "(call f a b=2)");
  CHECK(dump("x = f(a == b)") == "(decl x (call f (== a b)))");
}

TEST_CASE("parser: generic calls") {
  CHECK(dump("a = array.new<float>(3)") == "(decl a (call array.new<float> 3))");
  CHECK(dump("m = map.new<string, int>()") == "(decl m (call map.new<string,int>))");
  CHECK(dump("a = array.new<array<float>>()") == "(decl a (call array.new<array<float>>))");
  CHECK(dump("a = array.new<chart.point>(0, na)") == "(decl a (call array.new<chart.point> 0 na))");
  CHECK(dump("m = matrix.new<float>(2, 2, 0.0)") == "(decl m (call matrix.new<float> 2 2 0.0))");
  // Without a call after '>', '<' is a comparison.
  CHECK(dump("x = a < b") == "(decl x (< a b))");
  CHECK(dump("x = a < b and c > d") == "(decl x (and (< a b) (> c d)))");
}

TEST_CASE("parser: variable declarations") {
  CHECK(dump("x = 1") == "(decl x 1)");
  CHECK(dump("var x = 0") == "(decl var x 0)");
  CHECK(dump("varip int n = 0") == "(decl varip int n 0)");
  CHECK(dump("var float x = na") == "(decl var float x na)");
  CHECK(dump("series float s = close") == "(decl series float s close)");
  CHECK(dump("simple int len = 14") == "(decl simple int len 14)");
  CHECK(dump("const string T = \"t\"") == "(decl const string T \"t\")");
  CHECK(dump("var const int K = 1") == "(decl var const int K 1)");
  CHECK(dump("color c = color.red") == "(decl color c color.red)");
  CHECK(dump("bool b = true") == "(decl bool b true)");
  CHECK(dump("array<float> a = array.new<float>()") == "(decl array<float> a (call array.new<float>))");
  CHECK(dump("var matrix<int> m = na") == "(decl var matrix<int> m na)");
  CHECK(dump("map<string, float> m = na") == "(decl map<string,float> m na)");
  CHECK(dump("float[] a = na") == "(decl array<float> a na)");
  CHECK(dump("var line l = na") == "(decl var line l na)");
  CHECK(dump("chart.point p = na") == "(decl chart.point p na)");
  CHECK(dump("MyType t = na") == "(decl MyType t na)");
  // Soft keywords as plain names.
  CHECK(dump("type = 1, method = 2, series = 3") == "(decl type 1)\n(decl method 2)\n(decl series 3)");
}

TEST_CASE("parser: reassignment and compound assignment") {
  CHECK(dump("x := 1") == "(:= x 1)");
  CHECK(dump("x += 1") == "(+= x 1)");
  CHECK(dump("x -= 1") == "(-= x 1)");
  CHECK(dump("x *= 2") == "(*= x 2)");
  CHECK(dump("x /= 2") == "(/= x 2)");
  CHECK(dump("x %= 2") == "(%= x 2)");
  CHECK(dump("obj.field := 1") == "(:= obj.field 1)");
  CHECK(dump("f().x += 1") == "(+= (. (call f) x) 1)");
  CHECK(dump("x := a ? b : c") == "(:= x (? a b c))");
}

TEST_CASE("parser: tuples") {
  CHECK(dump("[a, b] = f()") == "(tuple-decl [a b] (call f))");
  CHECK(dump("[m, _, l] = ta.bb(close, 20, 2)") == "(tuple-decl [m _ l] (call ta.bb close 20 2))");
  CHECK(dump("f() => [a, b]") == "(func f () (tuple a b))");
  CHECK(dump("x = request.security(s, tf, [close, open])") ==
        "(decl x (call request.security s tf (tuple close open)))");
  // An expression statement starting with '[' that is not a tuple declaration.
  CHECK(dump("f() =>\n    [a + 1, b]") == "(func f () (tuple (+ a 1) b))");
}

TEST_CASE("parser: comma-separated statements on one line") {
  CHECK(dump("a = 1, b = 2") == "(decl a 1)\n(decl b 2)");
  CHECK(dump("a := 1, b += 2, f(a)") == "(:= a 1)\n(+= b 2)\n(call f a)");
  CHECK(dump("a = 1,") == "(decl a 1)");
}

TEST_CASE("parser: if, else if, else") {
  CHECK(dump("if c\n    x := 1") == "(if c (then (:= x 1)))");
  CHECK(dump("if c\n    x := 1\n    y := 2\nz = 3") == "(if c (then (:= x 1) (:= y 2)))\n(decl z 3)");
  CHECK(dump("if c\n    x := 1\nelse\n    x := 2") == "(if c (then (:= x 1)) (else (:= x 2)))");
  CHECK(dump("if a\n    x := 1\nelse if b\n    x := 2\nelse if c\n    x := 3\nelse\n    x := 4") ==
        "(if a (then (:= x 1)) (else (if b (then (:= x 2)) (else (if c (then (:= x 3)) (else (:= x 4)))))))");
  CHECK(dump("if a\n    x := 1\nelse if b\n    x := 2") == "(if a (then (:= x 1)) (else (if b (then (:= x 2)))))");
  CHECK(dump("if a\n    if b\n        x := 1\n    else\n        x := 2\ny = 1") ==
        "(if a (then (if b (then (:= x 1)) (else (:= x 2)))))\n(decl y 1)");
  CHECK(dump("if a and\n   b\n    x := 1") == "(if (and a b) (then (:= x 1)))");
}

TEST_CASE("parser: structures as values") {
  CHECK(dump("x = if c\n    1\nelse\n    2") == "(decl x (if c (then 1) (else 2)))");
  CHECK(dump("float x = if c\n    1.0\ny = 2") == "(decl float x (if c (then 1.0)))\n(decl y 2)");
  CHECK(dump("x := if c\n    a\nelse if d\n    b") == "(:= x (if c (then a) (else (if d (then b)))))");
  CHECK(dump("[a, b] = if c\n    [1, 2]\nelse\n    [3, 4]") ==
        "(tuple-decl [a b] (if c (then (tuple 1 2)) (else (tuple 3 4))))");
  CHECK(dump("s = for i = 0 to 3\n    i * 2") == "(decl s (for i 0 3 (do (* i 2))))");
  CHECK(dump("var n = while c\n    1") == "(decl var n (while c (do 1)))");
}

TEST_CASE("parser: for loops") {
  CHECK(dump("for i = 0 to 10\n    s += i") == "(for i 0 10 (do (+= s i)))");
  CHECK(dump("for i = 10 to 0 by 2\n    s += i") == "(for i 10 0 (by 2) (do (+= s i)))");
  CHECK(dump("for i = 0 to array.size(a) - 1\n    x := i") ==
        "(for i 0 (- (call array.size a) 1) (do (:= x i)))");
  CHECK(dump("for x in arr\n    s += x") == "(for-in x arr (do (+= s x)))");
  CHECK(dump("for [i, x] in arr\n    s += x * i") == "(for-in [i x] arr (do (+= s (* x i))))");
  CHECK(dump("for i = 0 to 9\n    if i == 5\n        break\n    continue") ==
        "(for i 0 9 (do (if (== i 5) (then break)) continue))");
}

TEST_CASE("parser: while loops") {
  CHECK(dump("while i < 10\n    i += 1") == "(while (< i 10) (do (+= i 1)))");
  CHECK(dump("while true\n    break") == "(while true (do break))");
}

TEST_CASE("parser: switch") {
  CHECK(dump("switch t\n    \"a\" => x := 1\n    \"b\" => x := 2\n    => x := 3") ==
        "(switch t (case \"a\" (:= x 1)) (case \"b\" (:= x 2)) (default (:= x 3)))");
  CHECK(dump("switch\n    a > b => f(a)\n    a < b => f(b)") == "(switch (case (> a b) (call f a)) (case (< a b) (call f b)))");
  CHECK(dump("x = switch k\n    1 => \"one\"\n    =>\n        y = 2\n        \"other\"") ==
        "(decl x (switch k (case 1 \"one\") (default (decl y 2) \"other\")))");
  CHECK(dump("switch\n    c =>\n        a := 1\n        b := 2\nz = 1") ==
        "(switch (case c (:= a 1) (:= b 2)))\n(decl z 1)");
  CHECK(dump("switch m\n    1 => a := 1, b := 2") == "(switch m (case 1 (:= a 1) (:= b 2)))");
}

TEST_CASE("parser: function declarations") {
  CHECK(dump("f(x) => x * 2") == "(func f (x) (* x 2))");
  CHECK(dump("f() => 1") == "(func f () 1)");
  CHECK(dump("f(a, b) => s = a + b, s * 2") == "(func f (a, b) (decl s (+ a b)) (* s 2))");
  CHECK(dump("f(a, b) =>\n    s = a + b\n    s * 2\nx = f(1, 2)") ==
        "(func f (a, b) (decl s (+ a b)) (* s 2))\n(decl x (call f 1 2))");
  CHECK(dump("f(float a, simple int n = 14, series float s = close, b = 1) => a") ==
        "(func f (float a, simple int n=14, series float s=close, b=1) a)");
  CHECK(dump("f(array<float> a, map<string, int> m, float[] legacy, chart.point p) => a") ==
        "(func f (array<float> a, map<string,int> m, array<float> legacy, chart.point p) a)");
  CHECK(dump("method m(float self, x) => self + x") == "(func method m (float self, x) (+ self x))");
  CHECK(dump("export f(float x) => x") == "(func export f (float x) x)");
  CHECK(dump("export method m(float self) =>\n    self") == "(func export method m (float self) self)");
  CHECK(dump("f(x) =>\n    if x > 0\n        1\n    else\n        -1") ==
        "(func f (x) (if (> x 0) (then 1) (else (neg 1))))");
  CHECK(dump("f(x) =>\n    a = x\n    [a, x]") == "(func f (x) (decl a x) (tuple a x))");
  CHECK(dump("f(series) => series") == "(func f (series) series)");
  // A call statement is not a declaration.
  CHECK(dump("f(a, b)") == "(call f a b)");
  CHECK(dump("f(g(a), [b, c])") == "(call f (call g a) (tuple b c))");
  CHECK(dump("indicator(\"x\", overlay = true)") == "(call indicator \"x\" overlay=true)");
  CHECK(dump("break") == "break");
}

TEST_CASE("parser: version and locations") {
  pine::ParseResult r = pine::parse("//@version=6\nindicator(\"t\")\nx = a +\n     b * c");
  REQUIRE(r.ok());
  CHECK(r.script->version == 6);
  REQUIRE(r.script->body.stmts.size() == 2);
  const pine::ast::Stmt& decl = *r.script->body.stmts[1];
  CHECK(decl.loc.line == 3);
  CHECK(decl.loc.col == 1);
  const pine::ast::Expr& sum = *decl.value;
  CHECK(sum.kind == pine::ast::ExprKind::Binary);
  CHECK(sum.loc.line == 3);
  CHECK(sum.loc.col == 5);
  CHECK(sum.rhs->loc.line == 4);
  CHECK(sum.rhs->loc.col == 6);
  CHECK(pine::parse("x = 1").script->version == 0);

  pine::ParseResult t = pine::parse("[a, bb] = f()");
  REQUIRE(t.ok());
  const pine::ast::Stmt& td = *t.script->body.stmts[0];
  REQUIRE(td.name_locs.size() == 2);
  CHECK(td.name_locs[1].col == 5);

  pine::ParseResult f = pine::parse("g(simple int n = 1) => n");
  REQUIRE(f.ok());
  REQUIRE(f.script->body.stmts[0]->params.size() == 1);
  CHECK(f.script->body.stmts[0]->params[0].loc.col == 3);
  CHECK(f.script->body.stmts[0]->params[0].type->loc.col == 10);
}

TEST_CASE("parser: type and enum declarations") {
  CHECK(dump("type Point\n    float x = 1.0\n    varip int n\n    array<Point> kids") ==
        "(type Point float x=1.0 varip int n array<Point> kids)");
  CHECK(dump("export enum Dir\n    up = \"Up\"\n    down") == "(enum export Dir up=\"Up\" down)");
  CHECK(err("type Point\nx = 1") == "2:1: expected an indented block after a type declaration");
  CHECK(err("type P\n    int x = \n").find("expected an expression") != std::string::npos);
  CHECK(err("if c\n    type P\n        int x") == "2:5: 'type' declarations are only allowed at the top level");
}

TEST_CASE("parser: import declarations") {
  CHECK(dump("import user/lib/1 as l") == "(import user/lib/1 as l)");
  CHECK(dump("import user/lib/12") == "(import user/lib/12 as lib)");
  CHECK(err("import") == "1:1: expected a library path after 'import'");
}

TEST_CASE("parser: error messages and positions") {
  CHECK(err("x = \"abc\ny = 1") == "1:5: unterminated string literal");
  CHECK(err("x = 1\n    y = 2") == "2:5: bad indentation: global statement must start at column 0");
  CHECK(err("    x = 1") == "1:5: bad indentation: global statement must start at column 0");
  CHECK(err("if c\n    x = 1\n        y = 2") == "3:9: bad indentation: unexpected indent");
  CHECK(err("if c\n            x = 1").find("2:13: bad indentation: line is indented 12 columns") == 0);
  CHECK(err("x = 1 + * 2") == "1:9: unexpected '*', expected an expression");
  CHECK(err("x = (1 + 2") == "1:11: unexpected end of input, expected ')'");
  CHECK(err("x = f(a b)") == "1:9: unexpected 'b', expected ',' or ')'");
  CHECK(err("x = 1 2") == "1:7: unexpected '2', expected end of line");
  CHECK(err("x = ") == "1:4: unexpected end of input, expected an expression");
  CHECK(err("x = )") == "1:5: unexpected ')', expected an expression");
  CHECK(err("if c\nx = 1") == "2:1: expected an indented block after 'if'");
  CHECK(err("if c x := 1") == "1:6: unexpected 'x', expected end of line");
  CHECK(err("for i = 0 10\n    x := i") == "1:11: unexpected '10', expected 'to'");
  CHECK(err("for i 0 to 10\n    x := i") == "1:7: unexpected '0', expected '=' or 'in'");
  CHECK(err("a.b = 1") == "1:5: '=' declares a new variable and cannot target a field; use ':=' to assign");
  CHECK(err("1 := 2") == "1:1: invalid assignment target: expected a variable or a field");
  CHECK(err("if c\n    f(x) => x") == "2:5: functions can only be declared at the top level");
  CHECK(err("x = y ? 1") == "1:10: unexpected end of line, expected ':'");
  CHECK(err("x = 1 +") == "1:8: unexpected end of input, expected an expression");
  CHECK(err("x = 0x10") == "1:5: invalid number literal '0x10': hexadecimal integer literals are not supported in Pine");
  CHECK(err("x = a ! b") == "1:7: unexpected character '!' (use 'not' for logical negation)");
  CHECK(err("x = 1 + if c\n    1") ==
        "1:9: 'if' can only start a statement or the whole value of a declaration or assignment");
  CHECK(err("x = f(1)(2)") == "1:9: only a function or method can be called");
  CHECK(err("switch x\n    1 => a\n    2 b") == "3:7: unexpected 'b', expected '=>'");
  CHECK(err("f(x) =>") == "1:8: expected an indented block after '=>'");
  CHECK(err("f(x) => +") == "1:10: unexpected end of input, expected an expression");
  CHECK(err("var x := 1") == "1:7: unexpected ':=', expected a variable name");
}

TEST_CASE("parser: recovery reports independent errors and keeps good statements") {
  pine::ParseResult r = pine::parse("a = 1\nb = * 2\nc = 3\nif x\n    d = )\n    e = 4\nf = \"oops\ng = 5");
  REQUIRE(r.diagnostics.size() == 3);
  CHECK(r.diagnostics[0].loc.line == 2); // sorted by position, lexer and parser errors merged
  CHECK(r.diagnostics[1].loc.line == 5);
  CHECK(r.diagnostics[2].loc.line == 7);
  CHECK(!r.ok());
  CHECK(pine::dump_ast(*r.script) == "(decl a 1)\n(decl c 3)\n(if x (then (decl e 4)))\n(decl g 5)");
  // A broken block header skips its block instead of complaining about it.
  CHECK(error_count("if x y\n    a = 1\n    b = 2\nc = 3") == 1);
}

TEST_CASE("parser: error count is capped") {
  std::string src = repeat("x = * 1\n", 100);
  CHECK(error_count(src) == pine::kMaxParseErrors);
  CHECK(error_count(repeat("$", 500)) == pine::kMaxParseErrors);
  // Many lexer errors late in the file do not hide an early parser error.
  pine::ParseResult r = pine::parse("x = * 1\n" + repeat("y = $\n", 30));
  REQUIRE(r.diagnostics.size() == pine::kMaxParseErrors);
  CHECK(r.diagnostics[0].loc.line == 1);
  CHECK(r.diagnostics[0].message == "unexpected '*', expected an expression");
  CHECK(r.diagnostics[1].loc.line == 2);
}

TEST_CASE("parser: nesting limits") {
  CHECK(dump("x = " + repeat("(", 100) + "1" + repeat(")", 100)) == "(decl x 1)");
  CHECK(err("x = " + repeat("(", 200) + "1" + repeat(")", 200)) == "1:" + std::to_string(5 + pine::kMaxNesting) +
                                                                        ": expression nested too deeply");
  CHECK(err("x = " + repeat("-", 300) + "1").find("expression nested too deeply") != std::string::npos);
  CHECK(err("x = " + repeat("[", 300) + "1" + repeat("]", 300)).find("expression nested too deeply") != std::string::npos);
  CHECK(err("x = " + repeat("f(", 300) + "1" + repeat(")", 300)).find("expression nested too deeply") != std::string::npos);
  CHECK(err("x = " + repeat("a ? b : ", 300) + "c").find("expression nested too deeply") != std::string::npos);
  // Long flat operator chains are not nesting: thousands of terms parse.
  // Their trees are tall, though, and later passes walk them: the height is
  // bounded by kMaxExprHeight (one level per operator, two per method call).
  CHECK(dump("x = 1" + repeat(" + 1", 100)).find("ERROR") == std::string::npos);
  CHECK(err("x = 1" + repeat(" + 1", 5000)) == "no error");
  CHECK(err("x = 1" + repeat(" + 1", pine::kMaxExprHeight - 1)) == "no error");
  const std::string too_deep = "1:5: expression too deep: more than " + std::to_string(pine::kMaxExprHeight) +
                               " levels of operators, calls and field accesses; split it with intermediate variables";
  CHECK(err("x = 1" + repeat(" + 1", pine::kMaxExprHeight)) == too_deep);
  CHECK(err("x = a" + repeat("[1]", 1000)) == "no error");
  CHECK(err("x = a" + repeat("[1]", pine::kMaxExprHeight)) == too_deep);
  CHECK(err("x = a" + repeat(".f()", 1000)) == "no error");
  CHECK(err("x = a" + repeat(".f()", pine::kMaxExprHeight / 2 + 1)) == too_deep);
  // Deep blocks.
  std::string deep;
  for (int i = 0; i < 300; ++i) deep += std::string(static_cast<std::size_t>(4 * i), ' ') + "if c\n";
  deep += std::string(4 * 300, ' ') + "x := 1\n";
  CHECK(err(deep).find("nested too deeply") != std::string::npos);
  // Deep generic types.
  CHECK(err("array<" + repeat("array<", 200) + "float" + repeat(">", 201) + " a = na").find("type nested too deeply") !=
        std::string::npos);
  // Long else-if chains are not nesting in the parser.
  std::string chain = "if c0\n    x := 0\n";
  for (int i = 1; i < 300; ++i) chain += "else if c" + std::to_string(i) + "\n    x := " + std::to_string(i) + "\n";
  CHECK(dump(chain).find("ERROR") == std::string::npos);
}

TEST_CASE("parser: diagnostic formatting") {
  std::string src = "x = 1\n\ty = \"abc\nz = 2\n";
  pine::Diagnostic d{pine::Severity::Error, {2, 6}, "unterminated string literal"};
  CHECK(pine::format_diagnostic(d, "a.pine", src) ==
        "a.pine:2:6: error: unterminated string literal\n\ty = \"abc\n\t    ^\n");
  pine::Diagnostic w{pine::Severity::Warning, {1, 1}, "note"};
  CHECK(pine::format_diagnostic(w, "a.pine", src) == "a.pine:1:1: warning: note\nx = 1\n^\n");
  pine::Diagnostic n{pine::Severity::Error, {0, 0}, "no position"};
  CHECK(pine::format_diagnostic(n, "a.pine", src) == "a.pine:0:0: error: no position\n");
  CHECK(pine::format_diagnostics({w, n}, "f", "x = 1\r\ny") == "f:1:1: warning: note\nx = 1\n^\nf:0:0: error: no position\n");
  pine::Diagnostic crlf{pine::Severity::Error, {2, 1}, "m"};
  CHECK(pine::format_diagnostic(crlf, "f", "a\r\nb\r\n") == "f:2:1: error: m\nb\n^\n");
  // End to end: the parser's diagnostics render with the caret under the column.
  std::string bad = "a = 1\nb = (2 +\n  * 3)";
  pine::ParseResult r = pine::parse(bad);
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(pine::format_diagnostics(r.diagnostics, "t.pine", bad) ==
        "t.pine:3:3: error: unexpected '*', expected an expression\n  * 3)\n  ^\n");
}

namespace {

// Nontrivial scripts for the robustness tests below.
const char* const kScripts[] = {
    R"(//@version=6
indicator("Robust", overlay = true)
len = input.int(14, "Length", minval = 1)
src = input.source(close, "Source")
var float acc = na
varip int ticks = 0
f(float x, simple int n = 2) =>
    s = 0.0
    for i = 0 to n - 1
        s += x[i]
    s / n
g(a, b) => a > b ? a : b, [a, b]
method twice(float self) => self * 2
[m, u, l] = ta.bb(src, len, 2.0)
col = switch
    close > open => color.green
    close < open => #FF000080
    => color.gray
lvl = if barstate.isfirst
    0
else if close > m
    1
else
    -1
arr = array.new<float>(0)
for [i, v] in arr
    if v > 0 and not na(v)
        continue
    break
while ticks < 3
    ticks += 1
acc := nz(acc[1]) + (src - src[1]) * 0.5
plot(f(src, len), title = "f", color = col,
     linewidth = 2)
plotshape(lvl == 1, style = shape.triangleup, text = 'say "hi"\n')
)",
    R"(strategy("S")
map<string, float> m = map.new<string, float>()
float[] xs = array.from(1.0, 2.0, .5, 1e3)
x = (high + low) / 2 >= close[2] or volume > ta.sma(volume, 20)[1]
if x
    strategy.entry("L", strategy.long, qty = 1)
    label.new(bar_index, high, str.tostring(close, "#.##"))
else
    strategy.close("L")
obj.field := f().g(1, n = 2).h
)",
};

/// Parses `src` and checks the result is usable whatever happened.
void parse_survives(const std::string& src) {
  pine::ParseResult r = pine::parse(src);
  REQUIRE(r.script != nullptr);
  CHECK(r.diagnostics.size() <= pine::kMaxParseErrors);
  (void)pine::dump_ast(*r.script);
}

} // namespace

TEST_CASE("parser: the robustness scripts parse cleanly") {
  for (const char* s : kScripts) CHECK(dump(s).find("ERROR") == std::string::npos);
}

TEST_CASE("parser: every prefix of a script parses without crashing") {
  for (const char* s : kScripts) {
    std::string full(s);
    for (std::size_t n = 0; n <= full.size(); ++n) parse_survives(full.substr(0, n));
  }
}

TEST_CASE("parser: corrupted scripts parse without crashing") {
  // Deterministic pseudo-random single-byte replacements and deletions.
  const std::string alphabet = "()[]<>=:?,.\"'#\n\t    abc019+-*/%_!$";
  std::uint32_t seed = 12345;
  auto next = [&seed]() {
    seed = seed * 1664525u + 1013904223u;
    return seed >> 8;
  };
  for (const char* s : kScripts) {
    std::string full(s);
    for (int round = 0; round < 1500; ++round) {
      std::string m = full;
      for (int k = 0; k < 3; ++k) {
        std::size_t at = next() % m.size();
        if (next() % 4 == 0) {
          m.erase(at, 1);
        } else {
          m[at] = alphabet[next() % alphabet.size()];
        }
      }
      parse_survives(m);
    }
  }
}
