// VM tests: the verifier, runtime errors, history semantics and the
// no-allocation-per-bar rule.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <new>

#include "pine/compiler/compile.h"
#include "pine/vm/instance.h"
#include "instance_state.h"
#include "vm_helpers.h"

// A counting global allocator: tests switch counting on around the code
// whose allocations they measure. operator new/delete are malloc/free here,
// which GCC cannot see through when it inlines a delete (a false alarm).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
/// Allocations larger than this throw std::bad_alloc (a test switches it
/// below SIZE_MAX to make the VM meet an allocation failure).
std::atomic<std::size_t> g_fail_above{SIZE_MAX};
} // namespace

void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (n > g_fail_above.load(std::memory_order_relaxed)) throw std::bad_alloc();
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
// The nothrow forms too (std::stable_sort's temporary buffer uses them), so
// every allocation and release goes through malloc/free consistently.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (n > g_fail_above.load(std::memory_order_relaxed)) return nullptr;
  return std::malloc(n == 0 ? 1 : n);
}
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

using pine::Opcode;

/// A minimal valid program: main with the built-in slots and a RET.
pine::Program minimal_program() {
  pine::Program p;
  pine::FunctionProto main;
  main.name = "main";
  main.num_slots = pine::kBuiltinVarSlots + 2;
  main.code = {pine::Instr{Opcode::RET, 0, 0, 0, 0}};
  main.lines = {1};
  p.functions.push_back(main);
  return p;
}

} // namespace

TEST_CASE("verifier: accepts the minimal program and rejects each broken operand") {
  CHECK(verify_error(minimal_program()).empty());

  pine::Program p = minimal_program();
  p.functions[0].code.insert(p.functions[0].code.begin(), pine::Instr{Opcode::MOVE, 0, 999, 0, 0});
  p.functions[0].lines.push_back(1);
  CHECK(verify_error(p).find("slot 999 out of range") != std::string::npos);

  p = minimal_program();
  p.functions[0].code.insert(p.functions[0].code.begin(), pine::make_abc32(Opcode::JMP, 0, 77));
  p.functions[0].lines.push_back(1);
  CHECK(verify_error(p).find("jump target out of range") != std::string::npos);

  p = minimal_program();
  p.functions[0].code.insert(p.functions[0].code.begin(), pine::make_abc32(Opcode::LOADK, 0, 5));
  p.functions[0].lines.push_back(1);
  CHECK(verify_error(p).find("constant index out of range") != std::string::npos);

  p = minimal_program();
  p.functions[0].code[0] = pine::Instr{Opcode::NOP, 0, 0, 0, 0};
  CHECK(verify_error(p).find("fall off") != std::string::npos);

  p = minimal_program();
  p.functions[0].code.insert(p.functions[0].code.begin(), pine::Instr{static_cast<Opcode>(250), 0, 0, 0, 0});
  p.functions[0].lines.push_back(1);
  CHECK(verify_error(p).find("unknown opcode") != std::string::npos);

  p = minimal_program();
  p.functions[0].code.insert(p.functions[0].code.begin(), pine::Instr{Opcode::BUILTIN, 0, 9999, 0, 0});
  p.functions[0].lines.push_back(1);
  CHECK(verify_error(p).find("unknown builtin") != std::string::npos);
}

TEST_CASE("verifier: a call cycle is rejected") {
  pine::Program p = minimal_program();
  pine::FunctionProto f;
  f.name = "f";
  f.num_slots = 1;
  f.call_sites = {1}; // calls itself
  f.code = {pine::Instr{Opcode::CALL, 0, 0, 0, 0}, pine::Instr{Opcode::RET, 0, 0, 0, 0}};
  f.lines = {1, 1};
  p.functions.push_back(f);
  p.functions[0].call_sites = {1};
  p.functions[0].code.insert(p.functions[0].code.begin(), pine::Instr{Opcode::CALL, 0, 0, 0, 0});
  p.functions[0].lines.push_back(1);
  CHECK(verify_error(p).find("recursive call") != std::string::npos);
}

