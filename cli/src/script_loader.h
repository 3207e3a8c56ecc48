// Turning the script argument of a command into a Program: a .pine source
// compiled here, or a compiled .pvmc program file, told apart by their first
// bytes (the "PINEVMC\0" magic), not by the file name.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "pine/vm/program.h"

namespace pine::cli {

/// The whole text of `path`; `what` names the argument in errors (exit 2
/// for a directory or a file that cannot be read).
std::string read_text_file(const std::string& path, const std::string& what);

/// What a command does with the program it loads. A library() script has
/// no body to run: `check` and `disasm` accept it, `run`, `compile` and
/// `bench` refuse it.
enum class ScriptUse { Run, Inspect };

/// Fails (exit 2) when `use` is Run: `path` is a library script.
void refuse_library(const std::string& path, ScriptUse use);

/// Compiles a script file, printing warnings to `err`; a compile error
/// fails with exit 1 and the diagnostics, a library to be run with exit 2.
std::shared_ptr<const Program> compile_file(const std::string& path, const std::vector<std::string>& lib_paths,
                                            std::ostream& err, ScriptUse use);

/// compile_file on text already read: `path` names it in messages.
std::shared_ptr<const Program> compile_source(const std::string& path, const std::string& source,
                                              const std::vector<std::string>& lib_paths, std::ostream& err,
                                              ScriptUse use, double* compile_seconds = nullptr);

/// Loads `path` as a compiled program when it starts with the .pvmc magic,
/// else compiles it as a script. A snapshot or a script holding NUL bytes
/// (a binary file) is refused with exit 2 naming what it is; an invalid
/// program file, or a file named *.pvmc without the magic, is exit 5.
/// `compile_seconds`, when given, receives the compile time (0 for a
/// program file), for `bench`.
std::shared_ptr<const Program> load_program(const std::string& path, const std::vector<std::string>& lib_paths,
                                            std::ostream& err, ScriptUse use, double* compile_seconds = nullptr);

} // namespace pine::cli
