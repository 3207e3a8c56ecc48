// .pvmc files: a compiled program on disk.
//
// Layout: 8-byte magic "PINEVMC\0", u32 little-endian bytecode version, then
// the program's canonical bytes (serialize_program). Loading verifies the
// program like any other untrusted input.
#pragma once

#include <string>

#include "pine/vm/program.h"

namespace pine::cli {

void write_program_file(const std::string& path, const Program& program);

/// Throws ProgramError for a missing, foreign or invalid file.
Program read_program_file(const std::string& path);

} // namespace pine::cli
