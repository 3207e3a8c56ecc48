// Removal of instructions that do nothing (see compact_code.h).
#include "compact_code.h"

#include <cstdint>
#include <vector>

namespace pine {

namespace {

/// Whether `op` carries an instruction index in its BC operand.
bool is_jump(Opcode op) {
  return op == Opcode::JMP || op == Opcode::JMPF || op == Opcode::JMPT || op == Opcode::ONCE;
}

/// Whether `in` has no effect beyond where it sends
/// execution: JMP/JMPF/JMPT only read (ONCE also sets its flag).
bool pure_jump(const Instr& in) {
  return in.op == Opcode::JMP || in.op == Opcode::JMPF || in.op == Opcode::JMPT;
}

} // namespace

void compact_code(FunctionProto& fn) {
  const std::size_t n = fn.code.size();
  // Decided from the end, so a jump over jumps that are themselves removed
  // is seen to land on the next remaining instruction.
  std::vector<bool> removed(n, false);
  for (std::size_t i = n; i-- > 0;) {
    const Instr& in = fn.code[i];
    if (in.op == Opcode::NOP) {
      removed[i] = true;
      continue;
    }
    if (!pure_jump(in) || in.bc() <= i || in.bc() > n) continue;
    std::size_t j = i + 1;
    while (j < in.bc() && removed[j]) ++j;
    removed[i] = j == in.bc() && j < n;
  }
  // new_index[i]: the position, after removal, of the first remaining
  // instruction at or after i (new_index[n] is the end of the code).
  std::vector<std::uint32_t> new_index(n + 1);
  std::uint32_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) {
    new_index[i] = kept;
    if (!removed[i]) ++kept;
  }
  new_index[n] = kept;
  if (kept == n) return;

  std::vector<Instr> code;
  std::vector<std::uint32_t> lines;
  code.reserve(kept);
  lines.reserve(kept);
  for (std::size_t i = 0; i < n; ++i) {
    if (removed[i]) continue;
    Instr in = fn.code[i];
    // A target past the end stays past the end (the verifier rejects it,
    // as it would have before).
    if (is_jump(in.op)) in = make_abc32(in.op, in.a, in.bc() <= n ? new_index[in.bc()] : in.bc());
    code.push_back(in);
    lines.push_back(fn.lines[i]);
  }
  fn.code = std::move(code);
  fn.lines = std::move(lines);
}

} // namespace pine
