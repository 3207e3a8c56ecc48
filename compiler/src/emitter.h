// BytecodeEmitter: builds one FunctionProto, one small emitter per encoding.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "pine/vm/program.h"

namespace pine {

/// Interns constants for a whole program (shared by all functions).
class ConstantPool {
public:
  explicit ConstantPool(Program& program) : program_(program) {}

  /// Index of a constant of type `t` with bits `v`, added once.
  std::uint32_t add(Type t, Value v) {
    auto key = std::make_pair(static_cast<int>(t), v.u);
    auto it = index_.find(key);
    if (it != index_.end()) return it->second;
    const auto i = static_cast<std::uint32_t>(program_.constants.size());
    program_.constants.push_back(v);
    program_.constant_types.push_back(t);
    index_.emplace(key, i);
    return i;
  }

  /// Handle of a string constant, added once.
  std::int64_t intern(const std::string& s) {
    auto it = strings_.find(s);
    if (it != strings_.end()) return it->second;
    const auto h = static_cast<std::int64_t>(program_.strings.size());
    program_.strings.push_back(s);
    strings_.emplace(s, h);
    return h;
  }

private:
  Program& program_;
  std::map<std::pair<int, std::uint64_t>, std::uint32_t> index_;
  std::map<std::string, std::int64_t> strings_;
};

/// Appends instructions to a function, tracking the source line of each.
class Emitter {
public:
  explicit Emitter(FunctionProto& fn) : fn_(fn) {}

  /// The source line given to instructions emitted from now on.
  void set_line(std::uint32_t line) { line_ = line; }

  /// A three-operand instruction; returns its index.
  std::size_t abc(Opcode op, std::uint16_t a, std::uint16_t b = 0, std::uint16_t c = 0) {
    fn_.code.push_back(Instr{op, 0, a, b, c});
    fn_.lines.push_back(line_);
    return fn_.code.size() - 1;
  }

  /// An instruction with a 32-bit BC operand (constants, jump targets).
  std::size_t abx(Opcode op, std::uint16_t a, std::uint32_t bc) {
    fn_.code.push_back(make_abc32(op, a, bc));
    fn_.lines.push_back(line_);
    return fn_.code.size() - 1;
  }

  /// A forward jump whose target is patched later with patch_to_here().
  std::size_t jump(Opcode op, std::uint16_t cond = 0) { return abx(op, cond, 0); }

  /// Points the jump at `at` to the next instruction to be emitted.
  void patch_to_here(std::size_t at) { patch(at, static_cast<std::uint32_t>(fn_.code.size())); }

  void patch(std::size_t at, std::uint32_t target) {
    Instr& in = fn_.code[at];
    in = make_abc32(in.op, in.a, target);
  }

  /// Index of the next instruction.
  std::uint32_t here() const { return static_cast<std::uint32_t>(fn_.code.size()); }

  Instr& at(std::size_t i) { return fn_.code[i]; }

  /// Turns the instruction at `at` into a NOP, keeping its operands (a later
  /// patch() of it stays harmless); compact_code() drops it once the function
  /// is complete.
  void retire(std::size_t at) { fn_.code[at].op = Opcode::NOP; }

private:
  FunctionProto& fn_;
  std::uint32_t line_ = 0;
};

} // namespace pine
