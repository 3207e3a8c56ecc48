// The `pinevm` command line against its contract (README.md, "CLI reference"), run
// in-process through pine::cli::run_app with captured stdout/stderr.
//
// Every expected value here is known independently of the engine: scripts
// plot bar_index, var counters and raw prices over hand-written CSV files, and
// save/restore results are compared with a straight run of the same CLI.
// Files live in a fresh temporary directory per test case, removed afterwards.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "app.h"
#include "cli_test_support.h"
#include "json_text.h"

namespace fs = std::filesystem;

using namespace cli_test;

namespace {

/// A JSON value of a flat object: strings unescaped, other tokens raw.
struct JsonValue {
  bool is_string = false;
  std::string text;
};

/// Parses one flat JSON object (string keys; string, number, true, false or
/// null values). Returns nullopt on anything else, so a malformed line fails
/// the test instead of being half-read.
std::optional<std::vector<std::pair<std::string, JsonValue>>> parse_flat_json(const std::string& s) {
  std::size_t i = 0;
  auto ws = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  };
  auto parse_string = [&](std::string& out) -> bool {
    return i < s.size() && s[i] == '"' && pine::cli::read_json_string(s, i, out) == nullptr;
  };
  std::vector<std::pair<std::string, JsonValue>> fields;
  ws();
  if (i >= s.size() || s[i++] != '{') return std::nullopt;
  ws();
  if (i < s.size() && s[i] == '}') return i + 1 == s.size() ? std::optional(fields) : std::nullopt;
  while (true) {
    ws();
    std::string key;
    if (!parse_string(key)) return std::nullopt;
    ws();
    if (i >= s.size() || s[i++] != ':') return std::nullopt;
    ws();
    JsonValue v;
    if (i < s.size() && s[i] == '"') {
      v.is_string = true;
      if (!parse_string(v.text)) return std::nullopt;
    } else {
      while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ' ') v.text += s[i++];
      if (v.text.empty()) return std::nullopt;
    }
    fields.emplace_back(std::move(key), std::move(v));
    ws();
    if (i >= s.size()) return std::nullopt;
    if (s[i] == ',') {
      ++i;
      continue;
    }
    if (s[i] == '}') {
      ++i;
      break;
    }
    return std::nullopt;
  }
  ws();
  if (i != s.size()) return std::nullopt;
  return fields;
}

/// "key=value" pairs of a flat JSON object, strings marked with quotes, for
/// compact comparisons in CHECKs.
std::string json_summary(const std::string& line) {
  auto fields = parse_flat_json(line);
  if (!fields) return "<not a flat JSON object: " + line + ">";
  std::string out;
  for (const auto& [k, v] : *fields) {
    if (!out.empty()) out += " ";
    out += k + "=" + (v.is_string ? "\"" + v.text + "\"" : v.text);
  }
  return out;
}

/// Epoch milliseconds of a UTC calendar date (std::chrono, not the engine).
std::int64_t epoch_ms(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  const sys_days day = year_month_day{year{y}, month{m}, std::chrono::day{d}};
  return static_cast<std::int64_t>(duration_cast<milliseconds>(day.time_since_epoch()).count());
}

/// A hand-checkable script: bar_index, a var counter, a conditional na,
/// and titles exercising the column naming rules.
constexpr const char* kBasicScript = R"(//@version=6
indicator("basic")
var int n = 0
n += 1
plot(bar_index)
plot(n * 10, "Ten")
plot(close > open ? close : na)
plot(close, "a,b")
plot(open, "Ten")
)";

/// Five bars with epoch-millisecond times; the fourth has no volume.
constexpr const char* kBasicCsv =
    "time,open,high,low,close,volume\n"
    "1700000000000,10,12,9,11,100\n"
    "1700000060000,11,11.5,10,10.5,200\n"
    "1700000120000,10.5,13,10,12.25,300\n"
    "1700000180000,12,12,11,11.5,\n"
    "1700000240000,11.5,12.5,11,12.5,50\n";

/// The output kBasicScript must give on kBasicCsv, worked out by hand.
constexpr const char* kBasicExpected =
    "time,bar_index,plot,Ten,plot_1,\"a,b\",Ten_1\n"
    "1700000000000,0,0,10,11,11,10\n"
    "1700000060000,1,1,20,NaN,10.5,11\n"
    "1700000120000,2,2,30,12.25,12.25,10.5\n"
    "1700000180000,3,3,40,NaN,11.5,12\n"
    "1700000240000,4,4,50,12.5,12.5,11.5\n";

