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

/// What the array/map and matrix operation runners share: the element type
/// codes of the instruction, the argument and result slots, and error and
/// allocation helpers.
class CollOpRunner {
protected:
  CollOpRunner(std::uint8_t t, const Value* args, Value* results, CollContext& ctx)
      : t_(static_cast<Type>(t & 0x0F)), key_(static_cast<Type>(t >> 4)), args_(args), results_(results), ctx_(ctx) {}

  /// Records a runtime error; always false, so callers `return fail(...)`.
  bool fail(std::string message) {
    ctx_.error = std::move(message);
    return false;
  }
  /// Adds `obj` to the heap and stores its handle in `out` (may move every object).
  bool new_object(HeapObject obj, Value& out) {
    const std::int64_t h = ctx_.heap.add(std::move(obj));
    if (h < 0) return fail("too many live objects (more than 4194304)");
    out.i = h;
    return true;
  }
  /// An empty array of `elem`.
  static HeapObject new_array(Type elem) {
    HeapObject a;
    a.kind = ObjKind::Array;
    a.elem = elem;
    return a;
  }

  Type t_;   ///< the element type (T's low nibble)
  Type key_; ///< T's high nibble: a map's key type, a matrix operand's element type
  const Value* args_;
  Value* results_;
  CollContext& ctx_;
};

/// Runs `op` with element type code `t` (COLL's spare byte) on `args` into
/// `results`. Returns false with ctx.error set on a runtime error. Every
/// argument is read before any result is written.
bool call_collection(CollOp op, std::uint8_t t, const Value* args, Value* results, CollContext& ctx);

/// The text str.tostring gives a value of storage type `t` ("NaN" for na).
std::string value_to_string(Type t, Value v, const StringTable& strings);

} // namespace pine
