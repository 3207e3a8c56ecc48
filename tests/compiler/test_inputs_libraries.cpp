// Inputs that share a title across groups and inputs whose text has a
// format (InstanceBuilder::input), library files compiled on their own,
// old versions, and source text details (byte order mark, tabs under a
// caret). Expected texts are written by hand from docs/semantics.md.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "compile_helpers.h"
#include "pine/compiler/compile.h"
#include "pine/vm/instance.h"

namespace {

const std::string kHeader = "//@version=6\nindicator(\"t\")\n";

/// Compiles a script that must compile.
std::shared_ptr<const pine::Program> compile_ok(const std::string& src) {
  pine::CompileResult r = pine::compile(src);
  REQUIRE_MESSAGE(r.ok(), r.format(src, "t.pine"));
  return r.program;
}

/// "line:col message" of the first diagnostic of a script that must fail.
std::string first_diagnostic(const std::string& src) {
  pine::CompileResult r = pine::compile(src);
  REQUIRE_FALSE(r.ok());
  REQUIRE_FALSE(r.diagnostics.empty());
  const pine::Diagnostic& d = r.diagnostics.front();
  return std::to_string(d.loc.line) + ":" + std::to_string(d.loc.col) + " " + d.message;
}

/// The message InstanceBuilder::input throws for `name`=`value`, or "ok".
std::string input_error(const std::shared_ptr<const pine::Program>& p, const std::string& name, const std::string& value) {
  try {
    pine::InstanceBuilder(p).input(name, value);
    return "ok";
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
}

/// The first plot after one bar (close = 1) with the given input overrides.
double plot_with(const std::shared_ptr<const pine::Program>& p, const std::vector<std::pair<std::string, std::string>>& inputs) {
  pine::InstanceBuilder b(p);
  for (const auto& [k, v] : inputs) b.input(k, v);
  pine::Instance inst = b.build();
  pine::Bar bar;
  bar.time = 1'700'000'000'000;
  bar.open = bar.high = bar.low = bar.close = 1;
  inst.run_bar(bar);
  return inst.plot_values()[0].f;
}

const std::string kGrouped = kHeader +
                             "a = input.int(1, \"Length\", group = \"Fast\")\n"
                             "b = input.int(10, \"Length\", group = \"Slow\")\n"
                             "c = input.int(100, \"Length\")\n"
                             "d = input.int(1000, \"Other\", group = \"Fast\")\n"
                             "plot(a + b + c + d)\n";

} // namespace

TEST_CASE("inputs: a title shared across groups is named group/title") {
  const auto p = compile_ok(kGrouped);
  REQUIRE(p->inputs.size() == 4);
  CHECK(p->inputs[0].key == "Fast/Length");
  CHECK(p->inputs[1].key == "Slow/Length");
  CHECK(p->inputs[2].key == "/Length");
  CHECK(p->inputs[3].key.empty()); // its title is its name
  CHECK(plot_with(p, {}) == 1111);
  CHECK(plot_with(p, {{"Fast/Length", "2"}, {"Slow/Length", "20"}, {"/Length", "200"}, {"Other", "2000"}}) == 2222);
  CHECK(input_error(p, "Length", "5") ==
        "input 'Length' is ambiguous: several inputs have that title; name one as group/title: 'Fast/Length', "
        "'Slow/Length', '/Length'");
  CHECK(input_error(p, "Fast/Other", "5").find("unknown input 'Fast/Other'; inputs are 'Fast/Length', 'Slow/Length', "
                                               "'/Length', 'Other'") == 0);
  CHECK(input_error(p, "Slow/Length", "x") == "input 'Slow/Length': 'x' is not an integer");
  // The disassembly names inputs the same way.
  CHECK(pine::disassemble(*p).find("; Slow/Length") != std::string::npos);
}

TEST_CASE("inputs: the same title twice in one group, or without groups, is an error") {
  CHECK(first_diagnostic(kHeader + "a = input.int(1, \"L\")\nb = input.float(2, \"L\")\nplot(a + b)\n") ==
        "4:5 two inputs share the title 'L' and have no group");
  CHECK(first_diagnostic(kHeader + "a = input.int(1, \"L\", group = \"G\")\nb = input.int(2, \"L\", group = \"G\")\nplot(a + b)\n") ==
        "4:5 two inputs share the title 'L' in the group 'G'");
  // A group/title name may not be another input's title.
  CHECK(first_diagnostic(kHeader + "a = input.int(1, \"G/L\")\nb = input.int(2, \"L\", group = \"G\")\n"
                                   "c = input.int(3, \"L\", group = \"H\")\nplot(a + b + c)\n") ==
        "5:5 the input 'G/L' cannot be told apart from another input named 'G/L'");
}

TEST_CASE("inputs: program bytes carry input names and formats only when needed") {
  // Without a shared title and without a formatted input, nothing is added:
  // the bytes end with the (empty) enum table.
  const auto plain = compile_ok(kHeader + "a = input.int(1, \"A\", group = \"G\")\ns = input.string(\"x\", \"S\")\nplot(a)\n");
  CHECK(plain->inputs[0].key.empty());
  CHECK(plain->inputs[1].format == pine::InputFormat::Any);
  const std::vector<std::uint8_t> plain_bytes = pine::serialize_program(*plain);
  // Same program with one input given a format: 2 inputs x (1 format byte +
  // 8-byte empty key) + the 8-byte count = 26 more bytes, and it round-trips.
  pine::Program formatted = *plain;
  formatted.inputs[1].format = pine::InputFormat::Session;
  const std::vector<std::uint8_t> bytes = pine::serialize_program(formatted);
  CHECK(bytes.size() == plain_bytes.size() + 26);
  CHECK(std::equal(plain_bytes.begin(), plain_bytes.end(), bytes.begin()));
  const pine::Program back = pine::deserialize_program(bytes);
  CHECK(back.inputs[1].format == pine::InputFormat::Session);
  CHECK(pine::serialize_program(back) == bytes);
  // A section that carries only defaults is not canonical: rejected.
  std::vector<std::uint8_t> padded = plain_bytes;
  padded.insert(padded.end(), {2, 0, 0, 0, 0, 0, 0, 0});          // count 2
  for (int i = 0; i < 2; ++i) padded.insert(padded.end(), 9, 0); // format Any, empty key
  CHECK_THROWS_WITH_AS(pine::deserialize_program(padded), "invalid program bytes: input extras carry only defaults",
                       pine::ProgramError);
  // Keys round-trip.
  const auto grouped = compile_ok(kGrouped);
  const pine::Program again = pine::deserialize_program(pine::serialize_program(*grouped));
  CHECK(again.inputs[0].key == "Fast/Length");
}

TEST_CASE("inputs: timeframe, symbol and session values are checked") {
  const auto p = compile_ok(kHeader +
                            "tf = input.timeframe(\"60\", \"TF\")\nsym = input.symbol(\"NASDAQ:AAPL\", \"Sym\")\n"
                            "ses = input.session(\"0930-1600\", \"Sess\")\ntxt = input.string(\"any thing\", \"Text\")\n"
                            "plot(str.length(tf + sym + ses + txt))\n");
  CHECK(p->inputs[0].format == pine::InputFormat::Timeframe);
  CHECK(p->inputs[1].format == pine::InputFormat::Symbol);
  CHECK(p->inputs[2].format == pine::InputFormat::Session);
  CHECK(p->inputs[3].format == pine::InputFormat::Any);
  for (const char* ok : {"1D", "240", "15S", "1W", "3M", ""}) CHECK(input_error(p, "TF", ok) == "ok");
  CHECK(input_error(p, "TF", "7X").find("input 'TF': the timeframe '7X' is not valid") == 0);
  CHECK(input_error(p, "TF", "abc").find("input 'TF': ") == 0);
  for (const char* ok : {"AAPL", "BINANCE:BTCUSDT", "CME_MINI:ES1!"}) CHECK(input_error(p, "Sym", ok) == "ok");
  CHECK(input_error(p, "Sym", "") == "input 'Sym': the symbol is empty; expected EXCHANGE:TICKER or TICKER");
  CHECK(input_error(p, "Sym", "NASDAQ:AA PL") == "input 'Sym': the symbol 'NASDAQ:AA PL' contains a space or a control character");
  CHECK(input_error(p, "Sym", "NASDAQ:").find("input 'Sym': the symbol 'NASDAQ:' has no ticker") == 0);
  for (const char* ok : {"0930-1600", "0930-1600:23456", "0000-0000", "0930-1200,1300-1600:1234567", "24x7"})
    CHECK(input_error(p, "Sess", ok) == "ok");
  for (const char* bad : {"930-1600", "0930-2460", "2500-0100", "0930-1600:8", "0930-1600:22", "0930-1600:", "", "x"})
    CHECK(input_error(p, "Sess", bad) ==
          "input 'Sess': '" + std::string(bad) + "' is not a session such as \"0930-1600\" or \"0930-1600:23456\"");
  CHECK(input_error(p, "Text", "any text at all") == "ok");
  // 2 + 11 + 9 + 9 = 31 characters by default; the values given are used.
  CHECK(plot_with(p, {}) == 31);
  CHECK(plot_with(p, {{"TF", "1D"}, {"Sym", "X"}, {"Sess", "24x7"}, {"Text", ""}}) == 7);
}

TEST_CASE("libraries: a library file checks on its own") {
  const std::string lib = "//@version=6\nlibrary(\"mylib\")\n"
                          "helper(float x) => x * 2\n"
                          "export double(float x) =>\n    helper(x)\n"
                          "export type Pt\n    float v\n"
                          "export method twice(Pt self) => self.v * 2\n";
  pine::CompileResult r = pine::compile(lib);
  REQUIRE_MESSAGE(r.ok(), r.format(lib, "lib.pine"));
  CHECK(r.is_library);
  CHECK(r.program->title == "mylib");
  // An error inside an exported function is reported even though nothing calls it.
  const std::string bad = "//@version=6\nlibrary(\"b\")\nexport f(float x) =>\n    x + undefined_name\n";
  CHECK(first_diagnostic(bad) == "4:9 undeclared identifier 'undefined_name'");
  CHECK(first_diagnostic("//@version=6\nlibrary(\"b\")\nexport f(x) => x\n") ==
        "3:10 parameter 'x' of the exported function 'f' needs a type");
  // A script is not a library.
  CHECK_FALSE(pine::compile(kHeader + "plot(close)\n").is_library);
}

TEST_CASE("versions: old scripts get a clear error") {
  CHECK(first_diagnostic("//@version=4\nstudy(\"x\")\nplot(close)\n") ==
        "1:1 version 4 scripts are not supported (//@version=4); pinevm runs version 5 and 6");
  CHECK(first_diagnostic("// a comment\n//@version=3\nstudy(\"x\")\n") ==
        "2:1 version 3 scripts are not supported (//@version=3); pinevm runs version 5 and 6");
  CHECK(first_diagnostic("study(\"x\")\nplot(close)\n") ==
        "1:1 'study()' declares a Pine Script version 1-4 script (on TradingView a script without a //@version line is "
        "version 1); pinevm runs versions 5 and 6: port the script and declare it with indicator()");
}

TEST_CASE("source text: a byte order mark is skipped and columns stay right") {
  const std::string bom = "\xEF\xBB\xBF";
  CHECK(pine::compile(bom + kHeader + "plot(close)\n").ok());
  // The error is at 1:5 with or without the mark, and the caret is under 'y'.
  const std::string src = bom + "x = y\n";
  pine::CompileResult r = pine::compile(src);
  REQUIRE_FALSE(r.ok());
  CHECK(r.diagnostics.front().loc.line == 1);
  CHECK(r.diagnostics.front().loc.col == 5);
  CHECK(r.format(src, "b.pine").find("b.pine:1:5: error: undeclared identifier 'y'\nx = y\n    ^\n") != std::string::npos);
}

TEST_CASE("source text: the caret line keeps the tabs of the source line") {
  // Line 2 is "<tab><tab>x = <é>y": the caret under y (byte column 9: two
  // tabs, "x = ", two bytes of é) is two tabs, four spaces and one for é.
  const std::string src = "a = 1\n\t\tx = \xC3\xA9y\n";
  pine::Diagnostic d{pine::Severity::Error, {2, 9}, "m"};
  CHECK(pine::format_diagnostic(d, "t.pine", src) == "t.pine:2:9: error: m\n\t\tx = \xC3\xA9y\n\t\t     ^\n");
  // Past the end of the line (an error at its end): spaces.
  pine::Diagnostic end{pine::Severity::Error, {1, 6}, "m"};
  CHECK(pine::format_diagnostic(end, "t.pine", src) == "t.pine:1:6: error: m\na = 1\n     ^\n");
}
