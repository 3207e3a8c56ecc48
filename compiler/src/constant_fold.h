// Constant folding: the value of an expression when the compiler can know it
// without running the script. FunctionCompiler::fold_constant (defined in
// constant_fold.cpp) folds literals, named constants, `na`, unary minus,
// + - * / of known numbers, + of known strings, color.new/color.rgb of known
// values and names of global constants; output calls use it to record
// arguments as attributes rather than columns.
#pragma once

#include <optional>
#include <string>

#include "ast.h"
#include "pine/vm/value.h"

namespace pine {

/// A value known at compile time (a folded constant argument).
struct FoldedValue {
  Type type = Type::Void; ///< Void for the untyped `na`
  Value value{};          ///< strings: a handle into Program::strings
};

/// A folded value converted to `want` (Void: any), or nullopt when Pine
/// would not convert it implicitly. The untyped na takes the wanted type.
std::optional<FoldedValue> coerce_folded(FoldedValue f, Type want);

/// The top-level declaration `name = ...` of a script, or null; folding
/// follows global constants to it, and fill() finds a plot id's call by it.
const ast::Stmt* global_declaration(const ast::Script& script, const std::string& name);

} // namespace pine
