// Removal of instructions that do nothing from a finished function.
//
// Code generation leaves NOPs behind: placeholders for conversions that
// turned out unnecessary (conditional values, tuple elements) and constant
// loads retired because the constant was loaded straight into the slot that
// needs it (FunctionCompiler::emit_arg_block). It also leaves jumps to the
// very next instruction (the end of an `if` without `else`). Each still
// costs the interpreter a dispatch, so they are removed once the function is
// complete, when no instruction index is held any more.
#pragma once

#include "pine/vm/program.h"

namespace pine {

/// Removes from `fn.code` (and `fn.lines`) every NOP, and every JMP, JMPF
/// or JMPT whose target is the next instruction left (only removed ones lie
/// between). Each remaining jump is pointed at the first remaining
/// instruction at or after its old target. Behaviour is unchanged: a NOP
/// has no effect, such a jump lands where execution would go anyway, and a
/// function never ends with one (it ends with RET or a backward JMP).
void compact_code(FunctionProto& fn);

} // namespace pine
