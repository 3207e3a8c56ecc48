// Run limits (RunLimits: work, time and memory per bar), str.match's bounded
// regex engine, and the map index. Budgets are small so every test is fast;
// no test asserts a duration.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>

#include "collections.h"
#include "instance_state.h"
#include "map_index.h"
#include "pine/vm/instance.h"
#include "vm_helpers.h"

namespace {

/// The runtime error of running `inst` on bars from `first` until one fails
/// (at most `max_bars` bars); fails the test when none does.
pine::RuntimeError first_error(pine::Instance& inst, int first = 0, int max_bars = 50) {
  for (int i = first; i < first + max_bars; ++i) {
    try {
      inst.run_bar(bar_at(i));
    } catch (const pine::RuntimeError& e) {
      return e;
    }
  }
  FAIL("expected a runtime error");
  return pine::RuntimeError("", 0, 0);
}

/// An instance of `body` under `limits`.
pine::Instance instance(const std::string& body, const pine::RunLimits& limits = {}) {
  pine::Instance inst = pine::InstanceBuilder(compile_ok(body)).build();
  inst.set_limits(limits);
  return inst;
}

/// Limits with a work budget of `work` units and no time limit (so a test
/// outcome never depends on the machine's speed).
pine::RunLimits work_limit(std::int64_t work) {
  pine::RunLimits l;
  l.work_per_bar = work;
  l.time_per_bar = std::chrono::milliseconds(0);
  return l;
}

} // namespace

// ---- str.match ---------------------------------------------------------------

// Proves str.match survives the subjects that overflowed std::regex's
// recursive executor: each pattern matches the whole subject, so the match
// is exactly as long as the subject (40,000 or 20,000 characters).
TEST_CASE("str.match: long subjects match without exhausting the stack") {
  pine::Instance inst = instance(
      "s = str.repeat(\"a\", 40000)\nt = str.repeat(\"ab\", 10000)\n"
      "plot(str.length(str.match(s, \".*\")))\nplot(str.length(str.match(s, \"[a-z]+\")))\n"
      "plot(str.length(str.match(s, \"a*\")))\nplot(str.length(str.match(t, \"(a|b)*\")))\n");
  inst.run_bar(bar_at(0));
  CHECK(inst.plot_values()[0].f == 40000);
  CHECK(inst.plot_values()[1].f == 40000);
  CHECK(inst.plot_values()[2].f == 40000);
  CHECK(inst.plot_values()[3].f == 20000);
}

// Proves repeating nothing a huge number of times answers at once with an
// empty string: the result is empty, so no loop over the count may run (a
// hang found by fuzzing the snapshot reader, which runs restored programs).
TEST_CASE("str.repeat: an empty string repeated 4e18 times is empty, not a hang") {
  pine::Instance inst = instance("plot(str.length(str.repeat(\"\", 4000000000000000000)))\n"
                                 "plot(str.length(str.repeat(\"\", 3, \"\")))\n");
  inst.run_bar(bar_at(0));
  CHECK(inst.plot_values()[0].f == 0);
  CHECK(inst.plot_values()[1].f == 0);
}

// Proves catastrophic backtracking ends in a runtime error naming bar and
// line instead of hanging: (a+)+$ on 48 a's and a '!' needs about 2^48 steps.
TEST_CASE("str.match: catastrophic backtracking is a runtime error, not a hang") {
  pine::Instance inst = instance("x = 0\nif bar_index == 2\n    x := str.length(str.match(str.repeat(\"a\", 48) + \"!\", \"(a+)+$\"))\nplot(x)\n");
  const pine::RuntimeError e = first_error(inst);
  CHECK(e.bar_index() == 2);
  CHECK(e.line() == 5);
  CHECK(e.message().find("str.match: the pattern \"(a+)+$\" needed too much work") == 0);
  CHECK_THROWS_AS(inst.run_bar(bar_at(3)), pine::RuntimeError); // halted
}

