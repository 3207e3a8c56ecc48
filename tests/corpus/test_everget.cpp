// The everget indicator corpus (tests/data/everget): real published scripts
// compiled and run over the sample data.
//
// - Every script listed in tests/data/everget/running.txt must compile and
//   run every bar (the regression guard).
// - Every other script must fail to compile with a diagnostic that says what
//   is not supported, and must be listed in docs/unsupported.md, so no script
//   fails silently or for an undocumented reason.
// - A MESSAGE reports the figures (ran / failed) and scripts that run without
//   being listed yet.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bars_csv.h"
#include "pine/compiler/compile.h"
#include "pine/vm/instance.h"

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = fs::path(PINEVM_SOURCE_DIR) / "tests" / "data" / "everget";

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// One script's outcome: empty when it compiled and ran every bar, else the
/// first compile error or the runtime error.
std::string run_script(const fs::path& path, const std::vector<pine::Bar>& bars) {
  const std::string source = read_text(path);
  pine::CompileOptions options;
  options.file_name = path.filename().string();
  pine::CompileResult compiled = pine::compile(source, options);
  if (!compiled.ok()) {
    for (const pine::Diagnostic& d : compiled.diagnostics)
      if (d.severity == pine::Severity::Error) return "compile error: " + d.message;
    return "compile error";
  }
  try {
    pine::Instance inst = pine::InstanceBuilder(compiled.program).build();
    inst.set_last_bar_index(static_cast<std::int64_t>(bars.size()) - 1);
    for (const pine::Bar& bar : bars) inst.run_bar(bar);
  } catch (const std::exception& e) {
    return std::string("runtime error: ") + e.what();
  }
  return {};
}

} // namespace

TEST_CASE("everget corpus: listed scripts run, the others fail naming an unsupported feature") {
  const std::vector<pine::Bar> bars =
      pine::cli::read_bars_file(std::string(PINEVM_SOURCE_DIR) + "/examples/data/sample_ohlcv.csv");
  std::set<std::string> listed;
  {
    std::istringstream in(read_text(kRoot / "running.txt"));
    for (std::string line; std::getline(in, line);)
      if (!line.empty() && line[0] != '#') listed.insert(line);
  }
  const std::string unsupported_doc = read_text(fs::path(PINEVM_SOURCE_DIR) / "docs" / "unsupported.md");
  std::vector<std::string> scripts;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(kRoot))
    if (e.is_regular_file() && e.path().extension() == ".pine") scripts.push_back(fs::relative(e.path(), kRoot).generic_string());
  std::sort(scripts.begin(), scripts.end());
  REQUIRE(scripts.size() >= 15);

  std::size_t ran = 0;
  std::string unlisted;
  for (const std::string& s : scripts) {
    const std::string outcome = run_script(kRoot / s, bars);
    INFO("script: " << s << "\n  outcome: " << outcome);
    if (outcome.empty()) {
      ++ran;
      if (!listed.count(s)) unlisted += "  " + s + "\n";
      continue;
    }
    CHECK_MESSAGE(!listed.count(s), "a script of running.txt no longer runs");
    CHECK_MESSAGE(outcome.find("not supported") != std::string::npos, "a failure must name an unsupported feature");
    CHECK_MESSAGE(unsupported_doc.find(s) != std::string::npos, "docs/unsupported.md must list the failing script");
  }
  MESSAGE("everget corpus: " << ran << "/" << scripts.size() << " scripts run, " << scripts.size() - ran << " fail"
                             << (unlisted.empty() ? std::string() : "; running but not in running.txt:\n" + unlisted));
}
