// Matrix-specific pieces of the code generator: matrix.new<T>() and the
// typing of matrix arithmetic's second operand. The other matrix.*
// functions go through the generic collection path (emit_collection_call,
// collection_table.cpp).
#pragma once

#include <string>

#include "codegen.h"

namespace pine {

/// How one matrix.sum/diff/mult/kron call lowers once its `id2` is typed.
struct MatrixOperand {
  CollOp op;             ///< the matrix, scalar or array variant of the operation
  std::uint8_t code;     ///< COLL's Instr::elem_type: (operand type << 4) | element type
  sema::TypeInfo result; ///< matrix<float|int>, or array<...> for matrix * array
};

/// Types `operand` (a matrix, a number, or for mult an array, all numeric)
/// against the matrix `self` of a `name` call; raises a compile error when
/// it fits none of them. Int operands stay int; the result's elements are
/// float when either side is float.
MatrixOperand resolve_matrix_operand(FunctionCompiler& fc, const CollSig& sig, const sema::TypeInfo& self,
                                     ExprValue& operand, SourceLoc loc, const std::string& name);

/// matrix.new<T>(rows = 0, columns = 0, initial_value = na).
ExprValue compile_matrix_new(FunctionCompiler& fc, const ast::Expr& e);

} // namespace pine