/// A script that logs at every level on bar 1 and never plots na.
constexpr const char* kLogScript = R"(//@version=6
indicator("logs")
plot(bar_index)
if bar_index == 1
    log.info("hello " + str.tostring(bar_index))
    log.warning("careful")
    log.error("bad \"thing\"")
)";

} // namespace

// Proves the default CSV output: header `time,bar_index,<titles>` with
// untitled plots named plot, plot_1, duplicate titles suffixed, RFC 4180
// quoting, shortest round-trip numbers and `NaN` for na; exit code 0 and a
// quiet stderr. Also proves --out writes the same text to a file.
TEST_CASE("cli: run writes the documented CSV") {
  TempDir dir;
  const std::string script = dir.write("basic.pine", kBasicScript);
  const std::string data = dir.write("bars.csv", kBasicCsv);
  const Result r = pinevm({"run", script, "--data", data});
  INFO("stderr: ", r.err);
  CHECK(r.code == 0);
  CHECK(r.out == kBasicExpected);
  CHECK(r.err == "");

  const std::string out_file = dir.file("out.csv");
  const Result f = pinevm({"run", script, "--data", data, "--out", out_file});
  CHECK(f.code == 0);
  CHECK(f.out == "");
  CHECK(read_file(out_file) == kBasicExpected);
}

// Proves the smallest script, one that only plots a built-in variable,
// compiles and runs (it needs no register beyond the built-in slots).
TEST_CASE("cli: a script that only plots close") {
  TempDir dir;
  const std::string script = dir.write("min.pine", "//@version=6\nindicator(\"min\")\nplot(close)\n");
  const Result r = pinevm({"run", script, "--data", dir.write("bars.csv", kBasicCsv)});
  INFO("stderr: ", r.err);
  CHECK(r.code == 0);
  CHECK(r.out == "time,bar_index,plot\n1700000000000,0,11\n1700000060000,1,10.5\n1700000120000,2,12.25\n"
                 "1700000180000,3,11.5\n1700000240000,4,12.5\n");
}

// Proves the `time` column accepts epoch seconds and ISO-8601 dates and
// writes epoch milliseconds, and that input columns may come in any order,
// in any case, with extra columns and without volume.
TEST_CASE("cli: time formats and column order") {
  TempDir dir;
  const std::string script = dir.write("s.pine", "//@version=6\nindicator(\"t\")\nplot(close + 0)\n");
  const std::string data = dir.write("bars.csv",
                                     "Close,extra,TIME,Open,High,Low\n"
                                     "1,x,1700000000,1,1,1\n"
                                     "2,y,2024-01-02,2,2,2\n"
                                     "3,z,2024-01-02T10:30:00Z,3,3,3\n"
                                     "4,w,2024-01-03T00:00:00+01:00,4,4,4\n");
  const Result r = pinevm({"run", script, "--data", data});
  INFO("stderr: ", r.err);
  REQUIRE(r.code == 0);
  const std::int64_t jan2 = epoch_ms(2024, 1, 2);
  const std::string expected = "time,bar_index,plot\n"
                               "1700000000000,0,1\n" +
                               std::to_string(jan2) + ",1,2\n" + std::to_string(jan2 + (10 * 60 + 30) * 60000) +
                               ",2,3\n" + std::to_string(epoch_ms(2024, 1, 3) - 3600000) + ",3,4\n";
  CHECK(r.out == expected);
}

// Proves --format jsonl: one flat JSON object per bar with the CSV's keys in
// order, numbers as numbers and null for na.
TEST_CASE("cli: run --format jsonl") {
  TempDir dir;
  const std::string script = dir.write("basic.pine", kBasicScript);
  const std::string data = dir.write("bars.csv", kBasicCsv);
  const Result r = pinevm({"run", script, "--data", data, "--format", "jsonl"});
  INFO("stderr: ", r.err);
  REQUIRE(r.code == 0);
  const std::vector<std::string> lines = split_lines(r.out);
  REQUIRE(lines.size() == 5);
  CHECK(json_summary(lines[0]) == "time=1700000000000 bar_index=0 plot=0 Ten=10 plot_1=11 a,b=11 Ten_1=10");
  CHECK(json_summary(lines[1]) == "time=1700000060000 bar_index=1 plot=1 Ten=20 plot_1=null a,b=10.5 Ten_1=11");
  CHECK(json_summary(lines[2]) == "time=1700000120000 bar_index=2 plot=2 Ten=30 plot_1=12.25 a,b=12.25 Ten_1=10.5");
  CHECK(json_summary(lines[3]) == "time=1700000180000 bar_index=3 plot=3 Ten=40 plot_1=null a,b=11.5 Ten_1=12");
  CHECK(json_summary(lines[4]) == "time=1700000240000 bar_index=4 plot=4 Ten=50 plot_1=12.5 a,b=12.5 Ten_1=11.5");
}

