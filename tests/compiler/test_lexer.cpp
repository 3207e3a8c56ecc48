// Lexer tests: literals, layout tokens (NEWLINE/INDENT/DEDENT), line
// continuation, comments, the version annotation and lexical errors.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "lexer.h"

using pine::Diagnostic;
using pine::Tok;
using pine::Token;

namespace {

/// Compact rendering of one token for assertions.
std::string show(const Token& t) {
  switch (t.kind) {
  case Tok::Newline: return "NL";
  case Tok::Indent: return "IN";
  case Tok::Dedent: return "DE";
  case Tok::Eof: return "EOF";
  case Tok::Error: return "ERR";
  case Tok::Int: return "i:" + t.text;
  case Tok::Float: return "f:" + t.text;
  case Tok::String: return "s:" + t.text;
  case Tok::Color: return "c:" + t.text;
  default: return t.text;
  }
}

/// Tokenizes `src` and renders every token, space-separated; lexer
/// diagnostics go to `diags`.
std::string lex(std::string_view src, std::vector<Diagnostic>& diags) {
  std::string out;
  for (const Token& t : pine::tokenize(src, diags)) {
    if (!out.empty()) out += ' ';
    out += show(t);
  }
  return out;
}

/// As above, and requires that there were no diagnostics.
std::string lex(std::string_view src) {
  std::vector<Diagnostic> diags;
  std::string out = lex(src, diags);
  CHECK_MESSAGE(diags.empty(), (diags.empty() ? "" : diags[0].message));
  return out;
}

/// The single token of `src` (which must lex to exactly one token + NL + EOF).
Token one(std::string_view src) {
  std::vector<Diagnostic> diags;
  std::vector<Token> ts = pine::tokenize(src, diags);
  CHECK(diags.empty());
  REQUIRE(ts.size() == 3);
  CHECK(ts[1].kind == Tok::Newline);
  CHECK(ts[2].kind == Tok::Eof);
  return ts[0];
}

/// "line:col: message" of the first diagnostic of lexing `src`.
std::string first_error(std::string_view src) {
  std::vector<Diagnostic> diags;
  pine::tokenize(src, diags);
  if (diags.empty()) return "no error";
  return std::to_string(diags[0].loc.line) + ":" + std::to_string(diags[0].loc.col) + ": " + diags[0].message;
}

} // namespace

TEST_CASE("lexer: integer literals") {
  CHECK(one("0").int_value == 0);
  CHECK(one("42").int_value == 42);
  CHECK(one("007").int_value == 7);
  CHECK(one("9223372036854775807").int_value == INT64_MAX);
  CHECK(one("42").kind == Tok::Int);
  // A sign is a separate operator token.
  CHECK(lex("-5") == "- i:5 NL EOF");
}

TEST_CASE("lexer: float literals") {
  Token t = one("1.");
  CHECK(t.kind == Tok::Float);
  CHECK(t.float_value == 1.0);
  CHECK(one("1.0").float_value == 1.0);
  CHECK(one("3.14").float_value == doctest::Approx(3.14));
  CHECK(one(".5").kind == Tok::Float);
  CHECK(one(".5").float_value == 0.5);
  CHECK(one("1e3").kind == Tok::Float);
  CHECK(one("1e3").float_value == 1000.0);
  CHECK(one("3e+2").float_value == 300.0);
  CHECK(one("6.02E-23").float_value == doctest::Approx(6.02e-23).epsilon(1e-12));
  CHECK(one("1.6e-19").float_value == doctest::Approx(1.6e-19).epsilon(1e-12));
  CHECK(one("2.e2").float_value == 200.0);
  // `1.` followed by an operator stays a float.
  CHECK(lex("1.+2") == "f:1. + i:2 NL EOF");
}

