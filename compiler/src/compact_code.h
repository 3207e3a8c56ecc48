// Removal of NOP instructions from a finished function.
//
// Code generation leaves NOPs behind: placeholders for conversions that
// turned out unnecessary (conditional values, tuple elements) and constant
// loads retired because the constant was loaded straight into its argument
// slot instead (FunctionCompiler::emit_arg_block). A NOP does nothing but
// still costs the interpreter a dispatch, so they are removed once the
// function is complete, when no instruction index is held any more.
#pragma once

#include "pine/vm/program.h"

namespace pine {

/// Removes every NOP from `fn.code` (and its entry in `fn.lines`), pointing
/// each jump at the instruction that followed its old target: the first
/// kept instruction at or after it. Behaviour is unchanged, since a NOP has
/// no effect and a function never ends with one (it ends with RET or JMP).
void remove_nops(FunctionProto& fn);

} // namespace pine
