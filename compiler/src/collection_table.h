// Signatures of the generic collection builtins (array.*, map.*), which
// lower to one COLL instruction. Their parameter and result types depend on
// the element type of the collection, so they are described by kinds that
// the compiler resolves against the receiver's type at each call.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pine/vm/collections.h"

namespace pine {

/// What a parameter accepts, relative to the collection `id` (the first
/// parameter, always of kind Self).
enum class CollParamKind : std::uint8_t {
  Self,    ///< the collection itself
  Other,   ///< another collection of the same type
  Elem,    ///< an element (array) or value (map)
  Key,     ///< a map key
  Int,
  Float,
  Bool,
  String,
  Order,   ///< order.ascending / order.descending, passed as a bool "descending"
  ArrayOfElem, ///< an array of the collection's element type (matrix rows and columns)
  Operand, ///< matrix arithmetic's second operand: a matrix, a number or (mult) an array
};

/// The default of an optional parameter.
enum class CollDefault : std::uint8_t { Required, Na, Zero, True, False };

struct CollParam {
  const char* name;
  CollParamKind kind;
  CollDefault def = CollDefault::Required;
};

/// The result, relative to the collection type.
/// MatrixOfFloat: a matrix<float>; Operand: decided by the Operand argument.
enum class CollResult : std::uint8_t { None, Elem, Key, Int, Float, Bool, String, Self, ArrayOfElem, ArrayOfKey, ArrayOfInt, ArrayOfFloat,
                                       MatrixOfFloat, Operand };

/// Which element types an operation accepts.
/// Truthy: bool arrays (v6), and numeric ones as v5 allowed (non-zero, non-na is true).
enum class ElemRule : std::uint8_t { Any, Numeric, Sortable, Truthy, Value };

struct CollSig {
  const char* name; ///< "array.push"
  std::vector<CollParam> params;
  CollResult result;
  CollOp op;
  ElemRule rule = ElemRule::Any;
};

/// The signature of collection function `name` ("array.push"), or null.
const CollSig* find_collection_function(const std::string& name);

} // namespace pine
