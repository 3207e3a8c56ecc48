// `pinevm bench SCRIPT --data FILE`: the benchmark harness's engine timings.
#pragma once

#include <ostream>
#include <string>

namespace pine::cli {

/// Times CSV parsing, compilation, the bar loop (best of `repeat`), and
/// snapshot save/restore; prints one line per measure. Returns an exit code.
int run_bench(const std::string& script, const std::string& data, int repeat, std::ostream& out, std::ostream& err);

} // namespace pine::cli