// Proves the Java-regex features PCRE2 was chosen for, and that str.match
// returns the whole match (not a group), as before. Expected values are the
// matches Java's Matcher.find() gives for these patterns.
TEST_CASE("str.match: lookaround, backreferences, possessive quantifiers, UTF-8, whole match") {
  pine::Instance inst = instance(
      "plot(0)\n"
      "log.info(str.match(\"foobar foobaz\", \"foo(?=baz)\") + \"|\" + str.match(\"foobar foobaz\", \"foo(?!bar)ba.\"))\n"
      "log.info(str.match(\"price: 42 USD\", \"(?<=price: )\\\\d+\"))\n"
      "log.info(str.match(\"abccd\", \"(\\\\w)\\\\1\"))\n"
      "log.info(str.match(\"aaab\", \"a++b\") + \"|\" + str.match(\"aaa\", \"a++a\"))\n"
      "log.info(str.match(\"2024-01-02\", \"^(\\\\d{4})-(\\\\d{2})\"))\n"
      "log.info(str.match(\"\xC3\xA9t\xC3\xA9\", \"^.\"))\n"
      "log.info(str.match(\"ABC\", \"(?i)b\") + \"|\" + str.match(\"x\", \"\\\\u0078\"))\n");
  inst.run_bar(bar_at(0));
  const std::vector<pine::LogRecord> logs = inst.take_logs();
  REQUIRE(logs.size() == 7);
  CHECK(logs[0].message == "foo|foobaz");   // lookahead, negative lookahead
  CHECK(logs[1].message == "42");           // lookbehind
  CHECK(logs[2].message == "cc");           // backreference
  CHECK(logs[3].message == "aaab|");        // possessive: a++a cannot give one back
  CHECK(logs[4].message == "2024-01");      // the whole match, not group 1
  CHECK(logs[5].message == "\xC3\xA9");     // `.` is one (UTF-8) character, as in Java
  CHECK(logs[6].message == "B|x");          // inline flags; the Java-style \\u0078 escape
}

TEST_CASE("str.match: an invalid pattern is still a runtime error naming it") {
  pine::Instance inst = instance("plot(str.length(str.match(\"abc\", \"a(\")))\n");
  const pine::RuntimeError e = first_error(inst);
  CHECK(e.message().find("str.match: invalid regular expression \"a(\": ") == 0);
  CHECK(e.line() == 3);
}

// ---- Work budget ---------------------------------------------------------------