// Proves logs: without --log each record is a `LEVEL: message` line on
// stderr; with --log FILE each is one JSON object with time, bar_index, level
// and message, and stderr stays quiet; the plot output is unaffected.
TEST_CASE("cli: logs to stderr and to --log FILE") {
  TempDir dir;
  const std::string script = dir.write("logs.pine", kLogScript);
  const std::string data = dir.write("bars.csv", kBasicCsv);
  const std::string expected_out = "time,bar_index,plot\n1700000000000,0,0\n1700000060000,1,1\n"
                                   "1700000120000,2,2\n1700000180000,3,3\n1700000240000,4,4\n";

  const Result plain = pinevm({"run", script, "--data", data});
  CHECK(plain.code == 0);
  CHECK(plain.out == expected_out);
  CHECK(plain.err == "INFO: hello 1\nWARNING: careful\nERROR: bad \"thing\"\n");

  const std::string log_file = dir.file("log.jsonl");
  const Result logged = pinevm({"run", script, "--data", data, "--log", log_file});
  CHECK(logged.code == 0);
  CHECK(logged.out == expected_out);
  CHECK(logged.err == "");
  const std::vector<std::string> lines = split_lines(read_file(log_file));
  REQUIRE(lines.size() == 3);
  CHECK(json_summary(lines[0]) == "time=1700000060000 bar_index=1 level=\"info\" message=\"hello 1\"");
  CHECK(json_summary(lines[1]) == "time=1700000060000 bar_index=1 level=\"warning\" message=\"careful\"");
  CHECK(json_summary(lines[2]) == "time=1700000060000 bar_index=1 level=\"error\" message=\"bad \"thing\"\"");
}

// Proves exit code 1 for a script that does not compile, for `run` and
// `check`: stderr holds a `file:line:col: error:` diagnostic followed by a
// caret line, and (contract) the first stderr line is `pinevm: error: ...`.
TEST_CASE("cli: compile errors exit 1") {
  TempDir dir;
  const std::string script = dir.write("bad.pine", "//@version=6\nindicator(\"bad\")\nplot(nosuchvar)\n");
  const std::string data = dir.write("bars.csv", kBasicCsv);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"run", script, "--data", data}, std::vector<std::string>{"check", script}}) {
    INFO("command ", args[0]);
    const Result r = pinevm(args);
    CHECK_FAILURE(r, 1);
    CHECK(r.out == "");
    CHECK(contains(r.err, script + ":3:6: error:"));
    const std::vector<std::string> lines = split_lines(r.err);
    const bool caret = std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
      return l.find('^') != std::string::npos && l.find_first_not_of(" ^~") == std::string::npos;
    });
    CHECK_MESSAGE(caret, "no caret line in stderr");
  }
  const std::string good = dir.write("good.pine", kBasicScript);
  const Result ok = pinevm({"check", good});
  CHECK(ok.code == 0);
  CHECK(ok.err == "");
}

// Proves exit code 2 for usage errors: an unknown option, a missing --data,
// a missing subcommand, a bad --format, an --input without '=', an unknown
// input name and a malformed input value.
TEST_CASE("cli: usage errors exit 2") {
  TempDir dir;
  const std::string script = dir.write("inputs.pine", "//@version=6\nindicator(\"i\")\nlen = input.int(5, \"Length\")\n"
                                                      "plot(ta.sma(close, len))\n");
  const std::string data = dir.write("bars.csv", kBasicCsv);
  const std::vector<std::vector<std::string>> cases = {
      {"run", script, "--data", data, "--bogus"},
      {"run", script},
      {},
      {"frobnicate"},
      {"run", script, "--data", data, "--format", "xml"},
      {"run", script, "--data", data, "--input", "Length"},
      {"run", script, "--data", data, "--input", "=5"},
      {"run", script, "--data", data, "--input", "Nope=3"},
      {"run", script, "--data", data, "--input", "Length=abc"},
  };
  for (const std::vector<std::string>& args : cases) {
    std::string label;
    for (const std::string& a : args) label += a + " ";
    INFO("args: ", label);
    CHECK_FAILURE(pinevm(args), 2);
  }
  const Result unknown = pinevm({"run", script, "--data", data, "--input", "Nope=3"});
  CHECK(contains(unknown.err, "Nope"));
}