TEST_CASE("runtime: runtime.error halts with the message, bar and line") {
  auto program = compile_ok("if bar_index == 3\n    runtime.error(\"boom\")\nplot(close)\n");
  pine::Instance inst = pine::InstanceBuilder(program).build();
  for (int i = 0; i < 3; ++i) inst.run_bar(bar_at(i));
  try {
    inst.run_bar(bar_at(3));
    FAIL("expected a runtime error");
  } catch (const pine::RuntimeError& e) {
    CHECK(e.message() == "boom");
    CHECK(e.bar_index() == 3);
    CHECK(e.line() == 4);
  }
  CHECK_THROWS_AS(inst.run_bar(bar_at(4)), pine::RuntimeError); // halted for good
}

TEST_CASE("runtime: a dynamic offset beyond max_bars_back is an error, before the first bar it is na") {
  auto tight = [] {
    pine::CompileResult r = pine::compile("//@version=6\nindicator(\"t\", max_bars_back = 10)\nn = bar_index < 12 ? 20 : 11\nplot(close[n])\n");
    REQUIRE(r.ok());
    return r.program;
  }();
  pine::Instance inst = pine::InstanceBuilder(tight).build();
  for (int i = 0; i < 12; ++i) {
    inst.run_bar(bar_at(i));
    CHECK(std::isnan(inst.plot_values()[0].f)); // offset 20 reaches before bar 0: na
  }
  try {
    inst.run_bar(bar_at(12)); // offset 11 > 10, and bar 1 did exist: beyond the buffer
    FAIL("expected a runtime error");
  } catch (const pine::RuntimeError& e) {
    CHECK(std::string(e.what()).find("beyond the historical buffer's limit (10)") != std::string::npos);
    CHECK(e.line() == 4);
  }
}

// (The work budget's own tests, with small budgets: tests/vm/test_limits.cpp.)
TEST_CASE("runtime: an endless loop stops at the work budget with a runtime error") {
  auto program = compile_ok("i = 0\nwhile true\n    i += 1\nplot(i)\n");
  pine::Instance inst = pine::InstanceBuilder(program).build();
  try {
    inst.run_bar(bar_at(0));
    FAIL("expected a runtime error");
  } catch (const pine::RuntimeError& e) {
    CHECK(std::string(e.what()).find("too much work on one bar: more than 100000000 units") != std::string::npos);
    CHECK(e.line() == 4);
  }
}

