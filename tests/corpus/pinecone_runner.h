// Runs the pinecone conformance fixtures (tests/data/pinecone) on pinevm.
//
// A fixture is a Pine script whose comments carry its own test directives
// (tests/data/pinecone/README.md). They are
// read as pinecone's own harness reads them (its tests/integration.rs):
// - `// Bars: N`: run over the LAST N bars of the data file (default 1). The
//   instance starts fresh on the first of them, so bar_index counts from 0,
//   `last_bar_index` is N - 1 and `last_bar_time` the last bar's time.
// - `// Data: FILE`: bars from `<data dir>/FILE` (default `bars.csv`).
// - `// Timeframe: TF`: the chart timeframe, handed to InstanceBuilder as
//   text (default "1S", the one-second spacing of bars.csv).
// - `// Inputs: {json}`: a flat JSON object of input overrides keyed by input
//   title; each value is given to InstanceBuilder::input as text (numbers as
//   written, `true`/`false`, strings without their quotes).
// - `// Expected output:`: the text after the marker (if any) and every
//   following comment line, trimmed, blank ones skipped, up to the first
//   line of code, are the expected log messages of the whole run, in order.
//   Lines `(alert): <message>` are the alerts (alert(), alertcondition())
//   fired on the last bar, after every log line, as pinecone's harness
//   appends them; alerts of earlier bars are not compared.
// - `// Expected error:`: the same kind of block, its lines joined with '\n';
//   the script must fail to compile, be refused by the instance builder or
//   stop with a runtime error, and the error's text must contain it.
// The directive lines are found by their trimmed text starting with the
// marker; the first such line wins. When both blocks exist, the expected
// output is used (as pinecone does).
//
// Log messages are compared by text only; every level (info, warning, error)
// counts, in emission order.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pine/vm/bar.h"

namespace pine::corpus {

/// The directives of one fixture.
struct FixtureSpec {
  std::size_t bars = 1;                ///< `// Bars:`
  std::string data_file = "bars.csv";  ///< `// Data:`
  std::string timeframe = "1S";        ///< `// Timeframe:`
  /// `// Inputs:` as (title, value text) pairs, in the object's order.
  std::vector<std::pair<std::string, std::string>> inputs;
  bool expects_output = false;              ///< has an `// Expected output:` block
  std::vector<std::string> expected_output; ///< its lines (trimmed, non-empty)
  bool expects_error = false;               ///< has an `// Expected error:` block (and no output block)
  std::string expected_error;               ///< its lines joined with '\n'
  /// Non-empty when a directive is malformed (a bad `Bars` count, bad JSON,
  /// no expectation at all): the fixture then fails as a harness error.
  std::string directive_error;
};

/// Reads the directives of a fixture's source text. Never throws: problems
/// are reported in FixtureSpec::directive_error.
FixtureSpec parse_fixture(std::string_view source);

/// Parses a flat JSON object (`{"a": 1, "b": "x", "c": true}`) into (key,
/// value text) pairs. Returns false and sets `why` when it is not one.
bool parse_flat_json_object(std::string_view text, std::vector<std::pair<std::string, std::string>>& out,
                            std::string& why);

/// How a fixture run ended.
enum class Outcome {
  Pass,          ///< logs equal the expected output, or the expected error happened
  CompileError,  ///< the script did not compile (output was expected)
  InputError,    ///< an `Inputs` override was refused by InstanceBuilder
  RuntimeError,  ///< the script stopped with a runtime error (output was expected)
  WrongOutput,   ///< it ran, but the logs differ from the expected output
  WrongError,    ///< it failed as expected, but with a different message
  MissingError,  ///< an error was expected, but the script compiled and ran
  HarnessError,  ///< bad directives, unreadable data, an unexpected exception
};

/// Short stable name of an outcome ("pass", "compile-error", ...).
const char* outcome_name(Outcome outcome);

/// The result of one fixture run.
struct FixtureResult {
  Outcome outcome = Outcome::HarnessError;
  /// One line: the error message, the first difference, or why it is unsupported.
  std::string detail;
  std::vector<std::string> logs; ///< messages the run logged, in order
  /// "outcome: detail", for test messages and reports.
  std::string summary() const;
};

/// Where fixtures find their data and how instances are configured.
struct RunnerOptions {
  std::filesystem::path data_dir;     ///< the folder of `// Data:` files
  std::string symbol = "NASDAQ:AAPL"; ///< the fixtures' symbol
  std::string file_name = "script.pine"; ///< used in compile diagnostics
};

/// Reads a fixture data file: a CSV with a `time,open,high,low,close[,volume]`
/// header (any order), `#` comment lines and blank lines, `time` always in
/// epoch milliseconds. (cli's read_bars_csv takes values below 1e11 as
/// seconds, which would misread bars.csv's times 0, 1000, ...) Throws
/// std::runtime_error naming the file and line on malformed input.
std::vector<Bar> read_fixture_bars(const std::filesystem::path& path);

/// Runs one fixture given its source and parsed directives.
FixtureResult run_fixture(std::string_view source, const FixtureSpec& spec, const RunnerOptions& options);

/// Reads, parses and runs one fixture file.
FixtureResult run_fixture_file(const std::filesystem::path& path, const RunnerOptions& options);

/// True when a fixture (path relative to the fixture root, '/'-separated)
/// counts in the conformance figures: not in the folders needing later
/// features (strategy request labels line box table footprint), not a
/// library (libraries/), not in data/.
bool in_scope(std::string_view relative_path);

/// True when `expected` is a pinecone diagnostic "error [code] L:C: message"
/// and a pinevm compile error on `line` with `message` reports the same
/// finding (see docs/conformance.md, "What counts").
bool equivalent_diagnostic(const std::string& expected, std::uint32_t line, const std::string& message);

/// The lines of a list file (passing.txt, running.txt), without trailing
/// spaces or carriage returns, blank lines and `#` comments.
std::vector<std::string> read_list(const std::filesystem::path& path);

/// Every `.pine` file under `root` as '/'-separated relative paths, sorted.
std::vector<std::string> list_fixtures(const std::filesystem::path& root);

} // namespace pine::corpus
