// The output calls (plot family, fill, bgcolor/barcolor, alerts): which
// columns and metadata each call declares, the values a bar writes, plot/hline
// ids, and the diagnostics. Expected columns follow the rule documented in
// pine/vm/outputs.h; colour values are the named colours' v6 hex codes, and
// color.new(c, 80) has alpha round(255 * 0.2) = 51 = 0x33 (hand-computed).
#include <doctest/doctest.h>

#include <string>

#include "pine/compiler/compile.h"
#include "pine/vm/instance.h"

namespace {

/// Compiles a script body (a v6 header is prepended); requires success.
std::shared_ptr<const pine::Program> compile_ok(const std::string& body) {
  const std::string src = "//@version=6\nindicator(\"t\")\n" + body;
  pine::CompileResult r = pine::compile(src);
  REQUIRE_MESSAGE(r.ok(), r.format(src, "t.pine"));
  return r.program;
}

/// The first error of a script body, as "line:col message".
std::string first_error(const std::string& body) {
  pine::CompileResult r = pine::compile("//@version=6\nindicator(\"t\")\n" + body);
  for (const pine::Diagnostic& d : r.diagnostics)
    if (d.severity == pine::Severity::Error)
      return std::to_string(d.loc.line) + ":" + std::to_string(d.loc.col) + " " + d.message;
  return "no error";
}

/// One bar: time, open, high, low, close, volume.
pine::Bar bar(double open, double high, double low, double close) { return pine::Bar{1000, open, high, low, close, 1}; }

constexpr std::int64_t kGreen = 0x4CAF50FF;
constexpr std::int64_t kRed = 0xF23645FF;

} // namespace

TEST_CASE("plots: a varying colour becomes a column, a constant one an attribute") {
  auto p = compile_ok("bull = color.green\n"
                      "plot(close, \"c\", color = close > open ? bull : color.red, linewidth = 2, offset = 1)\n"
                      "plot(open, color = color.new(bull, 80), style = 3, display = 0)\n");
  CHECK(pine::describe_outputs(*p) == "output 0: plot \"c\" value float offset=1 linewidth=2\n"
                                      "output 1: plot \"c\" color color\n"
                                      "output 2: plot \"\" value float color=#4CAF5033 style=3 display=0\n");
  pine::Instance inst = pine::InstanceBuilder(p).build();
  inst.run_bar(bar(1, 3, 0.5, 2));
  CHECK(inst.plot_values()[0].f == 2);
  CHECK(inst.plot_values()[1].i == kGreen);
  CHECK(inst.plot_values()[2].f == 1);
  inst.run_bar(bar(2, 3, 0.5, 1));
  CHECK(inst.plot_values()[1].i == kRed);
}

TEST_CASE("plots: every output function declares its columns") {
  auto p = compile_ok("h1 = hline(10, \"top\", color = color.gray)\nh2 = hline(0)\nfill(h1, h2)\n"
                      "plotshape(close > open, \"up\", text = \"U\", size = \"small\", textcolor = close > open ? color.green : na)\n"
                      "plotchar(close, char = \"x\")\n"
                      "plotarrow(close - open, colorup = color.green, minheight = 5.0)\n"
                      "plotbar(open, high, low, close, \"Bars\")\n"
                      "plotcandle(open, high, low, close, \"C\", color = close > open ? color.green : color.red)\n"
                      "bgcolor(close > open ? color.green : na, offset = -1)\n"
                      "barcolor(color.red, title = \"bc\")\n");
  CHECK(pine::describe_outputs(*p) == "output 0: hline \"top\" value float color=#787B86FF\n"
                                      "output 1: hline \"\" value float\n"
                                      "output 2: fill \"\" value color targets=0,1\n"
                                      "output 3: plotshape \"up\" value bool text=U size=small\n"
                                      "output 4: plotshape \"up\" textcolor color\n"
                                      "output 5: plotchar \"\" value float char=x\n"
                                      "output 6: plotarrow \"\" value float colorup=#4CAF50FF minheight=5\n"
                                      "output 7: plotbar \"Bars\" open float\n"
                                      "output 8: plotbar \"Bars\" high float\n"
                                      "output 9: plotbar \"Bars\" low float\n"
                                      "output 10: plotbar \"Bars\" close float\n"
                                      "output 11: plotcandle \"C\" open float\n"
                                      "output 12: plotcandle \"C\" high float\n"
                                      "output 13: plotcandle \"C\" low float\n"
                                      "output 14: plotcandle \"C\" close float\n"
                                      "output 15: plotcandle \"C\" color color\n"
                                      "output 16: bgcolor \"\" value color offset=-1\n"
                                      "output 17: barcolor \"bc\" value color\n");
  pine::Instance inst = pine::InstanceBuilder(p).build();
  inst.run_bar(bar(1, 4, 0.5, 3));
  const auto v = inst.plot_values();
  CHECK(v[0].f == 10);
  CHECK(v[1].f == 0);
  CHECK(v[2].i == pine::kColorNa); // fill() without a colour: na, the host's default
  CHECK(v[3].i == 1);
  CHECK(v[4].i == kGreen);
  CHECK(v[5].f == 3);
  CHECK(v[6].f == 2);
  CHECK((v[7].f == 1 && v[8].f == 4 && v[9].f == 0.5 && v[10].f == 3));
  CHECK((v[11].f == 1 && v[12].f == 4 && v[13].f == 0.5 && v[14].f == 3));
  CHECK(v[15].i == kGreen);
  CHECK(v[16].i == kGreen);
  CHECK(v[17].i == kRed);
  inst.run_bar(bar(3, 4, 0.5, 1));
  CHECK(inst.plot_values()[3].i == 0);
  CHECK(inst.plot_values()[4].i == pine::kColorNa);
  CHECK(inst.plot_values()[16].i == pine::kColorNa);
}

