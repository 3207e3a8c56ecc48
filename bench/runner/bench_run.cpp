// pinevm-bench-run: the measuring half of the benchmark harness
// (scripts/bench drives it through bench/harness.py). Each invocation is one
// process measuring one thing, so its peak RSS belongs to that engine alone.
// Results are printed as key=value lines.
//
//   run     one script on one engine (pinevm, or the native C++ baseline of
//           R1/R5): compile time, median bars/s over timed runs after a
//           warm-up, heap allocations per bar in steady state (after the
//           first kSteadyStateBars of each run), peak RSS of the run phase;
//   compile median compile time of one script;
//   idle    heap and RSS bytes per idle instance after some bars;
//   fleet   many instances run over the same bars on 1..N threads.
//
// The bar loops are the functions named measured_bar_loop_*: `scripts/bench
// --callgrind` counts instructions inside them only.
#include <CLI/CLI.hpp>
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bars_csv.h"
#include "heap_counter.h"
#include "native_indicators.h"
#include "pine/compiler/compile.h"
#include "pine/vm/instance.h"

namespace {

using Clock = std::chrono::steady_clock;
using pine::Bar;

/// Seconds elapsed since `start`.
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

/// The median of `values` (not empty).
double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

/// The whole text of a file; throws when it cannot be read.
std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A field of /proc/self/status in KiB (VmHWM, VmRSS), 0 if absent.
std::int64_t proc_status_kib(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
  }
  return 0;
}

/// Resets the peak RSS (VmHWM) to the current RSS (Linux: writing 5 to
/// clear_refs), so the peak reported afterwards excludes earlier phases such
/// as CSV parsing. Returns false when the kernel refused.
bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

/// The first `count` bars of a CSV file, in a vector of their own; the
/// memory used while parsing the whole file is returned to the system, so
/// RSS measured afterwards is not hidden by reused free memory.
std::vector<Bar> read_first_bars(const std::string& path, std::size_t count) {
  std::vector<Bar> bars;
  {
    const std::vector<Bar> all = pine::cli::read_bars_file(path);
    bars.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(std::min(count, all.size())));
  }
  malloc_trim(0);
  return bars;
}

/// Compiles a script file; throws with the diagnostics when it does not compile.
std::shared_ptr<const pine::Program> compile_file(const std::string& path) {
  const std::string source = read_text(path);
  pine::CompileOptions options;
  options.file_name = path;
  pine::CompileResult compiled = pine::compile(source, options);
  if (!compiled.ok()) throw std::runtime_error(compiled.format(source, path));
  return compiled.program;
}

/// An instance ready for `bars` (it knows which bar is the last one).
pine::Instance make_instance(const std::shared_ptr<const pine::Program>& program, std::span<const Bar> bars) {
  pine::Instance inst = pine::InstanceBuilder(program).build();
  inst.set_last_bar_index(static_cast<std::int64_t>(bars.size()) - 1);
  if (!bars.empty()) inst.set_last_chart_bar_time(bars.back().time);
  return inst;
}

/// pinevm's bar loop (the code under measurement).
[[gnu::noinline]] void measured_bar_loop_pinevm(pine::Instance& inst, std::span<const Bar> bars) {
  for (const Bar& b : bars) inst.run_bar(b);
}

/// The native baseline's bar loop; returns a checksum of the plotted values
/// so the compiler cannot drop the computation.
template <class Script>
[[gnu::noinline]] double measured_bar_loop_native(Script& script, std::span<const Bar> bars) {
  double checksum = 0.0;
  for (const Bar& b : bars) {
    for (double v : script.step(b)) {
      if (!std::isnan(v)) checksum += v;
    }
  }
  return checksum;
}

/// Bars at the start of each run after which allocations count as "per bar
/// in steady state" (every window of the reference scripts is full by then).
constexpr std::size_t kSteadyStateBars = 1000;

/// Times one run of `loop` over `bars` (split in two calls at
/// kSteadyStateBars); returns the seconds and adds the allocations made
/// after the split to `steady_allocations`.
template <class Loop>
double timed_run(std::span<const Bar> bars, Loop loop, std::int64_t& steady_allocations) {
  const std::size_t split = std::min(kSteadyStateBars, bars.size());
  const auto t0 = Clock::now();
  loop(bars.first(split));
  const std::int64_t before = pine::bench::heap_allocations();
  loop(bars.subspan(split));
  const double elapsed = seconds_since(t0);
  steady_allocations += pine::bench::heap_allocations() - before;
  return elapsed;
}

