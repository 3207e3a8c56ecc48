// Lowering of the symbol/chart context names (syminfo.*, timeframe.*) and
// of the time builtins whose defaults come from that context: year() ...
// second() (timezone = syminfo.timezone), timestamp() (three overloads, the
// date-string one evaluated at compile time) and timeframe.in_seconds()
// (timeframe = timeframe.period).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "codegen.h"

namespace pine {

/// A syminfo.*/timeframe.* name: its value loaded with LOADCONTEXT, as a
/// "simple" value. nullopt when `name` is not one.
std::optional<ExprValue> compile_context_name(FunctionCompiler& fc, const std::string& name, SourceLoc loc);

/// A call of one of the time builtins above; nullopt when `name` is not one.
std::optional<std::vector<ExprValue>> compile_time_call(FunctionCompiler& fc, const ast::Expr& call, const std::string& name);

} // namespace pine