// Proves exit code 4 for a runtime error: the first stderr line names the
// bar index and the script line, and carries the script's message.
TEST_CASE("cli: runtime errors exit 4") {
  TempDir dir;
  const std::string script = dir.write("boom.pine", "//@version=6\nindicator(\"boom\")\nplot(bar_index)\n"
                                                    "if bar_index == 3\n    runtime.error(\"boom at three\")\n");
  const std::string data = dir.write("bars.csv", kBasicCsv);
  const Result r = pinevm({"run", script, "--data", data});
  CHECK_FAILURE(r, 4);
  const std::string line = first_line(r.err);
  CHECK(contains(line, "bar 3"));
  CHECK(contains(line, ":5"));
  CHECK(contains(line, "boom at three"));
}

// Proves exit code 5 for bad input data, with the offending line number in
// the message: a malformed number, an out-of-order time, a repeated time, a
// NaN price, a missing column, and a data file that does not exist.
TEST_CASE("cli: bad data exits 5") {
  TempDir dir;
  const std::string script = dir.write("s.pine", "//@version=6\nindicator(\"s\")\nplot(close + 0)\n");
  struct Case {
    const char* name;
    const char* csv;
    const char* where;  // expected in the message
  };
  const Case cases[] = {
      {"number.csv", "time,open,high,low,close\n1700000000000,1,1,1,1\n1700000060000,1,1,1,1x2\n", "number.csv:3"},
      {"order.csv",
       "time,open,high,low,close\n1700000000000,1,1,1,1\n1700000120000,1,1,1,1\n1700000060000,1,1,1,1\n",
       "order.csv:4"},
      {"repeat.csv",
       "time,open,high,low,close\n1700000000000,1,1,1,1\n1700000060000,1,1,1,1\n1700000060000,1,1,1,1\n",
       "repeat.csv:4"},
      {"nan.csv", "time,open,high,low,close\n1700000000000,1,1,1,1\n1700000060000,1,NaN,1,1\n", "nan.csv:3"},
      {"columns.csv", "time,open,high,low\n1700000000000,1,1,1\n", "columns.csv"},
  };
  for (const Case& c : cases) {
    INFO("data ", c.name);
    const std::string data = dir.write(c.name, c.csv);
    const Result r = pinevm({"run", script, "--data", data});
    CHECK_FAILURE(r, 5);
    CHECK(contains(first_line(r.err), c.where));
  }
  CHECK_FAILURE(pinevm({"run", script, "--data", dir.file("missing.csv")}), 5);
}