// Proves builtin work is charged by the elements it touches, not per call:
// a script that calls array.indexof over 100,000 elements in a 9,000,000-
// iteration loop (hours of work) stops on bar 0 after about
// budget / 100,000 calls. Expected: with a budget of 2,000,000 units, the
// 20th call (20 x 100,001 units plus loop costs) exceeds it.
TEST_CASE("work: array.indexof on a large array in a long loop stops at the work budget") {
  pine::Instance inst = instance(
      "var a = array.new_float(100000, 1.0)\nn = 0\nfor i = 0 to 9000000\n    n += a.indexof(2.0)\nplot(n)\n",
      work_limit(2'000'000));
  const pine::RuntimeError e = first_error(inst);
  CHECK(e.bar_index() == 0);
  CHECK(e.line() == 6);
  CHECK(e.message() == "the script did too much work on one bar: more than 2000000 units (loop iterations, and "
                       "elements or characters handled by built-in functions)");
  // Charged before the call: the failing call never ran, 19 did.
  const std::int64_t done = inst.state().work_done;
  CHECK(done > 2'000'000);
  CHECK(done < 2'000'000 + 100'001 + 1000);
}

// Proves an operation whose cost alone is over the budget is refused before
// it runs: matrix.det of 300 x 300 costs 300^3 = 27,000,000 units.
TEST_CASE("work: matrix.det of 300 x 300 is charged n^3 up front") {
  pine::Instance inst = instance("m = matrix.new<float>(300, 300, 1.0)\nplot(m.det())\n", work_limit(20'000'000));
  const pine::RuntimeError e = first_error(inst);
  CHECK(e.line() == 4);
  CHECK(e.message().find("the script did too much work on one bar: more than 20000000 units") == 0);
  // Under a budget above 27,000,000 + the matrix's creation it runs.
  pine::Instance ok = instance("m = matrix.new<float>(300, 300, 1.0)\nplot(m.det())\n", work_limit(28'000'000));
  ok.run_bar(bar_at(0));
  CHECK(ok.plot_values()[0].f == 0.0); // all ones: singular
  CHECK(ok.state().work_done == 1 + 300 * 300 / 8 + 1 + 27'000'000);
}

// Proves the charges of other element-wise builtins, each derived from the model
// in vm/src/work_cost.h: a sort of n elements costs 1 + n ceil(log2(n + 1)),
// a sum 1 + n, a copy 1 + n / 8, str.repeat 1 + length / 16, a binary
// search 1 + 2 ceil(log2(n + 1)).
TEST_CASE("work: charges of sort, sum, copy, str.repeat and binary search follow the documented model") {
  auto work_of = [](const std::string& body) {
    pine::Instance inst = instance("var a = array.new_float(50000, 1.0)\nplot(0)\n" + body, work_limit(1'000'000'000));
    inst.run_bar(bar_at(0));
    return inst.state().work_done - (1 + 50000 / 8); // minus array.new_float's charge
  };
  CHECK(work_of("") == 0);
  CHECK(work_of("a.sort()\n") == 1 + 50000 * 16);  // ceil(log2(50001)) = 16
  CHECK(work_of("x = a.sum()\n") == 1 + 50000);
  CHECK(work_of("b = a.copy()\n") == 1 + 50000 / 8);
  CHECK(work_of("s = str.repeat(\"ab\", 10000)\n") == 1 + 20000 / 16);
  CHECK(work_of("i = a.binary_search(1.0)\n") == 1 + 2 * 16);
}

// Proves the budget is per bar, not cumulative (a bar doing 90 % of it runs
// 30 bars in a row), and that a loop iteration costs kLoopIterationWork
// (900 iterations fit 10,000 units, 1,100 do not).
TEST_CASE("work: the budget restarts every bar and loop iterations cost kLoopIterationWork") {
  pine::Instance inst = instance("n = 0\nfor i = 1 to 900\n    n += 1\nplot(n)\n", work_limit(10'000));
  for (int i = 0; i < 30; ++i) inst.run_bar(bar_at(i));
  CHECK(inst.plot_values()[0].f == 900);
  pine::Instance over = instance("n = 0\nfor i = 1 to 1100\n    n += 1\nplot(n)\n", work_limit(10'000));
  CHECK(first_error(over).message().find("too much work") != std::string::npos);
}

// Proves the default budget keeps the historical limit of about 10,000,000
// loop iterations per bar: an endless loop stops there, at its line.
TEST_CASE("work: an endless loop stops at the default budget") {
  pine::RunLimits l;
  l.time_per_bar = std::chrono::milliseconds(0); // the work limit, not the clock, must stop it
  pine::Instance inst = instance("i = 0\nwhile true\n    i += 1\nplot(i)\n", l);
  const pine::RuntimeError e = first_error(inst);
  CHECK(e.message().find("more than 100000000 units") != std::string::npos);
  CHECK(e.line() == 4);
  CHECK(inst.state().work_done > 100'000'000);
  CHECK(inst.state().work_done <= 100'000'000 + pine::kLoopIterationWork);
}

// Proves the work limit is deterministic across a snapshot: a script whose
// work grows with bar_index fails on the same bar and line straight through
// and when restored mid-way (limits are set again by the host after the
// restore; they are not in the snapshot).
TEST_CASE("work: a restored instance fails on the same bar as a straight run") {
  const std::string body = "var a = array.new_int(0)\na.push(bar_index)\nx = 0\nfor i = 0 to 40\n    x += a.indexof(-1)\nplot(x)\n";
  pine::Instance straight = instance(body, work_limit(20'000));
  const pine::RuntimeError e1 = first_error(straight, 0, 10'000);
  pine::Instance part = instance(body, work_limit(20'000));
  for (int i = 0; i < 200; ++i) part.run_bar(bar_at(i));
  const std::vector<std::uint8_t> bytes = pine::save_instance_state(part);
  pine::Instance restored = pine::load_instance_state(part.program_ptr(), bytes);
  CHECK(restored.limits().work_per_bar == pine::RunLimits{}.work_per_bar); // not archived
  restored.set_limits(work_limit(20'000));
  const pine::RuntimeError e2 = first_error(restored, 200, 10'000);
  CHECK(e1.bar_index() > 200);
  CHECK(e2.bar_index() == e1.bar_index());
  CHECK(e2.line() == e1.line());
  CHECK(e2.message() == e1.message());
}

// ---- Time limit ------------------------------------------------------------------

// Proves the wall-clock limit stops a bar the work limit would let run for
// a long time, with a runtime error at the loop's line (20 ms limit; the
// loop needs far more at any speed).
TEST_CASE("time: a bar past the time limit stops with a runtime error") {
  pine::RunLimits l;
  l.work_per_bar = INT64_MAX;
  l.time_per_bar = std::chrono::milliseconds(20);
  pine::Instance inst = instance("i = 0\nwhile true\n    i += 1\nplot(i)\n", l);
  const pine::RuntimeError e = first_error(inst);
  CHECK(e.bar_index() == 0);
  CHECK(e.line() == 4);
  CHECK(e.message() == "the script took too long on one bar: more than 20 ms");
}

// ---- Limits as host settings -----------------------------------------------------

// Proves the defaults, the validation of set_limits, and that limits are
// not instance state: instances that differ only in limits save equal bytes.
TEST_CASE("limits: defaults, validation, and no effect on the snapshot bytes") {
  const pine::RunLimits d;
  CHECK(d.work_per_bar == 100'000'000);
  CHECK(d.time_per_bar == std::chrono::seconds(10));
  CHECK(d.memory_bytes == std::uint64_t{1} << 30);
  pine::Instance inst = instance("plot(close)\n");
  pine::RunLimits bad;
  bad.work_per_bar = 0;
  CHECK_THROWS_AS(inst.set_limits(bad), std::invalid_argument);
  bad = {};
  bad.memory_bytes = 0;
  CHECK_THROWS_AS(inst.set_limits(bad), std::invalid_argument);
  bad = {};
  bad.time_per_bar = std::chrono::milliseconds(-1);
  CHECK_THROWS_AS(inst.set_limits(bad), std::invalid_argument);
  const std::string body = "var m = map.new<string, int>()\nm.put(str.tostring(bar_index % 7), bar_index)\nplot(m.size())\n";
  pine::Instance a = instance(body), b = instance(body, work_limit(1'000'000));
  pine::RunLimits big;
  big.memory_bytes = std::uint64_t{1} << 33;
  a.set_limits(big);
  CHECK(a.limits().memory_bytes == big.memory_bytes);
  for (int i = 0; i < 20; ++i) {
    a.run_bar(bar_at(i));
    b.run_bar(bar_at(i));
  }
  CHECK(pine::save_instance_state(a) == pine::save_instance_state(b));
}

// Proves the memory limit is configurable: a loop making 800 KB arrays stops
// once they pass 32 MiB (within the 256 allocating instructions between two
// measurements), with the configured limit in the message.
TEST_CASE("memory: a small configured memory limit stops a loop at it") {
  pine::RunLimits l;
  l.memory_bytes = std::uint64_t{32} << 20;
  pine::Instance inst = instance("n = 0\nfor i = 0 to 20000\n    a = array.new_float(100000, 1.0)\n    n += a.size()\nplot(n)\n", l);
  const pine::RuntimeError e = first_error(inst);
  CHECK(e.message().find("memory limit exceeded") == 0);
  CHECK(e.message().find("more than 32 MiB") != std::string::npos);
  const std::uint64_t held = inst.state().heap.memory_bytes();
  CHECK(held > l.memory_bytes);
  CHECK(held < l.memory_bytes + std::uint64_t{256} * 800'000 + (std::uint64_t{1} << 20));
}

// Proves pending log records count toward the memory limit: 40,000-character
// messages logged in a loop (the host takes logs only between bars) stop
// within a measurement interval (256 records) of 16 MiB.
TEST_CASE("memory: log records count toward the memory limit") {
  pine::RunLimits l;
  l.memory_bytes = std::uint64_t{16} << 20;
  pine::Instance inst = instance("s = str.repeat(\"x\", 40000)\nfor i = 0 to 100000\n    log.info(s)\nplot(0)\n", l);
  const pine::RuntimeError e = first_error(inst);
  CHECK(e.message().find("memory limit exceeded") == 0);
  CHECK(inst.state().logs.size() > (std::size_t{16} << 20) / 40064);
  CHECK(inst.state().logs.size() < (std::size_t{16} << 20) / 40000 + 300);
}

// ---- Maps ------------------------------------------------------------------------

// Proves map.put/get are not quadratic, without timing: filling a map with
// 50,000 string keys and reading each back makes O(1) key comparisons per
// operation (a linear search makes about 1.25 billion in all), and
// insertion order, removal and contains stay exact.
TEST_CASE("map: 50,000 string keys take a constant number of comparisons per operation") {
  pine::Instance inst = instance(
      "var m = map.new<string, int>()\nok = true\n"
      "if barstate.isfirst\n"
      "    for i = 0 to 49999\n        m.put(\"k\" + str.tostring(i), i)\n"
      "    for i = 0 to 49999\n        ok := ok and m.get(\"k\" + str.tostring(i)) == i\n"
      "    for i = 0 to 49999 by 2\n        m.remove(\"k\" + str.tostring(i))\n"
      "ks = m.keys()\n"
      "for i = 0 to ks.size() - 1\n    ok := ok and ks.get(i) == \"k\" + str.tostring(2 * i + 1)\n"
      "ok := ok and not m.contains(\"k0\") and m.contains(\"k1\") and m.get(\"k49999\") == 49999\n"
      "plot(ok ? 1 : 0)\nplot(m.size())\n",
      work_limit(4'000'000'000));
  const std::uint64_t before = pine::map_key_comparisons();
  inst.run_bar(bar_at(0));
  const std::uint64_t comparisons = pine::map_key_comparisons() - before;
  CHECK(inst.plot_values()[0].f == 1);
  CHECK(inst.plot_values()[1].f == 25000);
  CHECK(comparisons < 4 * 150'000);
  // After a restore (which saves no index) lookups rebuild it and agree.
  pine::Instance restored = pine::load_instance_state(inst.program_ptr(), pine::save_instance_state(inst));
  restored.set_limits(work_limit(4'000'000'000));
  restored.run_bar(bar_at(1));
  inst.run_bar(bar_at(1));
  CHECK(restored.plot_values()[0].f == 1);
  CHECK(pine::save_instance_state(restored) == pine::save_instance_state(inst));
}

// Proves the index's erase (backward-shift deletion, serials) against
// a linear search: random inserts and removals of keys whose hashes collide
// often (hash = key % 64), checked at every step.
TEST_CASE("map index: random inserts and erases agree with a linear search") {
  std::mt19937_64 rng(7);
  pine::MapIndex index;
  std::vector<std::uint32_t> keys; // insertion order
  auto find = [&](std::uint32_t k) {
    return keys.empty() ? -1 : index.find(k % 64, [&](std::size_t pos) { return keys[pos] == k; });
  };
  for (int step = 0; step < 5000; ++step) {
    const std::uint32_t k = static_cast<std::uint32_t>(rng() % 300);
    std::int64_t expected = -1;
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (keys[i] == k) expected = static_cast<std::int64_t>(i);
    const std::int64_t at = find(k);
    REQUIRE(at == expected);
    if (at < 0) {
      keys.push_back(k);
      index.insert(k % 64);
    } else if (rng() % 2 == 0) {
      index.erase(static_cast<std::size_t>(at), k % 64);
      keys.erase(keys.begin() + at);
    }
  }
  CHECK(keys.size() > 100);
  for (std::size_t i = 0; i < keys.size(); ++i) CHECK(find(keys[i]) == static_cast<std::int64_t>(i));
}
