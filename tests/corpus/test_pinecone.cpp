// The pinecone fixture corpus (tests/data/pinecone) run on pinevm.
//
// - The runner is checked first on tiny fixtures written here, with bars and
//   expected output known by hand.
// - Every in-scope fixture then runs; the ones listed in
//   tests/data/pinecone/passing.txt must pass (a regression guard), and a
//   MESSAGE reports the totals and any fixture that passes without being
//   listed (time to extend the baseline: tests/corpus/update_conformance.py).
// - With PINEVM_CORPUS_REPORT=FILE set, every fixture's outcome is written to
//   FILE as tab-separated `path, outcome, detail, logs` lines (the messages
//   joined with " | ") (the input of
//   tests/corpus/update_conformance.py).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "pinecone_runner.h"

namespace fs = std::filesystem;
using namespace pine::corpus;

namespace {

const fs::path kFixtureRoot = fs::path(PINEVM_SOURCE_DIR) / "tests" / "data" / "pinecone";

/// A temporary folder holding a small data file, removed on destruction.
struct TempData {
  fs::path dir;

  /// Creates the folder and writes `tiny.csv`: four bars one second apart
  /// (times 0..3000 ms), close = 10 + i, with '#' comments and a blank line.
  TempData() {
    dir = fs::temp_directory_path() / ("pinevm_corpus_selftest_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream out(dir / "tiny.csv");
    out << "# four bars\n"
           "time,open,high,low,close,volume\n"
           "0,9,12,8,10,100\n"
           "# a comment between rows\n"
           "1000,10,13,9,11,110\n"
           "\n"
           "2000,11,14,10,12,120\n"
           "3000,12,15,11,13,130\n";
  }
  /// Removes the folder.
  ~TempData() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  /// Runner options reading this folder.
  RunnerOptions options() const {
    RunnerOptions o;
    o.data_dir = dir;
    return o;
  }
};

/// Parses and runs a fixture given as text.
FixtureResult run_text(const std::string& source, const RunnerOptions& options) {
  return run_fixture(source, parse_fixture(source), options);
}

/// Replaces tabs and newlines so a detail fits in one TSV field.
std::string one_field(std::string s) {
  std::replace(s.begin(), s.end(), '\t', ' ');
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

} // namespace

TEST_SUITE("corpus") {

// Directive parsing: every directive, block rules, defaults, malformed input.
TEST_CASE("pinecone runner: directives are parsed as pinecone's harness reads them") {
  const std::string source = "//@version=6\n"
                             "indicator(\"t\")\n"
                             "// Bars: 3\n"
                             "   // Data: other.csv\n"
                             "// Timeframe: 1D\n"
                             "// Inputs: {\"Length\": 50, \"On\": false, \"Mode\": \"fast \\\"x\\\"\", \"F\": -1.5}\n"
                             "log.info(\"a\")\n"
                             "// Expected output: first\n"
                             "//   second  \n"
                             "\n"
                             "//\n"
                             "// third\n"
                             "x = 1\n"
                             "// not part of it\n";
  const FixtureSpec spec = parse_fixture(source);
  CHECK(spec.directive_error.empty());
  CHECK(spec.bars == 3);
  CHECK(spec.data_file == "other.csv");
  CHECK(spec.timeframe == "1D");
  REQUIRE(spec.inputs.size() == 4);
  CHECK(spec.inputs[0] == std::pair<std::string, std::string>{"Length", "50"});
  CHECK(spec.inputs[1] == std::pair<std::string, std::string>{"On", "false"});
  CHECK(spec.inputs[2] == std::pair<std::string, std::string>{"Mode", "fast \"x\""});
  CHECK(spec.inputs[3] == std::pair<std::string, std::string>{"F", "-1.5"});
  CHECK(spec.expects_output);
  CHECK_FALSE(spec.expects_error);
  CHECK(spec.expected_output == std::vector<std::string>{"first", "second", "third"});

  const FixtureSpec defaults = parse_fixture("// Expected error:\n// line one\n//  line two\n");
  CHECK(defaults.directive_error.empty());
  CHECK(defaults.bars == 1);
  CHECK(defaults.data_file == "bars.csv");
  CHECK(defaults.timeframe == "1S");
  CHECK(defaults.inputs.empty());
  CHECK(defaults.expects_error);
  CHECK(defaults.expected_error == "line one\nline two");

  const FixtureSpec inline_error = parse_fixture("x = 1\n// Expected error: Label with id 0 not found\n");
  CHECK(inline_error.expected_error == "Label with id 0 not found");

  CHECK_FALSE(parse_fixture("// Bars: many\n// Expected output:\n// x\n").directive_error.empty());
  CHECK_FALSE(parse_fixture("// Inputs: {\"a\": [1]}\n// Expected output:\n// x\n").directive_error.empty());
  CHECK_FALSE(parse_fixture("log.info(\"x\")\n").directive_error.empty());

  std::vector<std::pair<std::string, std::string>> kv;
  std::string why;
  CHECK(parse_flat_json_object(" { } ", kv, why));
  CHECK(kv.empty());
  CHECK_FALSE(parse_flat_json_object("{\"a\": 1,}", kv, why));
  CHECK_FALSE(parse_flat_json_object("{\"a\" 1}", kv, why));
  CHECK_FALSE(parse_flat_json_object("{\"a\": 1} x", kv, why));
}

// The data reader: millisecond times kept, comments and blank lines skipped.
TEST_CASE("pinecone runner: fixture data files keep millisecond times and skip comments") {
  TempData data;
  const std::vector<pine::Bar> bars = read_fixture_bars(data.dir / "tiny.csv");
  REQUIRE(bars.size() == 4);
  CHECK(bars[0].time == 0);
  CHECK(bars[3].time == 3000);
  CHECK(bars[2].close == 12);
  CHECK(bars[1].volume == 110);
  const std::vector<pine::Bar> fixture_bars = read_fixture_bars(kFixtureRoot / "data" / "bars.csv");
  REQUIRE(fixture_bars.size() == 200);
  CHECK(fixture_bars[199].time == 199000);
  CHECK(fixture_bars[199].close == 301);
  CHECK_THROWS(read_fixture_bars(data.dir / "missing.csv"));
}

// Every outcome of run_fixture on fixtures whose output is known by hand.
TEST_CASE("pinecone runner: outcomes of hand-made fixtures") {
  TempData data;
  const RunnerOptions opts = data.options();

  SUBCASE("a pass over the last N bars, bar_index from 0, islast on the last one") {
    const FixtureResult r = run_text("//@version=6\n"
                                     "indicator(\"t\")\n"
                                     "// Bars: 2\n"
                                     "// Data: tiny.csv\n"
                                     "log.info(str.tostring(close) + \",\" + str.tostring(bar_index) + \",\" + "
                                     "str.tostring(time))\n"
                                     "if barstate.islast\n"
                                     "    log.warning(\"last \" + str.tostring(last_bar_index))\n"
                                     "// Expected output:\n"
                                     "// 12,0,2000\n"
                                     "// 13,1,3000\n"
                                     "// last 1\n",
                                     opts);
    CHECK_MESSAGE(r.outcome == Outcome::Pass, r.summary());
    CHECK(r.logs == std::vector<std::string>{"12,0,2000", "13,1,3000", "last 1"});
  }

  SUBCASE("the default is one bar") {
    const FixtureResult r = run_text("indicator(\"t\")\n"
                                     "// Data: tiny.csv\n"
                                     "log.info(str.tostring(close))\n"
                                     "// Expected output:\n"
                                     "// 13\n",
                                     opts);
    CHECK_MESSAGE(r.outcome == Outcome::Pass, r.summary());
  }

  SUBCASE("a Bars count above the data size runs every bar") {
    const FixtureResult r = run_text("indicator(\"t\")\n"
                                     "// Bars: 50\n"
                                     "// Data: tiny.csv\n"
                                     "log.info(str.tostring(close))\n"
                                     "// Expected output:\n"
                                     "// 10\n// 11\n// 12\n// 13\n",
                                     opts);
    CHECK_MESSAGE(r.outcome == Outcome::Pass, r.summary());
  }

  SUBCASE("a mismatch is a failure naming the first difference") {
    const FixtureResult r = run_text("indicator(\"t\")\n"
                                     "// Bars: 2\n"
                                     "// Data: tiny.csv\n"
                                     "log.info(str.tostring(close))\n"
                                     "// Expected output:\n"
                                     "// 12\n"
                                     "// 14\n",
                                     opts);
    CHECK(r.outcome == Outcome::WrongOutput);
    CHECK(r.detail.find("line 2: expected \"14\" got \"13\"") != std::string::npos);
    const FixtureResult missing = run_text("indicator(\"t\")\n// Data: tiny.csv\nlog.info(\"a\")\n"
                                           "// Expected output:\n// a\n// b\n",
                                           opts);
    CHECK(missing.outcome == Outcome::WrongOutput);
    CHECK(missing.detail.find("missing") != std::string::npos);
    const FixtureResult extra = run_text("indicator(\"t\")\n// Data: tiny.csv\nlog.info(\"a\")\nlog.info(\"b\")\n"
                                         "// Expected output:\n// a\n",
                                         opts);
    CHECK(extra.outcome == Outcome::WrongOutput);
    CHECK(extra.detail.find("extra \"b\"") != std::string::npos);
  }

  SUBCASE("inputs are overridden by title; a refused override fails") {
    const std::string script = "indicator(\"t\")\n"
                               "// Data: tiny.csv\n"
                               "len = input.int(5, \"Length\", maxval = 10)\n"
                               "mode = input.string(\"slow\", \"Mode\")\n"
                               "log.info(str.tostring(len) + \" \" + mode)\n";
    FixtureResult r = run_text(script + "// Inputs: {\"Length\": 7, \"Mode\": \"fast\"}\n// Expected output:\n// 7 fast\n",
                               opts);
    CHECK_MESSAGE(r.outcome == Outcome::Pass, r.summary());
    r = run_text(script + "// Inputs: {\"Length\": 70}\n// Expected output:\n// 10 slow\n", opts);
    CHECK(r.outcome == Outcome::InputError);
    CHECK(r.detail.find("Length") != std::string::npos);
  }

  SUBCASE("an expected runtime error is matched by substring") {
    const std::string script = "indicator(\"t\")\n"
                               "// Bars: 3\n"
                               "// Data: tiny.csv\n"
                               "if bar_index == 1\n"
                               "    runtime.error(\"boom at \" + str.tostring(close))\n";
    CHECK_MESSAGE(run_text(script + "// Expected error:\n// boom at 12\n", opts).outcome == Outcome::Pass,
                  run_text(script + "// Expected error:\n// boom at 12\n", opts).summary());
    const FixtureResult wrong = run_text(script + "// Expected error:\n// bang\n", opts);
    CHECK(wrong.outcome == Outcome::WrongError);
    CHECK(wrong.detail.find("boom at 12") != std::string::npos);
    const FixtureResult as_output = run_text(script + "// Expected output:\n// x\n", opts);
    CHECK(as_output.outcome == Outcome::RuntimeError);
    CHECK(as_output.detail.find("boom at 12") != std::string::npos);
  }

  SUBCASE("an expected compile error is matched against the diagnostics") {
    const std::string script = "indicator(\"t\")\n// Data: tiny.csv\nx = 1 +\n";
    const FixtureResult as_output = run_text(script + "// Expected output:\n// 1\n", opts);
    REQUIRE(as_output.outcome == Outcome::CompileError);
    // Whatever pinevm's message is, it names line 3 and expecting it passes.
    CHECK(as_output.detail.starts_with("3:"));
    const std::string message = as_output.detail.substr(as_output.detail.find(": ") + 2);
    CHECK_MESSAGE(run_text(script + "// Expected error: " + message + "\n", opts).outcome == Outcome::Pass, message);
    CHECK(run_text(script + "// Expected error: no such text\n", opts).outcome == Outcome::WrongError);
  }

  SUBCASE("an expected error that does not happen is a failure") {
    const FixtureResult r = run_text("indicator(\"t\")\n// Data: tiny.csv\nlog.info(\"fine\")\n"
                                     "// Expected error:\n// something\n",
                                     opts);
    CHECK(r.outcome == Outcome::MissingError);
  }

  SUBCASE("the last bar's alerts follow the logs; bad data and directives are harness errors") {
    // Four bars log "a" each; the alert fires on bar_index 1 and 3, and
    // only the last bar's alert is appended, after all the logs.
    const std::string script = "indicator(\"t\")\n// Data: tiny.csv\n// Bars: 4\n"
                               "if bar_index % 2 == 1\n    alert(\"odd \" + str.tostring(bar_index))\nlog.info(\"a\")\n";
    CHECK(run_text(script + "// Expected output:\n// a\n// a\n// a\n// a\n// (alert): odd 3\n", opts).outcome ==
          Outcome::Pass);
    CHECK(run_text(script + "// Expected output:\n// a\n// a\n// a\n// a\n", opts).outcome == Outcome::WrongOutput);
    CHECK(run_text("indicator(\"t\")\n// Data: nope.csv\nlog.info(\"a\")\n// Expected output:\n// a\n", opts).outcome ==
          Outcome::HarnessError);
    CHECK(run_text("indicator(\"t\")\n// Bars: -2\n// Expected output:\n// a\n", opts).outcome ==
          Outcome::HarnessError);
  }
}

// Which folders count in the figures.
TEST_CASE("pinecone runner: scope") {
  CHECK(in_scope("ta/sma.pine"));
  CHECK(in_scope("basics/inputs.pine"));
  CHECK(in_scope("strategy/a.pine"));
  for (const char* out : {"request/a.pine", "labels/a.pine", "line/a.pine", "box/a.pine",
                          "table/a.pine", "footprint/a.pine", "libraries/a.pine"})
    CHECK_FALSE(in_scope(out));
  CHECK(in_scope("linear/a.pine"));
}

// The regression guard and the progress figures.
TEST_CASE("pinecone corpus: the baseline keeps passing") {
  RunnerOptions opts;
  opts.data_dir = kFixtureRoot / "data";
  const std::vector<std::string> baseline = read_list(kFixtureRoot / "passing.txt");
  CHECK_MESSAGE(std::is_sorted(baseline.begin(), baseline.end()), "passing.txt must be sorted");
  const std::set<std::string> listed(baseline.begin(), baseline.end());

  const std::vector<std::string> all = list_fixtures(kFixtureRoot);
  const std::set<std::string> present(all.begin(), all.end());
  for (const std::string& path : baseline)
    CHECK_MESSAGE(present.contains(path), "passing.txt lists a missing fixture: " << path);

  std::ostringstream report;
  std::size_t total = 0;
  std::size_t passed = 0;
  std::vector<std::string> newly_passing;
  for (const std::string& path : all) {
    if (!in_scope(path)) continue;
    ++total;
    const FixtureResult r = run_fixture_file(kFixtureRoot / path, opts);
    const bool pass = r.outcome == Outcome::Pass;
    passed += pass ? 1 : 0;
    std::string logs;
    for (const std::string& l : r.logs) logs += (logs.empty() ? "" : " | ") + l;
    report << path << '\t' << outcome_name(r.outcome) << '\t' << one_field(r.detail) << '\t' << one_field(logs)
           << '\n';
    if (listed.contains(path)) {
      CHECK_MESSAGE(pass, path << ": " << r.summary());
    } else if (pass) {
      newly_passing.push_back(path);
    }
  }

  if (const char* out = std::getenv("PINEVM_CORPUS_REPORT")) {
    std::ofstream f(out);
    f << report.str();
    CHECK_MESSAGE(f.good(), "cannot write the report to " << out);
  }

  std::ostringstream fresh;
  for (const std::string& p : newly_passing) fresh << "\n  " << p;
  MESSAGE("pinecone corpus: " << passed << "/" << total << " in-scope fixtures pass (" << listed.size()
                              << " in the baseline)"
                              << (newly_passing.empty() ? std::string()
                                                        : "; passing but not in passing.txt:" + fresh.str()));
  CHECK(total > 0);
}

} // TEST_SUITE

TEST_CASE("pinecone runner: a pinecone diagnostic matches pinevm's on the same line naming the same identifiers") {
  const std::string expected = "error [not-callable] 6:6: `x` is a variable, not a function";
  CHECK(equivalent_diagnostic(expected, 6, "'x' is a variable, not a function"));
  CHECK_FALSE(equivalent_diagnostic(expected, 7, "'x' is a variable, not a function")); // another line
  CHECK_FALSE(equivalent_diagnostic(expected, 6, "'y' is a variable, not a function")); // another name
  CHECK_FALSE(equivalent_diagnostic("Index out of bounds", 6, "'x' is out of bounds")); // not a pinecone diagnostic
  CHECK(equivalent_diagnostic("error [too-many-arguments] 6:13: `math.abs` takes at most 1 arguments, found 3", 6,
                              "too many arguments in the call to 'math.abs': it takes 1"));
}