// Proves the CLI save/restore contract on the 2,600-bar sample: a run over
// the first k rows with --save-state, then a run over the FULL CSV with
// --restore-state, outputs exactly the header plus rows k.. of a straight
// full run, byte for byte (CSV and JSONL), and its --log lines are exactly
// the straight run's from bar k on. Also proves a chain of two restores and
// that restoring a snapshot taken after the last bar outputs only the header.
TEST_CASE("cli: save on a prefix, restore on the full CSV") {
  TempDir dir;
  for (const char* name : {"ta_all.pine", "functions.pine"}) {
    INFO("script ", name);
    const std::string script = snapshot_script(name);
    const Result full = pinevm({"run", script, "--data", sample_csv_path(), "--log", dir.file("full.log")});
    INFO("stderr: ", full.err);
    REQUIRE(full.code == 0);
    const std::vector<std::string> full_lines = split_lines(full.out);
    REQUIRE(full_lines.size() == 2601);
    const std::vector<std::string> full_logs = split_lines(read_file(dir.file("full.log")));

    auto tail_of = [&](std::size_t k) {
      std::string out = full_lines[0] + "\n";
      for (std::size_t i = k + 1; i < full_lines.size(); ++i) out += full_lines[i] + "\n";
      return out;
    };
    auto log_tail = [&](std::size_t k) {
      std::string out;
      for (const std::string& l : full_logs) {
        auto fields = parse_flat_json(l);
        REQUIRE(fields);
        REQUIRE(fields->size() >= 2);
        REQUIRE((*fields)[1].first == "bar_index");
        if (std::stoull((*fields)[1].second.text) >= k) out += l + "\n";
      }
      return out;
    };

    for (std::size_t k : {1, 100, 1300, 2599}) {
      INFO("k = ", k);
      const std::string prefix = dir.write("prefix.csv", sample_prefix(k));
      const std::string state = dir.file("state.bin");
      const Result saved = pinevm({"run", script, "--data", prefix, "--save-state", state, "--out", dir.file("p.csv"),
                                   "--log", dir.file("p.log")});
      REQUIRE(saved.code == 0);
      const Result restored = pinevm({"run", script, "--data", sample_csv_path(), "--restore-state", state, "--log",
                                      dir.file("tail.log")});
      INFO("stderr: ", restored.err);
      REQUIRE(restored.code == 0);
      CHECK(restored.out == tail_of(k));
      CHECK(read_file(dir.file("tail.log")) == log_tail(k));
    }

    // JSONL output of a restored run is the tail of the straight JSONL.
    const Result full_json = pinevm({"run", script, "--data", sample_csv_path(), "--format", "jsonl", "--log",
                                     dir.file("x.log")});
    REQUIRE(full_json.code == 0);
    const std::vector<std::string> json_lines = split_lines(full_json.out);
    REQUIRE(json_lines.size() == 2600);
    const std::string state = dir.file("json.bin");
    REQUIRE(pinevm({"run", script, "--data", dir.write("prefix.csv", sample_prefix(700)), "--save-state", state,
                    "--out", dir.file("p.csv"), "--log", dir.file("p.log")})
                .code == 0);
    const Result restored_json = pinevm({"run", script, "--data", sample_csv_path(), "--format", "jsonl",
                                         "--restore-state", state, "--log", dir.file("x.log")});
    REQUIRE(restored_json.code == 0);
    std::string expected_json;
    for (std::size_t i = 700; i < json_lines.size(); ++i) expected_json += json_lines[i] + "\n";
    CHECK(restored_json.out == expected_json);

    // Two restores in a row: 0..500 saved, 500..1800 restored and saved, then the rest.
    const std::string s1 = dir.file("s1.bin"), s2 = dir.file("s2.bin");
    REQUIRE(pinevm({"run", script, "--data", dir.write("a.csv", sample_prefix(500)), "--save-state", s1, "--out",
                    dir.file("p.csv"), "--log", dir.file("p.log")})
                .code == 0);
    const Result middle = pinevm({"run", script, "--data", dir.write("b.csv", sample_prefix(1800)), "--restore-state",
                                  s1, "--save-state", s2, "--log", dir.file("p.log")});
    REQUIRE(middle.code == 0);
    std::string expected_middle = full_lines[0] + "\n";
    for (std::size_t i = 501; i <= 1800; ++i) expected_middle += full_lines[i] + "\n";
    CHECK(middle.out == expected_middle);
    const Result last = pinevm({"run", script, "--data", sample_csv_path(), "--restore-state", s2, "--log",
                                dir.file("p.log")});
    REQUIRE(last.code == 0);
    CHECK(last.out == tail_of(1800));

    // A snapshot after the final bar: nothing new to process.
    const std::string done = dir.file("done.bin");
    REQUIRE(pinevm({"run", script, "--data", sample_csv_path(), "--save-state", done, "--out", dir.file("p.csv"),
                    "--log", dir.file("p.log")})
                .code == 0);
    const Result nothing = pinevm({"run", script, "--data", sample_csv_path(), "--restore-state", done, "--log",
                                   dir.file("p.log")});
    CHECK(nothing.code == 0);
    CHECK(nothing.out == full_lines[0] + "\n");
  }
}

// Proves --input NAME=VALUE reaches the script (Length=20 changes results),
// that a restore with the same inputs continues exactly, and that a restore
// with another value is rejected as a configuration mismatch (exit 3).
TEST_CASE("cli: inputs and configuration mismatch") {
  TempDir dir;
  const std::string script = snapshot_script("inputs.pine");
  const Result dflt = pinevm({"run", script, "--data", sample_csv_path(), "--log", dir.file("l")});
  const Result len20 = pinevm({"run", script, "--data", sample_csv_path(), "--input", "Length=20", "--log", dir.file("l")});
  REQUIRE(dflt.code == 0);
  REQUIRE(len20.code == 0);
  CHECK(dflt.out != len20.out);
  CHECK(first_line(dflt.out) == first_line(len20.out));

  const std::string state = dir.file("state.bin");
  REQUIRE(pinevm({"run", script, "--data", dir.write("prefix.csv", sample_prefix(400)), "--input", "Length=20",
                  "--save-state", state, "--out", dir.file("p.csv"), "--log", dir.file("l")})
              .code == 0);
  const Result same = pinevm({"run", script, "--data", sample_csv_path(), "--input", "Length=20", "--restore-state",
                              state, "--log", dir.file("l")});
  REQUIRE(same.code == 0);
  const std::vector<std::string> lines = split_lines(len20.out);
  std::string expected = lines[0] + "\n";
  for (std::size_t i = 401; i < lines.size(); ++i) expected += lines[i] + "\n";
  CHECK(same.out == expected);

  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"--input", "Length=21"}, std::vector<std::string>{},
        std::vector<std::string>{"--input", "Length=20", "--symbol", "NYSE:IBM"},
        std::vector<std::string>{"--input", "Length=20", "--timeframe", "1W"}}) {
    std::vector<std::string> args = {"run", script, "--data", sample_csv_path(), "--restore-state", state};
    args.insert(args.end(), extra.begin(), extra.end());
    std::string label;
    for (const std::string& a : extra) label += a + " ";
    INFO("extra args: ", label);
    const Result r = pinevm(args);
    CHECK_FAILURE(r, 3);
    CHECK(contains(first_line(r.err), "config"));
    CHECK(r.out == "");
  }
}

