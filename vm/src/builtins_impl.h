// Native implementations of the stateless builtins (BUILTIN instruction).
#pragma once

#include "pine/vm/builtins.h"
#include "pine/vm/value.h"
#include "string_table.h"

namespace pine {

/// Computes builtin `id` on arguments `args` (arity per builtin_spec) into
/// `result`. Returns nullptr, or a runtime error message. `result` may alias
/// an argument: every argument is read before it is written.
const char* call_builtin(BuiltinId id, const Value* args, Value& result, StringTable& strings);

/// The str.* builtins (builtins_str.cpp), with the same contract.
const char* call_str_builtin(BuiltinId id, const Value* args, Value& result, StringTable& strings);

/// The calendar, timestamp() and timeframe.* builtins (builtins_time.cpp).
const char* call_time_builtin(BuiltinId id, const Value* args, Value& result, StringTable& strings);

} // namespace pine