/// Which native script implements `script_path` (by its file name), or
/// throws: only R1 and R5 have a native version.
int native_script_of(const std::string& script_path) {
  const std::string name = script_path.substr(script_path.find_last_of('/') + 1);
  if (name == "r1_sma.pine") return 1;
  if (name == "r5_five_indicators.pine") return 5;
  throw std::runtime_error("no native version of '" + name + "' (only R1 and R5)");
}

/// `run`: see the file comment. Every run (warm-up included) uses a fresh
/// instance built outside the timed region.
void run_command(const std::string& engine, const std::string& script, const std::string& data, int runs,
                 int warmups) {
  const std::vector<Bar> bars = pine::cli::read_bars_file(data);
  malloc_trim(0); // the CSV parser's freed buffers go back to the system
  const bool peak_reset = reset_peak_rss();
  const std::int64_t rss_at_start_kib = proc_status_kib("VmRSS");
  std::vector<double> times;
  double compile_ms = 0.0;
  std::int64_t steady_allocations = 0;
  double checksum = 0.0;
  if (engine == "pinevm") {
    std::vector<double> compile_times;
    std::shared_ptr<const pine::Program> program;
    for (int r = 0; r < runs; ++r) {
      const auto t0 = Clock::now();
      program = compile_file(script);
      compile_times.push_back(seconds_since(t0) * 1e3);
    }
    compile_ms = median(compile_times);
    for (int r = 0; r < warmups + runs; ++r) {
      pine::Instance inst = make_instance(program, bars);
      std::int64_t allocations = 0;
      const double elapsed =
          timed_run(bars, [&](std::span<const Bar> part) { measured_bar_loop_pinevm(inst, part); }, allocations);
      if (r >= warmups) {
        times.push_back(elapsed);
        steady_allocations += allocations;
      }
    }
  } else if (engine == "native") {
    const int which = native_script_of(script);
    for (int r = 0; r < warmups + runs; ++r) {
      pine::bench::NativeR1 r1;
      pine::bench::NativeR5 r5;
      std::int64_t allocations = 0;
      const double elapsed = timed_run(
          bars,
          [&](std::span<const Bar> part) {
            checksum += which == 1 ? measured_bar_loop_native(r1, part) : measured_bar_loop_native(r5, part);
          },
          allocations);
      if (r >= warmups) {
        times.push_back(elapsed);
        steady_allocations += allocations;
      }
    }
  } else {
    throw std::runtime_error("unknown engine '" + engine + "' (pinevm or native)");
  }
  const double run_s = median(times);
  const std::size_t steady_bars = bars.size() - std::min(kSteadyStateBars, bars.size());
  std::cout << "bars=" << bars.size() << "\ncompile_ms=" << compile_ms << "\nrun_s=" << run_s
            << "\nbars_per_s=" << static_cast<std::int64_t>(static_cast<double>(bars.size()) / run_s)
            << "\nallocs_per_bar=" << static_cast<double>(steady_allocations) / static_cast<double>(runs * std::max<std::size_t>(steady_bars, 1))
            << "\npeak_rss_kib=" << proc_status_kib("VmHWM") << "\npeak_rss_excludes_loading=" << peak_reset
            << "\nrss_at_start_kib=" << rss_at_start_kib
            << "\nchecksum=" << checksum << "\n";
}

/// `compile`: median compile time of one script over `runs` compilations.
void compile_command(const std::string& script, int runs) {
  const std::string source = read_text(script);
  std::vector<double> times;
  for (int r = 0; r < runs; ++r) {
    pine::CompileOptions options;
    options.file_name = script;
    const auto t0 = Clock::now();
    pine::CompileResult compiled = pine::compile(source, options);
    times.push_back(seconds_since(t0) * 1e3);
    if (!compiled.ok()) throw std::runtime_error(compiled.format(source, script));
  }
  std::cout << "source_bytes=" << source.size() << "\ncompile_ms=" << median(times) << "\n";
}

/// `idle`: `count` instances each run over the first `bar_count` bars and
/// kept alive; reports the heap bytes they hold (counting allocator) and the
/// RSS growth, both per instance. The program and the bars are shared and
/// excluded (they exist before the measurement starts).
void idle_command(const std::string& script, const std::string& data, std::size_t bar_count, std::size_t count) {
  const std::vector<Bar> bars = read_first_bars(data, bar_count);
  const std::shared_ptr<const pine::Program> program = compile_file(script);
  std::vector<pine::Instance> instances;
  instances.reserve(count);
  const std::int64_t heap_before = pine::bench::heap_live_bytes();
  const std::int64_t rss_before_kib = proc_status_kib("VmRSS");
  for (std::size_t i = 0; i < count; ++i) {
    instances.push_back(make_instance(program, bars));
    measured_bar_loop_pinevm(instances.back(), bars);
  }
  const std::int64_t heap_after = pine::bench::heap_live_bytes();
  const std::int64_t rss_after_kib = proc_status_kib("VmRSS");
  const auto n = static_cast<double>(count);
  std::cout << "instances=" << count << "\nbars=" << bars.size()
            << "\nheap_bytes_per_instance=" << static_cast<double>(heap_after - heap_before) / n
            << "\nrss_bytes_per_instance=" << static_cast<double>(rss_after_kib - rss_before_kib) * 1024.0 / n
            << "\nsizeof_instance=" << sizeof(pine::Instance) << "\n";
}