TEST_CASE("lexer: invalid number literals") {
  CHECK(first_error("x = 0x1F") == "1:5: invalid number literal '0x1F': hexadecimal integer literals are not supported in Pine");
  CHECK(first_error("x = 0b101") == "1:5: invalid number literal '0b101': binary integer literals are not supported in Pine");
  CHECK(first_error("x = 0o17") == "1:5: invalid number literal '0o17': octal integer literals are not supported in Pine");
  CHECK(first_error("x = 1_000") == "1:5: invalid number literal '1_000': '_' digit separators are not supported in Pine");
  CHECK(first_error("x = 12abc") == "1:5: invalid number literal '12abc'");
  CHECK(first_error("x = 1e") == "1:5: invalid number literal '1e'");
  CHECK(first_error("x = 1.5.2") == "1:5: invalid number literal '1.5.2'");
  CHECK(first_error("x = 99999999999999999999") ==
        "1:5: invalid number literal '99999999999999999999': integer too large");
  std::vector<Diagnostic> diags;
  CHECK(lex("a = 0xFF", diags) == "a = ERR NL EOF");
}

TEST_CASE("lexer: string literals and escapes") {
  Token t = one("\"hello\"");
  CHECK(t.kind == Tok::String);
  CHECK(t.text == "hello");
  CHECK(one("'single'").text == "single");
  CHECK(one("\"it's\"").text == "it's");
  CHECK(one("'say \"hi\"'").text == "say \"hi\"");
  CHECK(one(R"("a\\b")").text == "a\\b");
  CHECK(one(R"("q\"q")").text == "q\"q");
  CHECK(one(R"('q\'q')").text == "q'q");
  CHECK(one(R"("l1\nl2")").text == "l1\nl2");
  CHECK(one(R"("c1\tc2")").text == "c1\tc2");
  CHECK(one(R"("\T\x")").text == "Tx"); // any other escaped character stands for itself
  CHECK(one("\"\"").text.empty());
  CHECK(one("\"// not a comment\"").text == "// not a comment");
  CHECK(one("\"caf\xC3\xA9\"").text == "caf\xC3\xA9");
}

TEST_CASE("lexer: unterminated strings") {
  CHECK(first_error("x = \"abc") == "1:5: unterminated string literal");
  CHECK(first_error("a = 1\nx = 'abc\ny = 2") == "2:5: unterminated string literal");
  CHECK(first_error("x = \"abc\\") == "1:5: unterminated string literal");
  // A following line at a block indentation (multiple of 4) does not continue it.
  CHECK(first_error("x = \"abc\n    def\"") == "1:5: unterminated string literal");
  // The lexer recovers on the next line.
  std::vector<Diagnostic> diags;
  CHECK(lex("x = \"abc\ny = 1", diags) == "x = ERR NL y = i:1 NL EOF");
  CHECK(diags.size() == 1);
}

TEST_CASE("lexer: wrapped string literals drop the line break and continuation indent") {
  std::vector<Diagnostic> diags;
  std::vector<Token> ts = pine::tokenize("x = \"one two \n     three\"\ny = 1", diags);
  CHECK(diags.empty());
  REQUIRE(ts.size() >= 4);
  CHECK(ts[2].kind == Tok::String);
  CHECK(ts[2].text == "one two three");
  CHECK(ts[3].kind == Tok::Newline);
  CHECK(ts[4].text == "y");
  CHECK(ts[4].loc.line == 3);
  CHECK(one("\"ab\n  cd\"").text == "abcd");
}

TEST_CASE("lexer: color literals") {
  Token t = one("#FF0000");
  CHECK(t.kind == Tok::Color);
  CHECK(t.color_value == 0xFF0000FFu);
  CHECK(one("#ff000080").color_value == 0xFF000080u);
  CHECK(one("#00000000").color_value == 0x00000000u);
  CHECK(one("#aBcDeF").color_value == 0xABCDEFFFu);
  CHECK(first_error("c = #abc") == "1:5: invalid color literal '#abc': expected #RRGGBB or #RRGGBBAA");
  CHECK(first_error("c = #1234567") == "1:5: invalid color literal '#1234567': expected #RRGGBB or #RRGGBBAA");
  CHECK(first_error("c = #12345G") == "1:5: invalid color literal '#12345G': expected #RRGGBB or #RRGGBBAA");
}

