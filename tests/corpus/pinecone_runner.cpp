// Runs the pinecone conformance fixtures on pinevm (see pinecone_runner.h).
#include "pinecone_runner.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <exception>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "json_text.h"
#include "pine/compiler/compile.h"
#include "pine/vm/instance.h"

namespace fs = std::filesystem;

namespace pine::corpus {

namespace {

/// `text` without leading and trailing spaces, tabs, CR and LF.
std::string_view trim(std::string_view text) {
  // True for the characters trimmed.
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

/// Splits `text` into lines (LF or CRLF; the CR is left for trim()).
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      lines.push_back(text);
      break;
    }
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  return lines;
}

/// The trimmed rest of the first line whose trimmed text starts with
/// `marker`, or nothing when no line does.
bool find_directive(const std::vector<std::string_view>& lines, std::string_view marker, std::string& value) {
  for (std::string_view line : lines) {
    const std::string_view t = trim(line);
    if (t.starts_with(marker)) {
      value = std::string(trim(t.substr(marker.size())));
      return true;
    }
  }
  return false;
}

/// The block of a `// Expected ...:` marker: the inline text after the
/// marker, then every following comment line (trimmed, blank ones skipped)
/// until the first non-blank line that is not a comment.
std::vector<std::string> collect_block(const std::vector<std::string_view>& lines, std::string_view marker) {
  std::vector<std::string> out;
  bool in_block = false;
  for (std::string_view line : lines) {
    const std::string_view t = trim(line);
    if (t.starts_with(marker)) {
      in_block = true;
      const std::string_view rest = trim(t.substr(marker.size()));
      if (!rest.empty()) out.emplace_back(rest);
      continue;
    }
    if (!in_block) continue;
    if (t.starts_with("//")) {
      const std::string_view value = trim(t.substr(2));
      if (!value.empty()) out.emplace_back(value);
    } else if (!t.empty()) {
      break;
    }
  }
  return out;
}

/// A JSON string literal's content starting at text[pos] == '"'; advances
/// pos past the closing quote (the CLI's reader, json_text.h).
bool parse_json_string(std::string_view text, std::size_t& pos, std::string& out, std::string& why) {
  if (const char* error = pine::cli::read_json_string(text, pos, out)) {
    why = error;
    return false;
  }
  return true;
}

/// Skips JSON whitespace.
void skip_ws(std::string_view text, std::size_t& pos) {
  while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r' || text[pos] == '\n'))
    ++pos;
}

/// Quotes a log message for a one-line diff.
std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

/// One line describing the first difference between two message lists.
std::string first_difference(const std::vector<std::string>& expected, const std::vector<std::string>& actual) {
  const std::string counts =
      " (expected " + std::to_string(expected.size()) + " lines, got " + std::to_string(actual.size()) + ")";
  const std::size_t n = std::min(expected.size(), actual.size());
  for (std::size_t i = 0; i < n; ++i)
    if (expected[i] != actual[i])
      return "line " + std::to_string(i + 1) + ": expected " + in_quotes(expected[i]) + " got " + in_quotes(actual[i]) +
             counts;
  if (expected.size() > n) return "line " + std::to_string(n + 1) + ": expected " + in_quotes(expected[n]) + ", missing" + counts;
  return "line " + std::to_string(n + 1) + ": unexpected extra " + in_quotes(actual[n]) + counts;
}

/// The first line of a (possibly multi-line) text.
std::string first_line(std::string_view text) {
  const std::size_t nl = text.find('\n');
  return std::string(nl == std::string_view::npos ? text : text.substr(0, nl));
}

/// The first error diagnostic's "line:col: message", for one-line details.
std::string first_error(const CompileResult& r) {
  for (const Diagnostic& d : r.diagnostics)
    if (d.severity == Severity::Error)
      return std::to_string(d.loc.line) + ":" + std::to_string(d.loc.col) + ": " + d.message;
  return "compilation failed without an error diagnostic";
}

/// Parses a double CSV field; throws naming the file, line and column.
double parse_price(std::string_view field, const fs::path& path, std::size_t line, const std::string& column) {
  const std::string_view t = trim(field);
  double v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size())
    throw std::runtime_error(path.string() + ":" + std::to_string(line) + ": column '" + column + "': not a number: \"" +
                             std::string(t) + "\"");
  return v;
}

