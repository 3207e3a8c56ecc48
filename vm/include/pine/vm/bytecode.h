// The pinevm instruction set: this header is its specification.
//
// Format
// ------
// An instruction is 8 bytes: an opcode byte, a spare byte T and three 16-bit
// operands A, B, C. T is 0 except for COLL, where it carries the static
// element type of the collection (see collections.h). Where an instruction needs a 32-bit operand
// (a jump target or a constant index) it is BC = (B << 16) | C.
//
// Registers are the 8-byte slots of the executing frame (see program.h).
// Every function instance (call path) owns one frame for the life of the
// instance, so a register keeps its value across bars: that is how `var`
// variables persist without any copying. Frames are laid out once when an
// instance is built; no frame is allocated while bars run.
//
// Types are static. Instructions are typed by suffix: F = float (double, na
// is NaN), I = int (int64, na is INT64_MIN), B = bool (0/1, never na),
// S = string (handle, na is -1), C = color (0xRRGGBBAA, na is bit 32),
// R = reference to a heap object (handle, na is -1).
// No instruction checks a type at run time; the verifier (verify.h) checks
// operands are in range before a program is ever run.
//
// Version history
// ---------------
// 1: initial instruction set.
// 2: (pre-release, before any program was published) heap objects (NEWOBJ,
//    GETFIELD, SETFIELD, COLL, ENUMSTR, ISNAR), outputs (ALERT, STRFORMAT,
//    RANDOM), built-in variables 18..30 (calendar fields, time_close,
//    timenow, time_tradingday, last_bar_time,
//    barstate.islastconfirmedhistory) in main-frame slots that were ordinary
//    registers in version 1, and LOADCONTEXT for syminfo.*/timeframe.*.
#pragma once

#include <cstdint>

