// Executes bytecode on an instance's state.
#pragma once

#include <cstdint>
#include <string>

#include "instance_state.h"

namespace pine {

/// Runs functions of one instance. Cheap to construct: one per bar.
class Interpreter {
public:
  explicit Interpreter(InstanceState& state);

  /// Runs the function instance of frame `frame_index` to its RET and
  /// returns a pointer to its result slots (valid until the next call).
  const Value* run(std::uint32_t frame_index);

private:
  /// Halts the instance with a RuntimeError at instruction `pc` of `fn`.
  [[noreturn]] void raise(const FunctionProto& fn, std::size_t pc, const std::string& message);

  /// Reads `offset` bars back in `ring` (pc is already past the instruction).
  Value read_history(const FunctionProto& fn, std::size_t pc, const SeriesRing& ring, std::int64_t offset);

  InstanceState& st_;
  const Program& prog_;
  std::int64_t loop_iterations_ = 0; ///< LOOPCHECKs passed in this execution
};

} // namespace pine
