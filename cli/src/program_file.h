// .pvmc files: a compiled program on disk.
//
// Layout: 8-byte magic "PINEVMC\0", u32 little-endian bytecode version, then
// the program's canonical bytes (serialize_program). Loading verifies the
// program like any other untrusted input.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "pine/vm/program.h"

namespace pine::cli {

/// Writes `program` atomically (snapshot::write_file_atomic: a symbolic link
/// is written through, a non-regular target refused).
void write_program_file(const std::string& path, const Program& program);

/// True when `head` (a file's first 8 bytes) is the .pvmc magic.
bool is_program_file_magic(std::string_view head);

/// Throws ProgramError for a missing, foreign or invalid file.
Program read_program_file(const std::string& path);

/// Decodes the whole bytes of a .pvmc file already read (a pipe can be read
/// only once); `path` names it in errors. Throws ProgramError.
Program program_from_bytes(const std::string& path, std::span<const std::uint8_t> bytes);

} // namespace pine::cli