// Proves exit code 3 whenever a snapshot is rejected: garbage bytes, a text
// file, a truncated snapshot, a snapshot of another script (with a message
// telling to replay history), a missing file; and `inspect` of garbage and
// of a truncated snapshot.
TEST_CASE("cli: rejected snapshots exit 3") {
  TempDir dir;
  const std::string script = dir.write("basic.pine", kBasicScript);
  const std::string other = dir.write("other.pine", "//@version=6\nindicator(\"o\")\nplot(close * 2)\n");
  const std::string data = dir.write("bars.csv", kBasicCsv);
  const std::string prefix = dir.write("prefix.csv", std::string(kBasicCsv).substr(0, std::string(kBasicCsv).find("1700000120000")));
  const std::string good = dir.file("good.bin");
  REQUIRE(pinevm({"run", script, "--data", prefix, "--save-state", good}).code == 0);
  const std::string bytes = read_file(good);
  REQUIRE(bytes.size() > 128);

  std::mt19937_64 rng(5);
  std::string garbage(4096, '\0');
  for (char& c : garbage) c = static_cast<char>(rng());
  const std::string garbage_file = dir.write("garbage.bin", garbage);
  const std::string text_file = dir.write("text.bin", std::string(kBasicCsv));
  const std::string truncated = dir.write("truncated.bin", bytes.substr(0, bytes.size() - 10));
  const std::string short_header = dir.write("short.bin", bytes.substr(0, 60));
  std::string flipped_bytes = bytes;
  flipped_bytes[bytes.size() / 2 + 64] ^= 0x10;
  const std::string flipped = dir.write("flipped.bin", flipped_bytes);

  for (const std::string& state : {garbage_file, text_file, truncated, short_header, flipped, dir.file("missing.bin")}) {
    INFO("state ", state);
    const Result r = pinevm({"run", script, "--data", data, "--restore-state", state});
    CHECK_FAILURE(r, 3);
    CHECK(r.out == "");
  }
  const Result foreign = pinevm({"run", other, "--data", data, "--restore-state", good});
  CHECK_FAILURE(foreign, 3);
  CHECK(contains(foreign.err, "replay history"));

  for (const std::string& state : {garbage_file, truncated, short_header, text_file}) {
    INFO("inspect ", state);
    for (bool json : {false, true}) {
      std::vector<std::string> args = {"inspect", state};
      if (json) args.push_back("--json");
      const Result r = pinevm(args);
      CHECK_FAILURE(r, 3);
      CHECK(r.out == "");
    }
  }
  // The good snapshot still restores: the rejections were about the damage.
  const Result ok = pinevm({"run", script, "--data", data, "--restore-state", good});
  CHECK(ok.code == 0);
  CHECK(ok.out == "time,bar_index,plot,Ten,plot_1,\"a,b\",Ten_1\n"
                  "1700000120000,2,2,30,12.25,12.25,10.5\n"
                  "1700000180000,3,3,40,NaN,11.5,12\n"
                  "1700000240000,4,4,50,12.5,12.5,11.5\n");
}

