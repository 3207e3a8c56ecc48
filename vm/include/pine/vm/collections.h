// The collection operations (arrays, maps, UDT objects) the VM implements,
// called with the COLL instruction. Numbering is part of the bytecode
// format: append only.
//
// COLL's element-type byte (Instr::elem_type) is the element type T of the
// collection as a Type value (maps: key type << 4 | value type). Operations whose behaviour depends on
// T (sorting, searching, joining, sums, na values) read it; the compiler
// guarantees it matches the static type of the collection.
#pragma once

#include <cstdint>

namespace pine {

// Matrix operations (vm/src/matrix_ops.cpp), appended to the list above.
// Elements are row-major. Row/column arguments that are na take the
// documented default (add_row: after the last row; remove_row: the last
// row; fill/submatrix bounds: the whole matrix). For the two-operand
// arithmetic (sum, diff, mult, kron) COLL's element-type byte
// (Instr::elem_type) is (operand type << 4) | element type, and the result's element type is
// float when either is float, else int.
#define PINE_MATRIX_OPS(X)                                                             \
  X(MATRIX_NEW, "matrix.new", 3, 1)          /* rows(int), columns(int), initial(T) */  \
  X(MATRIX_GET, "matrix.get", 3, 1)          /* row, column -> T */                    \
  X(MATRIX_SET, "matrix.set", 4, 0)          /* row, column, x */                      \
  X(MATRIX_ROW, "matrix.row", 2, 1)          /* row -> a new array<T> */               \
  X(MATRIX_COL, "matrix.col", 2, 1)          /* column -> a new array<T> */            \
  X(MATRIX_ROWS, "matrix.rows", 1, 1)        /* -> int */                              \
  X(MATRIX_COLUMNS, "matrix.columns", 1, 1)  /* -> int */                              \
  X(MATRIX_ELEMENTS_COUNT, "matrix.elements_count", 1, 1) /* -> int */                 \
  X(MATRIX_ADD_ROW, "matrix.add_row", 3, 0)  /* row (na = rows), array<T> (na: na row) */ \
  X(MATRIX_ADD_COL, "matrix.add_col", 3, 0)  /* column (na = columns), array<T> */     \
  X(MATRIX_REMOVE_ROW, "matrix.remove_row", 2, 1) /* row (na = last) -> array<T> */    \
  X(MATRIX_REMOVE_COL, "matrix.remove_col", 2, 1) /* column (na = last) -> array<T> */ \
  X(MATRIX_SWAP_ROWS, "matrix.swap_rows", 3, 0)   /* row1, row2 */                     \
  X(MATRIX_SWAP_COLUMNS, "matrix.swap_columns", 3, 0) /* column1, column2 */           \
  X(MATRIX_FILL, "matrix.fill", 6, 0)        /* x, from_row, to_row, from_col, to_col */ \
  X(MATRIX_COPY, "matrix.copy", 1, 1)        /* -> a new matrix (shallow) */           \
  X(MATRIX_SUBMATRIX, "matrix.submatrix", 5, 1) /* from_row, to_row, from_col, to_col -> matrix */ \
  X(MATRIX_RESHAPE, "matrix.reshape", 3, 0)  /* rows, columns */                       \
  X(MATRIX_REVERSE, "matrix.reverse", 1, 0)                                            \
  X(MATRIX_TRANSPOSE, "matrix.transpose", 1, 1) /* -> a new matrix */                  \
  X(MATRIX_CONCAT, "matrix.concat", 2, 1)    /* other matrix -> id (rows appended) */  \
  X(MATRIX_SORT, "matrix.sort", 3, 0)        /* column, descending(bool) */            \
  X(MATRIX_SUM, "matrix.sum", 2, 1)          /* other matrix -> a new matrix */        \
  X(MATRIX_SUM_SCALAR, "matrix.sum", 2, 1)   /* number -> a new matrix */              \
  X(MATRIX_DIFF, "matrix.diff", 2, 1)        /* other matrix -> a new matrix */        \
  X(MATRIX_DIFF_SCALAR, "matrix.diff", 2, 1) /* number -> a new matrix */              \
  X(MATRIX_MULT, "matrix.mult", 2, 1)        /* other matrix -> the matrix product */  \
  X(MATRIX_MULT_SCALAR, "matrix.mult", 2, 1) /* number -> a new matrix */              \
  X(MATRIX_MULT_ARRAY, "matrix.mult", 2, 1)  /* array (a column vector) -> a new array */ \
  X(MATRIX_POW, "matrix.pow", 2, 1)          /* power(int) -> a new matrix<T> */       \
  X(MATRIX_DET, "matrix.det", 1, 1)          /* -> float */                            \
  X(MATRIX_INV, "matrix.inv", 1, 1)          /* -> a new matrix<float> */              \
  X(MATRIX_PINV, "matrix.pinv", 1, 1)        /* -> a new matrix<float> */              \
  X(MATRIX_RANK, "matrix.rank", 1, 1)        /* -> int */                              \
  X(MATRIX_TRACE, "matrix.trace", 1, 1)      /* -> T */                                \
  X(MATRIX_KRON, "matrix.kron", 2, 1)        /* other matrix -> a new matrix */        \
  X(MATRIX_EIGENVALUES, "matrix.eigenvalues", 1, 1)   /* -> a new array<float> */      \
  X(MATRIX_EIGENVECTORS, "matrix.eigenvectors", 1, 1) /* -> a new matrix<float> */     \
  X(MATRIX_AVG, "matrix.avg", 1, 1)          /* -> float */                            \
  X(MATRIX_MAX, "matrix.max", 1, 1)          /* -> T */                                \
  X(MATRIX_MIN, "matrix.min", 1, 1)          /* -> T */                                \
  X(MATRIX_MEDIAN, "matrix.median", 1, 1)    /* -> float */                            \
  X(MATRIX_MODE, "matrix.mode", 1, 1)        /* -> T */                                \
  X(MATRIX_IS_SQUARE, "matrix.is_square", 1, 1)             /* -> bool (and below) */  \
  X(MATRIX_IS_IDENTITY, "matrix.is_identity", 1, 1)                                    \
  X(MATRIX_IS_DIAGONAL, "matrix.is_diagonal", 1, 1)                                    \
  X(MATRIX_IS_ANTIDIAGONAL, "matrix.is_antidiagonal", 1, 1)                            \
  X(MATRIX_IS_SYMMETRIC, "matrix.is_symmetric", 1, 1)                                  \
  X(MATRIX_IS_ANTISYMMETRIC, "matrix.is_antisymmetric", 1, 1)                          \
  X(MATRIX_IS_TRIANGULAR, "matrix.is_triangular", 1, 1)                                \
  X(MATRIX_IS_ZERO, "matrix.is_zero", 1, 1)                                            \
  X(MATRIX_IS_BINARY, "matrix.is_binary", 1, 1)                                        \
  X(MATRIX_IS_STOCHASTIC, "matrix.is_stochastic", 1, 1)                                \
  X(MATRIX_TOSTRING, "str.tostring", 1, 1)   /* matrix -> string, one "[a, b]" line per row */

// X(id, pine name, argument count, result count). `id` is the collection
// (an array, a map or an object reference) unless noted; `x` has type T.
#define PINE_COLLECTION_OPS(X)                                                         \
  X(ARRAY_NEW, "array.new", 2, 1)            /* size(int), initial(T) -> array */      \
  X(ARRAY_SIZE, "array.size", 1, 1)          /* -> int */                              \
  X(ARRAY_GET, "array.get", 2, 1)            /* index(int) -> T */                     \
  X(ARRAY_SET, "array.set", 3, 0)            /* index(int), x */                       \
  X(ARRAY_PUSH, "array.push", 2, 0)          /* x */                                   \
  X(ARRAY_POP, "array.pop", 1, 1)            /* -> T */                                \
  X(ARRAY_SHIFT, "array.shift", 1, 1)        /* -> T */                                \
  X(ARRAY_UNSHIFT, "array.unshift", 2, 0)    /* x */                                   \
  X(ARRAY_INSERT, "array.insert", 3, 0)      /* index(int), x */                       \
  X(ARRAY_REMOVE, "array.remove", 2, 1)      /* index(int) -> T */                     \
  X(ARRAY_CLEAR, "array.clear", 1, 0)                                                  \
  X(ARRAY_FIRST, "array.first", 1, 1)        /* -> T */                                \
  X(ARRAY_LAST, "array.last", 1, 1)          /* -> T */                                \
  X(ARRAY_COPY, "array.copy", 1, 1)          /* -> a new array (shallow) */            \
  X(ARRAY_SLICE, "array.slice", 3, 1)        /* from(int), to(int) -> a new array */   \
  X(ARRAY_CONCAT, "array.concat", 2, 1)      /* other array -> id (appended to) */     \
  X(ARRAY_REVERSE, "array.reverse", 1, 0)                                              \
  X(ARRAY_FILL, "array.fill", 4, 0)          /* x, from(int), to(int, na = size) */    \
  X(ARRAY_INCLUDES, "array.includes", 2, 1)  /* x -> bool */                           \
  X(ARRAY_INDEXOF, "array.indexof", 2, 1)    /* x -> int (-1 when absent) */           \
  X(ARRAY_LASTINDEXOF, "array.lastindexof", 2, 1) /* x -> int */                       \
  X(ARRAY_JOIN, "array.join", 2, 1)          /* separator(string) -> string */         \
  X(ARRAY_SORT, "array.sort", 2, 0)          /* descending(bool) */                    \
  X(ARRAY_SORT_INDICES, "array.sort_indices", 2, 1) /* descending(bool) -> array<int> */ \
  X(ARRAY_SUM, "array.sum", 1, 1)            /* -> T (int or float) */                 \
  X(ARRAY_AVG, "array.avg", 1, 1)            /* -> float */                            \
  X(ARRAY_MIN, "array.min", 2, 1)            /* nth(int) -> T */                       \
  X(ARRAY_MAX, "array.max", 2, 1)            /* nth(int) -> T */                       \
  X(ARRAY_RANGE, "array.range", 1, 1)        /* -> T */                                \
  X(ARRAY_MEDIAN, "array.median", 1, 1)      /* -> float */                            \
  X(ARRAY_MODE, "array.mode", 1, 1)          /* -> T */                                \
  X(ARRAY_STDEV, "array.stdev", 2, 1)        /* biased(bool) -> float */               \
  X(ARRAY_VARIANCE, "array.variance", 2, 1)  /* biased(bool) -> float */               \
  X(ARRAY_COVARIANCE, "array.covariance", 3, 1) /* other, biased(bool) -> float */      \
  X(ARRAY_STANDARDIZE, "array.standardize", 1, 1) /* -> a new array<float> */          \
  X(ARRAY_ABS, "array.abs", 1, 1)            /* -> a new array<T> */                   \
  X(ARRAY_PERCENTILE_LINEAR, "array.percentile_linear_interpolation", 2, 1) /* pct(float) -> float */ \
  X(ARRAY_PERCENTILE_NEAREST, "array.percentile_nearest_rank", 2, 1) /* pct(float) -> T */ \
  X(ARRAY_PERCENTRANK, "array.percentrank", 2, 1) /* index(int) -> float */            \
  X(ARRAY_BSEARCH, "array.binary_search", 2, 1)   /* x -> int (-1 when absent) */      \
  X(ARRAY_BSEARCH_LEFT, "array.binary_search_leftmost", 2, 1)  /* x -> int */          \
  X(ARRAY_BSEARCH_RIGHT, "array.binary_search_rightmost", 2, 1) /* x -> int */         \
  X(ARRAY_EVERY, "array.every", 1, 1)        /* -> bool: every element true */         \
  X(ARRAY_SOME, "array.some", 1, 1)          /* -> bool: some element true */          \
  X(ARRAY_TOSTRING, "str.tostring", 1, 1)    /* -> string "[a, b]" */                  \
  X(MAP_NEW, "map.new", 0, 1)                /* -> map */                              \
  X(MAP_SIZE, "map.size", 1, 1)              /* -> int */                              \
  X(MAP_GET, "map.get", 2, 1)                /* key -> value (na when absent) */       \
  X(MAP_PUT, "map.put", 3, 1)                /* key, value -> previous value or na */  \
  X(MAP_CONTAINS, "map.contains", 2, 1)      /* key -> bool */                         \
  X(MAP_REMOVE, "map.remove", 2, 1)          /* key -> removed value or na */          \
  X(MAP_CLEAR, "map.clear", 1, 0)                                                      \
  X(MAP_KEYS, "map.keys", 1, 1)              /* -> a new array<K> */                   \
  X(MAP_VALUES, "map.values", 1, 1)          /* -> a new array<V> */                   \
  X(MAP_COPY, "map.copy", 1, 1)              /* -> a new map (shallow) */              \
  X(MAP_PUT_ALL, "map.put_all", 2, 0)        /* other map */                           \
  X(OBJECT_COPY, "copy", 1, 1)               /* UDT object -> a shallow copy */          \
  X(STR_SPLIT, "str.split", 2, 1)            /* string, separator -> array<string> */    \
  PINE_MATRIX_OPS(X)

enum class CollOp : std::uint16_t {
#define PINE_COLL_ENUM(id, name, arity, results) id,
  PINE_COLLECTION_OPS(PINE_COLL_ENUM)
#undef PINE_COLL_ENUM
      Count
};

/// Static facts about a collection operation, for the verifier and disassembler.
struct CollOpInfo {
  const char* name;
  std::uint8_t arity;
  std::uint8_t results;
};
const CollOpInfo& coll_op_info(CollOp op);

} // namespace pine
