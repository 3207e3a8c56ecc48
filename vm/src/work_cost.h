// What a built-in call costs in work units (RunLimits::work_per_bar).
//
// The interpreter charges these before running the call, so a call that
// would exceed the budget is never started: a single matrix.pow or a sort of
// a full array is stopped up front, not after it ran. Costs depend only on
// the arguments (sizes, lengths), never on timing, so the same script fails
// on the same bar and line everywhere.
//
// The unit is about one element compared or computed, roughly a nanosecond
// of work: a loop iteration costs kLoopIterationWork (10), a search touches
// one unit per element, a sort n log2 n, matrix.det/inv/rank n^3 (rows x
// columns x the smaller of the two), matrix.mult ra x ca x cb, pinv and the
// eigen decompositions 10 n^3 (Jacobi sweeps), matrix.pow n^3 per squaring
// or multiplication. Moves of whole elements (copy, shift, insert, fill,
// reverse) are cheaper per element (memmove) and cost n / 8; string
// operations cost one unit per 16 characters read or written, and substring
// searches the worst case of std::string_view::find (n / 4 + (n - m + 1) m / 64).
#pragma once

#include <array>
#include <cstdint>

#include "heap.h"
#include "pine/vm/builtins.h"
#include "pine/vm/collections.h"
#include "string_table.h"

namespace pine {

/// True for the collection operations whose work does not depend on their
/// arguments (get, set, push, size, map get/put...): they are charged
/// nothing, as the loop iteration that repeats them already pays, and the
/// common case costs one table lookup instead of a cost computation.
inline bool collection_work_is_constant(CollOp op) {
  static constexpr auto kConstant = [] {
    std::array<bool, static_cast<std::size_t>(CollOp::Count)> t{};
    for (CollOp c : {CollOp::ARRAY_SIZE, CollOp::ARRAY_GET, CollOp::ARRAY_SET, CollOp::ARRAY_PUSH, CollOp::ARRAY_POP,
                     CollOp::ARRAY_FIRST, CollOp::ARRAY_LAST, CollOp::ARRAY_CLEAR, CollOp::ARRAY_SLICE, CollOp::MAP_NEW,
                     CollOp::MAP_SIZE, CollOp::MAP_GET, CollOp::MAP_PUT, CollOp::MAP_CONTAINS, CollOp::MAP_CLEAR,
                     CollOp::MATRIX_GET, CollOp::MATRIX_SET, CollOp::MATRIX_ROWS, CollOp::MATRIX_COLUMNS,
                     CollOp::MATRIX_ELEMENTS_COUNT, CollOp::MATRIX_IS_SQUARE})
      t[static_cast<std::size_t>(c)] = true;
    return t;
  }();
  return kConstant[static_cast<std::size_t>(op)];
}

/// Units of work of COLL `op` with type code `t` on `args` (read before the
/// call; at least 1), for an operation that is not constant.
std::int64_t collection_work(CollOp op, std::uint8_t t, const Value* args, const Heap& heap, const StringTable& strings);

/// True for the builtins whose cost depends on their arguments (the str.*
/// functions on string arguments); every other BUILTIN is charged nothing
/// beyond its allocation cost, which keeps math.* free of any accounting.
inline bool builtin_has_work(BuiltinId id) { return id >= BuiltinId::STR_LENGTH && id <= BuiltinId::STR_FORMAT_TIME; }

/// Units of work of the str.* builtin `id` on `args` (at least 1).
std::int64_t builtin_work(BuiltinId id, const Value* args, const StringTable& strings);

/// Units of work of making or copying a string of `chars` characters.
inline std::int64_t string_work(std::size_t chars) { return 1 + static_cast<std::int64_t>(chars / 16); }

} // namespace pine
