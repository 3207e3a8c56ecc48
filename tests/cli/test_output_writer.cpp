// Tests of the plot and log writers (cli/src/output_writer.h, log_writer.h).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "json_text.h"
#include "log_writer.h"
#include "output_writer.h"

using pine::LogLevel;
using pine::LogRecord;
using pine::PlotInfo;
using pine::Type;
using pine::Value;
using pine::cli::OutputFormat;
using pine::cli::PlotWriter;

namespace {

/// Column names for plots with these titles ("" = untitled), all float.
std::vector<std::string> names_for(const std::vector<std::string>& titles) {
  std::vector<PlotInfo> plots;
  for (const std::string& t : titles) plots.push_back(PlotInfo{t, Type::Float});
  return pine::cli::plot_column_names(plots);
}

/// A float slot.
Value f(double v) { return pine::make_float(v); }
/// An int-like slot (int, bool, color bits, string handle).
Value i(std::int64_t v) { return pine::make_int(v); }

/// A string table for string plots: handle n is `strings[n]`.
const std::vector<std::string> kStrings = {"plain", "a,b", "say \"hi\"", "line\nbreak", "tab\there\x01\x1f"};

/// Resolves handles against kStrings.
std::string_view resolve(std::int64_t handle) { return kStrings.at(static_cast<std::size_t>(handle)); }

/// The JSON string literal of `s`.
std::string json(std::string_view s) {
  std::string out;
  pine::cli::append_json_string(out, s);
  return out;
}

/// The CSV field text of `s`.
std::string csv(std::string_view s) {
  std::string out;
  pine::cli::append_csv_field(out, s);
  return out;
}

} // namespace

TEST_CASE("output: column names of untitled plots") {
  CHECK(names_for({}).empty());
  CHECK(names_for({""}) == std::vector<std::string>{"plot"});
  CHECK(names_for({"", "", ""}) == std::vector<std::string>{"plot", "plot_1", "plot_2"});
  CHECK(names_for({"RSI", "", "MA", ""}) == std::vector<std::string>{"RSI", "plot", "MA", "plot_1"});
}

TEST_CASE("output: duplicate titles get suffixes") {
  CHECK(names_for({"a", "a", "a"}) == std::vector<std::string>{"a", "a_1", "a_2"});
  CHECK(names_for({"RSI", "", "RSI"}) == std::vector<std::string>{"RSI", "plot", "RSI_1"});
  // An explicit title keeps its exact text: generated names step around it.
  CHECK(names_for({"a", "a", "a_1"}) == std::vector<std::string>{"a", "a_2", "a_1"});
  CHECK(names_for({"", "plot_1", ""}) == std::vector<std::string>{"plot", "plot_1", "plot_2"});
  CHECK(names_for({"", "plot", ""}) == std::vector<std::string>{"plot_1", "plot", "plot_2"});
  CHECK(names_for({"a_1", "a", "a"}) == std::vector<std::string>{"a_1", "a", "a_2"});
  // The writer's own columns are reserved.
  CHECK(names_for({"time", "bar_index", "time"}) == std::vector<std::string>{"time_1", "bar_index_1", "time_2"});
  // Names are case-sensitive.
  CHECK(names_for({"Close", "close"}) == std::vector<std::string>{"Close", "close"});
}

TEST_CASE("output: generated names never collide") {
  const std::vector<std::string> titles = {"x", "x", "x_1", "", "plot", "plot_1", "", "x_2", "x", "time", "time_1"};
  const auto names = names_for(titles);
  for (std::size_t a = 0; a < names.size(); ++a) {
    CHECK(names[a] != "time");
    CHECK(names[a] != "bar_index");
    for (std::size_t b = a + 1; b < names.size(); ++b) CHECK(names[a] != names[b]);
  }
}