/// `fleet`: `count` instances (built beforehand, not timed) run over the
/// first `bar_count` bars, split evenly over `threads` threads; the median of
/// `runs` repetitions, in instances per second.
void fleet_command(const std::string& script, const std::string& data, std::size_t bar_count, std::size_t count,
                   unsigned threads, int runs) {
  const std::vector<Bar> bars = read_first_bars(data, bar_count);
  const std::shared_ptr<const pine::Program> program = compile_file(script);
  std::vector<double> times;
  for (int r = 0; r < runs; ++r) {
    std::vector<pine::Instance> instances;
    instances.reserve(count);
    for (std::size_t i = 0; i < count; ++i) instances.push_back(make_instance(program, bars));
    const auto t0 = Clock::now();
    std::vector<std::jthread> workers;
    for (unsigned t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        // Thread t runs a contiguous block of instances (built one after the
        // other, so blocks share as little memory as possible).
        const std::size_t first = count * t / threads, last = count * (t + 1) / threads;
        for (std::size_t i = first; i < last; ++i) measured_bar_loop_pinevm(instances[i], bars);
      });
    }
    workers.clear(); // joins
    times.push_back(seconds_since(t0));
  }
  const double seconds = median(times);
  std::cout << "instances=" << count << "\nbars=" << bars.size() << "\nthreads=" << threads
            << "\ninstances_per_s=" << static_cast<double>(count) / seconds
            << "\nbars_per_s=" << static_cast<double>(count * bars.size()) / seconds << "\n";
}

} // namespace

/// Parses the subcommand and runs it; errors go to stderr with exit code 1.
int main(int argc, char** argv) {
  CLI::App app{"pinevm-bench-run: one measurement of the benchmark harness (see scripts/bench)"};
  app.require_subcommand(1);
  std::string engine = "pinevm", script, data;
  int runs = 5, warmups = 1;
  std::size_t bars = 10000, instances = 1000;
  unsigned threads = 1;

  CLI::App* run = app.add_subcommand("run", "bars/s, allocations per bar and peak RSS of one engine");
  run->add_option("--engine", engine, "pinevm or native")->capture_default_str();
  run->add_option("--script", script)->required();
  run->add_option("--data", data)->required();
  run->add_option("--runs", runs, "timed runs (median)")->capture_default_str();
  run->add_option("--warmups", warmups, "untimed runs first")->capture_default_str();

  CLI::App* compile = app.add_subcommand("compile", "median compile time of one script");
  compile->add_option("--script", script)->required();
  compile->add_option("--runs", runs)->capture_default_str();

  CLI::App* idle = app.add_subcommand("idle", "heap and RSS bytes per idle instance");
  idle->add_option("--script", script)->required();
  idle->add_option("--data", data)->required();
  idle->add_option("--bars", bars)->capture_default_str();
  idle->add_option("--instances", instances)->capture_default_str();

  CLI::App* fleet = app.add_subcommand("fleet", "instances per second over several threads");
  fleet->add_option("--script", script)->required();
  fleet->add_option("--data", data)->required();
  fleet->add_option("--bars", bars)->capture_default_str();
  fleet->add_option("--instances", instances)->capture_default_str();
  fleet->add_option("--threads", threads)->capture_default_str()->check(CLI::Range(1u, 256u));
  fleet->add_option("--runs", runs)->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  try {
    if (runs < 1) throw std::runtime_error("--runs must be at least 1");
    if (*run) {
      pine::bench::start_heap_counting();
      run_command(engine, script, data, runs, warmups);
    } else if (*compile) {
      compile_command(script, runs);
    } else if (*idle) {
      pine::bench::start_heap_counting();
      idle_command(script, data, bars, instances);
    } else if (*fleet) {
      fleet_command(script, data, bars, instances, threads, runs);
    }
  } catch (const std::exception& e) {
    std::cerr << "pinevm-bench-run: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