// Proves `inspect` prints the header without restoring: text lines
// `name: value` and one JSON object with the documented keys; the bar count
// and last bar time are the ones of the run that saved it (bar 100 of the
// sample data is 2016-05-25, read from the CSV by hand).
TEST_CASE("cli: inspect prints the snapshot header") {
  TempDir dir;
  const std::string state = dir.file("state.bin");
  REQUIRE(pinevm({"run", snapshot_script("ta_all.pine"), "--data", dir.write("p.csv", sample_prefix(100)),
                  "--save-state", state, "--out", dir.file("o.csv")})
              .code == 0);
  const std::vector<std::string> csv = split_lines(sample_prefix(100));
  REQUIRE(csv.size() == 101);
  const std::string date = csv[100].substr(0, csv[100].find(','));
  REQUIRE(date.size() == 10);
  const std::int64_t last_time =
      epoch_ms(std::stoi(date.substr(0, 4)), static_cast<unsigned>(std::stoi(date.substr(5, 2))),
               static_cast<unsigned>(std::stoi(date.substr(8, 2))));

  const Result text = pinevm({"inspect", state});
  INFO("stderr: ", text.err);
  REQUIRE(text.code == 0);
  const std::vector<std::string> lines = split_lines(text.out);
  std::map<std::string, std::string> fields;
  for (const std::string& l : lines) {
    // "name: value", the name in words or snake_case, the value maybe aligned.
    const auto colon = l.find(':');
    REQUIRE(colon != std::string::npos);
    std::string name = l.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](char c) { return c == ' ' ? '_' : c; });
    const std::string value = l.substr(colon + 1);
    fields[name] = value.substr(std::min(value.size(), value.find_first_not_of(' ')));
  }
  CHECK(fields["bars_processed"] == "100");
  CHECK(starts_with(fields["format_version"], "1"));
  CHECK(contains(fields["last_bar_time"], std::to_string(last_time)));

  const Result json = pinevm({"inspect", state, "--json"});
  REQUIRE(json.code == 0);
  const std::vector<std::string> json_lines = split_lines(json.out);
  REQUIRE(json_lines.size() == 1);
  auto parsed = parse_flat_json(json_lines[0]);
  REQUIRE(parsed);
  std::map<std::string, JsonValue> obj(parsed->begin(), parsed->end());
  for (const char* key : {"format_version", "min_reader_version", "flags", "engine_version", "program_hash",
                          "config_hash", "bars_processed", "last_bar_time", "last_bar_time_iso",
                          "payload_compressed_size", "payload_uncompressed_size", "compression_ratio",
                          "payload_hash", "header_hash"}) {
    INFO("key ", key);
    CHECK(obj.count(key) == 1);
  }
  CHECK(obj["bars_processed"].text == "100");
  CHECK(obj["last_bar_time"].text == std::to_string(last_time));
  CHECK(starts_with(obj["last_bar_time_iso"].text, date));
  CHECK(obj["program_hash"].text.size() == 32);
  CHECK(obj["program_hash"].text.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(std::to_string(fs::file_size(state) - 128) == obj["payload_compressed_size"].text);
}

// Proves `compile -o FILE.pvmc` writes a program that `disasm` shows exactly
// as it shows the source script.
TEST_CASE("cli: compile then disasm equals disasm of the source") {
  TempDir dir;
  for (const char* name : {"ta_all.pine", "functions.pine", "inputs.pine"}) {
    INFO("script ", name);
    const std::string pvmc = dir.file("x.pvmc");
    const Result c = pinevm({"compile", snapshot_script(name), "-o", pvmc});
    INFO("stderr: ", c.err);
    REQUIRE(c.code == 0);
    const Result from_file = pinevm({"disasm", pvmc});
    const Result from_source = pinevm({"disasm", snapshot_script(name)});
    REQUIRE(from_file.code == 0);
    REQUIRE(from_source.code == 0);
    CHECK(from_source.out.size() > 100);
    CHECK(from_file.out == from_source.out);
  }
}

// Proves --save-state writes atomically without leftovers: after saving (and
// overwriting the same snapshot twice) the directory holds only the snapshot,
// and the overwritten snapshot is the newer one.
TEST_CASE("cli: --save-state leaves no temporary files") {
  TempDir dir;
  const std::string script = dir.write("basic.pine", kBasicScript);
  const std::string data = dir.write("bars.csv", kBasicCsv);
  fs::create_directory(dir.path() / "states");
  const std::string state = (dir.path() / "states" / "s.bin").string();
  REQUIRE(pinevm({"run", script, "--data", data, "--save-state", state}).code == 0);
  const std::string first = read_file(state);
  const std::string prefix = dir.write("prefix.csv", std::string(kBasicCsv).substr(0, std::string(kBasicCsv).find("1700000120000")));
  REQUIRE(pinevm({"run", script, "--data", prefix, "--save-state", state}).code == 0);
  REQUIRE(pinevm({"run", script, "--data", prefix, "--save-state", state}).code == 0);
  std::vector<std::string> names;
  for (const fs::directory_entry& e : fs::directory_iterator(dir.path() / "states")) names.push_back(e.path().filename());
  CHECK(names == std::vector<std::string>{"s.bin"});
  CHECK(read_file(state) != first);
  const Result inspect = pinevm({"inspect", state, "--json"});
  REQUIRE(inspect.code == 0);
  auto parsed = parse_flat_json(first_line(inspect.out));
  REQUIRE(parsed);
  std::map<std::string, JsonValue> obj(parsed->begin(), parsed->end());
  CHECK(obj["bars_processed"].text == "2");
}

namespace {

/// Logs the symbol and chart context on the first bar.
const char* const kContextScript =
    "//@version=6\nindicator(\"ctx\")\nif barstate.isfirst\n"
    "    log.info(syminfo.tickerid + \" \" + syminfo.ticker + \" \" + timeframe.period + \" \" + syminfo.description + "
    "\" \" + str.tostring(syminfo.mintick) + \" \" + str.tostring(hour) + \" \" + str.tostring(na(syminfo.sector)))\n"
    "plot(close)\n";

/// One bar at 2024-01-02 10:00 UTC.
const char* const kOneBar = "time,open,high,low,close\n2024-01-02T10:00:00Z,1,2,0.5,1.5\n";

} // namespace

