// str.format's and str.format_time's runtime errors, log.* formatting, and
// str.match's regex errors, through compiled scripts (the expected texts are
// the documented messages and hand-formatted values).
#include <doctest/doctest.h>

#include <string>

#include "pine/compiler/compile.h"
#include "pine/vm/instance.h"

namespace {

/// Compiles a script body and runs it on one bar; returns the runtime
/// error's message, or "" when the bar ran. `logs` receives the messages.
std::string run_one_bar(const std::string& body, std::vector<std::string>* logs = nullptr) {
  const std::string src = "//@version=6\nindicator(\"t\")\n" + body + "plot(close)\n";
  pine::CompileResult r = pine::compile(src);
  REQUIRE_MESSAGE(r.ok(), r.format(src, "t.pine"));
  pine::Instance inst = pine::InstanceBuilder(r.program).build();
  try {
    inst.run_bar(pine::Bar{86'400'000, 1, 2, 0.5, 1.25, 10});
  } catch (const pine::RuntimeError& e) {
    return e.message();
  }
  if (logs)
    for (pine::LogRecord& rec : inst.take_logs()) logs->push_back(rec.message);
  return "";
}

} // namespace

TEST_CASE("text format: malformed patterns are runtime errors") {
  CHECK(run_one_bar("s = str.format(\"{0\", 1)\n") == "str.format: unmatched braces in the pattern");
  CHECK(run_one_bar("s = str.format(\"{x}\", 1)\n") == "str.format: can't parse argument number: x");
  CHECK(run_one_bar("s = str.format(\"{0,fancy}\", 1)\n") == "str.format: unknown format type 'fancy'");
  CHECK(run_one_bar("s = str.format(\"{0,number}\", \"a\")\n") ==
        "str.format: a number, date or time format needs a number argument");
  CHECK(run_one_bar("s = str.format(\"{0,choice,0#no|1#one}\", 1)\n") == "str.format: the choice format is not supported");
  CHECK(run_one_bar("s = str.format_time(time, \"yyyy q\")\n") == "illegal date pattern character 'q'");
  CHECK(run_one_bar("s = str.format_time(time, \"yyyy\", \"Mars/Olympus\")\n")
            .starts_with("str.format_time: time zone \"Mars/Olympus\" is unknown; supported time zones are"));
  CHECK(run_one_bar("s = str.match(\"abc\", \"(\")\n").starts_with("str.match: invalid regular expression \"(\": "));
  CHECK(run_one_bar("s = str.replace(\"abc\", \"b\", \"x\", -1)\n") == "str.replace: the occurrence cannot be negative");
}

TEST_CASE("text format: log.* takes str.format arguments") {
  std::vector<std::string> logs;
  CHECK(run_one_bar("log.info(\"{0} closes at {1,number,#.#}\", bar_index, close)\nlog.warning(\"plain\")\n"
                    "log.error(\"{0}/{1}\", \"a\", true)\n",
                    &logs) == "");
  const std::vector<std::string> want = {"0 closes at 1.2", "plain", "a/true"};
  CHECK(logs == want);
  // The bar's time through the date format: 86,400,000 ms is 1970-01-02.
  logs.clear();
  CHECK(run_one_bar("log.info(\"{0,date,yyyy/MM/dd}\", time)\n", &logs) == "");
  CHECK(logs == std::vector<std::string>{"1970/01/02"});
  pine::CompileResult bad = pine::compile("//@version=6\nindicator(\"t\")\ns = str.format(\"{0}\", color.red)\n");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.diagnostics[0].message == "'str.format' cannot format const color");
}