// Proves a bar cannot take unbounded memory (docs/fuzzing.md, finding 6): a
// loop that makes a 100,000-element array per iteration (800 KB each, all
// garbage) is stopped by the memory limit with a runtime error at the
// loop's line, after about 1,300 iterations (1 GiB), not after 20,000 (16 GB).
TEST_CASE("runtime: a loop that makes gigabytes in one bar stops at the memory limit") {
  auto program = compile_ok("n = 0\nfor i = 0 to 20000\n    a = array.new_float(100000, 1.0)\n    n += a.size()\nplot(n)\n");
  pine::Instance inst = pine::InstanceBuilder(program).build();
  pine::RunLimits no_clock;  // the default memory limit, without a time limit a loaded machine could hit first
  no_clock.time_per_bar = std::chrono::milliseconds(0);
  inst.set_limits(no_clock);
  try {
    inst.run_bar(bar_at(0));
    FAIL("expected a runtime error");
  } catch (const pine::RuntimeError& e) {
    INFO(e.message());
    CHECK(std::string(e.what()).find("memory limit exceeded") != std::string::npos);
    CHECK(e.bar_index() == 0);
    INFO(e.message(), " line ", e.line());
    CHECK((e.line() >= 4 && e.line() <= 6));  // the for or its body (two header lines precede the body)
  }
  // The heap holds at most the limit plus what runs between two measurements
  // (256 allocating instructions of 800 KB here).
  const std::uint64_t held = inst.state().heap.memory_bytes();
  CHECK(held > pine::kMaxInstanceMemory);
  CHECK(held < pine::kMaxInstanceMemory + (std::uint64_t{256} * 800'000 + (std::uint64_t{1} << 20)));
}

// Proves garbage measured in bytes is collected even when the object counts
// would not ask for it: one temporary 100,000-element array per bar is one
// object per bar, so the count threshold (1,024 objects) alone would let
// about 800 MB of garbage pile up; run_bar measures every 256 allocating
// instructions across bars (128 bars here) and collects past 128 MiB, so
// the heap never holds more than about 2 x 128 bars of arrays, and the
// results stay exact.
TEST_CASE("runtime: large garbage is collected by bytes, not only by object count") {
  auto program = compile_ok("a = array.new_float(100000, 1.0)\nplot(a.sum())\n");
  pine::Instance inst = pine::InstanceBuilder(program).build();
  std::size_t most = 0, fewest_after_most = SIZE_MAX;
  for (int i = 0; i < 1200; ++i) {
    inst.run_bar(bar_at(i));
    REQUIRE(inst.plot_values()[0].f == 100000.0);
    const std::size_t objects = inst.state().heap.size();
    most = std::max(most, objects);
    if (most > 200) fewest_after_most = std::min(fewest_after_most, objects);
  }
  CHECK(most > 200);            // garbage did pile up between measurements
  CHECK(most <= 300);           // ...but was collected by bytes, long before 1,024 objects
  CHECK(fewest_after_most < 10);  // a collection emptied it
}

TEST_CASE("verifier: a backward jump must land on LOOPCHECK") {
  pine::Program p = minimal_program();
  p.functions[0].code.insert(p.functions[0].code.begin(), pine::make_abc32(Opcode::JMP, 0, 0));
  p.functions[0].lines.push_back(1);
  CHECK(verify_error(p).find("backward jump not to a LOOPCHECK") != std::string::npos);
  p.functions[0].code.insert(p.functions[0].code.begin(), pine::Instr{Opcode::LOOPCHECK, 0, 0, 0, 0});
  p.functions[0].lines.push_back(1);
  p.functions[0].code[1] = pine::make_abc32(Opcode::JMP, 0, 0);
  CHECK(verify_error(p).empty());
}

TEST_CASE("history: close[1] inside a function reads the global history even when the call is skipped") {
  // f runs only on even bars; close[1] must still be the previous bar's close.
  auto program = compile_ok("f() => close[1]\nfloat v = na\nif bar_index % 2 == 0\n    v := f()\nplot(v)\n");
  pine::Instance inst = pine::InstanceBuilder(program).build();
  for (int i = 0; i < 10; ++i) {
    inst.run_bar(bar_at(i));
    const double v = inst.plot_values()[0].f;
    if (i % 2 == 1 || i == 0) CHECK(std::isnan(v));
    else CHECK(v == 100 + i - 1);
  }
}

TEST_CASE("history: a local series repeats its last value on bars its scope did not run") {
  // x is assigned inside the if only on multiples of 3; x[1] as seen on a
  // bar where the block runs is the value from the previous run (forward fill).
  auto program = compile_ok("float out = na\nif bar_index % 3 == 0\n    x = close\n    out := x[1]\nplot(out)\n");
  pine::Instance inst = pine::InstanceBuilder(program).build();
  for (int i = 0; i < 10; ++i) {
    inst.run_bar(bar_at(i));
    const double v = inst.plot_values()[0].f;
    if (i == 0 || i % 3 != 0) CHECK(std::isnan(v));
    else CHECK(v == 100 + i - 3);
  }
}

TEST_CASE("runtime: no heap allocation per bar in steady state for the language core") {
  auto program = compile_ok(
      "f(x) =>\n    var c = 0\n    c += 1\n    ta.sma(x, 5) + c\nplot(ta.sma(close, 20))\nplot(ta.ema(close, 50))\n"
      "plot(ta.rsi(close, 14))\nplot(ta.atr(14))\n[m, s, h] = ta.macd(close, 12, 26, 9)\nplot(h)\nplot(f(close))\n"
      "plot(ta.highest(10) - ta.lowest(10))\nplot(ta.stdev(close, 10))\nplot(close[3])\nsum = 0.0\nfor i = 0 to 9\n    sum += close[i]\nplot(sum)\n");
  pine::Instance inst = pine::InstanceBuilder(program).build();
  for (int i = 0; i < 500; ++i) inst.run_bar(bar_at(i));
  g_allocations = 0;
  g_counting = true;
  for (int i = 500; i < 2500; ++i) inst.run_bar(bar_at(i));
  g_counting = false;
  CHECK(g_allocations.load() == 0);
}

namespace {
/// Bar `i` of a wobbling series (closes go up and down, so rsi's gains and
/// losses and the macd's sign all change), one minute apart.
pine::Bar wobbling_bar(int i) {
  pine::Bar b = bar_at(i);
  b.close = 100 + 5 * std::sin(i * 0.05) + std::sin(i * 1.3);
  b.open = b.close - std::cos(i * 0.7);
  b.high = std::max(b.open, b.close) + 0.5;
  b.low = std::min(b.open, b.close) - 0.5;
  return b;
}

/// Heap allocations made by `steady` more bars of the reference script
/// bench/scripts/`name` after `warmup` bars (R1 and R5 must make none).
long reference_script_allocations(const std::string& name, int warmup, int steady) {
  const auto program = compile_reference_script(name);
  pine::Instance inst = pine::InstanceBuilder(program).build();
  for (int i = 0; i < warmup; ++i) inst.run_bar(wobbling_bar(i));
  g_allocations = 0;
  g_counting = true;
  for (int i = warmup; i < warmup + steady; ++i) inst.run_bar(wobbling_bar(i));
  g_counting = false;
  return g_allocations.load();
}
} // namespace

TEST_CASE("runtime: the reference scripts R1 and R5 allocate nothing per bar in steady state") {
  CHECK(reference_script_allocations("r1_sma.pine", 200, 5000) == 0);
  CHECK(reference_script_allocations("r5_five_indicators.pine", 200, 5000) == 0);
  // The counter works: the array script grows its window during warm-up,
  // so counting from the first bar sees allocations.
  CHECK(reference_script_allocations("rl_loops_arrays.pine", 0, 100) > 0);
}

TEST_CASE("inputs: overrides are checked against type, bounds and options") {
  auto program = compile_ok("n = input.int(14, \"Length\", minval = 1, maxval = 50)\ns = input.string(\"a\", \"Mode\", options = [\"a\", \"b\"])\nplot(n)\n");
  pine::InstanceBuilder b(program);
  CHECK_NOTHROW(b.input("Length", "20"));
  CHECK_THROWS_WITH_AS(b.input("Length", "0"), "input 'Length': 0 is below the minimum 1", std::invalid_argument);
  CHECK_THROWS_WITH_AS(b.input("Length", "2.5"), "input 'Length': '2.5' is not an integer", std::invalid_argument);
  CHECK_THROWS_WITH_AS(b.input("Mode", "c"), "input 'Mode': 'c' is not one of its options", std::invalid_argument);
  CHECK_THROWS_AS(b.input("Nope", "1"), std::invalid_argument);
  pine::Instance inst = b.input("Length", "20").build();
  inst.run_bar(bar_at(0));
  CHECK(inst.plot_values()[0].f == 20);
}

TEST_CASE("inputs: input.source selects a built-in series and can be overridden") {
  auto program = compile_ok("src = input.source(close, \"Source\")\nplot(src)\nplot(src[1])\n");
  pine::Instance dflt = pine::InstanceBuilder(program).build();
  pine::Instance hl2 = pine::InstanceBuilder(program).input("Source", "hl2").build();
  for (int i = 0; i < 3; ++i) {
    dflt.run_bar(bar_at(i));
    hl2.run_bar(bar_at(i));
    CHECK(dflt.plot_values()[0].f == 100 + i);
    CHECK(hl2.plot_values()[0].f == ((101.0 + i) + (99.0 + i)) / 2);
  }
  CHECK(hl2.plot_values()[1].f == 101); // hl2 of bar 1
  pine::InstanceBuilder b(program);
  CHECK_THROWS_AS(b.input("Source", "bar_index"), std::invalid_argument);
  CHECK_THROWS_AS(b.input("Source", "nope"), std::invalid_argument);
}

TEST_CASE("inputs: timeframe, symbol, session and text_area inputs are string inputs") {
  auto program = compile_ok("tf = input.timeframe(\"1D\", \"TF\")\nsym = input.symbol(\"NASDAQ:AAPL\", \"Sym\")\n"
                            "plot(tf == \"60\" ? 1 : 0)\nplot(sym == \"NASDAQ:AAPL\" ? 1 : 0)\n");
  pine::Instance dflt = pine::InstanceBuilder(program).build();
  pine::Instance hourly = pine::InstanceBuilder(program).input("TF", "60").build();
  dflt.run_bar(bar_at(0));
  hourly.run_bar(bar_at(0));
  CHECK(dflt.plot_values()[0].f == 0);
  CHECK(hourly.plot_values()[0].f == 1);
  CHECK(dflt.plot_values()[1].f == 1);
  pine::CompileResult bad = pine::compile("//@version=6\nindicator(\"t\")\nc = input.color(close)\nplot(1)\n");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.diagnostics[0].message == "input.color() needs a colour literal or a color.* constant as its default");
}

TEST_CASE("inputs: input.color, input.time, input.enum and input.price with their overrides") {
  auto program = compile_ok("enum Mode\n    fast = \"Fast mode\"\n    slow\n"
                            "c = input.color(color.red, \"Col\")\nt = input.time(timestamp(\"2024-01-02T00:00:00Z\"), \"Start\")\n"
                            "m = input.enum(Mode.slow, \"Mode\")\np = input.price(12.5, \"Level\")\n"
                            "log.info(str.tostring(color.g(c)) + \" \" + str.tostring(t) + \" \" + str.tostring(m) + \" \" + str.tostring(p))\n");
  auto first_log = [&](pine::InstanceBuilder& b) {
    pine::Instance inst = b.build();
    inst.run_bar(bar_at(0));
    return inst.take_logs().at(0).message;
  };
  // Defaults: color.red is #F23645 (g = 0x36 = 54); 2024-01-02 is 19,724 days after 1970-01-01.
  pine::InstanceBuilder defaults(program);
  CHECK(first_log(defaults) == "54 1704153600000 slow 12.5");
  pine::InstanceBuilder overridden(program);
  overridden.input("Col", "#00FF00").input("Start", "2024-01-03").input("Mode", "Fast mode").input("Level", "3");
  CHECK(first_log(overridden) == "255 1704240000000 Fast mode 3");
  pine::InstanceBuilder bad(program);
  CHECK_THROWS_WITH(bad.input("Col", "red"), "input 'Col': 'red' is not a colour (#RRGGBB or #RRGGBBAA)");
  CHECK_THROWS_WITH(bad.input("Mode", "medium"), "input 'Mode': 'medium' is not one of its options");
  CHECK_THROWS_WITH(bad.input("Start", "yesterday"),
                    "input 'Start': 'yesterday' is neither UNIX milliseconds nor a date such as 2024-01-02T09:30:00Z");
}

TEST_CASE("inputs: input(close) is a source input") {
  auto program = compile_ok("s = input(close, \"Src\")\nplot(s)\n");
  REQUIRE(program->inputs.size() == 1);
  CHECK(program->inputs[0].kind == pine::InputKind::Source);
  pine::Instance inst = pine::InstanceBuilder(program).input("Src", "open").build();
  inst.run_bar(bar_at(2));
  CHECK(inst.plot_values()[0].f == bar_at(2).open);
}

// Proves an allocation failure during a bar does not escape the VM as
// std::bad_alloc: it becomes a RuntimeError "out of memory" at the line that
// allocated, the instance halts, and its state stays consistent (it saves
// and restores, and the restored instance is halted too). The allocator
// refuses blocks over 500 KB; the script's 100,000-element array needs 800 KB.
TEST_CASE("runtime: a failed allocation is a runtime error, and the instance halts consistently") {
  auto program = compile_ok("var a = array.new_float(10, 1.0)\nif bar_index == 3\n    b = array.new_float(100000, 0.0)\n    a.push(b.size())\nplot(a.size())\n");
  pine::Instance inst = pine::InstanceBuilder(program).build();
  for (int i = 0; i < 3; ++i) inst.run_bar(bar_at(i));
  g_fail_above = 500'000;
  std::string message;
  std::int64_t bar = -1;
  std::uint32_t line = 0;
  try {
    inst.run_bar(bar_at(3));
  } catch (const pine::RuntimeError& e) {
    message = e.message();
    bar = e.bar_index();
    line = e.line();
  } catch (const std::bad_alloc&) {
    message = "std::bad_alloc escaped";
  }
  g_fail_above = SIZE_MAX;
  CHECK(message == "out of memory: an allocation failed while running this line");
  CHECK(bar == 3);
  CHECK(line == 5);
  CHECK(inst.state().halted);
  CHECK_THROWS_AS(inst.run_bar(bar_at(4)), pine::RuntimeError);
  pine::Instance restored = pine::load_instance_state(program, pine::save_instance_state(inst));
  CHECK(restored.state().halted);
  CHECK(restored.bars_processed() == 3);
}
