// Getting values into the slots that need them with as few instructions as
// possible: constants loaded straight into argument blocks, variables and
// conditional results (their first load retired), and a computed value's
// last instruction writing straight into its variable.
#include "codegen.h"

#include "pine/vm/builtins.h"
#include "pine/vm/collections.h"

namespace pine {

namespace {

/// Whether `op` computes A from B and C (or B) alone, reading both before
/// writing A, so A may also be one of its operands (the code generator
/// already emits `ADDI r, r, step` and `I2F r, r`).
bool pure_scalar_op(Opcode op) {
  switch (op) {
    case Opcode::ADDF: case Opcode::SUBF: case Opcode::MULF: case Opcode::DIVF: case Opcode::MODF: case Opcode::NEGF:
    case Opcode::ADDI: case Opcode::SUBI: case Opcode::MULI: case Opcode::MODI: case Opcode::NEGI:
    case Opcode::I2F: case Opcode::F2I:
    case Opcode::LTF: case Opcode::LEF: case Opcode::GTF: case Opcode::GEF: case Opcode::EQF: case Opcode::NEF:
    case Opcode::LTI: case Opcode::LEI: case Opcode::GTI: case Opcode::GEI: case Opcode::EQI: case Opcode::NEI:
    case Opcode::EQB: case Opcode::NEB: case Opcode::EQC: case Opcode::NEC: case Opcode::NOT:
    case Opcode::ISNAF: case Opcode::ISNAI: case Opcode::ISNAC: case Opcode::ISNAS: case Opcode::ISNAR:
      return true;
    default:
      return false;
  }
}

/// Whether `op` writes exactly one slot, A, and no other (see bytecode.h).
bool writes_only_a(Opcode op) {
  if (pure_scalar_op(op)) return true;
  switch (op) {
    case Opcode::MOVE: case Opcode::LOADK: case Opcode::LOADINPUT: case Opcode::GETGLOBAL: case Opcode::LOADSOURCE:
    case Opcode::LOADCONTEXT: case Opcode::EQS: case Opcode::NES: case Opcode::CONCAT:
    case Opcode::SERIES_GETK: case Opcode::SERIES_GET: case Opcode::GSERIES_GETK: case Opcode::GSERIES_GET:
    case Opcode::GETFIELD: case Opcode::ENUMSTR: case Opcode::NEWOBJ: case Opcode::STRFORMAT: case Opcode::RANDOM:
      return true;
    default:
      return false;
  }
}

} // namespace

void FunctionCompiler::emit_arg_block(std::uint16_t first, const std::vector<ExprValue>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto slot = static_cast<std::uint16_t>(first + i);
    if (const std::optional<std::uint32_t> k = take_constant(values[i])) emit_.abx(Opcode::LOADK, slot, *k);
    else emit_.abc(Opcode::MOVE, slot, values[i].reg);
  }
}

// A constant's register is a fresh temporary written only by its LOADK
// (constant()), so once its value goes straight into the slot that needs it
// the LOADK is dead, provided nothing emitted since has read the register;
// the caller guarantees nothing will read it later. Loading a constant later
// than before is invisible: a LOADK has no side effect and cannot fail, and
// every path to the new load passed the old one (an expression's code has
// no jump into its middle).
std::optional<std::uint32_t> FunctionCompiler::take_constant(const ExprValue& v) {
  if (!v.const_load) return std::nullopt;
  const std::size_t at = *v.const_load;
  const Instr& load = emit_.at(at);
  if (load.a != v.reg) return std::nullopt;
  // Already retired for another slot: the NOP still holds the constant
  // index (patched there if the value was converted since).
  if (load.op == Opcode::NOP && retired_loads_.count(at)) return load.bc();
  if (load.op != Opcode::LOADK || !untouched_between(v.reg, at + 1, emit_.here())) return std::nullopt;
  const std::uint32_t k = load.bc();
  emit_.retire(at);
  retired_loads_.insert(at);
  return k;
}

bool FunctionCompiler::untouched_between(std::uint16_t reg, std::size_t from, std::size_t to) {
  // By the operand kinds of the opcode list (bytecode.h): a single slot
  // names `reg` when it is `reg`, a run of slots (whose length the opcode
  // defines) may reach it when it starts at or below it; indices of other
  // tables never do.
  auto may_name = [reg](Operand kind, std::uint16_t value) {
    if (kind == Operand::Reg || kind == Operand::Global) return value == reg;
    if (kind == Operand::Span) return value <= reg;
    return false;
  };
  for (std::size_t i = from; i < to; ++i) {
    const Instr& in = emit_.at(i);
    const OpFormat format = opcode_format(in.op);
    if (may_name(format.a, in.a) || may_name(format.b, in.b) || may_name(format.c, in.c)) return false;
  }
  return true;
}

std::uint16_t* FunctionCompiler::single_result_slot(Instr& in) {
  if (writes_only_a(in.op)) return &in.a;
  // Slot C, when it is the one result (the arguments from B lie below it).
  std::size_t results = 0;
  switch (in.op) {
    case Opcode::BUILTIN: results = 1; break;
    case Opcode::TA: results = state_spec(fn_.states.at(in.a)).results.size(); break;
    case Opcode::COLL: results = coll_op_info(static_cast<CollOp>(in.a)).results; break;
    case Opcode::STRATEGY: results = strategy_spec(static_cast<StrategyFn>(in.a)).results.size(); break;
    case Opcode::CALL: results = pc_.functions_storage.at(fn_.call_sites.at(in.a))->num_results; break;
    default: break;
  }
  return results == 1 ? &in.c : nullptr;
}

// `v` came from code emitted from `start` on. When its register is a
// temporary that only the last of those instructions touches, that
// instruction writes nothing but it, and no jump of the code leaves past it
// (every path runs it just before the MOVE that would follow), making it
// write `dst` instead gives `dst` the same value at the same point as that
// MOVE; the temporary is then never written, and the caller does not read
// it again.
// `dst` may be read by the code (x := x + 1): the code before the last
// instruction still reads its old value, and the last one may read it only
// if it reads its operands before writing (pure_scalar_op).
bool FunctionCompiler::retarget_result(const ExprValue& v, std::size_t start, std::uint16_t temps, std::uint16_t dst) {
  if (v.const_load || v.na_load || v.reg < temps || emit_.here() <= start) return false;
  const std::size_t last = emit_.here() - 1;
  Instr& in = emit_.at(last);
  std::uint16_t* slot = single_result_slot(in);
  if (slot == nullptr || *slot != v.reg || !untouched_between(v.reg, start, last)) return false;
  for (std::size_t i = start; i < last; ++i) {
    const Instr& j = emit_.at(i);
    const bool jump = j.op == Opcode::JMP || j.op == Opcode::JMPF || j.op == Opcode::JMPT || j.op == Opcode::ONCE;
    if (jump && j.bc() > last) return false;
  }
  if (!pure_scalar_op(in.op) && !untouched_between(dst, last, last + 1)) return false;
  if (writes_only_a(in.op) && (in.b == v.reg || in.c == v.reg)) return false;
  *slot = dst;
  return true;
}

} // namespace pine
