// How `pinevm` commands fail: one exit code and one `pinevm: error: ...`
// line (then optional detail, e.g. compiler diagnostics), shared by every
// command so they all keep the same contract (README, "Exit codes").
#pragma once

#include <string>
#include <utility>

#include "pine/vm/instance.h"

namespace pine::cli {

/// The exit codes of the CLI contract.
enum Exit { kOk = 0, kCompileError = 1, kUsage = 2, kSnapshot = 3, kRuntime = 4, kData = 5 };

/// A failure that ends the command with an exit code and one message line.
struct Failure {
  int code;
  std::string message;
  std::string detail; ///< printed after the message line (e.g. diagnostics)
};

/// Ends the command: run_app prints "pinevm: error: <message>" and `detail`.
[[noreturn]] inline void fail(int code, const std::string& message, std::string detail = {}) {
  throw Failure{code, message, std::move(detail)};
}

/// Ends the command with exit code 4 for a script's runtime error, naming
/// the bar and, when known, the script line: the same text for run and bench.
[[noreturn]] inline void fail_runtime(const RuntimeError& e, const std::string& script) {
  fail(kRuntime, "runtime error on bar " + std::to_string(e.bar_index()) +
                     (e.line() ? " (" + script + ":" + std::to_string(e.line()) + ")" : std::string()) + ": " +
                     e.message());
}

} // namespace pine::cli