namespace pine {

/// The bytecode format version, bumped whenever an opcode's meaning or
/// encoding changes. Snapshots and .pvmc files record it.
inline constexpr std::uint32_t kBytecodeVersion = 2;

// X(name, operand summary). The summary is printed by the disassembler's
// documentation and is the reference for every operand.
#define PINE_OPCODES(X)                                                              \
  X(NOP, "")                                                                          \
  X(MOVE, "A=dst B=src: copy one slot")                                                \
  X(LOADK, "A=dst BC=constant index")                                                  \
  X(LOADINPUT, "A=dst B=input index: the resolved value of an input.*() call")         \
  X(GETGLOBAL, "A=dst B=slot of the main frame (functions read globals)")              \
  X(LOADSOURCE, "A=dst B=input index: the current value of the built-in series an input.source() selects") \
  /* float arithmetic: A=dst B=lhs C=rhs; IEEE semantics, NaN propagates */            \
  X(ADDF, "A=dst B=lhs C=rhs")                                                        \
  X(SUBF, "A=dst B=lhs C=rhs")                                                        \
  X(MULF, "A=dst B=lhs C=rhs")                                                        \
  X(DIVF, "A=dst B=lhs C=rhs (x/0 gives +-inf or NaN)")                              \
  X(MODF, "A=dst B=lhs C=rhs (fmod: truncated quotient, sign of lhs)")              \
  X(NEGF, "A=dst B=src")                                                              \
  /* int arithmetic: na in => na out */                                               \
  X(ADDI, "A=dst B=lhs C=rhs")                                                        \
  X(SUBI, "A=dst B=lhs C=rhs")                                                        \
  X(MULI, "A=dst B=lhs C=rhs")                                                        \
  X(MODI, "A=dst B=lhs C=rhs (truncated; x%0 is na)")                                \
  X(NEGI, "A=dst B=src")                                                              \
  X(I2F, "A=dst B=src: int to float (na -> NaN)")                                     \
  X(F2I, "A=dst B=src: float to int, truncating toward zero (na/inf -> na)")          \
  /* comparisons write a bool; any na operand gives false (even for !=) */            \
  X(LTF, "A=dst B=lhs C=rhs")                                                         \
  X(LEF, "A=dst B=lhs C=rhs")                                                         \
  X(GTF, "A=dst B=lhs C=rhs")                                                         \
  X(GEF, "A=dst B=lhs C=rhs")                                                         \
  X(EQF, "A=dst B=lhs C=rhs")                                                         \
  X(NEF, "A=dst B=lhs C=rhs")                                                         \
  X(LTI, "A=dst B=lhs C=rhs")                                                         \
  X(LEI, "A=dst B=lhs C=rhs")                                                         \
  X(GTI, "A=dst B=lhs C=rhs")                                                         \
  X(GEI, "A=dst B=lhs C=rhs")                                                         \
  X(EQI, "A=dst B=lhs C=rhs")                                          \
  X(NEI, "A=dst B=lhs C=rhs")                                          \
  X(EQB, "A=dst B=lhs C=rhs")                                                         \
  X(NEB, "A=dst B=lhs C=rhs")                                                         \
  X(EQS, "A=dst B=lhs C=rhs: string contents")                                        \
  X(NES, "A=dst B=lhs C=rhs: string contents")                                        \
  X(EQC, "A=dst B=lhs C=rhs: colors (na is bit 32)")                                  \
  X(NEC, "A=dst B=lhs C=rhs: colors")                                                 \
  X(NOT, "A=dst B=src (bool)")                                                        \
  X(CONCAT, "A=dst B=lhs C=rhs: string + string (na operand -> na)")                 \
  /* na tests: A=dst(bool) B=src */                                                   \
  X(ISNAF, "A=dst B=src: NaN or +-inf")                                               \
  X(ISNAI, "A=dst B=src")                                                             \
  X(ISNAC, "A=dst B=src")                                                             \
  X(ISNAS, "A=dst B=src")                                                             \
  /* control flow; targets are absolute instruction indices in the function */        \
  X(JMP, "BC=target")                                                                 \
  X(JMPF, "A=cond(bool) BC=target: jump when false")                                 \
  X(JMPT, "A=cond(bool) BC=target: jump when true")                                  \
  X(ONCE, "A=flag slot BC=target: jump when the flag is set, else set it; guards var initialisers") \
  X(LOOPCHECK, "(no operands) one loop iteration; runtime error past the per-bar loop budget. Every backward jump must land on one") \
  /* series history: the series index is local to the function's series table */     \
  X(SERIES_SET, "A=series B=src: record src as the series value of the current bar")  \
  X(SERIES_GETK, "A=dst B=series C=offset (constant, >= 1)")                          \
  X(SERIES_GET, "A=dst B=series C=offset slot (int; floored float offsets arrive as int)") \
  X(GSERIES_GETK, "A=dst B=series of the main frame C=offset (constant, >= 1): globals' history from a function") \
  X(GSERIES_GET, "A=dst B=series of the main frame C=offset slot")                    \
  /* calls */                                                                          \
  X(CALL, "A=call site B=first argument slot C=first result slot")                    \
  X(RET, "A=first result slot B=result count")                                        \
  X(BUILTIN, "A=builtin id B=first argument slot C=result slot: stateless builtin")   \
  X(TA, "A=state index B=first argument slot C=first result slot: stateful builtin")  \
  /* outputs and errors */                                                             \
  X(PLOT, "A=plot index B=src")                                                       \
  X(LOG, "A=level (0 info, 1 warning, 2 error) B=message (string)")                  \
  X(RAISE, "A=message (string): runtime.error; halts the instance")                 \
  /* heap objects: arrays, maps, UDT objects (see collections.h) */                   \
  X(NEWOBJ, "A=dst B=type index C=first field slot: a new object of user type B whose fields are C, C+1, ...") \
  X(GETFIELD, "A=dst B=object C=field index: runtime error when B is na")             \
  X(SETFIELD, "A=object B=field index C=src: runtime error when A is na")              \
  X(COLL, "A=collection op B=first argument slot C=first result slot T=element type")  \
  X(ENUMSTR, "A=dst B=enum member (ordinal) C=enum index: the member's title (string)") \
  X(ISNAR, "A=dst B=src: reference is na")                                    \
  /* appended after version 1's first list (the format is unreleased) */              \
  X(ALERT, "A=message (string) B=frequency (0 all, 1 once per bar, 2 once per bar close): records a fired alert") \
  X(STRFORMAT, "A=dst B=first slot: the pattern, then one slot per argument C=string index of the argument types ('f' float, 'i' int, 'b' bool, 's' string per argument): str.format") \
  X(RANDOM, "A=dst B=first argument slot (min float, max float, seed int): math.random on the instance's generator")                                                     \
  X(LOADCONTEXT, "A=dst B=context value (ContextValue, symbol_info.h): a syminfo.*/timeframe.* value, fixed for the instance")

/// Opcodes, numbered in PINE_OPCODES order. The numbering is part of the
/// bytecode format: append only, never reorder.
enum class Opcode : std::uint8_t {
#define PINE_OPCODE_ENUM(name, doc) name,
  PINE_OPCODES(PINE_OPCODE_ENUM)
#undef PINE_OPCODE_ENUM
      Count
};

/// One encoded instruction (8 bytes).
struct Instr {
  Opcode op = Opcode::NOP;
  std::uint8_t spare = 0;
  std::uint16_t a = 0;
  std::uint16_t b = 0;
  std::uint16_t c = 0;

  /// The 32-bit operand formed by B (high half) and C (low half).
  std::uint32_t bc() const { return (std::uint32_t{b} << 16) | c; }
};
static_assert(sizeof(Instr) == 8);

/// The opcode's mnemonic, e.g. "ADDF"; "?" when out of range.
const char* opcode_name(Opcode op);

/// Makes an instruction with a 32-bit BC operand.
inline Instr make_abc32(Opcode op, std::uint16_t a, std::uint32_t bc) {
  return Instr{op, 0, a, static_cast<std::uint16_t>(bc >> 16), static_cast<std::uint16_t>(bc & 0xFFFF)};
}

} // namespace pine
