// Calendar arithmetic (calendar.h), symbol information (symbol_info.h) and
// the instance-level context values. Every expected value is derived by hand
// in the comment next to it (days since 1970 counted from known year starts:
// 2023-01-01 is day 19,358, 2024-01-01 day 19,723).
#include <doctest/doctest.h>

#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pine/compiler/compile.h"
#include "pine/vm/calendar.h"
#include "pine/vm/instance.h"
#include "ta_state.h"
#include "instance_state.h"

namespace {

using pine::CalendarField;
using pine::kIntNa;

constexpr std::int64_t kHour = 3'600'000;
/// UTC and three hours east of it.
const pine::TimeZone kUtc;
const pine::TimeZone kEast3 = pine::TimeZone::fixed(3 * kHour);
/// 2023-11-14 22:13:20 UTC, a Tuesday: 19,675 days + 80,000 s.
constexpr std::int64_t kT = 1'700'000'000'000;

std::shared_ptr<const pine::Program> compile_ok(const std::string& body) {
  const std::string src = "//@version=6\nindicator(\"t\")\n" + body;
  pine::CompileResult r = pine::compile(src);
  REQUIRE_MESSAGE(r.ok(), r.format(src, "t.pine"));
  return r.program;
}

pine::Bar bar_at(std::int64_t time) {
  pine::Bar b;
  b.time = time;
  b.open = b.high = b.low = b.close = 100;
  b.volume = 1;
  return b;
}

/// The messages an instance logs on one bar at `time`.
std::vector<std::string> logs_of(pine::Instance& inst, std::int64_t time = kT) {
  inst.run_bar(bar_at(time));
  std::vector<std::string> out;
  for (const pine::LogRecord& r : inst.take_logs()) out.push_back(r.message);
  return out;
}

/// Logs every syminfo/timeframe string value, one per line.
const char* const kContextScript =
    "log.info(syminfo.ticker)\nlog.info(syminfo.prefix)\nlog.info(syminfo.tickerid)\nlog.info(syminfo.root)\n"
    "log.info(syminfo.description)\nlog.info(syminfo.currency)\nlog.info(syminfo.type)\nlog.info(syminfo.timezone)\n"
    "log.info(syminfo.session)\nlog.info(syminfo.volumetype)\nlog.info(str.tostring(syminfo.mintick))\n"
    "log.info(timeframe.period)\nlog.info(str.tostring(timeframe.multiplier))\n"
    "log.info(str.tostring(timeframe.isintraday) + str.tostring(timeframe.isdaily) + str.tostring(timeframe.isminutes))\n"
    "log.info(str.tostring(na(syminfo.country)) + \" \" + str.tostring(syminfo.sector))\n"
    "log.info(str.tostring(hour) + \":\" + str.tostring(minute))\n";

} // namespace

/// The offset of a time zone string at kT, or nullopt when it is unknown.
std::optional<std::int64_t> offset_of(const char* name) {
  const std::optional<pine::TimeZone> tz = pine::TimeZone::parse(name);
  if (!tz) return std::nullopt;
  return tz->offset_at(kT);
}

