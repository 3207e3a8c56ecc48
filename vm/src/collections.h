// Native implementations of the collection operations (COLL instruction).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "compare.h"
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

/// True when element `v` of type `t` is na.
inline bool element_is_na(Type t, Value v) {
  switch (t) {
    case Type::Float: return !std::isfinite(v.f);
    case Type::Int: case Type::Enum: return v.i == kIntNa;
    case Type::Color: return v.i == kColorNa;
    case Type::String: case Type::Ref: return v.i == -1;
    default: return false;
  }
}

/// A numeric element as a double (int na becomes NaN).
inline double element_as_double(Type t, Value v) {
  if (t == Type::Float) return v.f;
  return v.i == kIntNa ? kFloatNa : static_cast<double>(v.i);
}

/// A double stored as an element of numeric type `t` (ints truncate; NaN,
/// infinities and out-of-range values become int na).
inline Value element_from_double(Type t, double x) { return t == Type::Float ? make_float(x) : make_int(float_to_int(x)); }

/// The most frequent value of an ascending list, ties going to the smallest
/// (array.mode, matrix.mode); NaN when the list is empty.
inline double mode_of_sorted(const std::vector<double>& sorted) {
  double best = std::numeric_limits<double>::quiet_NaN();
  std::size_t best_count = 0;
  for (std::size_t k = 0; k < sorted.size();) {
    std::size_t e = k;
    while (e < sorted.size() && sorted[e] == sorted[k]) ++e;
    if (e - k > best_count) {
      best_count = e - k;
      best = sorted[k];
    }
    k = e;
  }
  return best;
}

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
  /// `o` itself, or, when `o` is an array slice (a live view), a copy of
  /// the elements it stands for in `scratch`; null (error set) when the
  /// parent no longer holds the slice's range.
  const HeapObject* resolve_view(const HeapObject* o, HeapObject& scratch) {
    if (o == nullptr || o->view_of < 0) return o;
    const HeapObject* parent = ctx_.heap.get(o->view_of);
    if (parent == nullptr || parent->kind != ObjKind::Array || parent->view_of >= 0) {
      fail("an array slice lost its parent array");
      return nullptr;
    }
    if (std::size_t{o->view_from} + o->view_size > parent->items.size()) {
      fail("Slice is out of bounds of the parent array (the parent has " + std::to_string(parent->items.size()) +
           " elements now)");
      return nullptr;
    }
    scratch = new_array(o->elem);
    scratch.items.assign(parent->items.begin() + o->view_from, parent->items.begin() + o->view_from + o->view_size);
    return &scratch;
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

/// Runs `op` with element type code `t` (COLL's Instr::elem_type) on `args` into
/// `results`. Returns false with ctx.error set on a runtime error. Every
/// argument is read before any result is written.
bool call_collection(CollOp op, std::uint8_t t, const Value* args, Value* results, CollContext& ctx);

/// Key comparisons made by map operations on this thread since it started.
/// A test hook: it shows that filling a map is not quadratic without timing
/// anything (tests/vm/test_limits.cpp). Counting costs one increment per
/// comparison.
std::uint64_t& map_key_comparisons();

/// The text str.tostring gives a value of storage type `t` ("NaN" for na).
std::string value_to_string(Type t, Value v, const StringTable& strings);

} // namespace pine
