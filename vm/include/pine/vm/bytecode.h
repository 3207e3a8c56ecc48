// The pinevm instruction set: this header is its specification.
//
// Format
// ------
// An instruction is 8 bytes: an opcode byte, an element-type byte T and three
// 16-bit operands A, B, C. T is 0 except for COLL, where it carries the static
// element type of the collection (see collections.h). Where an instruction
// needs a 32-bit operand (a jump target or a constant index) it is
// BC = (B << 16) | C.
//
// Every opcode's entry in PINE_OPCODES below names the kind of each operand
// (an Operand value); the verifier checks operand ranges by kind and the
// disassembler prints operands by kind, so the list is the one statement of
// each instruction's shape.
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
//    Later appended without a version change, because no instruction of
//    an existing program changed: STRATEGY (strategy programs only; their
//    bytes carry a strategy section that older readers reject).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>

namespace pine {

/// The bytecode format version, bumped whenever an opcode's meaning or
/// encoding changes. Snapshots and .pvmc files record it.
inline constexpr std::uint32_t kBytecodeVersion = 2;

/// What an operand field of an instruction holds, and so how it is checked
/// and printed.
enum class Operand : std::uint8_t {
  Unused,       ///< not read; any value is accepted (older encoders left junk)
  Zero,         ///< not read and must be 0
  Reg,          ///< a slot of the executing frame
  Span,         ///< the first of a run of slots; the opcode defines its length
  Const,        ///< in B: BC is an index into the constant table
  Jump,         ///< in B: BC is an instruction index in the same function
  Low,          ///< in C: the low half of the BC operand named in B
  Input,        ///< an index into the program's inputs
  Global,       ///< a slot of the main frame
  Context,      ///< a ContextValue (symbol_info.h)
  Series,       ///< an index into the function's series table
  GlobalSeries, ///< an index into the main function's series table
  Offset,       ///< a constant history offset, >= 1
  CallSite,     ///< an index into the function's call sites
  ResultCount,  ///< RET's number of results (must match the function's)
  Builtin,      ///< a BuiltinId (builtins.h)
  State,        ///< an index into the function's builtin states
  Plot,         ///< an output column index
  LogLevel,     ///< 0 info, 1 warning, 2 error
  UserType,     ///< an index into the program's user types
  Field,        ///< a field index of an object (checked against the object at run time)
  CollOp,       ///< a CollOp (collections.h)
  Enum,         ///< an index into the program's enums
  AlertFreq,    ///< 0 all, 1 once per bar, 2 once per bar close
  String,       ///< an index into the program's string table
  ElemType,     ///< in T: element type, high nibble an operand type (collections.h)
  StrategyFn,   ///< a StrategyFn (builtins.h); only in strategy programs
};

/// The operand kinds of one opcode: fields A, B, C and the byte T.
struct OpFormat {
  Operand a = Operand::Unused;
  Operand b = Operand::Unused;
  Operand c = Operand::Unused;
  Operand t = Operand::Zero;
};

// X(name, A kind, B kind, C kind, T kind, operand summary). The kinds are
// Operand values; the summary says what each operand means and is the
// reference for every operand.
#define PINE_OPCODES(X)                                                                             \
  X(NOP, Unused, Unused, Unused, Zero, "")                                                          \
  X(MOVE, Reg, Reg, Unused, Zero, "A=dst B=src: copy one slot")                                     \
  X(LOADK, Reg, Const, Low, Zero, "A=dst BC=constant index")                                        \
  X(LOADINPUT, Reg, Input, Unused, Zero, "A=dst B=input index: the resolved value of an input.*() call") \
  X(GETGLOBAL, Reg, Global, Unused, Zero, "A=dst B=slot of the main frame (functions read globals)") \
  X(LOADSOURCE, Reg, Input, Unused, Zero, "A=dst B=input index: the current value of the built-in series an input.source() selects") \
  /* float arithmetic: A=dst B=lhs C=rhs; IEEE semantics, NaN propagates */                         \
  X(ADDF, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs")                                                 \
  X(SUBF, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs")                                                 \
  X(MULF, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs")                                                 \
  X(DIVF, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs (x/0 gives +-inf or NaN)")                        \
  X(MODF, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs (fmod: truncated quotient, sign of lhs)")         \
  X(NEGF, Reg, Reg, Unused, Zero, "A=dst B=src")                                                    \
  /* int arithmetic: na in => na out */                                                             \
  X(ADDI, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs")                                                 \
  X(SUBI, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs")                                                 \
  X(MULI, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs")                                                 \
  X(MODI, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs (truncated; x%0 is na)")                          \
  X(NEGI, Reg, Reg, Unused, Zero, "A=dst B=src")                                                    \
  X(I2F, Reg, Reg, Unused, Zero, "A=dst B=src: int to float (na -> NaN)")                           \
  X(F2I, Reg, Reg, Unused, Zero, "A=dst B=src: float to int, truncating toward zero (na/inf -> na)") \
  /* comparisons write a bool; any na operand gives false (even for !=) */                          \
  X(LTF, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs")                                                  \
  X(LEF, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs")                                                  \
  X(GTF, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs")                                                  \
  X(GEF, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs")                                                  \
  X(EQF, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs")                                                  \
  X(NEF, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs")                                                  \
  X(LTI, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs")                                                  \
  X(LEI, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs")                                                  \
  X(GTI, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs")                                                  \
  X(GEI, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs")                                                  \
  X(EQI, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs")                                                  \
  X(NEI, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs")                                                  \
  X(EQB, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs")                                                  \
  X(NEB, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs")                                                  \
  X(EQS, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs: string contents")                                 \
  X(NES, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs: string contents")                                 \
  X(EQC, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs: colors (na is bit 32)")                           \
  X(NEC, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs: colors")                                          \
  X(NOT, Reg, Reg, Unused, Zero, "A=dst B=src (bool)")                                              \
  X(CONCAT, Reg, Reg, Reg, Zero, "A=dst B=lhs C=rhs: string + string (na operand -> na)")           \
  /* na tests: A=dst(bool) B=src */                                                                 \
  X(ISNAF, Reg, Reg, Unused, Zero, "A=dst B=src: NaN or +-inf")                                     \
  X(ISNAI, Reg, Reg, Unused, Zero, "A=dst B=src")                                                   \
  X(ISNAC, Reg, Reg, Unused, Zero, "A=dst B=src")                                                   \
  X(ISNAS, Reg, Reg, Unused, Zero, "A=dst B=src")                                                   \
  /* control flow; targets are absolute instruction indices in the function */                      \
  X(JMP, Unused, Jump, Low, Zero, "BC=target")                                                      \
  X(JMPF, Reg, Jump, Low, Zero, "A=cond(bool) BC=target: jump when false")                          \
  X(JMPT, Reg, Jump, Low, Zero, "A=cond(bool) BC=target: jump when true")                           \
  X(ONCE, Reg, Jump, Low, Zero, "A=flag slot BC=target: jump when the flag is set, else set it; guards var initialisers") \
  X(LOOPCHECK, Zero, Zero, Zero, Zero, "(no operands) one loop iteration; runtime error past the per-bar loop budget. Every backward jump must land on one") \
  /* series history: the series index is local to the function's series table */                    \
  X(SERIES_SET, Series, Reg, Unused, Zero, "A=series B=src: record src as the series value of the current bar") \
  X(SERIES_GETK, Reg, Series, Offset, Zero, "A=dst B=series C=offset (constant, >= 1)")             \
  X(SERIES_GET, Reg, Series, Reg, Zero, "A=dst B=series C=offset slot (int; floored float offsets arrive as int)") \
  X(GSERIES_GETK, Reg, GlobalSeries, Offset, Zero, "A=dst B=series of the main frame C=offset (constant, >= 1): globals' history from a function") \
  X(GSERIES_GET, Reg, GlobalSeries, Reg, Zero, "A=dst B=series of the main frame C=offset slot")    \
  /* calls */                                                                                       \
  X(CALL, CallSite, Span, Span, Zero, "A=call site B=first argument slot C=first result slot")      \
  X(RET, Span, ResultCount, Unused, Zero, "A=first result slot B=result count")                           \
  X(BUILTIN, Builtin, Span, Reg, Zero, "A=builtin id B=first argument slot C=result slot: stateless builtin") \
  X(TA, State, Span, Span, Zero, "A=state index B=first argument slot C=first result slot: stateful builtin") \
  /* outputs and errors */                                                                          \
  X(PLOT, Plot, Reg, Unused, Zero, "A=plot index B=src")                                            \
  X(LOG, LogLevel, Reg, Unused, Zero, "A=level (0 info, 1 warning, 2 error) B=message (string)")    \
  X(RAISE, Reg, Unused, Unused, Zero, "A=message (string): runtime.error; halts the instance")      \
  /* heap objects: arrays, maps, UDT objects (see collections.h) */                                 \
  X(NEWOBJ, Reg, UserType, Span, Zero, "A=dst B=type index C=first field slot: a new object of user type B whose fields are C, C+1, ...") \
  X(GETFIELD, Reg, Reg, Field, Zero, "A=dst B=object C=field index: runtime error when B is na")    \
  X(SETFIELD, Reg, Field, Reg, Zero, "A=object B=field index C=src: runtime error when A is na")    \
  X(COLL, CollOp, Span, Span, ElemType, "A=collection op B=first argument slot C=first result slot T=element type") \
  X(ENUMSTR, Reg, Reg, Enum, Zero, "A=dst B=enum member (ordinal) C=enum index: the member's title (string)") \
  X(ISNAR, Reg, Reg, Unused, Zero, "A=dst B=src: reference is na")                                  \
  /* appended after version 1's first list (the format is unreleased) */                            \
  X(ALERT, Reg, AlertFreq, Zero, Zero, "A=message (string) B=frequency (0 all, 1 once per bar, 2 once per bar close): records a fired alert") \
  X(STRFORMAT, Reg, Span, String, Zero, "A=dst B=first slot: the pattern, then one slot per argument C=string index of the argument types ('f' float, 'i' int, 'b' bool, 's' string per argument): str.format") \
  X(RANDOM, Reg, Span, Unused, Zero, "A=dst B=first argument slot (min float, max float, seed int): math.random on the instance's generator") \
  X(LOADCONTEXT, Reg, Context, Unused, Zero, "A=dst B=context value (ContextValue, symbol_info.h): a syminfo.*/timeframe.* value, fixed for the instance") \
  X(STRATEGY, StrategyFn, Span, Span, Zero, "A=strategy function (StrategyFn) B=first argument slot C=first result slot: an order command or a trade query on the instance's broker")

/// Opcodes, numbered in PINE_OPCODES order. The numbering is part of the
/// bytecode format: append only, never reorder.
enum class Opcode : std::uint8_t {
#define PINE_OPCODE_ENUM(name, a, b, c, t, doc) name,
  PINE_OPCODES(PINE_OPCODE_ENUM)
#undef PINE_OPCODE_ENUM
      Count
};

/// One encoded instruction (8 bytes).
struct Instr {
  Opcode op = Opcode::NOP;
  /// T: COLL's element type (see collections.h); 0 for every other opcode.
  std::uint8_t elem_type = 0;
  std::uint16_t a = 0;
  std::uint16_t b = 0;
  std::uint16_t c = 0;

  /// The 32-bit operand formed by B (high half) and C (low half).
  std::uint32_t bc() const { return (std::uint32_t{b} << 16) | c; }
};
static_assert(sizeof(Instr) == 8);

/// The opcode's mnemonic, e.g. "ADDF"; "?" when out of range.
const char* opcode_name(Opcode op);

/// The operand kinds of `op`, from PINE_OPCODES; every operand Unused (T
/// Zero) when `op` is out of range. Lets the verifier and disassembler treat
/// operands by kind instead of by opcode.
constexpr OpFormat opcode_format(Opcode op) {
  constexpr OpFormat kFormats[] = {
#define PINE_OPCODE_FORMAT(name, a, b, c, t, doc) \
  OpFormat{Operand::a, Operand::b, Operand::c, Operand::t},
      PINE_OPCODES(PINE_OPCODE_FORMAT)
#undef PINE_OPCODE_FORMAT
  };
  static_assert(std::size(kFormats) == static_cast<std::size_t>(Opcode::Count));
  const auto i = static_cast<std::size_t>(op);
  return i < std::size(kFormats) ? kFormats[i] : OpFormat{};
}

/// Makes an instruction with a 32-bit BC operand.
inline Instr make_abc32(Opcode op, std::uint16_t a, std::uint32_t bc) {
  return Instr{op, 0, a, static_cast<std::uint16_t>(bc >> 16), static_cast<std::uint16_t>(bc & 0xFFFF)};
}

} // namespace pine