TEST_CASE("calendar: time zone strings") {
  CHECK(offset_of("UTC") == 0);
  CHECK(offset_of("Etc/UTC") == 0);
  CHECK(offset_of("GMT") == 0);
  CHECK(offset_of("UTC0") == 0);
  CHECK(offset_of("UTC+0") == 0);
  CHECK(offset_of("UTC+3") == 3 * kHour);
  CHECK(offset_of("GMT-5") == -5 * kHour);
  CHECK(offset_of("UTC+05:30") == 5 * kHour + 30 * 60'000);
  CHECK(offset_of("UTC+4:00") == 4 * kHour);
  CHECK(offset_of("GMT+0100") == kHour);
  CHECK(offset_of("+02:00") == 2 * kHour);
  // Etc/GMT+N keeps the POSIX sign: five hours behind UTC.
  CHECK(offset_of("Etc/GMT+5") == -5 * kHour);
  CHECK(offset_of("Etc/GMT-14") == 14 * kHour);
  // IANA regions (kT is in November: New York on standard time).
  CHECK(offset_of("America/New_York") == -5 * kHour);
  CHECK(offset_of("Asia/Kolkata") == 5 * kHour + 30 * 60'000);
  CHECK(offset_of("Europe/Paris") == kHour);
  for (const char* bad : {"Mars/Olympus", "america/new_york", "", "utc", "UTC+", "UTC+24", "UTC+5:3", "UTC+05:60",
                          "GMT+12345", "Etc/GMT+15", "UTC 3", "EST", "../../etc/passwd", "/usr/share/zoneinfo/UTC",
                          "America/../Europe/Paris", "America/New_York\n"})
    CHECK_MESSAGE(!pine::TimeZone::parse(bad), bad);
}

TEST_CASE("calendar: IANA regions follow daylight saving time from the time zone database") {
  const pine::TimeZone ny = *pine::TimeZone::parse("America/New_York");
  // 2024-03-10 00:00 UTC is 1,710,028,800 s (2024-01-01 is 1,704,067,200 s,
  // plus 31 + 29 + 9 days). Clocks go from 02:00 EST to 03:00 EDT at 07:00 UTC.
  constexpr std::int64_t kMar10 = 1'710'028'800'000;
  CHECK(ny.offset_at(kMar10 + 7 * kHour - 1) == -5 * kHour);
  CHECK(ny.offset_at(kMar10 + 7 * kHour) == -4 * kHour);
  CHECK(pine::calendar_field(CalendarField::Hour, kMar10 + 7 * kHour - 1000, ny) == 1);
  CHECK(pine::calendar_field(CalendarField::Hour, kMar10 + 7 * kHour, ny) == 3);
  // 02:30 that day never happens: it moves later by the skipped hour (03:30
  // EDT, 07:30 UTC); 01:30 on 2024-11-03 happens twice: the earlier (EDT,
  // 05:30 UTC) counts. 2024-11-03 00:00 UTC is 1,730,592,000 s (307 days on).
  constexpr std::int64_t kNov3 = 1'730'592'000'000;
  CHECK(ny.to_utc(kMar10 + 2 * kHour + kHour / 2) == kMar10 + 7 * kHour + kHour / 2);
  CHECK(ny.to_utc(kNov3 + kHour + kHour / 2) == kNov3 + 5 * kHour + kHour / 2);
  CHECK(ny.to_utc(kNov3 + 12 * kHour) == kNov3 + 17 * kHour); // EST again
  CHECK(pine::timestamp_from_fields(ny, 2024, 3, 10, 2, 30, 0) == kMar10 + 7 * kHour + kHour / 2);
  // The rules of 2006 (DST from the first Sunday of April) differ from those
  // of 2007 on (second Sunday of March): 12 March was EST in 2006, EDT in 2007.
  CHECK(pine::calendar_field(CalendarField::Hour, pine::timestamp_from_fields(kUtc, 2006, 3, 12, 12, 0, 0), ny) == 7);
  CHECK(pine::calendar_field(CalendarField::Hour, pine::timestamp_from_fields(kUtc, 2007, 3, 12, 12, 0, 0), ny) == 8);
  // A daily period opens at local midnight: 04:00 UTC in summer.
  const std::int64_t jul15_noon = pine::timestamp_from_fields(kUtc, 2024, 7, 15, 12, 0, 0);
  CHECK(pine::period_open_time(*pine::parse_timeframe("1D"), jul15_noon, ny) ==
        pine::timestamp_from_fields(kUtc, 2024, 7, 15, 4, 0, 0));
  // Times far outside the database's span take the offset at its nearer end
  // (local mean time before 1800: -4:56:02 in New York) instead of failing.
  CHECK(ny.offset_at(pine::kMaxCalendarMs) == ny.offset_at(pine::timestamp_from_fields(kUtc, 2399, 12, 31, 0, 0, 0)));
  CHECK(ny.offset_at(-pine::kMaxCalendarMs) == -(4 * kHour + 56 * 60'000 + 2'000));
  CHECK(pine::calendar_field(CalendarField::Year, -pine::kMaxCalendarMs, ny) < -270'000);
}

TEST_CASE("calendar: fields of known timestamps") {
  using F = CalendarField;
  // kT: 2023-11-14 22:13:20 UTC; day-of-year 318, Tuesday (3), ISO week (318 - 2 + 10) / 7 = 46.
  CHECK(pine::calendar_field(F::Year, kT, kUtc) == 2023);
  CHECK(pine::calendar_field(F::Month, kT, kUtc) == 11);
  CHECK(pine::calendar_field(F::DayOfMonth, kT, kUtc) == 14);
  CHECK(pine::calendar_field(F::DayOfWeek, kT, kUtc) == 3);
  CHECK(pine::calendar_field(F::WeekOfYear, kT, kUtc) == 46);
  CHECK(pine::calendar_field(F::Hour, kT, kUtc) == 22);
  CHECK(pine::calendar_field(F::Minute, kT, kUtc) == 13);
  CHECK(pine::calendar_field(F::Second, kT, kUtc) == 20);
  // Three hours east it is already Wednesday the 15th, 01:13.
  CHECK(pine::calendar_field(F::DayOfMonth, kT, kEast3) == 15);
  CHECK(pine::calendar_field(F::DayOfWeek, kT, kEast3) == 4);
  CHECK(pine::calendar_field(F::Hour, kT, kEast3) == 1);
  // One millisecond before the epoch: 1969-12-31 23:59:59, a Wednesday, ISO week 1 of 1970.
  CHECK(pine::calendar_field(F::Year, -1, kUtc) == 1969);
  CHECK(pine::calendar_field(F::DayOfMonth, -1, kUtc) == 31);
  CHECK(pine::calendar_field(F::Second, -1, kUtc) == 59);
  CHECK(pine::calendar_field(F::DayOfWeek, -1, kUtc) == 4);
  CHECK(pine::calendar_field(F::WeekOfYear, -1, kUtc) == 1);
  // 2016-01-03 (Sunday, day 16,803) belongs to ISO week 53 of 2015.
  CHECK(pine::calendar_field(F::WeekOfYear, 16'803 * pine::kMsPerDay, kUtc) == 53);
  CHECK(pine::calendar_field(F::Year, kIntNa, kUtc) == kIntNa);
  CHECK(pine::calendar_field(F::Year, pine::kMaxCalendarMs + 1, kUtc) == kIntNa);
}

TEST_CASE("calendar: timestamp from fields, with rollover and na") {
  CHECK(pine::timestamp_from_fields(kUtc, 2023, 11, 14, 22, 13, 20) == kT);
  CHECK(pine::timestamp_from_fields(kEast3, 2023, 11, 15, 1, 13, 20) == kT);
  // 2024-02-29: day 19,723 + 31 + 28 = 19,782.
  CHECK(pine::timestamp_from_fields(kUtc, 2024, 2, 29, 0, 0, 0) == 19'782 * pine::kMsPerDay);
  CHECK(pine::timestamp_from_fields(kUtc, 2023, 13, 1, 0, 0, 0) == 19'723 * pine::kMsPerDay);
  CHECK(pine::timestamp_from_fields(kUtc, 2024, 3, 0, 0, 0, 0) == 19'782 * pine::kMsPerDay);
  CHECK(pine::timestamp_from_fields(kUtc, 2024, 1, 1, -1, 0, 0) == 19'723 * pine::kMsPerDay - kHour);
  CHECK(pine::timestamp_from_fields(kUtc, 2024, kIntNa, 1, 0, 0, 0) == kIntNa);
  CHECK(pine::timestamp_from_fields(kUtc, 9'000'000, 1, 1, 0, 0, 0) == kIntNa);
  CHECK(pine::timestamp_from_fields(kUtc, 2024, 1, 1, 0, 0, INT64_C(9'000'000'000'000'000'000)) == kIntNa);
}

TEST_CASE("calendar: date strings") {
  CHECK(pine::parse_date_string("2023-11-14T22:13:20Z") == kT);
  CHECK(pine::parse_date_string("2023-11-14T22:13:20+0000") == kT);
  CHECK(pine::parse_date_string("2023-11-15T01:13:20+03:00") == kT);
  CHECK(pine::parse_date_string("2023-11-14 22:13:20.5") == kT + 500);
  CHECK(pine::parse_date_string("14 Nov 2023 22:13:20 GMT") == kT);
  CHECK(pine::parse_date_string("Tue, 14 Nov 2023 17:13:20 EST") == kT);
  CHECK(pine::parse_date_string("14 November 2023 23:13:20 UTC+1") == kT);
  CHECK(pine::parse_date_string("2024-02-29") == 19'782 * pine::kMsPerDay);
  CHECK(pine::parse_date_string("01 Jan 2019 00:00") == 1'546'300'800'000); // the pinecone fixture's value
  CHECK(pine::parse_date_string("2024-01-01 America/New_York") == 1'704'067'200'000 + 5 * kHour);
  for (const char* bad : {"2023-02-29", "2024-13-01", "2024-1-32", "2020-01-01T25:00", "31 Foo 2020", "20 Feb",
                          "2024-01-01 Mars/Olympus", "yesterday", "", "2024-01-01T10", "Xyz, 01 Jan 2020"})
    CHECK_MESSAGE(!pine::parse_date_string(bad), bad);
}

TEST_CASE("calendar: timeframes") {
  using U = pine::Timeframe::Unit;
  auto text = [](const char* s) { return pine::timeframe_text(*pine::parse_timeframe(s)); };
  CHECK(text("1D") == "1D");
  CHECK(text("D") == "1D");
  CHECK(text("60") == "60");
  CHECK(text("15S") == "15S");
  CHECK(text("3M") == "3M");
  CHECK(pine::parse_timeframe("1T")->unit == U::Ticks);
  for (const char* bad : {"", "1H", "0D", "D1", "-1", "1d", "1DD", "10000000"})
    CHECK_MESSAGE(!pine::parse_timeframe(bad), bad);
  CHECK(pine::timeframe_seconds(*pine::parse_timeframe("240")) == 14'400);
  CHECK(pine::timeframe_seconds(*pine::parse_timeframe("2W")) == 1'209'600);
  CHECK(pine::timeframe_seconds(*pine::parse_timeframe("1M")) == 2'628'003);
  CHECK(pine::timeframe_seconds(*pine::parse_timeframe("1T")) == kIntNa);
  // The reference manual's examples: <= 1 s is 1S, 2-5 s is 5S, 604,799 s is 7D, 7 days exactly is 1W,
  // more than 366 days is 12M.
  CHECK(pine::timeframe_from_seconds(0) == "1S");
  CHECK(pine::timeframe_from_seconds(1) == "1S");
  CHECK(pine::timeframe_from_seconds(2) == "5S");
  CHECK(pine::timeframe_from_seconds(5) == "5S");
  CHECK(pine::timeframe_from_seconds(60) == "1");
  CHECK(pine::timeframe_from_seconds(61) == "2");
  CHECK(pine::timeframe_from_seconds(86'399) == "1440");
  CHECK(pine::timeframe_from_seconds(86'400) == "1D");
  CHECK(pine::timeframe_from_seconds(604'799) == "7D");
  CHECK(pine::timeframe_from_seconds(604'800) == "1W");
  CHECK(pine::timeframe_from_seconds(2'628'003) == "1M");
  CHECK(pine::timeframe_from_seconds(31'622'400) == "366D");
  CHECK(pine::timeframe_from_seconds(31'622'401) == "12M");
}

TEST_CASE("calendar: bar close times") {
  const std::int64_t jan31 = pine::timestamp_from_fields(kUtc, 2024, 1, 31, 9, 30, 0);
  // A monthly bar keeps the day and time of day, clamped to February's 29 days.
  CHECK(pine::bar_close_time(*pine::parse_timeframe("1M"), jan31, kUtc) == pine::timestamp_from_fields(kUtc, 2024, 2, 29, 9, 30, 0));
  CHECK(pine::bar_close_time(*pine::parse_timeframe("12M"), jan31, kUtc) == pine::timestamp_from_fields(kUtc, 2025, 1, 31, 9, 30, 0));
  CHECK(pine::bar_close_time(*pine::parse_timeframe("1D"), jan31, kUtc) == jan31 + pine::kMsPerDay);
  CHECK(pine::bar_close_time(*pine::parse_timeframe("15"), jan31, kUtc) == jan31 + 15 * 60'000);
  CHECK(pine::bar_close_time(*pine::parse_timeframe("1T"), jan31, kUtc) == kIntNa);
  CHECK(pine::bar_close_time(*pine::parse_timeframe("1D"), kIntNa, kUtc) == kIntNa);
}

TEST_CASE("syminfo: defaults without host information") {
  pine::Instance inst = pine::InstanceBuilder(compile_ok(kContextScript)).build();
  CHECK(logs_of(inst) == std::vector<std::string>{"SAMPLE", "PINEVM", "PINEVM:SAMPLE", "SAMPLE", "Sample symbol", "USD",
                                                  "stock", "Etc/UTC", "regular", "base", "0.01", "1D", "1",
                                                  "falsetruefalse", "true NaN", "22:13"});
}

TEST_CASE("syminfo: host symbol, timeframe and symbol information") {
  pine::SymbolInfo info;
  info.description = "Bitcoin / Tether";
  info.currency = "USDT";
  info.basecurrency = "BTC";
  info.type = "crypto";
  info.pricescale = 100'000;
  info.timezone = "UTC+3";
  info.volumetype = "quote";
  info.root = "BTC";
  info.sector = "Crypto";
  pine::Instance inst =
      pine::InstanceBuilder(compile_ok(kContextScript)).symbol("BINANCE:BTCUSDT").timeframe("240").syminfo(info).build();
  // 22:13 UTC is 01:13 at UTC+3; mintick = 1 / 100,000.
  CHECK(logs_of(inst) == std::vector<std::string>{"BTCUSDT", "BINANCE", "BINANCE:BTCUSDT", "BTC", "Bitcoin / Tether",
                                                  "USDT", "crypto", "UTC+3", "regular", "quote", "0.00001", "240",
                                                  "240", "truefalsetrue", "true Crypto", "1:13"});
  CHECK(inst.config().syminfo == info);
}

TEST_CASE("syminfo: malformed host values are refused with the field named") {
  auto builder = [] { return pine::InstanceBuilder(compile_ok("plot(close)\n")); };
  CHECK_THROWS_WITH_AS(builder().symbol("NASDAQ:"), doctest::Contains("no ticker"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(builder().timeframe("1H"), doctest::Contains("'1H' is not valid"), std::invalid_argument);
  pine::SymbolInfo info;
  info.timezone = "Mars/Olympus";
  CHECK_THROWS_WITH_AS(builder().syminfo(info), doctest::Contains("'Mars/Olympus' is unknown"), std::invalid_argument);
  info = {};
  info.session = "0930-1600";
  CHECK_THROWS_WITH_AS(builder().syminfo(info), doctest::Contains("syminfo 'session'"), std::invalid_argument);
  info = {};
  info.pricescale = 0;
  CHECK_THROWS_WITH_AS(builder().syminfo(info), doctest::Contains("syminfo 'pricescale'"), std::invalid_argument);
  info = {};
  info.pointvalue = -1;
  CHECK_THROWS_WITH_AS(builder().syminfo(info), doctest::Contains("syminfo 'pointvalue'"), std::invalid_argument);
  // An Instance built directly from a bad configuration is refused too.
  pine::InstanceConfig config = builder().config();
  config.syminfo.timezone = "Mars/Olympus";
  CHECK_THROWS_AS(pine::Instance(compile_ok("plot(close)\n"), config), pine::ProgramError);
}

TEST_CASE("time: built-in variables follow the exchange time zone and the timeframe") {
  auto program = compile_ok(
      "log.info(str.tostring(year) + \"-\" + str.tostring(month) + \"-\" + str.tostring(dayofmonth) + \" \" + "
      "str.tostring(hour) + \" d\" + str.tostring(dayofweek) + \" w\" + str.tostring(weekofyear))\n"
      "log.info(str.tostring(time_close - time) + \" \" + str.tostring(timenow == time_close) + \" \" + "
      "str.tostring(time_tradingday) + \" \" + str.tostring(last_bar_time))\n");
  pine::SymbolInfo info;
  info.timezone = "GMT-5";
  pine::Instance inst = pine::InstanceBuilder(program).timeframe("1W").syminfo(info).build();
  inst.set_last_chart_bar_time(kT + 7 * pine::kMsPerDay);
  // At UTC-5, kT is 2023-11-14 17:13:20 (Tuesday, ISO week 46). A 1W bar
  // closes 7 days later, at 2023-11-21 17:13:20 local; its trading day is
  // the last local day it covers, 2023-11-21 (day 19,675 + 7 = 19,682), as
  // a 00:00 UTC timestamp.
  CHECK(logs_of(inst) == std::vector<std::string>{"2023-11-14 17 d3 w46",
                                                  "604800000 true " + std::to_string(19'682 * pine::kMsPerDay) + " " +
                                                      std::to_string(kT + 7 * pine::kMsPerDay)});
}

TEST_CASE("time: built-in variables follow an exchange time zone with daylight saving time") {
  auto program = compile_ok(
      "log.info(str.tostring(dayofmonth) + \" \" + str.tostring(hour) + \" \" + str.tostring(time_tradingday))\n");
  pine::SymbolInfo info;
  info.timezone = "America/New_York";
  pine::Instance inst = pine::InstanceBuilder(program).timeframe("60").syminfo(info).build();
  // 2024-03-10 00:00 UTC is 1,710,028,800 s; clocks spring forward at 07:00
  // UTC, so 06:00 UTC is 01:00 EST and 08:00 UTC is 04:00 EDT, both on the
  // 10th; 03:00 UTC is still the 9th (22:00 EST). The trading day is the
  // local date as a 00:00 UTC timestamp.
  constexpr std::int64_t kMar10 = 1'710'028'800'000;
  const std::string mar9 = std::to_string(kMar10 - pine::kMsPerDay), mar10 = std::to_string(kMar10);
  CHECK(logs_of(inst, kMar10 + 3 * kHour) == std::vector<std::string>{"9 22 " + mar9});
  CHECK(logs_of(inst, kMar10 + 6 * kHour) == std::vector<std::string>{"10 1 " + mar10});
  CHECK(logs_of(inst, kMar10 + 8 * kHour) == std::vector<std::string>{"10 4 " + mar10});
}

// A trading day that begins at 17:00 New York (FX): a bar at or after
// 17:00 local belongs to the next date. 2024-03-08 is a Friday; 21:00 UTC
// is 16:00 EST (the 8th's day), 22:00 UTC 17:00 EST (the 9th's), and on
// Sunday 2024-03-10, 21:00 UTC is 17:00 EDT (the 11th's: the start follows
// the clocks' change that morning).
TEST_CASE("time: time_tradingday follows the symbol's trading day start") {
  auto program = compile_ok("log.info(str.tostring(time_tradingday))\n");
  pine::SymbolInfo info;
  info.timezone = "America/New_York";
  info.trading_day_start = 17 * 60;
  pine::Instance inst = pine::InstanceBuilder(program).timeframe("60").syminfo(info).build();
  constexpr std::int64_t kMar8 = 1'709'856'000'000; // 2024-03-08 00:00 UTC
  const auto day = [](int d) { return std::to_string(kMar8 + (d - 8) * pine::kMsPerDay); };
  CHECK(logs_of(inst, kMar8 + 21 * kHour) == std::vector<std::string>{day(8)});
  CHECK(logs_of(inst, kMar8 + 22 * kHour) == std::vector<std::string>{day(9)});
  CHECK(logs_of(inst, kMar8 + 2 * pine::kMsPerDay + 21 * kHour) == std::vector<std::string>{day(11)});
  CHECK(logs_of(inst, kMar8 + 2 * pine::kMsPerDay + 20 * kHour) == std::vector<std::string>{day(10)});
}

TEST_CASE("time: an unknown time zone at run time is a runtime error") {
  auto program = compile_ok("tz = input.string(\"Mars/Olympus\", \"TZ\")\nplot(hour(time, tz))\n");
  pine::Instance inst = pine::InstanceBuilder(program).build();
  CHECK_THROWS_WITH_AS(inst.run_bar(bar_at(kT)), doctest::Contains("unknown time zone \"Mars/Olympus\""),
                       pine::RuntimeError);
  pine::Instance ok = pine::InstanceBuilder(program).input("TZ", "UTC+3").build();
  ok.run_bar(bar_at(kT));
  CHECK(ok.plot_values()[0].f == 1.0);
  // kT is 22:13 UTC, 17:13 in New York (EST).
  pine::Instance ny = pine::InstanceBuilder(program).input("TZ", "America/New_York").build();
  ny.run_bar(bar_at(kT));
  CHECK(ny.plot_values()[0].f == 17.0);
}

TEST_CASE("verifier: LOADCONTEXT must name a context value") {
  pine::Program p;
  pine::FunctionProto main;
  main.name = "main";
  main.num_slots = pine::kBuiltinVarSlots + 1;
  main.code = {pine::Instr{pine::Opcode::LOADCONTEXT, 0, pine::kBuiltinVarSlots, 0, 0},
               pine::Instr{pine::Opcode::RET, 0, 0, 0, 0}};
  main.lines = {1, 1};
  p.functions.push_back(main);
  CHECK_NOTHROW(pine::verify_program(p));
  CHECK(pine::disassemble(p).find("LOADCONTEXT r31, ctx0  ; syminfo.ticker") != std::string::npos);
  p.functions[0].code[0].b = static_cast<std::uint16_t>(pine::ContextValue::Count);
  CHECK_THROWS_WITH_AS(pine::verify_program(p), doctest::Contains("context value out of range"), pine::ProgramError);
}

TEST_CASE("calendar: time(timeframe, session) and time_close(timeframe) of a bar") {
  // kT is Tuesday 2023-11-14 22:13:20 UTC. Expected values by hand: the day
  // opens 80,000 s earlier; the week on Monday 13th; the month on the 1st
  // (13 days before the 14th); the hour at 22:00; the day closes 24 h after
  // it opens. 22:13 is outside 0900-1600, inside 2000-2300 on a Tuesday
  // (dayofweek 3) but not on a Monday (2); 2200-0200 runs overnight.
  pine::Instance inst = pine::InstanceBuilder(compile_ok(
                                                  "log.info(str.tostring(time(\"D\")) + \" \" + str.tostring(time(\"W\")) + \" \" + "
                                                  "str.tostring(time(\"M\")) + \" \" + str.tostring(time(\"60\")))\n"
                                                  "log.info(str.tostring(time(\"1D\", \"0900-1600\")) + \" \" + "
                                                  "str.tostring(time(\"1D\", \"2000-2300:3\")) + \" \" + "
                                                  "str.tostring(time(\"1D\", \"2000-2300:2\")) + \" \" + str.tostring(time_close(\"D\")))\n"
                                                  "log.info(str.tostring(time(\"60\", \"2200-0200\")) + \" \" + "
                                                  "str.tostring(time(\"D\", timezone = \"UTC+3\")))\n"))
                            .build();
  const std::int64_t day = kT - 80'000'000;
  const auto s = [](std::int64_t v) { return std::to_string(v); };
  // In UTC+3 the bar is at 01:13 on Wednesday 15th: that day opened at 21:00 UTC on the 14th.
  CHECK(logs_of(inst) == std::vector<std::string>{
                             s(day) + " " + s(day - 86'400'000) + " " + s(day - 13 * 86'400'000LL) + " " + s(kT - 800'000),
                             "NaN " + s(day) + " NaN " + s(day + 86'400'000),
                             s(kT - 800'000) + " " + s(day + 21 * kHour)});
}

// Proves the calendar variables are computed whenever the program can read
// them, however it reads them: only inside a user function (GETGLOBAL), only
// through history (hour[1]), only in a var initialiser; and that a program
// that cannot read them (R1's ta.sma) skips them (InstanceState::
// loads_calendar). Expected values by hand: kT is 22:13:20 UTC and the next
// bar one hour later is 23:13:20.
TEST_CASE("time: calendar variables load whenever the program can read them") {
  const auto run_two = [](const std::string& body) {
    pine::Instance inst = pine::InstanceBuilder(compile_ok(body)).build();
    std::vector<std::string> out = logs_of(inst, kT);
    for (const std::string& s : logs_of(inst, kT + kHour)) out.push_back(s);
    return std::make_pair(inst.state().loads_calendar, out);
  };
  const auto in_function = run_two("f() => hour * 100 + minute\nlog.info(str.tostring(f()))\n");
  CHECK(in_function.first);
  CHECK(in_function.second == std::vector<std::string>{"2213", "2313"});
  const auto history = run_two("h = hour[1]\nlog.info(str.tostring(h))\n");
  CHECK(history.first);
  CHECK(history.second == std::vector<std::string>{"NaN", "22"});
  const auto var_init = run_two("var int first_hour = hour\nlog.info(str.tostring(first_hour) + \" \" + str.tostring(time_close - time))\n");
  CHECK(var_init.first);
  CHECK(var_init.second == std::vector<std::string>{"22 86400000", "22 86400000"});
  const auto none = run_two("log.info(str.tostring(ta.sma(close, 2)))\n");
  CHECK_FALSE(none.first);
  CHECK(none.second == std::vector<std::string>{"NaN", "100"});
}

// Proves the other lazily loaded groups (InstanceState::loads_prices and
// loads_barstate) load whenever the program can read them: hl2 and
// barstate.isfirst read only inside a user function, an input.source that
// can select any source, and ta.supertrend, whose state reads hl2 from C++
// although the bytecode never names it. Bars of varying range so that hl2
// differs from close; expected values by hand, supertrend against its state
// struct stepped directly (checked against TradingView's export in
// test_ta_tradingview.cpp).
TEST_CASE("built-ins: price and barstate variables load whenever the program can read them") {
  const auto bar = [](int i) {
    pine::Bar b = bar_at(kT + i * kHour);
    b.close = 100 + i;
    b.high = b.close + 1 + i % 3;
    b.low = b.close - 2;
    return b;
  };
  {
    pine::Instance inst =
        pine::InstanceBuilder(compile_ok("f() => hl2 * 10 + (barstate.isfirst ? 1 : 0)\nplot(f())\n")).build();
    CHECK(inst.state().loads_prices);
    CHECK(inst.state().loads_barstate);
    for (int i = 0; i < 3; ++i) {
      inst.run_bar(bar(i));
      // hl2 = ((close + 1 + i % 3) + (close - 2)) / 2 = close + (i % 3 - 1) / 2.
      const double hl2 = 100 + i + (i % 3 - 1) / 2.0;
      CHECK(inst.plot_values()[0].f == hl2 * 10 + (i == 0 ? 1 : 0));
    }
  }
  {
    pine::Instance inst =
        pine::InstanceBuilder(compile_ok("s = input.source(close, \"Src\")\nplot(s)\n")).input("Src", "hlc3").build();
    CHECK(inst.state().loads_prices);
    CHECK_FALSE(inst.state().loads_barstate);
    inst.run_bar(bar(2));  // high 105, low 100, close 102: hlc3 differs from close
    CHECK(inst.plot_values()[0].f == (105.0 + 100.0 + 102.0) / 3);
  }
  {
    pine::Instance inst = pine::InstanceBuilder(compile_ok("[line, dir] = ta.supertrend(3, 2)\nplot(line)\n")).build();
    CHECK(inst.state().loads_prices);
    pine::ta::Supertrend reference;
    for (int i = 0; i < 12; ++i) {
      const pine::Bar b = bar(i);
      inst.run_bar(b);
      const double expected = reference.step(3, 2, (b.high + b.low) / 2, b.high, b.low, b.close).line;
      INFO("bar ", i);
      if (std::isnan(expected)) CHECK(std::isnan(inst.plot_values()[0].f));
      else CHECK(inst.plot_values()[0].f == expected);
    }
  }
  pine::Instance r1 = pine::InstanceBuilder(compile_ok("plot(ta.sma(close, 20))\n")).build();
  CHECK_FALSE(r1.state().loads_prices);
  CHECK_FALSE(r1.state().loads_barstate);
}

TEST_CASE("calendar: days_from_civil, civil_from_days and the leap year rule") {
  using pine::days_from_civil;
  CHECK(days_from_civil(1970, 1, 1) == 0);
  CHECK(days_from_civil(1969, 12, 31) == -1);
  CHECK(days_from_civil(2000, 3, 1) == 11017);
  CHECK(days_from_civil(2024, 2, 29) == 19782);
  CHECK(days_from_civil(1600, 3, 1) == -135080);
  CHECK(days_from_civil(0, 3, 1) == -719468);
  static_assert(days_from_civil(1970, 1, 2) == 1);
  for (std::int64_t d : {std::int64_t{-800000}, std::int64_t{-719469}, std::int64_t{-1}, std::int64_t{0},
                         std::int64_t{11016}, std::int64_t{19782}, std::int64_t{3000000}}) {
    const pine::CivilDate c = pine::civil_from_days(d);
    CHECK(days_from_civil(c.year, c.month, c.day) == d);
  }
  CHECK(pine::civil_from_days(19782).month == 2);
  CHECK(pine::civil_from_days(19782).day == 29);
  CHECK(pine::is_leap_year(2000));
  CHECK(!pine::is_leap_year(1900));
  CHECK(pine::is_leap_year(2024));
  CHECK(pine::days_in_month(2023, 2) == 28);
  CHECK(pine::days_in_month(2024, 2) == 29);
  CHECK(pine::days_in_month(2024, 12) == 31);
}
