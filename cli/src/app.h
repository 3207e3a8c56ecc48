// The pinevm command line as a function, so tests can drive it in-process.
#pragma once

#include <ostream>

namespace pine::cli {

/// Parses `argv` and runs one command, writing results to `out` and
/// messages to `err`. Returns the process exit code (README.md, "CLI reference").
int run_app(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

} // namespace pine::cli
