// `pinevm bench SCRIPT --data FILE`: the benchmark harness's engine timings.
#pragma once

#include <ostream>
#include <string>

namespace pine::cli {

/// Times CSV parsing, compilation, the bar loop (best of `repeat`), and
/// snapshot save/restore; prints one line per measure. Returns 0; failures
/// throw Failure (cli_error.h) with run's exit codes and messages.
int run_bench(const std::string& script, const std::string& data, int repeat, std::ostream& out, std::ostream& err);

} // namespace pine::cli
