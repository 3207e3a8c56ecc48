// Native implementations of the collection operations (COLL instruction).
#pragma once

#include <cstdint>
#include <string>

#include "heap.h"
#include "pine/vm/collections.h"
#include "string_table.h"

namespace pine {

/// What a collection operation may touch, and where it reports an error.
struct CollContext {
  Heap& heap;
  StringTable& strings;
  const Program& program;
  std::string error; ///< set when an operation returns false
};

/// Runs `op` with element type code `t` (COLL's spare byte) on `args` into
/// `results`. Returns false with ctx.error set on a runtime error. Every
/// argument is read before any result is written.
bool call_collection(CollOp op, std::uint8_t t, const Value* args, Value* results, CollContext& ctx);

/// The text str.tostring gives a value of storage type `t` ("NaN" for na).
std::string value_to_string(Type t, Value v, const StringTable& strings);

} // namespace pine
