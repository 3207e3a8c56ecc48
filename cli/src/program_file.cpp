// .pvmc reading and writing (see program_file.h).
#include "program_file.h"

#include <cstring>

#include "pine/snapshot/envelope.h"
#include "pine/snapshot/snapshot_error.h"

namespace pine::cli {

namespace {
constexpr char kMagic[8] = {'P', 'I', 'N', 'E', 'V', 'M', 'C', '\0'};
}

// A byte comparison of the fixed magic.
bool is_program_file_magic(std::string_view head) {
  return head.size() >= 8 && std::memcmp(head.data(), kMagic, 8) == 0;
}

// Magic, bytecode version, canonical program bytes.
void write_program_file(const std::string& path, const Program& program) {
  std::vector<std::uint8_t> bytes(kMagic, kMagic + 8);
  for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<std::uint8_t>(kBytecodeVersion >> (8 * i)));
  const std::vector<std::uint8_t> body = serialize_program(program);
  bytes.insert(bytes.end(), body.begin(), body.end());
  snapshot::write_file_atomic(path, bytes, "program file");
}

// Reads the file once and decodes it with program_from_bytes.
Program read_program_file(const std::string& path) {
  std::vector<std::uint8_t> bytes;
  try {
    bytes = snapshot::read_file(path);
  } catch (const SnapshotError& e) {
    throw ProgramError(e.what());
  }
  return program_from_bytes(path, bytes);
}

// Checks the magic and version before decoding (which verifies the program).
Program program_from_bytes(const std::string& path, std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 12 || std::memcmp(bytes.data(), kMagic, 8) != 0)
    throw ProgramError("'" + path + "' is not a pinevm program file");
  std::uint32_t version = 0;
  for (int i = 0; i < 4; ++i) version |= std::uint32_t{bytes[8 + i]} << (8 * i);
  if (version != kBytecodeVersion)
    throw ProgramError("'" + path + "' has bytecode version " + std::to_string(version) + ", this build runs " +
                       std::to_string(kBytecodeVersion) + ": recompile the script");
  return deserialize_program(bytes.subspan(12));
}

} // namespace pine::cli