/// Splits a CSV line on commas (the fixture files use no quoting).
std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> out;
  while (true) {
    const std::size_t comma = line.find(',');
    out.push_back(trim(line.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    line.remove_prefix(comma + 1);
  }
  return out;
}

/// Moves the instance's pending records into `logs` (log messages) and
/// `alerts` (the alerts fired on the bar just run, replacing the previous
/// bar's), as pinecone's harness sees them.
void take_logs(Instance& inst, std::vector<std::string>& logs, std::vector<std::string>& alerts) {
  alerts.clear();
  for (LogRecord& log : inst.take_logs()) {
    if (log.level == LogLevel::Alert) alerts.push_back("(alert): " + log.message);
    else logs.push_back(std::move(log.message));
  }
}

} // namespace

/// Parses a flat JSON object into (key, value text) pairs (see the header).
bool parse_flat_json_object(std::string_view text, std::vector<std::pair<std::string, std::string>>& out,
                            std::string& why) {
  out.clear();
  std::size_t pos = 0;
  skip_ws(text, pos);
  if (pos >= text.size() || text[pos] != '{') {
    why = "expected '{'";
    return false;
  }
  ++pos;
  skip_ws(text, pos);
  if (pos < text.size() && text[pos] == '}') {
    ++pos;
  } else {
    while (true) {
      skip_ws(text, pos);
      if (pos >= text.size() || text[pos] != '"') {
        why = "expected a key string";
        return false;
      }
      std::string key;
      if (!parse_json_string(text, pos, key, why)) return false;
      skip_ws(text, pos);
      if (pos >= text.size() || text[pos] != ':') {
        why = "expected ':' after key \"" + key + "\"";
        return false;
      }
      ++pos;
      skip_ws(text, pos);
      if (pos >= text.size()) {
        why = "missing value for \"" + key + "\"";
        return false;
      }
      std::string value;
      if (text[pos] == '"') {
        if (!parse_json_string(text, pos, value, why)) return false;
      } else if (text[pos] == '{' || text[pos] == '[') {
        why = "value of \"" + key + "\" is not a scalar";
        return false;
      } else {
        const std::size_t start = pos;
        while (pos < text.size() && text[pos] != ',' && text[pos] != '}') ++pos;
        value = std::string(trim(text.substr(start, pos - start)));
        if (value.empty()) {
          why = "missing value for \"" + key + "\"";
          return false;
        }
      }
      out.emplace_back(std::move(key), std::move(value));
      skip_ws(text, pos);
      if (pos < text.size() && text[pos] == ',') {
        ++pos;
        continue;
      }
      if (pos < text.size() && text[pos] == '}') {
        ++pos;
        break;
      }
      why = "expected ',' or '}'";
      return false;
    }
  }
  skip_ws(text, pos);
  if (pos != text.size()) {
    why = "text after the object";
    return false;
  }
  return true;
}

/// Reads a fixture's directives the way pinecone's harness does.
FixtureSpec parse_fixture(std::string_view source) {
  FixtureSpec spec;
  const std::vector<std::string_view> lines = split_lines(source);
  std::string value;
  if (find_directive(lines, "// Bars:", value)) {
    std::size_t n = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || p != value.data() + value.size() || n == 0)
      spec.directive_error = "bad `// Bars:` count \"" + value + "\"";
    else
      spec.bars = n;
  }
  if (find_directive(lines, "// Data:", value) && !value.empty()) spec.data_file = value;
  if (find_directive(lines, "// Timeframe:", value) && !value.empty()) spec.timeframe = value;
  if (find_directive(lines, "// Inputs:", value)) {
    std::string why;
    if (!parse_flat_json_object(value, spec.inputs, why)) spec.directive_error = "bad `// Inputs:` JSON: " + why;
  }
  if (source.find("// Expected output:") != std::string_view::npos) {
    spec.expects_output = true;
    spec.expected_output = collect_block(lines, "// Expected output:");
  } else if (source.find("// Expected error:") != std::string_view::npos) {
    spec.expects_error = true;
    const std::vector<std::string> block = collect_block(lines, "// Expected error:");
    for (std::size_t i = 0; i < block.size(); ++i) spec.expected_error += (i ? "\n" : "") + block[i];
    if (spec.expected_error.empty()) spec.directive_error = "empty `// Expected error:` block";
  } else if (spec.directive_error.empty()) {
    spec.directive_error = "no `// Expected output:` or `// Expected error:` block";
  }
  return spec;
}

/// The stable short name of an outcome.
const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::Pass: return "pass";
    case Outcome::CompileError: return "compile-error";
    case Outcome::InputError: return "input-error";
    case Outcome::RuntimeError: return "runtime-error";
    case Outcome::WrongOutput: return "wrong-output";
    case Outcome::WrongError: return "wrong-error";
    case Outcome::MissingError: return "missing-error";
    case Outcome::HarnessError: return "harness-error";
  }
  return "?";
}

