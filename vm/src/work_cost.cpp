// Work units of built-in calls (see work_cost.h for the model).
#include "work_cost.h"

#include <algorithm>
#include <bit>

#include "matrix_ops.h"

namespace pine {

namespace {

/// Elements of the object behind handle `h` (a slice: its range; a map: its
/// pairs); 0 for na or a stale handle (the call then fails on its own).
std::int64_t elements(const Heap& heap, std::int64_t h) {
  const HeapObject* o = heap.get(h);
  if (o == nullptr) return 0;
  if (o->view_of >= 0) return o->view_size;
  return static_cast<std::int64_t>(o->kind == ObjKind::Map ? o->keys.size() : o->items.size());
}

/// ceil(log2(n + 1)): comparisons per element of a sort, probes of a binary search.
std::int64_t log2_ceil(std::int64_t n) { return n <= 0 ? 0 : std::bit_width(static_cast<std::uint64_t>(n)); }

/// n log2 n: a comparison sort of n elements.
std::int64_t sort_work(std::int64_t n) { return n * log2_ceil(n); }

/// The rows and columns of the matrix behind `h` (0 x 0 when na).
void shape(const Heap& heap, std::int64_t h, std::int64_t& rows, std::int64_t& cols) {
  const HeapObject* o = heap.get(h);
  rows = o == nullptr ? 0 : o->rows;
  cols = o == nullptr ? 0 : o->cols;
}

/// A count argument as a non-negative size, capped: a negative or na count
/// fails in the call itself, and one past the collection limit does too,
/// so its cost never needs to exceed the cap.
std::int64_t count_arg(std::int64_t v) {
  if (v == kIntNa || v < 0) return 0;
  return std::min<std::int64_t>(v, static_cast<std::int64_t>(kMaxCollectionSize));
}

std::int64_t array_and_map_work(CollOp op, const Value* args, const Heap& heap, const StringTable& strings) {
  switch (op) {
    case CollOp::ARRAY_NEW: return count_arg(args[0].i) / 8;
    case CollOp::STR_SPLIT: {
      // One new string per piece: a character apiece in the worst case.
      return args[0].i == kStringNa ? 0 : static_cast<std::int64_t>(strings.get(args[0].i).size());
    }
    default: break;
  }
  const std::int64_t n = elements(heap, args[0].i);
  switch (op) {
    case CollOp::ARRAY_SHIFT: case CollOp::ARRAY_UNSHIFT: case CollOp::ARRAY_INSERT: case CollOp::ARRAY_REMOVE:
    case CollOp::ARRAY_COPY: case CollOp::ARRAY_REVERSE: case CollOp::ARRAY_FILL:
    case CollOp::MAP_REMOVE: // the later pairs shift down
    case CollOp::MAP_KEYS: case CollOp::MAP_VALUES: case CollOp::MAP_COPY: case CollOp::OBJECT_COPY:
      return n / 8;
    case CollOp::ARRAY_CONCAT: return elements(heap, args[1].i) / 8;
    case CollOp::MAP_PUT_ALL: return elements(heap, args[1].i); // one hashed insertion per pair
    case CollOp::ARRAY_COVARIANCE: return n + elements(heap, args[1].i);
    case CollOp::ARRAY_SORT: case CollOp::ARRAY_SORT_INDICES: case CollOp::ARRAY_MIN: case CollOp::ARRAY_MAX:
    case CollOp::ARRAY_MEDIAN: case CollOp::ARRAY_MODE: case CollOp::ARRAY_PERCENTILE_LINEAR:
    case CollOp::ARRAY_PERCENTILE_NEAREST:
      return sort_work(n); // min/max(nth), median, mode and percentiles sort a copy
    case CollOp::ARRAY_BSEARCH: case CollOp::ARRAY_BSEARCH_LEFT: case CollOp::ARRAY_BSEARCH_RIGHT:
      return 2 * log2_ceil(n);
    default: return n; // searches, joins, statistics: every element once
  }
}

std::int64_t matrix_work(CollOp op, const Value* args, const Heap& heap) {
  if (op == CollOp::MATRIX_NEW) return count_arg(args[0].i) * count_arg(args[1].i) / 8;
  std::int64_t r = 0, c = 0;
  shape(heap, args[0].i, r, c);
  const std::int64_t n = r * c, small = std::min(r, c);
  switch (op) {
    case CollOp::MATRIX_ROW: case CollOp::MATRIX_SWAP_ROWS: return c;
    case CollOp::MATRIX_COL: case CollOp::MATRIX_SWAP_COLUMNS: case CollOp::MATRIX_TRACE: return r;
    case CollOp::MATRIX_ADD_ROW: case CollOp::MATRIX_ADD_COL: case CollOp::MATRIX_REMOVE_ROW:
    case CollOp::MATRIX_REMOVE_COL: case CollOp::MATRIX_FILL: case CollOp::MATRIX_COPY: case CollOp::MATRIX_SUBMATRIX:
    case CollOp::MATRIX_RESHAPE: case CollOp::MATRIX_REVERSE:
      return n / 8;
    case CollOp::MATRIX_CONCAT: return elements(heap, args[1].i) / 8;
    case CollOp::MATRIX_SORT: return sort_work(r) + n / 8;
    case CollOp::MATRIX_AVG: case CollOp::MATRIX_MAX: case CollOp::MATRIX_MIN: case CollOp::MATRIX_MEDIAN:
    case CollOp::MATRIX_MODE:
      return sort_work(n); // the statistics sort the elements
    case CollOp::MATRIX_MULT: {
      std::int64_t r2 = 0, c2 = 0;
      shape(heap, args[1].i, r2, c2);
      return r * c * c2;
    }
    case CollOp::MATRIX_KRON: return n * elements(heap, args[1].i);
    case CollOp::MATRIX_DET: case CollOp::MATRIX_INV: case CollOp::MATRIX_RANK: return n * small;
    case CollOp::MATRIX_PINV: case CollOp::MATRIX_EIGENVALUES: case CollOp::MATRIX_EIGENVECTORS:
      return 10 * n * small;
    case CollOp::MATRIX_POW: {
      // Repeated squaring: at most two products of n^3 per bit of the power.
      const std::int64_t p = args[1].i == kIntNa || args[1].i < 0 ? 0 : args[1].i;
      return 2 * log2_ceil(p) * n * small;
    }
    default: return n; // element-wise arithmetic, predicates, transpose, tostring
  }
}

/// Characters of string argument `v` (0 for na).
std::int64_t chars(const Value& v, const StringTable& strings) {
  return v.i == kStringNa ? 0 : static_cast<std::int64_t>(strings.get(v.i).size());
}

} // namespace

std::int64_t collection_work(CollOp op, std::uint8_t, const Value* args, const Heap& heap, const StringTable& strings) {
  const std::int64_t w = is_matrix_op(op) ? matrix_work(op, args, heap) : array_and_map_work(op, args, heap, strings);
  return 1 + w;
}

std::int64_t builtin_work(BuiltinId id, const Value* args, const StringTable& strings) {
  // Every str.* function but format_time takes its subject first.
  const std::int64_t s = id == BuiltinId::STR_FORMAT_TIME ? 0 : chars(args[0], strings);
  switch (id) {
    case BuiltinId::STR_LENGTH: return 1;
    case BuiltinId::STR_STARTSWITH: case BuiltinId::STR_ENDSWITH: return 1 + chars(args[1], strings) / 16;
    case BuiltinId::STR_CONTAINS: case BuiltinId::STR_POS: case BuiltinId::STR_REPLACE:
    case BuiltinId::STR_REPLACE_ALL: {
      // The worst case of std::string_view::find (measured: 0.2 ms for a
      // 40,960-character subject, 5 ms with a 20,000-character needle): a
      // first-character hit at every position (s / 4), then a comparison
      // of up to m characters at each (64 characters per unit); a
      // replacement writes its text once per hit.
      const std::int64_t m = chars(args[1], strings);
      const std::int64_t tries = m <= s ? s - m + 1 : 0;
      const std::int64_t replace = id == BuiltinId::STR_REPLACE || id == BuiltinId::STR_REPLACE_ALL
                                       ? chars(args[2], strings) * std::min<std::int64_t>(tries, 2 * kMaxStringLength) / 16
                                       : 0;
      return 1 + s / 4 + tries * m / 64 + std::min<std::int64_t>(replace, 2 * kMaxStringLength);
    }
    case BuiltinId::STR_REPEAT: {
      // The result's length, capped where the call fails anyway.
      const std::int64_t n = args[1].i == kIntNa || args[1].i < 0 ? 0 : args[1].i;
      const std::int64_t piece = s + chars(args[2], strings);
      const std::int64_t out = piece == 0 ? 0 : std::min<std::int64_t>(n, kMaxStringLength + 1) * piece;
      return string_work(static_cast<std::size_t>(std::min<std::int64_t>(out, 2 * kMaxStringLength)));
    }
    case BuiltinId::STR_SUBSTRING: case BuiltinId::STR_TONUMBER: case BuiltinId::STR_UPPER: case BuiltinId::STR_LOWER:
    case BuiltinId::STR_TRIM:
      return string_work(static_cast<std::size_t>(s));
    case BuiltinId::STR_MATCH:
      // The regex engine's own work is bounded by its match limit
      // (builtins/str_builtins.cpp); this charges the subject it scans.
      return string_work(static_cast<std::size_t>(s + chars(args[1], strings)));
    case BuiltinId::STR_FORMAT_TIME: return string_work(static_cast<std::size_t>(chars(args[1], strings)) * 4);
    default: return 1;
  }
}

} // namespace pine
