// Tests of the `--data` CSV reader (cli/src/bars_csv.h).
// Expected epoch values were computed by hand and cross-checked with an
// independent implementation (Python's datetime).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "bars_csv.h"

using pine::Bar;
using pine::cli::DataError;

namespace {

/// Reads `text` as a CSV named "bars.csv".
std::vector<Bar> read(const std::string& text) {
  std::istringstream in(text);
  return pine::cli::read_bars_csv(in, "bars.csv");
}

/// The time of the single bar in a file with one data row of time `t`.
std::int64_t time_of(const std::string& t) {
  const auto bars = read("time,open,high,low,close\n" + t + ",1,1,1,1\n");
  REQUIRE(bars.size() == 1);
  return bars[0].time;
}

/// The DataError message `text` produces ("" if it parses).
std::string error_of(const std::string& text) {
  try {
    read(text);
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

/// The error message for one data row under the standard header.
std::string row_error(const std::string& row) {
  return error_of("time,open,high,low,close,volume\n" + row + "\n");
}

/// The reason parse_bar_time gives for `text` ("" if it parses).
std::string time_error(const std::string& text) {
  std::int64_t ms = 0;
  std::string why;
  return pine::cli::parse_bar_time(text, ms, why) ? std::string() : why;
}

} // namespace

TEST_CASE("bars_csv: a basic file") {
  const auto bars = read("time,open,high,low,close,volume\n"
                         "1700000000000,100.5,101.25,99.75,100,1234\n"
                         "1700000060000,100,102,98,101.5,0\n");
  REQUIRE(bars.size() == 2);
  CHECK(bars[0].time == 1700000000000);
  CHECK(bars[0].open == 100.5);
  CHECK(bars[0].high == 101.25);
  CHECK(bars[0].low == 99.75);
  CHECK(bars[0].close == 100);
  CHECK(bars[0].volume == 1234);
  CHECK(bars[1].time == 1700000060000);
  CHECK(bars[1].volume == 0);
}

TEST_CASE("bars_csv: numbers are parsed exactly") {
  const auto bars = read("time,open,high,low,close,volume\n1,0.1,1e2,+2.5,-3.75,1.5E-3\n");
  REQUIRE(bars.size() == 1);
  CHECK(bars[0].open == 0.1);
  CHECK(bars[0].high == 100);
  CHECK(bars[0].low == 2.5);
  CHECK(bars[0].close == -3.75);
  CHECK(bars[0].volume == 0.0015);
  const auto b2 = read("time,open,high,low,close\n1,1.0695299999999999,1.06994,1.06912,0.30000000000000004\n");
  CHECK(b2[0].open == 1.0695299999999999);
  CHECK(b2[0].close == 0.1 + 0.2);
}

TEST_CASE("bars_csv: epoch milliseconds and seconds") {
  CHECK(time_of("1672639200") == 1672639200000);       // seconds
  CHECK(time_of("1672639200000") == 1672639200000);    // milliseconds
  CHECK(time_of("0") == 0);
  CHECK(time_of("99999999999") == 99999999999000);     // just below 1e11: seconds
  CHECK(time_of("100000000000") == 100000000000);      // 1e11: milliseconds
  CHECK(time_of("1672639200.5") == 1672639200500);     // fractional seconds
  CHECK(time_of("1672639200.123") == 1672639200123);
  CHECK(time_of("1672639200.1230") == 1672639200123);
  CHECK(time_of("1672639200000.0") == 1672639200000);
  CHECK(time_of("-1") == -1000);                        // below 1e11: seconds
  // The 1e11 threshold is on the magnitude: pre-1970 milliseconds stay
  // milliseconds. -1e9 s is 1938-04-24T22:13:20Z (Python:
  // datetime.fromtimestamp(-1e9, timezone.utc)), so -1e12 must be that
  // instant in ms, not 1000 times earlier.
  CHECK(time_of("-1000000000000") == -1000000000000);
  CHECK(time_of("-1000000000000") == time_of("1938-04-24T22:13:20Z"));
  CHECK(time_of("-99999999999") == -99999999999000);    // |t| just below 1e11: seconds
  CHECK(time_of("-100000000000") == -100000000000);     // |t| = 1e11: milliseconds
  CHECK(time_of("-1.5") == -1500);
  CHECK(time_of("+60") == 60000);
  CHECK(time_of("000000000060") == 60000);              // leading zeros do not count
  CHECK(time_error("1672639200.1234") == "finer than a millisecond");
  CHECK(time_error("1672639200000.5") == "fractional milliseconds");
  CHECK(time_error("1e12") != "");
  CHECK(time_error("12x") != "");
  CHECK(time_error(".5") != "");
  CHECK(time_error("99999999999999999999") == "out of range");
  CHECK(time_error("") == "empty value");
}

TEST_CASE("bars_csv: ISO-8601 times") {
  CHECK(time_of("2024-02-29T12:30:00+02:00") == 1709202600000);
  CHECK(time_of("2024-01-01") == 1704067200000);
  CHECK(time_of("2024-01-01T00:00Z") == 1704067200000);
  CHECK(time_of("2024-01-01T00:00:00z") == 1704067200000);
  CHECK(time_of("2024-01-01t00:00") == 1704067200000);
  CHECK(time_of("2024-01-01T09:30:00") == 1704101400000); // no suffix: UTC
  CHECK(time_of("2024-01-01 09:30") == 1704101400000);    // space separator
  CHECK(time_of("2024-01-01T05:30:00+05:30") == 1704067200000);
  CHECK(time_of("2024-01-01T05:30:00+0530") == 1704067200000);
  CHECK(time_of("2024-01-01T05:00+05") == 1704067200000);
  CHECK(time_of("2022-01-02T17:00:00-05:00") == 1641160800000);
  CHECK(time_of("2024-12-25T22:45:00Z") == 1735166700000);
  CHECK(time_of("2024-01-01T00:00:00.123Z") == 1704067200123);
  CHECK(time_of("2024-01-01T00:00:00.5") == 1704067200500);
  CHECK(time_of("2024-01-01T00:00:00.120000Z") == 1704067200120);
  CHECK(time_of("1970-01-01") == 0);
  CHECK(time_of("1969-12-31T23:59:59Z") == -1000);
  CHECK(time_of("2000-03-01") == 951868800000);
  CHECK(time_of("1900-03-01") == -2203891200000);  // 1900 is not a leap year
  CHECK(time_of("1600-02-29") == -11670998400000); // 1600 is
  CHECK(time_of("0001-01-01") == -62135596800000);
  CHECK(time_of("9999-12-31T23:59:59.999Z") == 253402300799999);
}

TEST_CASE("bars_csv: invalid ISO-8601 times") {
  CHECK(time_error("2023-02-29") == "day out of range");
  CHECK(time_error("2024-04-31") == "day out of range");
  CHECK(time_error("2024-01-00") == "day out of range");
  CHECK(time_error("2024-13-01") == "month out of range");
  CHECK(time_error("2024-00-01") == "month out of range");
  CHECK(time_error("2024-1-01") == "expected YYYY-MM-DD");
  CHECK(time_error("2024-01-01X") == "expected 'T' after the date");
  CHECK(time_error("2024-01-01T") == "expected HH:MM after the date");
  CHECK(time_error("2024-01-01T9:30") == "expected HH:MM after the date");
  CHECK(time_error("2024-01-01T24:00") == "hour out of range");
  CHECK(time_error("2024-01-01T12:60") == "minute out of range");
  CHECK(time_error("2024-01-01T12:00:60") == "second out of range");
  CHECK(time_error("2024-01-01T12:00:0") == "expected two digits of seconds");
  CHECK(time_error("2024-01-01T12:00:00.") == "expected digits after '.'");
  CHECK(time_error("2024-01-01T12:00:00.1234Z") == "finer than a millisecond");
  CHECK(time_error("2024-01-01T12:00+24:00") == "offset out of range");
  CHECK(time_error("2024-01-01T12:00+01:60") == "offset out of range");
  CHECK(time_error("2024-01-01T12:00+1") == "expected a +HH:MM offset");
  CHECK(time_error("2024-01-01T12:00+01:0") == "expected a +HH:MM offset");
  CHECK(time_error("2024-01-01T12:00Z ") == "unexpected text after the time");
  CHECK(time_error("2024-01-01T12:00 UTC") == "unexpected text after the time");
}

TEST_CASE("bars_csv: columns in any order and case; extra columns ignored") {
  const auto bars = read("Close,VOLUME,extra,Time,High,LOW,Open\n"
                         "4,5,whatever,1000,2,3,1\n");
  REQUIRE(bars.size() == 1);
  CHECK(bars[0].time == 1000000);
  CHECK(bars[0].open == 1);
  CHECK(bars[0].high == 2);
  CHECK(bars[0].low == 3);
  CHECK(bars[0].close == 4);
  CHECK(bars[0].volume == 5);
  // Header names are trimmed.
  const auto b2 = read(" time , open,high,low,close\n2024-01-01,1,1,1,1\n");
  CHECK(b2[0].time == 1704067200000);
  // Unknown columns may repeat: they are ignored.
  CHECK(read("time,open,high,low,close,x,x\n1,1,1,1,1,a,b\n").size() == 1);
}

TEST_CASE("bars_csv: a known column named twice is an error naming line 1 and the column") {
  CHECK(error_of("time,open,high,low,close,close\n1,1,1,1,1,2\n") ==
        "bars.csv:1: column 'close' appears twice in the header (\"close\" in column 5 and \"close\" in column 6); "
        "keep one");
  CHECK(error_of("time,open,high,low,close,volume,Volume\n1,1,1,1,1,1,1\n") ==
        "bars.csv:1: column 'volume' appears twice in the header (\"volume\" in column 6 and \"Volume\" in column 7); "
        "keep one");
  CHECK(error_of(" time , open,high,low,close,TIME\n2024-01-01,1,1,1,1,999\n") ==
        "bars.csv:1: column 'time' appears twice in the header (\"time\" in column 1 and \"TIME\" in column 6); "
        "keep one");
  // After comments the header's own line is named, and DataError carries it.
  try {
    read("# c\ntime,high,open,low,close,HIGH\n");
    FAIL("no error");
  } catch (const DataError& e) {
    CHECK(e.line == 2);
    CHECK(e.column == "high");
  }
}

TEST_CASE("bars_csv: volume is optional and may be na") {
  const auto no_volume = read("time,open,high,low,close\n1,1,1,1,1\n");
  CHECK(std::isnan(no_volume[0].volume));
  const auto bars = read("time,open,high,low,close,volume\n1,1,1,1,1,\n2,1,1,1,1,NaN\n3,1,1,1,1,na\n"
                         "4,1,1,1,1,nan\n5,1,1,1,1,NA\n6,1,1,1,1,7\n");
  REQUIRE(bars.size() == 6);
  for (int i = 0; i < 5; ++i) CHECK(std::isnan(bars[i].volume));
  CHECK(bars[5].volume == 7);
}

TEST_CASE("bars_csv: RFC 4180 quoting") {
  const auto bars = read("\"time\",\"open\",high,low,close,\"a \"\"note\"\"\"\n"
                         "\"2024-01-01\",\"1.5\",2,1,\"1.75\",\"x, \"\"y\"\"\"\n"
                         "2024-01-02,1,2,1,1,\"multi\nline\r\nnote\"\n"
                         "2024-01-03 , \"1\" ,2,1,1,\"\"\n");
  REQUIRE(bars.size() == 3);
  CHECK(bars[0].open == 1.5);
  CHECK(bars[0].close == 1.75);
  CHECK(bars[2].time == 1704240000000);
  // A record spanning lines is named by its first line; later lines still count.
  CHECK(error_of("time,open,high,low,close,note\n"
                 "1,1,1,1,1,\"a\nb\nc\"\n"
                 "2,1,1,1,x,\n") == "bars.csv:5: column 'close': not a number: \"x\"");
}

TEST_CASE("bars_csv: BOM, CRLF, CR, comments, blank and trailing lines") {
  const auto bars = read("\xEF\xBB\xBF# a comment before the header\r\n"
                         "\r\n"
                         "time,open,high,low,close,volume\r\n"
                         "# a comment between rows\r\n"
                         "1,1,2,0.5,1.5,10\r\n"
                         "   \r\n"
                         "2,1,2,0.5,1.5,10\r\n"
                         "\r\n");
  REQUIRE(bars.size() == 2);
  CHECK(bars[1].time == 2000);
  const auto cr = read("time,open,high,low,close\r1,1,1,1,1\r2,1,1,1,1\r");
  CHECK(cr.size() == 2);
  const auto no_final_newline = read("time,open,high,low,close\n1,1,1,1,1");
  CHECK(no_final_newline.size() == 1);
  // The line numbers of errors count BOM, comments and blank lines as lines.
  CHECK(error_of("\xEF\xBB\xBF# c\r\n\r\ntime,open,high,low,close\r\n1,1,1,1,1\r\n# c\r\n2,1,1,1,\r\n") ==
        "bars.csv:6: column 'close': empty value");
}

TEST_CASE("bars_csv: a header with no rows gives no bars") {
  CHECK(read("time,open,high,low,close\n").empty());
  CHECK(read("# only a comment\ntime,open,high,low,close\n\n").empty());
}

TEST_CASE("bars_csv: header errors") {
  CHECK(error_of("") == "bars.csv: no header row (the input is empty)");
  CHECK(error_of("# just a comment\n\n") == "bars.csv: no header row (the input is empty)");
  CHECK(error_of("# c\ntime,open,high,low\n1,1,1,1\n") ==
        "bars.csv:2: missing column 'close' in the header (need time, open, high, low, close; volume optional)");
  CHECK(error_of("date,open,high,low,close\n") ==
        "bars.csv:1: missing column 'time' in the header (need time, open, high, low, close; volume optional)");
}

TEST_CASE("bars_csv: value errors name line and column") {
  CHECK(row_error("1,1,1,1,\"12,x\",5") == "bars.csv:2: column 'close': not a number: \"12,x\"");
  CHECK(row_error("1,,1,1,1,5") == "bars.csv:2: column 'open': empty value");
  CHECK(row_error("1,1,NaN,1,1,5") == "bars.csv:2: column 'high': NaN is not allowed for prices");
  CHECK(row_error("1,1,1,nan,1,5") == "bars.csv:2: column 'low': NaN is not allowed for prices");
  CHECK(row_error("1,1,inf,1,1,5") == "bars.csv:2: column 'high': not finite: \"inf\"");
  CHECK(row_error("1,1,1,1,1e999,5") == "bars.csv:2: column 'close': out of range: \"1e999\"");
  CHECK(row_error("1,1,1,1,0x10,5") == "bars.csv:2: column 'close': not a number: \"0x10\"");
  CHECK(row_error("1,1,1,1,1 2,5") == "bars.csv:2: column 'close': not a number: \"1 2\"");
  CHECK(row_error("1,1,1,1,1,-inf") == "bars.csv:2: column 'volume': not finite: \"-inf\"");
  CHECK(row_error("1,1,1,1,1,lots") == "bars.csv:2: column 'volume': not a number: \"lots\"");
  CHECK(row_error(",1,1,1,1,5") == "bars.csv:2: column 'time': empty value");
  CHECK(row_error("2023-02-29,1,1,1,1,5") ==
        "bars.csv:2: column 'time': invalid time: \"2023-02-29\" (day out of range)");
  CHECK(row_error("yesterday,1,1,1,1,5") ==
        "bars.csv:2: column 'time': invalid time: \"yesterday\" (expected epoch milliseconds, epoch seconds "
        "or YYYY-MM-DD[THH:MM[:SS]])");
  // Long values are shortened, control characters escaped.
  CHECK(row_error("1,1,1,1,\"a\tb\",5") == "bars.csv:2: column 'close': not a number: \"a\\x09b\"");
  const std::string long_value(100, 'z');
  CHECK(row_error("1,1,1,1," + long_value + ",5") ==
        "bars.csv:2: column 'close': not a number: \"" + std::string(60, 'z') + "...\"");
}

TEST_CASE("bars_csv: row shape errors") {
  CHECK(row_error("1,1,1,1,1") == "bars.csv:2: expected 6 fields as in the header, found 5");
  CHECK(row_error("1,1,1,1,1,5,6") == "bars.csv:2: expected 6 fields as in the header, found 7");
  CHECK(row_error("1,1,1,1,\"1,5") == "bars.csv:2: column 'close': unterminated quoted field");
  CHECK(row_error("1,1,1,1,\"1\"x,5") ==
        "bars.csv:2: column 'close': unexpected character after closing quote: \"x\"");
  CHECK(error_of("time,open,high,low,close,a\n1,1,1,1,1,\"x\"y\n") ==
        "bars.csv:2: column 'a': unexpected character after closing quote: \"y\"");
  CHECK(error_of("time,open,high,low,close\n1,1,1,1,1,\"x\"y\n") ==
        "bars.csv:2: field 6: unexpected character after closing quote: \"y\"");
}

TEST_CASE("bars_csv: times must strictly increase") {
  CHECK(error_of("time,open,high,low,close\n1000,1,1,1,1\n# c\n1000,1,1,1,1\n") ==
        "bars.csv:4: column 'time': time 1000000 is not after the previous bar's time 1000000 (line 2); "
        "bars must be in strictly increasing time");
  CHECK(error_of("time,open,high,low,close\n2024-01-02,1,1,1,1\n2024-01-01,1,1,1,1\n") ==
        "bars.csv:3: column 'time': time 1704067200000 is not after the previous bar's time 1704153600000 "
        "(line 2); bars must be in strictly increasing time");
}

TEST_CASE("bars_csv: DataError carries line and column") {
  try {
    read("time,open,high,low,close\n1,1,1,1,1\n2,1,x,1,1\n");
    FAIL("no error");
  } catch (const DataError& e) {
    CHECK(e.line == 3);
    CHECK(e.column == "high");
  }
}

TEST_CASE("bars_csv: read_bars_file") {
  CHECK_THROWS_AS(pine::cli::read_bars_file("/nonexistent/dir/bars.csv"), DataError);
  try {
    pine::cli::read_bars_file("/nonexistent/dir/bars.csv");
  } catch (const DataError& e) {
    CHECK(std::string(e.what()) == "/nonexistent/dir/bars.csv: cannot open: No such file or directory");
  }
  const std::string path = "pine_test_bars_csv.tmp.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << "time,open,high,low,close\n1,1,1,1,1\n2,1,1,1,zz\n";
  }
  try {
    pine::cli::read_bars_file(path);
    FAIL("no error");
  } catch (const DataError& e) {
    CHECK(std::string(e.what()) == path + ":3: column 'close': not a number: \"zz\"");
  }
  std::remove(path.c_str());
}

TEST_CASE("bars_csv: the bundled sample data set") {
  const auto bars = pine::cli::read_bars_file(std::string(PINEVM_SOURCE_DIR) + "/examples/data/sample_ohlcv.csv");
  REQUIRE(bars.size() >= 2500);
  CHECK(bars.front().time == 1451865600000); // 2016-01-04
  std::size_t misshapen = 0;
  for (const Bar& b : bars) {
    const bool ok = b.high >= std::max(b.open, b.close) && b.low <= std::min(b.open, b.close) && b.low > 0 &&
                    b.volume > 0;
    if (!ok) ++misshapen;
  }
  CHECK(misshapen == 0);
}
