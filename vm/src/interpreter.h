// Executes bytecode on an instance's state.
#pragma once

#include <cstdint>
#include <string>

#include "instance_state.h"
#include "pine/vm/builtins.h"

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

  // Out-of-line handlers of run() (the rare or heavy instructions). `pc` is
  // always already past the instruction, as in run().

  /// CALL: copies the arguments into the callee's frame, runs it, copies the results back.
  void call(const FrameInfo& frame, Instr in);
  /// EQS/NES: string contents equal (want_equal) or different; false when either is na.
  bool strings_equal(std::int64_t x, std::int64_t y, bool want_equal) const;
  /// CONCAT: a new string x + y, na when either is na.
  std::int64_t concat(const FunctionProto& fn, std::size_t pc, std::int64_t x, std::int64_t y);
  /// LOG and ALERT: appends a record of `message` (a string handle) at `level`.
  void record_log(LogLevel level, std::int64_t message);
  /// STRFORMAT: str.format of the pattern args[0] with args[1..]; `types` is
  /// the string constant that spells the argument types.
  std::int64_t format(const FunctionProto& fn, std::size_t pc, const Value* args, std::uint16_t types);
  /// NEWOBJ: a new object of user type `type` whose fields are copied from `fields`.
  std::int64_t new_object(const FunctionProto& fn, std::size_t pc, std::uint16_t type, const Value* fields);
  /// GETFIELD/SETFIELD: field `index` of `object`; raises `na_message` when the object is na.
  Value& field(const FunctionProto& fn, std::size_t pc, std::int64_t object, std::uint16_t index, const char* na_message);
  /// COLL: the collection operation of `in` on the registers `regs` of the running frame.
  void collection(const FunctionProto& fn, std::size_t pc, Instr in, Value* regs);
  /// Charges `cost` units of allocation to the memory measurement (see
  /// kMemoryScanInterval) and measures when they run out.
  void charge_memory_scan(const FunctionProto& fn, std::size_t pc, std::int64_t cost) {
    st_.work_since_measure += cost;
    if ((st_.memory_scan_budget -= cost) <= 0) scan_memory(fn, pc);
  }
  /// Charges `units` of work to the bar's budget (RunLimits::work_per_bar):
  /// one add and one compare; the checks run only at work_check_at.
  void charge_work(const FunctionProto& fn, std::size_t pc, std::int64_t units) {
    if ((st_.work_done += units) >= st_.work_check_at) work_checkpoint(fn, pc);
  }
  /// Raises past the work limit or, every kClockCheckInterval units, past
  /// the time limit; sets the next checkpoint.
  void work_checkpoint(const FunctionProto& fn, std::size_t pc);
  /// BUILTIN: runs builtin `id` (charging the str.* ones their work first).
  void builtin(const FunctionProto& fn, std::size_t pc, BuiltinId id, const Value* args, Value& result);
  /// Measures the heap and the strings: asks for a collection at the end of
  /// the bar past kGcPressureBytes, raises past kMaxInstanceMemory.
  void scan_memory(const FunctionProto& fn, std::size_t pc);

  InstanceState& st_;
  const Program& prog_;
};

} // namespace pine