TEST_CASE("lexer: identifiers, keywords and soft keywords") {
  CHECK(lex("if else and or not switch for while") == "if else and or not switch for while NL EOF");
  std::vector<Diagnostic> diags;
  std::vector<Token> ts = pine::tokenize("and type method na true x_1 _ series to", diags);
  REQUIRE(ts.size() == 11);
  CHECK(ts[0].kind == Tok::KwAnd);
  CHECK(ts[1].kind == Tok::Ident); // soft keyword
  CHECK(ts[2].kind == Tok::Ident);
  CHECK(ts[3].kind == Tok::Ident); // na is a built-in name
  CHECK(ts[4].kind == Tok::KwTrue);
  CHECK(ts[5].kind == Tok::Ident);
  CHECK(ts[5].text == "x_1");
  CHECK(ts[6].text == "_");
  CHECK(ts[7].kind == Tok::Ident);
  CHECK(ts[8].kind == Tok::Ident);
  CHECK(lex("ta.sma") == "ta . sma NL EOF");
}

TEST_CASE("lexer: operators and punctuation") {
  CHECK(lex("a+b-c*d/e%f") == "a + b - c * d / e % f NL EOF");
  CHECK(lex("a==b!=c<d<=e>f>=g") == "a == b != c < d <= e > f >= g NL EOF");
  CHECK(lex("a:=1") == "a := i:1 NL EOF");
  CHECK(lex("a+=1,a-=1,a*=1,a/=1,a%=1") == "a += i:1 , a -= i:1 , a *= i:1 , a /= i:1 , a %= i:1 NL EOF");
  CHECK(lex("f(x)=>x?a:b") == "f ( x ) => x ? a : b NL EOF");
  CHECK(lex("x[1].y") == "x [ i:1 ] . y NL EOF");
  CHECK(lex("array<array<float>> a") == "array < array < float > > a NL EOF");
  CHECK(first_error("x = !y") == "1:5: unexpected character '!' (use 'not' for logical negation)");
  CHECK(first_error("x = y $ 2") == "1:7: unexpected character '$'");
  CHECK(first_error("x = \xE2\x82\xAC") == "1:5: unexpected character '\xE2\x82\xAC'");
  CHECK(first_error("x = \x01") == "1:5: unexpected control character 0x01");
}

TEST_CASE("lexer: token locations are 1-based line and column") {
  std::vector<Diagnostic> diags;
  std::vector<Token> ts = pine::tokenize("a = 1\nif b\n    c := 2", diags);
  REQUIRE(ts.size() > 9);
  CHECK(ts[0].loc.line == 1);
  CHECK(ts[0].loc.col == 1);
  CHECK(ts[2].loc.col == 5);
  CHECK(ts[3].kind == Tok::Newline); // at the end of line 1
  CHECK(ts[3].loc.line == 1);
  CHECK(ts[3].loc.col == 6);
  CHECK(ts[4].text == "if");
  CHECK(ts[4].loc.line == 2);
  CHECK(ts[7].kind == Tok::Indent);
  CHECK(ts[7].loc.line == 3);
  CHECK(ts[7].loc.col == 5);
  CHECK(ts[8].text == "c");
  CHECK(ts[8].loc.col == 5);
}

TEST_CASE("lexer: INDENT and DEDENT") {
  CHECK(lex("if a\n    b\nc") == "if a NL IN b NL DE c NL EOF");
  CHECK(lex("if a\n    if b\n        c\nd") == "if a NL IN if b NL IN c NL DE DE d NL EOF");
  CHECK(lex("if a\n    if b\n        c\n    d\ne") == "if a NL IN if b NL IN c NL DE d NL DE e NL EOF");
  // Blocks still open at the end of input are closed.
  CHECK(lex("if a\n    if b\n        c") == "if a NL IN if b NL IN c NL DE DE EOF");
  // A tab counts as 4 columns.
  CHECK(lex("if a\n\tb\n\tif c\n\t\td") == "if a NL IN b NL if c NL IN d NL DE DE EOF");
  // Blank and comment-only lines do not affect layout, whatever their indentation.
  CHECK(lex("if a\n\n  // note\n        \n    b\n// x\nc") == "if a NL IN b NL DE c NL EOF");
}

