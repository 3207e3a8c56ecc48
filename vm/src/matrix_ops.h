// Native implementations of the matrix.* operations (COLL MATRIX_*).
#pragma once

#include <cstdint>

#include "collections.h"

namespace pine {

/// Runs matrix operation `op` (one of the MATRIX_* ops) with type code `t`
/// (COLL's Instr::elem_type: element type, and for two-operand arithmetic
/// the operand's type in the high nibble). Same contract as call_collection.
bool call_matrix(CollOp op, std::uint8_t t, const Value* args, Value* results, CollContext& ctx);

/// True for the operations call_matrix implements.
inline bool is_matrix_op(CollOp op) { return op >= CollOp::MATRIX_NEW && op < CollOp::Count; }

} // namespace pine