/// "outcome: detail".
std::string FixtureResult::summary() const { return std::string(outcome_name(outcome)) + ": " + detail; }

/// Reads a fixture data file (millisecond times, '#' comments).
std::vector<Bar> read_fixture_bars(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open data file " + path.string());
  std::vector<Bar> bars;
  std::map<std::string, std::size_t> column; // lower-case name -> field index
  bool have_header = false;
  std::string raw;
  std::size_t line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    const std::vector<std::string_view> fields = split_fields(line);
    if (!have_header) {
      for (std::size_t i = 0; i < fields.size(); ++i) {
        std::string name(fields[i]);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        column.emplace(name, i); // the first of a repeated name wins
      }
      for (const char* required : {"time", "open", "high", "low", "close"})
        if (!column.contains(required))
          throw std::runtime_error(path.string() + ":" + std::to_string(line_no) + ": no '" + required + "' column");
      have_header = true;
      continue;
    }
    // The field of a named column on this row.
    const auto field = [&](const char* name) -> std::string_view {
      const std::size_t i = column.at(name);
      if (i >= fields.size())
        throw std::runtime_error(path.string() + ":" + std::to_string(line_no) + ": missing column '" + name + "'");
      return fields[i];
    };
    Bar bar;
    const std::string_view t = field("time");
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), bar.time);
    if (ec != std::errc() || p != t.data() + t.size())
      throw std::runtime_error(path.string() + ":" + std::to_string(line_no) + ": column 'time': not an integer: \"" +
                               std::string(t) + "\"");
    bar.open = parse_price(field("open"), path, line_no, "open");
    bar.high = parse_price(field("high"), path, line_no, "high");
    bar.low = parse_price(field("low"), path, line_no, "low");
    bar.close = parse_price(field("close"), path, line_no, "close");
    bar.volume = column.contains("volume") ? parse_price(field("volume"), path, line_no, "volume") : std::nan("");
    bars.push_back(bar);
  }
  if (!have_header) throw std::runtime_error(path.string() + ": no header row");
  return bars;
}

/// Compiles and runs one fixture, then compares its logs or error with the
/// expectation.
FixtureResult run_fixture(std::string_view source, const FixtureSpec& spec, const RunnerOptions& options) {
  FixtureResult result;
  if (!spec.directive_error.empty()) {
    result.outcome = Outcome::HarnessError;
    result.detail = spec.directive_error;
    return result;
  }

  // The whole text of the failure, when the script fails; matched against
  // an expected error.
  std::string error_text;
  Outcome failure = Outcome::Pass;
  std::uint32_t first_error_line = 0;
  std::string first_error_message;
  try {
    const std::vector<Bar> all = read_fixture_bars(options.data_dir / spec.data_file);
    const std::size_t n = std::min(spec.bars, all.size());
    const std::span<const Bar> bars(all.data() + (all.size() - n), n);

    // `import mylib` reads libraries/mylib.pine next to the data folder.
    CompileOptions compile_options;
    compile_options.file_name = options.file_name;
    compile_options.lib_paths = {(options.data_dir.parent_path() / "libraries").string()};
    const CompileResult compiled = compile(source, compile_options);
    if (!compiled.ok()) {
      failure = Outcome::CompileError;
      error_text = compiled.format(source, options.file_name);
      result.detail = first_error(compiled);
      for (const Diagnostic& d : compiled.diagnostics) {
        if (d.severity != Severity::Error) continue;
        first_error_line = d.loc.line;
        first_error_message = d.message;
        break;
      }
    } else {
      InstanceBuilder builder(compiled.program);
      try {
        builder.symbol(options.symbol).timeframe(spec.timeframe);
        for (const auto& [title, value] : spec.inputs) builder.input(title, value);
      } catch (const std::invalid_argument& e) {
        failure = Outcome::InputError;
        error_text = e.what();
        result.detail = e.what();
      }
      if (failure == Outcome::Pass) {
        Instance inst = builder.build();
        inst.set_last_bar_index(static_cast<std::int64_t>(n) - 1);
        if (n > 0) inst.set_last_chart_bar_time(bars.back().time);
        // The alerts of the last bar run follow all the logs (pinecone's
        // harness surfaces the final bar's alerts after the logs).
        std::vector<std::string> alerts;
        try {
          for (const Bar& bar : bars) {
            inst.run_bar(bar);
            take_logs(inst, result.logs, alerts);
          }
          result.logs.insert(result.logs.end(), alerts.begin(), alerts.end());
        } catch (const pine::RuntimeError& e) {
          take_logs(inst, result.logs, alerts);
          failure = Outcome::RuntimeError;
          error_text = std::string(e.what()) + "\n" + e.message();
          result.detail = "bar " + std::to_string(e.bar_index()) + ", line " + std::to_string(e.line()) + ": " +
                          first_line(e.message());
        }
      }
    }
  } catch (const std::exception& e) {
    result.outcome = Outcome::HarnessError;
    result.detail = std::string("unexpected exception: ") + first_line(e.what());
    return result;
  }

  if (spec.expects_error) {
    if (failure == Outcome::Pass) {
      result.outcome = Outcome::MissingError;
      result.detail = "expected an error containing " + in_quotes(spec.expected_error) + ", but the script ran";
    } else if (error_text.find(spec.expected_error) != std::string::npos) {
      result.outcome = Outcome::Pass;
    } else if (failure == Outcome::CompileError && equivalent_diagnostic(spec.expected_error, first_error_line, first_error_message)) {
      result.outcome = Outcome::Pass;
      result.detail = "equivalent diagnostic: " + result.detail;
    } else {
      result.outcome = Outcome::WrongError;
      result.detail = "expected an error containing " + in_quotes(spec.expected_error) + ", got " +
                      std::string(outcome_name(failure)) + " " + in_quotes(result.detail);
    }
    return result;
  }

  if (failure != Outcome::Pass) {
    result.outcome = failure;
    return result;
  }
  if (result.logs == spec.expected_output) {
    result.outcome = Outcome::Pass;
  } else {
    result.outcome = Outcome::WrongOutput;
    result.detail = first_difference(spec.expected_output, result.logs);
  }
  return result;
}