TEST_CASE("lexer: bad indentation") {
  CHECK(first_error("if a\n        b") ==
        "2:9: bad indentation: line is indented 8 columns but the enclosing block is at 0; a nested block "
        "must be exactly one level (4 spaces or a tab) deeper");
  CHECK(first_error("  x = 1") == "1:3: bad indentation: global statement must start at column 0");
  CHECK(first_error("        x = 1") == "1:9: bad indentation: global statement must start at column 0");
  // Only the first layout error is reported.
  std::vector<Diagnostic> diags;
  pine::tokenize("if a\n        b\n    c\n            d\n", diags);
  CHECK(diags.size() == 1);
}

TEST_CASE("lexer: line continuation") {
  // Inside open brackets.
  CHECK(lex("f(a,\nb)\nc") == "f ( a , b ) NL c NL EOF");
  CHECK(lex("x = [1,\n    2]") == "x = [ i:1 , i:2 ] NL EOF");
  CHECK(lex("plot(x\n )") == "plot ( x ) NL EOF");
  // After a trailing binary operator or comma, even at a block indentation.
  CHECK(lex("x = a +\n    b") == "x = a + b NL EOF");
  CHECK(lex("x = a and\nb") == "x = a and b NL EOF");
  CHECK(lex("x = c ?\n    a :\n    b") == "x = c ? a : b NL EOF");
  // An indentation that is not a multiple of 4.
  CHECK(lex("x = a\n  + b\ny = 1") == "x = a + b NL y = i:1 NL EOF");
  CHECK(lex("if c\n    x = a\n      + b\n    y") == "if c NL IN x = a + b NL y NL DE EOF");
  // A comment may end a wrapped line.
  CHECK(lex("x = a + // sum\n     b") == "x = a + b NL EOF");
  // Input ending inside brackets or after an operator ends with EOF only.
  CHECK(lex("f(a,") == "f ( a , EOF");
  CHECK(lex("x = 1 +") == "x = i:1 + EOF");
}

TEST_CASE("lexer: comments and the version annotation") {
  CHECK(lex("x = 1 // note\ny = 2") == "x = i:1 NL y = i:2 NL EOF");
  CHECK(lex("// only a comment") == "EOF");
  CHECK(lex("") == "EOF");
  std::vector<Diagnostic> diags;
  int version = -1;
  pine::tokenize("//@version=6\nx = 1", diags, &version);
  CHECK(version == 6);
  pine::tokenize("x = 1", diags, &version);
  CHECK(version == 0);
  pine::tokenize("// hello\nx = 1\n//@version=5\n//@version=4", diags, &version);
  CHECK(version == 5);
  CHECK(diags.empty());
}

TEST_CASE("lexer: CRLF line endings") {
  CHECK(lex("if a\r\n    b\r\nc\r\n") == "if a NL IN b NL DE c NL EOF");
  std::vector<Diagnostic> diags;
  std::vector<Token> ts = pine::tokenize("a\r\nbb = 1", diags);
  CHECK(ts[2].loc.line == 2);
  CHECK(ts[2].loc.col == 1);
}

TEST_CASE("lexer: error cap and termination on garbage") {
  std::vector<Diagnostic> diags;
  std::string garbage(1000, '$');
  std::vector<Token> ts = pine::tokenize(garbage, diags);
  CHECK(diags.size() == pine::kMaxLexErrors);
  CHECK(ts.back().kind == Tok::Eof);
  diags.clear();
  std::string nul("x = \0 1", 7);
  CHECK(lex(nul, diags) == "x = ERR i:1 NL EOF");
  CHECK(diags.size() == 1);
}
