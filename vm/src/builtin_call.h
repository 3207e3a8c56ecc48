// Calls of the stateless builtins (the BUILTIN instruction): the dispatch
// from a BuiltinId to its typed handler BuiltinFn<ID> (builtins/builtin_fn.h),
// generated from the registry.
#pragma once

#include "builtins/builtin_fn.h"
#include "pine/vm/builtins.h"
#include "pine/vm/value.h"
#include "string_table.h"

namespace pine {

/// Computes builtin `id` on arguments `args` (arity per builtin_spec) into
/// `result`. Returns nullptr, or a runtime error message. `result` may alias
/// an argument: every argument is read before it is written.
const char* call_builtin(BuiltinId id, const Value* args, Value& result, StringTable& strings);

/// The signature of id's handler as Pine types; the registry test compares
/// it with builtin_spec(id).
HandlerSignature handler_signature(BuiltinId id);

} // namespace pine