/// Reads a fixture file and runs it, naming diagnostics after the file.
FixtureResult run_fixture_file(const fs::path& path, const RunnerOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    FixtureResult r;
    r.detail = "cannot open fixture " + path.string();
    return r;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string source = ss.str();
  RunnerOptions opts = options;
  opts.file_name = path.filename().string();
  return run_fixture(source, parse_fixture(source), opts);
}

/// True unless the fixture's top folder is one the figures leave out.
bool in_scope(std::string_view relative_path) {
  const std::size_t slash = relative_path.find('/');
  if (slash == std::string_view::npos) return true;
  const std::string_view folder = relative_path.substr(0, slash);
  for (std::string_view excluded :
       {"request", "labels", "line", "box", "table", "footprint", "chart", "libraries", "data"})
    if (folder == excluded) return false;
  return true;
}

/// Every .pine file under root, relative and sorted.
std::vector<std::string> list_fixtures(const fs::path& root) {
  std::vector<std::string> out;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && e.path().extension() == ".pine")
      out.push_back(fs::relative(e.path(), root).generic_string());
  std::sort(out.begin(), out.end());
  return out;
}

/// True when `expected` is a pinecone diagnostic "error [code] L:C: message"
/// and pinevm's first compile error is the same finding in its own words: on
/// line L, naming every `backticked` identifier of the message (pinevm
/// quotes them with '). The column is not compared: the engines point at
/// different tokens of the same construct (the call or the argument).
bool equivalent_diagnostic(const std::string& expected, std::uint32_t line, const std::string& message) {
  if (expected.rfind("error [", 0) != 0) return false;
  const std::size_t close = expected.find("] ");
  if (close == std::string::npos) return false;
  const std::size_t colon = expected.find(':', close + 2);
  if (colon == std::string::npos) return false;
  std::uint32_t expected_line = 0;
  for (std::size_t i = close + 2; i < colon; ++i) {
    if (expected[i] < '0' || expected[i] > '9') return false;
    expected_line = expected_line * 10 + static_cast<std::uint32_t>(expected[i] - '0');
  }
  if (expected_line != line) return false;
  for (std::size_t open = expected.find('`'); open != std::string::npos; open = expected.find('`', open + 1)) {
    const std::size_t end = expected.find('`', open + 1);
    if (end == std::string::npos) break;
    if (message.find("'" + expected.substr(open + 1, end - open - 1) + "'") == std::string::npos) return false;
    open = end;
  }
  return true;
}

// Blank lines and comments are skipped so the lists can be annotated; CRs
// and trailing spaces are trimmed so a list edited on another system reads
// the same.
std::vector<std::string> read_list(const std::filesystem::path& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty() && line.front() != '#') out.push_back(line);
  }
  return out;
}

} // namespace pine::corpus