// Proves --symbol, --timeframe and --syminfo reach syminfo.* and
// timeframe.*: the defaults (PINEVM:SAMPLE, 1D, 0.01, Etc/UTC), then a
// symbol, an hourly timeframe and a file that sets the description, the
// price scale (mintick 1/1000) and a time zone five hours behind UTC
// (10:00 UTC is 05:00 there).
TEST_CASE("cli: --symbol, --timeframe and --syminfo") {
  TempDir dir;
  const std::string script = dir.write("ctx.pine", kContextScript);
  const std::string data = dir.write("bars.csv", kOneBar);
  const Result dflt = pinevm({"run", script, "--data", data});
  REQUIRE(dflt.code == 0);
  CHECK(dflt.err == "INFO: PINEVM:SAMPLE SAMPLE 1D Sample symbol 0.01 10 true\n");

  const std::string info = dir.write(
      "info.json", "{\n  \"description\": \"International Business Machines\",\n  \"pricescale\": 1000,\n"
                   "  \"timezone\": \"UTC-5\", \"sector\": \"Technology Services\", \"country\": null\n}\n");
  const Result set = pinevm({"run", script, "--data", data, "--symbol", "NYSE:IBM", "--timeframe", "60", "--syminfo", info});
  REQUIRE(set.code == 0);
  CHECK(set.err == "INFO: NYSE:IBM IBM 60 International Business Machines 0.001 5 false\n");

  // A snapshot made with one --syminfo does not restore under another.
  const std::string state = dir.file("state.bin");
  REQUIRE(pinevm({"run", script, "--data", data, "--syminfo", info, "--save-state", state}).code == 0);
  CHECK(pinevm({"run", script, "--data", data, "--syminfo", info, "--restore-state", state}).code == 0);
  const Result other = pinevm({"run", script, "--data", data, "--restore-state", state});
  CHECK_FAILURE(other, 3);
  CHECK(contains(first_line(other.err), "config"));
}

// Proves malformed symbol information is a usage error (exit 2) whose first
// line names the file and the position or field at fault.
TEST_CASE("cli: bad --syminfo, --symbol and --timeframe exit 2") {
  TempDir dir;
  const std::string script = dir.write("ctx.pine", kContextScript);
  const std::string data = dir.write("bars.csv", kOneBar);
  struct Case {
    const char* json;
    const char* message;
  };
  for (const Case& c : {Case{"{\"description\": \"x\",}", "line 1, column 21: expected a field name in double quotes"},
                        Case{"{\"description\": \"x\"", "line 1, column 20: expected ',' or '}' after a value"},
                        Case{"[1, 2]", "line 1, column 1: the file must hold one JSON object"},
                        Case{"{\"pricescale\": \"100\"}", "field 'pricescale' must be an integer"},
                        Case{"{\"pricescale\": 0}", "syminfo 'pricescale' must be a positive integer"},
                        Case{"{\"timezone\": \"Mars/Olympus\"}", "'Mars/Olympus' is unknown"},
                        Case{"{\"ticker\": \"X\"}", "field 'ticker' comes from --symbol"},
                        Case{"{\"mintick\": 0.5}", "field 'mintick' is derived"},
                        Case{"{\"colour\": \"red\"}", "field 'colour' is not a symbol information field"},
                        Case{"{\"root\": \"A\", \"root\": \"B\"}", "field 'root' is given twice"},
                        Case{"{\"sector\": {\"a\": 1}}", "field 'sector': nested objects and arrays are not supported"}}) {
    INFO("json: ", c.json);
    const std::string path = dir.write("bad.json", c.json);
    const Result r = pinevm({"run", script, "--data", data, "--syminfo", path});
    CHECK_FAILURE(r, 2);
    CHECK(contains(first_line(r.err), "--syminfo '" + path + "': "));
    CHECK(contains(first_line(r.err), c.message));
  }
  CHECK_FAILURE(pinevm({"run", script, "--data", data, "--syminfo", dir.file("missing.json")}), 2);
  const Result tf = pinevm({"run", script, "--data", data, "--timeframe", "1H"});
  CHECK_FAILURE(tf, 2);
  CHECK(contains(first_line(tf.err), "the timeframe '1H' is not valid"));
  const Result sym = pinevm({"run", script, "--data", data, "--symbol", "NYSE:"});
  CHECK_FAILURE(sym, 2);
  CHECK(contains(first_line(sym.err), "has no ticker"));
}
