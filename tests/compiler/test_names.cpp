// Compiler tests for the named constant namespaces, the syminfo.*/timeframe.*
// context values and the time builtins. Listings are written by hand from
// the lowering rules: main's registers 0..30 are the built-in variables
// (time is r5), temporaries start at r31; a named constant is one LOADK, a
// context value one LOADCONTEXT (syminfo.ticker is context value 0,
// syminfo.timezone 13, in the order of PINE_CONTEXT_VALUES).
#include <doctest/doctest.h>

#include <string>

#include "compile_helpers.h"

namespace {

/// The log messages of one bar of `body`.
std::vector<std::string> logs_of(const std::string& body) {
  const std::string src = "//@version=6\nindicator(\"t\")\n" + body;
  pine::CompileResult r = pine::compile(src);
  REQUIRE_MESSAGE(r.ok(), r.format(src, "t.pine"));
  pine::Instance inst = pine::InstanceBuilder(r.program).build();
  inst.run_bar(pine::Bar{0, 1, 1, 1, 1, 1});
  std::vector<std::string> out;
  for (const pine::LogRecord& rec : inst.take_logs()) out.push_back(rec.message);
  return out;
}

} // namespace

TEST_CASE("names: a string constant is one LOADK of its text") {
  CHECK(disasm_of("log.info(currency.USD)\n") ==
        "function 0 main params=0 results=0 slots=32\n"
        "     0  LOADK       r31, k0  ; \"USD\"\n"
        "     1  LOG         0, r31\n"
        "     2  RET         r0, 0\n");
}

TEST_CASE("names: display flags are const ints that add and subtract") {
  // display.all = 31, display.status_line = 8; the const variable d is r31,
  // which the SUBI writes directly (its temporary r34 is left unused).
  CHECK(disasm_of("const int d = display.all - display.status_line\nplot(d)\n") ==
        "function 0 main params=0 results=0 slots=35\n"
        "     0  LOADK       r32, k0  ; 31\n"
        "     1  LOADK       r33, k1  ; 8\n"
        "     2  SUBI        r31, r32, r33\n"
        "     3  I2F         r32, r31\n"
        "     4  PLOT        plot0, r32\n"
        "     5  RET         r0, 0\n");
}

TEST_CASE("names: the text of each constant family") {
  CHECK(logs_of("log.info(yloc.belowbar + xloc.bar_time + extend.both + format.volume + order.ascending)\n"
                "log.info(shape.triangledown + size.huge + location.absolute + position.middle_center)\n"
                "log.info(plot.style_columns + plot.linestyle_dotted + hline.style_solid + line.style_arrow_both)\n"
                "log.info(label.style_xcross + text.align_right + text.wrap_none + text.format_italic + font.family_monospace)\n"
                "log.info(barmerge.lookahead_on + currency.GBP + session.regular + adjustment.splits + scale.right)\n"
                "log.info(settlement_as_close.inherit + backadjustment.off + alert.freq_once_per_bar_close)\n"
                "log.info(str.tostring(dayofweek.wednesday) + str.tostring(display.none) + str.tostring(display.all))\n") ==
        std::vector<std::string>{"belowbarbar_timebothvolumeascending", "triangledownhugeabsolutemiddle_center",
                                 "columnsdottedsolidarrow_both", "style_xcrossrightnoneformat_italicfamily_monospace",
                                 "lookahead_onGBPregularsplitsright", "inheritofffreq_once_per_bar_close", "4031"});
}

TEST_CASE("names: named constants are const; context values are simple") {
  CHECK(disasm_of("const string c = currency.EUR\nconst int w = dayofweek.monday\n").find("LOADK") != std::string::npos);
  CHECK(first_error("const string t = syminfo.ticker\n") == "3:18 't' is declared const but its value is simple string");
  CHECK(first_error("x = currency.XYZ\n") == "3:5 undeclared identifier 'currency.XYZ'");
}

TEST_CASE("names: a context value is one LOADCONTEXT") {
  CHECK(disasm_of("log.info(syminfo.ticker)\n") ==
        "function 0 main params=0 results=0 slots=32\n"
        "     0  LOADCONTEXT r31, ctx0  ; syminfo.ticker\n"
        "     1  LOG         0, r31\n"
        "     2  RET         r0, 0\n");
}

TEST_CASE("time: year(t) takes syminfo.timezone as its default time zone") {
  CHECK(disasm_of("plot(year(time))\n") ==
        "function 0 main params=0 results=0 slots=36\n"
        "     0  LOADCONTEXT r31, ctx13  ; syminfo.timezone\n"
        "     1  MOVE        r32, r5\n"
        "     2  MOVE        r33, r31\n"
        "     3  BUILTIN     year, r32, r34\n"
        "     4  I2F         r35, r34\n"
        "     5  PLOT        plot0, r35\n"
        "     6  RET         r0, 0\n");
}

TEST_CASE("time: timestamp(dateString) is a compile-time constant") {
  // 2020-02-20 00:00 UTC: 18,312 days (50 years with 12 leap days = 18,262, + 31 + 19) * 86,400,000 ms.
  CHECK(disasm_of("plot(timestamp(\"2020-02-20\"))\n") ==
        "function 0 main params=0 results=0 slots=32\n"
        "     0  LOADK       r31, k1  ; 1582156800000\n"
        "     1  PLOT        plot0, r31\n"
        "     2  RET         r0, 0\n");
}

TEST_CASE("time: literal time zones, dates and timeframes are checked when compiling") {
  CHECK(first_error("plot(hour(time, \"Mars/Olympus\"))\n").starts_with("3:17 unknown time zone 'Mars/Olympus'"));
  CHECK(first_error("plot(timestamp(\"UTC+25\", 2020, 1, 1))\n").starts_with("3:16 unknown time zone 'UTC+25'"));
  CHECK(pine::compile("//@version=6\nindicator(\"t\")\nplot(hour(time, \"America/New_York\") + "
                      "timestamp(\"Europe/Paris\", 2020, 1, 1))\n")
            .ok());
  CHECK(first_error("plot(timestamp(\"20 Foo 2020\"))\n").starts_with("3:16 timestamp(): '20 Foo 2020' is not a date"));
  CHECK(first_error("s = \"2020-01-01\"\nplot(timestamp(s))\n").starts_with("4:16 timestamp(dateString) needs a literal"));
  CHECK(first_error("plot(timeframe.in_seconds(\"1H\"))\n") == "3:27 timeframe.in_seconds(): '1H' is not a valid timeframe");
  CHECK(first_error("x = timestamp\n") == "3:5 'timestamp' is a function; call it with '()'");
}

TEST_CASE("time: timestamp overloads pick the time zone") {
  // The exchange time zone by default (Etc/UTC), a given one otherwise:
  // 2020-02-20 00:00 at UTC+2 is 22:00 UTC the day before (2 h = 7,200,000 ms less).
  CHECK(logs_of("log.info(str.tostring(timestamp(2020, 2, 20)))\n"
                "log.info(str.tostring(timestamp(\"UTC+2\", 2020, 2, 20)))\n"
                "log.info(str.tostring(timestamp(timezone = \"UTC\", year = 2020, month = 2, day = 20, hour = 1)))\n"
                "log.info(str.tostring(timestamp(year = 2020, month = 2, day = 20)))\n") ==
        std::vector<std::string>{"1582156800000", "1582149600000", "1582160400000", "1582156800000"});
}
