// Removal of NOP instructions from a finished function (see compact_code.h).
#include "compact_code.h"

#include <cstdint>
#include <vector>

namespace pine {

namespace {

/// Whether `op` carries an instruction index in its BC operand.
bool is_jump(Opcode op) {
  return op == Opcode::JMP || op == Opcode::JMPF || op == Opcode::JMPT || op == Opcode::ONCE;
}

} // namespace

void remove_nops(FunctionProto& fn) {
  const std::size_t n = fn.code.size();
  // new_index[i]: the position, after removal, of the first kept instruction
  // at or after i (new_index[n] is the end of the code).
  std::vector<std::uint32_t> new_index(n + 1);
  std::uint32_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) {
    new_index[i] = kept;
    if (fn.code[i].op != Opcode::NOP) ++kept;
  }
  new_index[n] = kept;
  if (kept == n) return;

  std::vector<Instr> code;
  std::vector<std::uint32_t> lines;
  code.reserve(kept);
  lines.reserve(kept);
  for (std::size_t i = 0; i < n; ++i) {
    Instr in = fn.code[i];
    if (in.op == Opcode::NOP) continue;
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