TEST_CASE("plots: plot() and hline() return ids that fill() takes") {
  // Ids are the first column's index; a call written in place works too.
  auto p = compile_ok("p1 = plot(high)\np2 = plot(low, \"lo\")\nfill(p1, p2, color.new(color.blue, 50), \"band\")\n"
                      "fill(p2, plot(close))\nfill(p1, p2, 10, 0, color.green, close > open ? color.red : na)\n");
  CHECK(pine::describe_outputs(*p) == "output 0: plot \"\" value float\n"
                                      "output 1: plot \"lo\" value float\n"
                                      "output 2: fill \"band\" value color targets=0,1\n"
                                      "output 3: plot \"\" value float\n"
                                      "output 4: fill \"\" value color targets=1,3\n"
                                      "output 5: fill \"\" top_color color targets=0,1 top_value=10 bottom_value=0\n"
                                      "output 6: fill \"\" bottom_color color\n");
  CHECK(first_error("p = plot(close)\nh = hline(1)\nfill(p, h)\n") == "5:1 'fill' needs two plots or two hlines, not one of each");
  CHECK(first_error("x = 1\nfill(x, x)\n") ==
        "4:6 'fill' needs the id of a plot or an hline: the result of plot()/hline(), or a global variable assigned one");
  // The id is a const int: the first column's index.
  auto q = compile_ok("plot(open)\nh = hline(5)\nplot(h)\n");
  pine::Instance inst = pine::InstanceBuilder(q).build();
  inst.run_bar(bar(1, 2, 0.5, 1.5));
  CHECK(inst.plot_values()[2].f == 1);
}

TEST_CASE("plots: a plot written as a statement loads no id") {
  const std::string src = "//@version=6\nindicator(\"t\")\nplot(close)\n";
  pine::CompileResult r = pine::compile(src);
  REQUIRE(r.ok());
  CHECK(pine::disassemble(*r.program) == "function 0 main params=0 results=0 slots=31\n"
                                         "     0  PLOT        plot0, r3\n"
                                         "     1  RET         r0, 0\n");
}

TEST_CASE("plots: argument checks") {
  CHECK(first_error("if close > open\n    plot(close)\n") == "4:5 'plot' can only be called in the global scope");
  CHECK(first_error("plot(close, linewidth = bar_index)\n") ==
        "3:25 argument 'linewidth' of 'plot' must be an input or constant, not series int");
  CHECK(first_error("plot(close, offset = bar_index)\n") ==
        "3:22 argument 'offset' of 'plot' must be simple (fixed on the first bar), not series int");
  CHECK(first_error("plot(close, linewidth = \"2\")\n") ==
        "3:25 type mismatch: argument 'linewidth' of 'plot' expects int, got const string");
  CHECK(first_error("plot(close, str.tostring(close))\n") == "3:13 the title of 'plot' must be a constant string");
  CHECK(first_error("plotshape(\"x\")\n") == "3:11 type mismatch: argument 'series' of 'plotshape' expects bool or float, got const string");
  CHECK(first_error("bgcolor()\n") == "3:1 missing argument 'color' in the call to 'bgcolor'");
  CHECK(first_error("plotbar(open, high, low)\n") == "3:1 missing argument 'close' in the call to 'plotbar'");
  // An input width is a column of its own; const folding follows globals.
  auto p = compile_ok("w = input.int(2, \"W\")\nbase = 3\nwidth = base * 2\nplot(close, linewidth = w)\nplot(close, linewidth = width)\n");
  CHECK(pine::describe_outputs(*p) == "output 0: plot \"\" value float\n"
                                      "output 1: plot \"\" linewidth int\n"
                                      "output 2: plot \"\" value float linewidth=6\n");
}

