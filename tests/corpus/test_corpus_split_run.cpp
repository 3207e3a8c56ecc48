// The split-run invariant (tests/snapshot/test_split_run.cpp) on the real
// scripts of the corpora, which mix more kinds of state than any one
// conformance script:
// - every running everget script (tests/data/everget/running.txt) over the
//   2,600 sample bars, at six pseudo-random split points, a chain of two and
//   a chain of three splits (seed printed on failure);
// - every passing pinecone fixture that expects output
//   (tests/data/pinecone/passing.txt) over its own bars, inputs and
//   timeframe, split at EVERY bar (those runs are at most a few hundred
//   bars), then chained in two and three splits.
// Each split also checks that save -> restore -> save is byte-identical.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bars_csv.h"
#include "corpus/pinecone_runner.h"
#include "pine/compiler/compile.h"
#include "snapshot/split_run_support.h"

namespace fs = std::filesystem;
using namespace split_run;

namespace {

const fs::path kData = fs::path(PINEVM_SOURCE_DIR) / "tests" / "data";

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Checks every chain in `chains` against the straight run; returns the
/// number of chains checked.
std::size_t check_chains(const Factory& make, const HostSetup& host, const Program& program,
                         const std::vector<Bar>& bars, const std::vector<std::vector<std::size_t>>& chains) {
  Trace straight;
  {
    Instance inst = make();
    host(inst);
    run_range(inst, bars, 0, bars.size(), straight);
  }
  for (const std::vector<std::size_t>& cuts : chains) {
    std::ostringstream label;
    for (std::size_t c : cuts) label << c << " ";
    INFO("cuts at ", label.str());
    const std::string diff = compare_suffix(straight, run_with_cuts(make, host, program, bars, cuts));
    CHECK_MESSAGE(diff.empty(), diff);
  }
  return chains.size();
}

/// `count` sorted pseudo-random cuts in [0, n].
std::vector<std::size_t> random_cuts(std::mt19937_64& rng, std::size_t count, std::size_t n) {
  std::vector<std::size_t> c(count);
  for (std::size_t& x : c) x = static_cast<std::size_t>(rng() % (n + 1));
  std::sort(c.begin(), c.end());
  return c;
}

} // namespace

TEST_CASE("corpus split-run: everget scripts at random split points, and chains of two and three") {
  const std::vector<Bar> bars = cli::read_bars_file((fs::path(PINEVM_SOURCE_DIR) / "examples/data/sample_ohlcv.csv").string());
  const std::uint64_t seed = 20261123;
  INFO("seed ", seed);
  std::mt19937_64 rng(seed);
  std::size_t scripts = 0, runs = 0;
  for (const std::string& rel : pine::corpus::read_list(kData / "everget" / "running.txt")) {
    INFO("script everget/", rel);
    const std::string source = read_text(kData / "everget" / rel);
    CompileResult compiled = compile(source);
    REQUIRE_MESSAGE(compiled.ok(), compiled.format(source, rel));
    const Script script{rel, compiled.program};
    const Factory make = [&] { return fresh_instance(script, bars.size()); };
    const HostSetup host = [&](Instance& inst) { inst.set_last_bar_index(static_cast<std::int64_t>(bars.size()) - 1); };
    std::vector<std::vector<std::size_t>> chains;
    for (int i = 0; i < 6; ++i) chains.push_back(random_cuts(rng, 1, bars.size()));
    chains.push_back(random_cuts(rng, 2, bars.size()));
    chains.push_back(random_cuts(rng, 3, bars.size()));
    runs += check_chains(make, host, *script.program, bars, chains);
    ++scripts;
  }
  CHECK(scripts >= 14);
  MESSAGE("everget: " << scripts << " scripts, " << runs << " split runs over " << bars.size() << " bars");
}

TEST_CASE("corpus split-run: pinecone fixtures split at every bar") {
  const fs::path root = kData / "pinecone";
  const std::uint64_t seed = 7;
  std::mt19937_64 rng(seed);
  std::size_t fixtures = 0, runs = 0;
  for (const std::string& rel : pine::corpus::read_list(root / "passing.txt")) {
    const std::string source = read_text(root / rel);
    const corpus::FixtureSpec spec = corpus::parse_fixture(source);
    if (!spec.expects_output) continue; // error fixtures never run a bar
    INFO("fixture pinecone/", rel, " (seed ", seed, ")");
    CompileOptions options;
    options.file_name = rel;
    options.lib_paths = {(root / "libraries").string()};
    CompileResult compiled = compile(source, options);
    REQUIRE_MESSAGE(compiled.ok(), compiled.format(source, rel));
    const std::vector<Bar> all = corpus::read_fixture_bars(root / "data" / spec.data_file);
    const std::size_t n = std::min(spec.bars, all.size());
    const std::vector<Bar> bars(all.end() - static_cast<std::ptrdiff_t>(n), all.end());
    const Factory make = [&] {
      InstanceBuilder builder(compiled.program);
      builder.symbol("NASDAQ:AAPL").timeframe(spec.timeframe);
      for (const auto& [title, value] : spec.inputs) builder.input(title, value);
      return builder.build();
    };
    const HostSetup host = [&](Instance& inst) {
      inst.set_last_bar_index(static_cast<std::int64_t>(n) - 1);
      if (n > 0) inst.set_last_chart_bar_time(bars.back().time);
    };
    std::vector<std::vector<std::size_t>> chains;
    for (std::size_t k = 0; k <= n; ++k) chains.push_back({k});
    chains.push_back(random_cuts(rng, 2, n));
    chains.push_back(random_cuts(rng, 3, n));
    runs += check_chains(make, host, *compiled.program, bars, chains);
    ++fixtures;
  }
  CHECK(fixtures >= 100);
  MESSAGE("pinecone: " << fixtures << " fixtures, " << runs << " split runs");
}