TEST_CASE("output: CSV field quoting") {
  CHECK(csv("plain") == "plain");
  CHECK(csv("") == "");
  CHECK(csv("a,b") == "\"a,b\"");
  CHECK(csv("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv("a\nb") == "\"a\nb\"");
  CHECK(csv("a\rb") == "\"a\rb\"");
  CHECK(csv(" spaced ") == " spaced ");
}

TEST_CASE("output: JSON string escaping") {
  CHECK(json("plain") == "\"plain\"");
  CHECK(json("q\"b\\s/") == "\"q\\\"b\\\\s/\"");
  CHECK(json("\n\r\t\b\f") == "\"\\n\\r\\t\\b\\f\"");
  CHECK(json(std::string("\x00\x01\x1f\x7f", 4)) == "\"\\u0000\\u0001\\u001f\x7f\"");
  CHECK(json("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") == "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
  CHECK(json("bad\xFF") == "\"bad\\ufffd\"");
  CHECK(json("\xC0\x80") == "\"\\ufffd\\ufffd\"");            // overlong NUL
  CHECK(json("\xED\xA0\x80") == "\"\\ufffd\\ufffd\\ufffd\"");  // UTF-16 surrogate
  CHECK(json("\xE2\x82") == "\"\\ufffd\\ufffd\"");             // truncated
  CHECK(json("\xF4\x90\x80\x80") == "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); // above U+10FFFF
}

TEST_CASE("output: floats in shortest round-trip form") {
  using pine::cli::format_float_shortest;
  CHECK(format_float_shortest(0.1) == "0.1");
  CHECK(format_float_shortest(0.1 + 0.2) == "0.30000000000000004");
  CHECK(format_float_shortest(1e-7) == "1e-07");
  CHECK(format_float_shortest(123456789.125) == "123456789.125");
  CHECK(format_float_shortest(-0.0) == "-0");
  CHECK(format_float_shortest(0.0) == "0");
  CHECK(format_float_shortest(100.0) == "100");
  CHECK(format_float_shortest(1e21) == "1e+21");
  CHECK(format_float_shortest(-2.5) == "-2.5");
  CHECK(format_float_shortest(1.0695299999999999) == "1.0695299999999999");
  CHECK(format_float_shortest(5e-324) == "5e-324");
  CHECK(format_float_shortest(1.7976931348623157e308) == "1.7976931348623157e+308");
}

TEST_CASE("output: parse_output_format") {
  CHECK(pine::cli::parse_output_format("csv") == OutputFormat::Csv);
  CHECK(pine::cli::parse_output_format("jsonl") == OutputFormat::Jsonl);
  CHECK(!pine::cli::parse_output_format("json").has_value());
  CHECK(!pine::cli::parse_output_format("CSV").has_value());
}

namespace {

/// One plot of each type (and a few floats), shared by the row tests.
const std::vector<PlotInfo> kMixed = {
    {"f", Type::Float}, {"", Type::Int}, {"b", Type::Bool}, {"c", Type::Color}, {"s", Type::String},
};

/// Writes the header and the given rows (time = 1000 * (index + 1)).
std::string write_all(OutputFormat format, const std::vector<PlotInfo>& plots,
                      const std::vector<std::vector<Value>>& rows) {
  std::ostringstream out;
  PlotWriter w(out, format, plots);
  w.write_header();
  for (std::size_t r = 0; r < rows.size(); ++r) {
    w.write_row(static_cast<std::int64_t>(1000 * (r + 1)), static_cast<std::int64_t>(r), rows[r], resolve);
  }
  return out.str();
}

/// Three rows covering ordinary values and na of every type.
const std::vector<std::vector<Value>> kMixedRows = {
    {f(1.5), i(42), i(1), i(0xFF000080), i(0)},
    {f(pine::kFloatNa), i(pine::kIntNa), i(0), i(pine::kColorNa), i(pine::kStringNa)},
    {f(-0.0), i(-7), i(1), i(0x00ff00ff), i(2)},
};

} // namespace

TEST_CASE("output: CSV rows of every type") {
  CHECK(write_all(OutputFormat::Csv, kMixed, kMixedRows) ==
        "time,bar_index,f,plot,b,c,s\n"
        "1000,0,1.5,42,true,#FF000080,plain\n"
        "2000,1,NaN,NaN,false,NaN,NaN\n"
        "3000,2,-0,-7,true,#00FF00FF,\"say \"\"hi\"\"\"\n");
}

TEST_CASE("output: JSONL rows of every type") {
  CHECK(write_all(OutputFormat::Jsonl, kMixed, kMixedRows) ==
        "{\"time\":1000,\"bar_index\":0,\"f\":1.5,\"plot\":42,\"b\":true,\"c\":\"#FF000080\",\"s\":\"plain\"}\n"
        "{\"time\":2000,\"bar_index\":1,\"f\":null,\"plot\":null,\"b\":false,\"c\":null,\"s\":null}\n"
        "{\"time\":3000,\"bar_index\":2,\"f\":-0,\"plot\":-7,\"b\":true,\"c\":\"#00FF00FF\",\"s\":\"say \\\"hi\\\"\"}\n");
}

TEST_CASE("output: float values, infinities and large ints") {
  const std::vector<PlotInfo> plots = {{"a", Type::Float}, {"b", Type::Float}, {"c", Type::Float},
                                       {"d", Type::Float}, {"e", Type::Int}};
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<std::vector<Value>> rows = {
      {f(0.1), f(1e-7), f(123456789.125), f(1e21), i(std::numeric_limits<std::int64_t>::max())},
      {f(inf), f(-inf), f(0.1 + 0.2), f(-1e-300), i(std::numeric_limits<std::int64_t>::min() + 1)},
  };
  CHECK(write_all(OutputFormat::Csv, plots, rows) ==
        "time,bar_index,a,b,c,d,e\n"
        "1000,0,0.1,1e-07,123456789.125,1e+21,9223372036854775807\n"
        "2000,1,Infinity,-Infinity,0.30000000000000004,-1e-300,-9223372036854775807\n");
  CHECK(write_all(OutputFormat::Jsonl, plots, rows) ==
        "{\"time\":1000,\"bar_index\":0,\"a\":0.1,\"b\":1e-07,\"c\":123456789.125,\"d\":1e+21,"
        "\"e\":9223372036854775807}\n"
        "{\"time\":2000,\"bar_index\":1,\"a\":\"Infinity\",\"b\":\"-Infinity\",\"c\":0.30000000000000004,\"d\":-1e-300,"
        "\"e\":-9223372036854775807}\n");
  // JSONL infinities are the CSV spellings as JSON strings, never null (na).
  const std::vector<std::vector<Value>> na_and_inf = {{f(pine::kFloatNa), f(inf), f(-inf), f(0), i(pine::kIntNa)}};
  CHECK(write_all(OutputFormat::Jsonl, plots, na_and_inf) ==
        "{\"time\":1000,\"bar_index\":0,\"a\":null,\"b\":\"Infinity\",\"c\":\"-Infinity\",\"d\":0,\"e\":null}\n");
}

TEST_CASE("output: names and strings that need quoting or escaping") {
  const std::vector<PlotInfo> plots = {{"ta.sma(close, 10)", Type::Float}, {"say \"x\"", Type::String},
                                       {"ta.sma(close, 10)", Type::String}};
  const std::vector<std::vector<Value>> rows = {{f(2), i(1), i(3)}, {f(3), i(4), i(0)}};
  CHECK(write_all(OutputFormat::Csv, plots, rows) ==
        "time,bar_index,\"ta.sma(close, 10)\",\"say \"\"x\"\"\",\"ta.sma(close, 10)_1\"\n"
        "1000,0,2,\"a,b\",\"line\nbreak\"\n"
        "2000,1,3,tab\there\x01\x1f,plain\n");
  CHECK(write_all(OutputFormat::Jsonl, plots, rows) ==
        "{\"time\":1000,\"bar_index\":0,\"ta.sma(close, 10)\":2,\"say \\\"x\\\"\":\"a,b\","
        "\"ta.sma(close, 10)_1\":\"line\\nbreak\"}\n"
        "{\"time\":2000,\"bar_index\":1,\"ta.sma(close, 10)\":3,\"say \\\"x\\\"\":\"tab\\there\\u0001\\u001f\","
        "\"ta.sma(close, 10)_1\":\"plain\"}\n");
}

TEST_CASE("output: no plots, JSONL has no header, wrong row size throws") {
  CHECK(write_all(OutputFormat::Csv, {}, {{}, {}}) == "time,bar_index\n1000,0\n2000,1\n");
  CHECK(write_all(OutputFormat::Jsonl, {}, {{}}) == "{\"time\":1000,\"bar_index\":0}\n");
  std::ostringstream out;
  PlotWriter w(out, OutputFormat::Jsonl, kMixed);
  w.write_header();
  CHECK(out.str().empty());
  const std::vector<Value> short_row = {f(1)};
  CHECK_THROWS_AS(w.write_row(0, 0, short_row, resolve), std::invalid_argument);
  CHECK(w.column_names() == std::vector<std::string>{"f", "plot", "b", "c", "s"});
}

TEST_CASE("output: colors") {
  const std::vector<PlotInfo> plots = {{"c", Type::Color}};
  CHECK(write_all(OutputFormat::Csv, plots, {{i(0)}, {i(0xFFFFFFFF)}, {i(0x12ab34cd)}, {i(pine::kColorNa)}}) ==
        "time,bar_index,c\n1000,0,#00000000\n2000,1,#FFFFFFFF\n3000,2,#12AB34CD\n4000,3,NaN\n");
}

TEST_CASE("log: level names") {
  CHECK(std::string(pine::log_level_name(LogLevel::Info)) == "info");
  CHECK(std::string(pine::log_level_name(LogLevel::Warning)) == "warning");
  CHECK(std::string(pine::log_level_name(LogLevel::Error)) == "error");
  CHECK(std::string(pine::log_level_name(LogLevel::Alert)) == "alert");
  CHECK(std::string(pine::cli::log_level_label(LogLevel::Warning)) == "WARNING");
}

namespace {

/// A few records of every level.
const std::vector<LogRecord> kRecords = {
    {1700000000000, 0, LogLevel::Info, "close = 101.5"},
    {1700000060000, 1, LogLevel::Warning, "quote \" and \\ and\nnewline"},
    {1700000120000, 2, LogLevel::Error, "bad"},
    {1700000180000, 3, LogLevel::Alert, "cross up"},
};

} // namespace

TEST_CASE("log: JSON lines") {
  std::ostringstream out;
  pine::cli::LogWriter w(out, pine::cli::LogFormat::Json);
  w.write_all(kRecords);
  CHECK(w.count() == 4);
  CHECK(out.str() ==
        "{\"time\":1700000000000,\"bar_index\":0,\"level\":\"info\",\"message\":\"close = 101.5\"}\n"
        "{\"time\":1700000060000,\"bar_index\":1,\"level\":\"warning\",\"message\":\"quote \\\" and \\\\ and\\nnewline\"}\n"
        "{\"time\":1700000120000,\"bar_index\":2,\"level\":\"error\",\"message\":\"bad\"}\n"
        "{\"time\":1700000180000,\"bar_index\":3,\"level\":\"alert\",\"message\":\"cross up\"}\n");
}

TEST_CASE("log: text lines") {
  std::ostringstream out;
  pine::cli::LogWriter w(out, pine::cli::LogFormat::Text);
  w.write_all(kRecords);
  CHECK(out.str() ==
        "INFO: close = 101.5\n"
        "WARNING: quote \" and \\ and\nnewline\n"
        "ERROR: bad\n"
        "ALERT: cross up\n");
}

// Columns of multi-column calls: `<call>:<field>`, untitled calls named after
// their function, collisions resolved with the smallest free suffix.
TEST_CASE("output: names of output calls and their field columns") {
  using pine::PlotKind;
  // One column of a call: title, type, kind, part, field.
  const auto col = [](std::string title, Type type, PlotKind kind, std::uint16_t part, std::string field) {
    PlotInfo p;
    p.title = std::move(title);
    p.type = type;
    p.kind = kind;
    p.part = part;
    p.field = std::move(field);
    return p;
  };
  const std::vector<PlotInfo> plots = {
      col("RSI", Type::Float, PlotKind::Plot, 0, ""),        col("RSI", Type::Color, PlotKind::Plot, 1, "color"),
      col("", Type::Float, PlotKind::Plot, 0, ""),           col("", Type::Color, PlotKind::Plot, 1, "color"),
      col("C", Type::Float, PlotKind::Candle, 0, "open"),    col("C", Type::Float, PlotKind::Candle, 1, "high"),
      col("", Type::Color, PlotKind::BgColor, 0, ""),        col("", Type::Color, PlotKind::Fill, 0, ""),
      col("", Type::Float, PlotKind::Hline, 0, ""),          col("RSI:color", Type::Float, PlotKind::Plot, 0, ""),
      col("", Type::Float, PlotKind::Plot, 0, ""),
  };
  const std::vector<std::string> want = {"RSI",     "RSI:color_1", "plot",  "plot:color", "C:open",   "C:high",
                                         "bgcolor", "fill",        "hline", "RSI:color",  "plot_1"};
  CHECK(pine::cli::plot_column_names(plots) == want);
}