TEST_CASE("plots: Pine's 64-series limit counts plotcandle as 4 and varying colours as 1 more") {
  std::string many;
  for (int i = 0; i < 64; ++i) many += "plot(close)\n";
  CHECK(first_error(many) == "no error");
  CHECK(first_error(many + "plot(open)\n").find("more than 64 series") != std::string::npos);
  std::string sixteen;
  for (int i = 0; i < 16; ++i) sixteen += "plotcandle(open, high, low, close)\n";
  CHECK(first_error(sixteen + "hline(1)\n") == "no error");
  CHECK(first_error(sixteen + "bgcolor(color.red)\n").find("more than 64 series") != std::string::npos);
}

TEST_CASE("alerts: alert() fires on every call, alertcondition() when its condition holds") {
  auto p = compile_ok("alertcondition(close > open, \"Up\", \"went up\")\nalertcondition(close < open, \"Down\")\n"
                      "if close > 1\n    alert(\"close \" + str.tostring(close), \"freq_all\")\nplot(close)\n");
  pine::Instance inst = pine::InstanceBuilder(p).build();
  inst.run_bar(bar(1, 4, 0.5, 3));
  std::vector<pine::LogRecord> logs = inst.take_logs();
  REQUIRE(logs.size() == 2);
  CHECK(logs[0].level == pine::LogLevel::Alert);
  CHECK(logs[0].message == "went up");
  CHECK(logs[1].message == "close 3");
  inst.run_bar(bar(1, 4, 0.5, 0.75));
  logs = inst.take_logs();
  REQUIRE(logs.size() == 1);
  CHECK(logs[0].message == "Down"); // no message: the title
  CHECK(first_error("alert(\"x\", \"sometimes\")\n") ==
        "3:12 alert()'s freq must be alert.freq_all, alert.freq_once_per_bar or alert.freq_once_per_bar_close");
  CHECK(first_error("f() =>\n    alertcondition(true)\n    1\nplot(f())\n") == "4:5 'alertcondition' can only be called in the global scope");
  CHECK(first_error("alertcondition(close > open, title = str.tostring(close))\n") ==
        "3:38 argument 'title' of 'alertcondition' must be a constant string");
}

TEST_CASE("outputs: column metadata survives the program bytes and the verifier checks it") {
  auto p = compile_ok("p1 = plot(high, \"h\", color = close > open ? color.green : na, offset = 2, linewidth = 3)\n"
                      "p2 = plot(low)\nfill(p1, p2)\nplotcandle(open, high, low, close)\n");
  const std::vector<std::uint8_t> bytes = pine::serialize_program(*p);
  const pine::Program back = pine::deserialize_program(bytes);
  CHECK(pine::describe_outputs(back) == pine::describe_outputs(*p));
  CHECK(pine::serialize_program(back) == bytes);

  // Each broken rule is rejected.
  const auto rejects = [&](auto&& mutate) {
    pine::Program bad = *p;
    mutate(bad);
    CHECK_THROWS_AS(pine::verify_program(bad), pine::ProgramError);
  };
  rejects([](pine::Program& q) { q.plots[1].part = 2; });                       // gap in the parts
  rejects([](pine::Program& q) { q.plots[1].attributes.push_back({"a", "b"}); }); // metadata on a later column
  rejects([](pine::Program& q) { q.plots[1].title = "other"; });                // a call's columns share the title
  rejects([](pine::Program& q) { q.plots[3].targets = {0}; });                  // fill needs two targets
  rejects([](pine::Program& q) { q.plots[3].targets = {0, 1}; });               // 1 is a colour column
  rejects([](pine::Program& q) { q.plots[0].targets = {0, 2}; });               // targets outside fill
  rejects([](pine::Program& q) { q.plots[4].kind = static_cast<pine::PlotKind>(99); });
}
