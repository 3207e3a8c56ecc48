// matrix.* operations (COLL MATRIX_*): shape and element access, in-place
// mutation, arithmetic, linear algebra (matrix_algebra.h), statistics and
// predicates.
//
// A matrix is a heap object of kind Matrix whose `items` hold rows * cols
// elements row by row. Indices are never negative-wrapped (unlike v6
// arrays): a row or column outside 0..n-1 is a runtime error naming the
// index and the size. Statistics skip na elements, as the array ones do.
// Care point: Heap::add may move every object, so no HeapObject pointer is
// used after a new object is made.
#include "matrix_ops.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "compare.h"
#include "matrix_algebra.h"

namespace pine {

namespace {

using linalg::Dense;

/// The element type of the result of arithmetic between `a` and `b`.
Type arithmetic_type(Type a, Type b) { return a == Type::Float || b == Type::Float ? Type::Float : Type::Int; }

/// "2x3": a matrix's shape for messages.
std::string dims(const HeapObject& m) { return std::to_string(m.rows) + "x" + std::to_string(m.cols); }

/// The runner of one matrix operation: arguments, results, error reporting.
class MatrixOp : CollOpRunner {
public:
  MatrixOp(std::uint8_t t, const Value* args, Value* results, CollContext& ctx) : CollOpRunner(t, args, results, ctx) {}

  bool run(CollOp op);

private:
  /// The matrix of argument i, or null (error set) when it is na.
  HeapObject* matrix(std::size_t i) {
    HeapObject* o = ctx_.heap.get(args_[i].i);
    if (o == nullptr || o->kind != ObjKind::Matrix) {
      fail(std::string("Cannot call '") + fname_ + "' on an na matrix reference");
      return nullptr;
    }
    return o;
  }
  /// The array of argument i; null without an error when na.
  const HeapObject* array_or_na(std::size_t i) {
    const HeapObject* o = ctx_.heap.get(args_[i].i);
    if (o == nullptr || o->kind != ObjKind::Array) return nullptr;
    if (o->view_of < 0) return o;
    // An array slice: its elements, or na when its parent shrank.
    const HeapObject* elements = resolve_view(o, view_scratch_);
    if (elements == nullptr) ctx_.error.clear();
    return elements;
  }
  /// Checks a row or column index against `size` (`what` is "row" or
  /// "column"); `inclusive_end` also accepts `size` (insertion points).
  bool index(std::int64_t raw, std::size_t size, const char* what, std::size_t& out, bool inclusive_end = false) {
    const std::uint64_t limit = size + (inclusive_end ? 1 : 0);
    if (raw == kIntNa || raw < 0 || static_cast<std::uint64_t>(raw) >= limit)
      return fail(std::string("Index out of bounds in '") + fname_ + "': " + what + " index " +
                  (raw == kIntNa ? std::string("na") : std::to_string(raw)) + ", the matrix has " + std::to_string(size) +
                  " " + what + (size == 1 ? "" : "s"));
    out = static_cast<std::size_t>(raw);
    return true;
  }
  /// Checks a half-open range [from, to) of rows or columns; na bounds
  /// default to the whole range.
  bool range(std::int64_t from_raw, std::int64_t to_raw, std::size_t size, const char* what, std::size_t& from,
             std::size_t& to) {
    const std::int64_t f = from_raw == kIntNa ? 0 : from_raw;
    const std::int64_t e = to_raw == kIntNa ? static_cast<std::int64_t>(size) : to_raw;
    if (f < 0 || e < f || static_cast<std::uint64_t>(e) > size)
      return fail(std::string("Invalid ") + what + " range in '" + fname_ + "': from " + std::to_string(f) + " to " +
                  std::to_string(e) + ", the matrix has " + std::to_string(size) + " " + what + "s");
    from = static_cast<std::size_t>(f);
    to = static_cast<std::size_t>(e);
    return true;
  }
  /// Pine caps matrices at 100,000 elements; each dimension is capped too,
  /// so that an empty matrix cannot grow an unbounded number of rows.
  bool fits(std::uint64_t rows, std::uint64_t cols) {
    if (rows > kMaxCollectionSize || cols > kMaxCollectionSize || rows * cols > kMaxCollectionSize)
      return fail("Matrix is too large. Maximum size is 100000 elements (" + std::string(fname_) + " would make " +
                  std::to_string(rows) + "x" + std::to_string(cols) + ")");
    return true;
  }
  /// Square-only operations fail on any other shape.
  bool square(const HeapObject& m) {
    if (m.rows != m.cols)
      return fail(std::string("Operation not available for non-square matrices: '") + fname_ + "' on a " + dims(m) +
                  " matrix");
    return true;
  }
  /// A rows x cols matrix of zero bits (the caller fills it).
  static HeapObject new_matrix(Type elem, std::size_t rows, std::size_t cols) {
    HeapObject m;
    m.kind = ObjKind::Matrix;
    m.elem = elem;
    m.rows = static_cast<std::uint32_t>(rows);
    m.cols = static_cast<std::uint32_t>(cols);
    m.items.resize(rows * cols);
    return m;
  }
  /// The numeric elements of `m` (of type `t`) as a dense double matrix.
  Dense dense(const HeapObject& m, Type t) const {
    Dense d(m.rows, m.cols);
    for (std::size_t i = 0; i < m.items.size(); ++i) d.a[i] = element_as_double(t, m.items[i]);
    return d;
  }
  /// A new matrix of `elem` holding `d`, its handle in `out`.
  bool store(const Dense& d, Type elem, Value& out) {
    if (!fits(d.rows, d.cols)) return false;
    HeapObject m = new_matrix(elem, d.rows, d.cols);
    for (std::size_t i = 0; i < d.a.size(); ++i) m.items[i] = element_from_double(elem, d.a[i]);
    return new_object(std::move(m), out);
  }
  /// True when some element of `m` is na.
  bool any_na(const HeapObject& m) const {
    return std::any_of(m.items.begin(), m.items.end(), [&](Value v) { return element_is_na(t_, v); });
  }

  bool shape_op(CollOp op);
  bool rows_op(CollOp op, HeapObject& m);
  bool arithmetic_op(CollOp op);
  bool algebra_op(CollOp op, HeapObject& m);
  bool stats_op(CollOp op, const HeapObject& m);
  bool predicate_op(CollOp op, const HeapObject& m);
  bool sort_rows(HeapObject& m);
  bool to_string(const HeapObject& m);

  const char* fname_ = "";
  HeapObject view_scratch_; ///< the elements of an array slice argument
};

/// Creation and dispatch: two-operand arithmetic, everything else on one matrix.
bool MatrixOp::run(CollOp op) {
  fname_ = coll_op_info(op).name;
  if (op == CollOp::MATRIX_NEW) {
    const std::int64_t r = args_[0].i, c = args_[1].i;
    if (r == kIntNa || c == kIntNa || r < 0 || c < 0)
      return fail("Cannot create a matrix with a negative or na number of rows or columns (rows " +
                  (r == kIntNa ? std::string("na") : std::to_string(r)) + ", columns " +
                  (c == kIntNa ? std::string("na") : std::to_string(c)) + ")");
    if (!fits(static_cast<std::uint64_t>(r), static_cast<std::uint64_t>(c))) return false;
    HeapObject m = new_matrix(t_, static_cast<std::size_t>(r), static_cast<std::size_t>(c));
    std::fill(m.items.begin(), m.items.end(), args_[2]);
    return new_object(std::move(m), results_[0]);
  }
  switch (op) {
    case CollOp::MATRIX_SUM: case CollOp::MATRIX_SUM_SCALAR: case CollOp::MATRIX_DIFF:
    case CollOp::MATRIX_DIFF_SCALAR: case CollOp::MATRIX_MULT: case CollOp::MATRIX_MULT_SCALAR:
    case CollOp::MATRIX_MULT_ARRAY: case CollOp::MATRIX_KRON:
      return arithmetic_op(op);
    default: break;
  }
  return shape_op(op);
}

/// Operations on the matrix of argument 0: shape queries, element access,
/// new matrices cut from it, in-place reshaping; the rest is dispatched.
bool MatrixOp::shape_op(CollOp op) {
  HeapObject* mp = matrix(0);
  if (!mp) return false;
  HeapObject& m = *mp;
  const std::size_t rows = m.rows, cols = m.cols;
  std::size_t r = 0, c = 0;
  switch (op) {
    case CollOp::MATRIX_ROWS: results_[0].i = static_cast<std::int64_t>(rows); return true;
    case CollOp::MATRIX_COLUMNS: results_[0].i = static_cast<std::int64_t>(cols); return true;
    case CollOp::MATRIX_ELEMENTS_COUNT: results_[0].i = static_cast<std::int64_t>(m.items.size()); return true;
    case CollOp::MATRIX_GET:
      if (!index(args_[1].i, rows, "row", r) || !index(args_[2].i, cols, "column", c)) return false;
      results_[0] = m.items[r * cols + c];
      return true;
    case CollOp::MATRIX_SET:
      if (!index(args_[1].i, rows, "row", r) || !index(args_[2].i, cols, "column", c)) return false;
      m.items[r * cols + c] = args_[3];
      return true;
    case CollOp::MATRIX_ROW: {
      if (!index(args_[1].i, rows, "row", r)) return false;
      HeapObject a = new_array(m.elem);
      a.items.assign(m.items.begin() + static_cast<std::ptrdiff_t>(r * cols),
                     m.items.begin() + static_cast<std::ptrdiff_t>((r + 1) * cols));
      return new_object(std::move(a), results_[0]);
    }
    case CollOp::MATRIX_COL: {
      if (!index(args_[1].i, cols, "column", c)) return false;
      HeapObject a = new_array(m.elem);
      for (std::size_t i = 0; i < rows; ++i) a.items.push_back(m.items[i * cols + c]);
      return new_object(std::move(a), results_[0]);
    }
    case CollOp::MATRIX_COPY: {
      HeapObject copy = m;
      return new_object(std::move(copy), results_[0]);
    }
    case CollOp::MATRIX_SUBMATRIX: {
      std::size_t r0 = 0, r1 = 0, c0 = 0, c1 = 0;
      if (!range(args_[1].i, args_[2].i, rows, "row", r0, r1) || !range(args_[3].i, args_[4].i, cols, "column", c0, c1))
        return false;
      HeapObject s = new_matrix(m.elem, r1 - r0, c1 - c0);
      for (std::size_t i = r0; i < r1; ++i)
        for (std::size_t j = c0; j < c1; ++j) s.items[(i - r0) * (c1 - c0) + (j - c0)] = m.items[i * cols + j];
      return new_object(std::move(s), results_[0]);
    }
    case CollOp::MATRIX_TRANSPOSE: {
      HeapObject tr = new_matrix(m.elem, cols, rows);
      for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) tr.items[j * rows + i] = m.items[i * cols + j];
      return new_object(std::move(tr), results_[0]);
    }
    case CollOp::MATRIX_FILL: {
      std::size_t r0 = 0, r1 = 0, c0 = 0, c1 = 0;
      if (!range(args_[2].i, args_[3].i, rows, "row", r0, r1) || !range(args_[4].i, args_[5].i, cols, "column", c0, c1))
        return false;
      for (std::size_t i = r0; i < r1; ++i)
        for (std::size_t j = c0; j < c1; ++j) m.items[i * cols + j] = args_[1];
      return true;
    }
    case CollOp::MATRIX_RESHAPE: {
      const std::int64_t nr = args_[1].i, nc = args_[2].i;
      if (nr == kIntNa || nc == kIntNa || nr < 0 || nc < 0 ||
          static_cast<std::uint64_t>(nr) * static_cast<std::uint64_t>(nc) != m.items.size() ||
          !fits(static_cast<std::uint64_t>(nr), static_cast<std::uint64_t>(nc)))
        return fail("Cannot reshape a " + dims(m) + " matrix into " + (nr == kIntNa ? std::string("na") : std::to_string(nr)) +
                    "x" + (nc == kIntNa ? std::string("na") : std::to_string(nc)) + ": the number of elements (" +
                    std::to_string(m.items.size()) + ") must stay the same");
      m.rows = static_cast<std::uint32_t>(nr);
      m.cols = static_cast<std::uint32_t>(nc);
      return true;
    }
    case CollOp::MATRIX_REVERSE: std::reverse(m.items.begin(), m.items.end()); return true;
    case CollOp::MATRIX_SORT: return sort_rows(m);
    case CollOp::MATRIX_TOSTRING: return to_string(m);
    default: break;
  }
  if (op >= CollOp::MATRIX_ADD_ROW && op <= CollOp::MATRIX_SWAP_COLUMNS) return rows_op(op, m);
  if (op == CollOp::MATRIX_CONCAT) return rows_op(op, m);
  if (op >= CollOp::MATRIX_AVG && op <= CollOp::MATRIX_MODE) return stats_op(op, m);
  if (op >= CollOp::MATRIX_IS_SQUARE && op <= CollOp::MATRIX_IS_STOCHASTIC) return predicate_op(op, m);
  return algebra_op(op, m);
}

/// Row and column insertion, removal, swapping, and concatenation.
bool MatrixOp::rows_op(CollOp op, HeapObject& m) {
  const std::size_t rows = m.rows, cols = m.cols;
  std::vector<Value>& v = m.items;
  std::size_t a = 0, b = 0;
  switch (op) {
    case CollOp::MATRIX_ADD_ROW:
    case CollOp::MATRIX_ADD_COL: {
      const bool is_row = op == CollOp::MATRIX_ADD_ROW;
      const std::size_t count = is_row ? rows : cols;    // lines along the insertion axis
      const std::size_t length = is_row ? cols : rows;   // elements per inserted line
      const std::int64_t at_raw = args_[1].i == kIntNa ? static_cast<std::int64_t>(count) : args_[1].i;
      if (!index(at_raw, count, is_row ? "row" : "column", a, true)) return false;
      const HeapObject* arr = array_or_na(2);
      std::vector<Value> line;
      std::size_t new_length = length;
      if (arr != nullptr) {
        line = arr->items;
        // An empty matrix takes its other dimension from the first line.
        if (count == 0) new_length = line.size();
        else if (line.size() != length)
          return fail(std::string("Array size does not match the matrix in '") + fname_ + "': the array has " +
                      std::to_string(line.size()) + " elements, the matrix has " + std::to_string(length) + " " +
                      (is_row ? "columns" : "rows"));
      } else {
        line.assign(length, na_value(m.elem));
      }
      if (!(is_row ? fits(count + 1, new_length) : fits(new_length, count + 1))) return false;
      if (is_row) {
        m.cols = static_cast<std::uint32_t>(new_length);
        v.insert(v.begin() + static_cast<std::ptrdiff_t>(a * new_length), line.begin(), line.end());
        m.rows = static_cast<std::uint32_t>(rows + 1);
      } else {
        std::vector<Value> out;
        out.reserve(new_length * (cols + 1));
        for (std::size_t i = 0; i < new_length; ++i) {
          for (std::size_t j = 0; j <= cols; ++j) {
            if (j == a) out.push_back(line[i]);
            if (j < cols) out.push_back(v[i * cols + j]);
          }
        }
        v = std::move(out);
        m.rows = static_cast<std::uint32_t>(new_length);
        m.cols = static_cast<std::uint32_t>(cols + 1);
      }
      return true;
    }
    case CollOp::MATRIX_REMOVE_ROW:
    case CollOp::MATRIX_REMOVE_COL: {
      const bool is_row = op == CollOp::MATRIX_REMOVE_ROW;
      const std::size_t count = is_row ? rows : cols;
      const std::int64_t at_raw = args_[1].i == kIntNa ? static_cast<std::int64_t>(count) - 1 : args_[1].i;
      if (!index(at_raw, count, is_row ? "row" : "column", a)) return false;
      HeapObject removed = new_array(m.elem);
      if (is_row) {
        const auto first = v.begin() + static_cast<std::ptrdiff_t>(a * cols);
        removed.items.assign(first, first + static_cast<std::ptrdiff_t>(cols));
        v.erase(first, first + static_cast<std::ptrdiff_t>(cols));
        m.rows = static_cast<std::uint32_t>(rows - 1);
      } else {
        std::vector<Value> out;
        out.reserve(rows * (cols - 1));
        for (std::size_t i = 0; i < rows; ++i)
          for (std::size_t j = 0; j < cols; ++j) (j == a ? removed.items : out).push_back(v[i * cols + j]);
        v = std::move(out);
        m.cols = static_cast<std::uint32_t>(cols - 1);
      }
      return new_object(std::move(removed), results_[0]);
    }
    case CollOp::MATRIX_SWAP_ROWS:
      if (!index(args_[1].i, rows, "row", a) || !index(args_[2].i, rows, "row", b)) return false;
      for (std::size_t j = 0; j < cols; ++j) std::swap(v[a * cols + j], v[b * cols + j]);
      return true;
    case CollOp::MATRIX_SWAP_COLUMNS:
      if (!index(args_[1].i, cols, "column", a) || !index(args_[2].i, cols, "column", b)) return false;
      for (std::size_t i = 0; i < rows; ++i) std::swap(v[i * cols + a], v[i * cols + b]);
      return true;
    case CollOp::MATRIX_CONCAT: {
      HeapObject* other = matrix(1);
      if (!other) return false;
      const HeapObject tail = *other; // other may be m itself
      if (tail.rows == 0) {
        results_[0] = args_[0];
        return true;
      }
      if (rows > 0 && tail.cols != cols)
        return fail("Matrix dimension mismatch in 'matrix.concat': " + dims(m) + " and " + dims(tail) +
                    " (the number of columns must be equal)");
      if (!fits(std::uint64_t{rows} + tail.rows, tail.cols)) return false;
      v.insert(v.end(), tail.items.begin(), tail.items.end());
      m.rows = static_cast<std::uint32_t>(rows + tail.rows);
      m.cols = tail.cols;
      results_[0] = args_[0];
      return true;
    }
    default: break;
  }
  return fail("unknown matrix operation");
}

/// matrix.sort: reorders whole rows by the values in one column (stable,
/// na last in both orders, strings by content).
bool MatrixOp::sort_rows(HeapObject& m) {
  const std::size_t rows = m.rows, cols = m.cols;
  if (m.items.empty()) return true;
  std::size_t col = 0;
  if (!index(args_[1].i == kIntNa ? 0 : args_[1].i, cols, "column", col)) return false;
  const bool descending = args_[2].i != 0;
  const Type t = t_;
  const StringTable& strings = ctx_.strings;
  auto key = [&](std::size_t r) { return m.items[r * cols + col]; };
  auto less = [&](Value x, Value y) {
    if (t == Type::Float) return x.f < y.f;
    if (t == Type::String) return strings.get(x.i) < strings.get(y.i);
    return x.i < y.i;
  };
  std::vector<std::size_t> order(rows);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const Value x = key(a), y = key(b);
    const bool nx = element_is_na(t, x), ny = element_is_na(t, y);
    if (nx || ny) return !nx && ny;
    return descending ? less(y, x) : less(x, y);
  });
  std::vector<Value> out;
  out.reserve(m.items.size());
  for (std::size_t r : order)
    out.insert(out.end(), m.items.begin() + static_cast<std::ptrdiff_t>(r * cols),
               m.items.begin() + static_cast<std::ptrdiff_t>((r + 1) * cols));
  m.items = std::move(out);
  return true;
}

/// sum, diff, mult (by a matrix, a number or an array) and kron. The
/// result's elements are float when either operand is, else int.
bool MatrixOp::arithmetic_op(CollOp op) {
  HeapObject* mp = matrix(0);
  if (!mp) return false;
  const HeapObject a = *mp;
  const Type result_type = arithmetic_type(t_, key_);
  const Dense x = dense(a, t_);
  switch (op) {
    case CollOp::MATRIX_SUM_SCALAR:
    case CollOp::MATRIX_DIFF_SCALAR:
    case CollOp::MATRIX_MULT_SCALAR: {
      const double s = element_as_double(key_, args_[1]);
      Dense r = x;
      for (double& e : r.a) e = op == CollOp::MATRIX_SUM_SCALAR ? e + s : op == CollOp::MATRIX_DIFF_SCALAR ? e - s : e * s;
      return store(r, result_type, results_[0]);
    }
    case CollOp::MATRIX_MULT_ARRAY: {
      const HeapObject* arr = array_or_na(1);
      if (arr == nullptr) return fail("Cannot call 'matrix.mult' with an na array");
      if (arr->items.size() != a.cols)
        return fail("Matrix dimension mismatch in 'matrix.mult': a " + dims(a) + " matrix times an array of " +
                    std::to_string(arr->items.size()) + " elements (the array size must equal the number of columns)");
      Dense vec(arr->items.size(), 1);
      for (std::size_t i = 0; i < arr->items.size(); ++i) vec.a[i] = element_as_double(key_, arr->items[i]);
      const Dense r = linalg::multiply(x, vec);
      HeapObject out = new_array(result_type);
      for (double e : r.a) out.items.push_back(element_from_double(result_type, e));
      return new_object(std::move(out), results_[0]);
    }
    default: break;
  }
  HeapObject* bp = matrix(1);
  if (!bp) return false;
  const Dense y = dense(*bp, key_);
  if (op == CollOp::MATRIX_KRON) {
    if (!fits(std::uint64_t{a.rows} * bp->rows, std::uint64_t{a.cols} * bp->cols)) return false;
    return store(linalg::kronecker(x, y), result_type, results_[0]);
  }
  if (op == CollOp::MATRIX_MULT) {
    if (x.cols != y.rows)
      return fail("Matrix dimension mismatch in 'matrix.mult': " + dims(a) + " times " + dims(*bp) +
                  " (the first's columns must equal the second's rows)");
    return store(linalg::multiply(x, y), result_type, results_[0]);
  }
  if (x.rows != y.rows || x.cols != y.cols)
    return fail(std::string("Matrix dimension mismatch in '") + fname_ + "': " + dims(a) + " and " + dims(*bp) +
                " (both must have the same shape)");
  Dense r = x;
  for (std::size_t i = 0; i < r.a.size(); ++i) r.a[i] = op == CollOp::MATRIX_SUM ? x.a[i] + y.a[i] : x.a[i] - y.a[i];
  return store(r, result_type, results_[0]);
}

/// pow, det, inv, pinv, rank, trace, eigenvalues, eigenvectors.
bool MatrixOp::algebra_op(CollOp op, HeapObject& m) {
  const Dense x = dense(m, t_);
  Value& out = results_[0];
  switch (op) {
    case CollOp::MATRIX_POW: {
      if (!square(m)) return false;
      const std::int64_t p = args_[1].i;
      if (p == kIntNa || p < 0)
        return fail("'matrix.pow' needs a power of 0 or more, got " + (p == kIntNa ? std::string("na") : std::to_string(p)));
      return store(linalg::power(x, static_cast<std::uint64_t>(p)), t_, out);
    }
    case CollOp::MATRIX_DET:
      if (!square(m)) return false;
      out.f = linalg::determinant(x);
      return true;
    case CollOp::MATRIX_INV: {
      if (!square(m)) return false;
      // A singular matrix has no inverse: the result is all na (see docs/semantics.md).
      const std::optional<Dense> inv = linalg::inverse(x);
      return store(inv ? *inv : Dense(x.rows, x.cols, kFloatNa), Type::Float, out);
    }
    case CollOp::MATRIX_PINV: return store(linalg::pseudo_inverse(x), Type::Float, out);
    case CollOp::MATRIX_RANK:
      out.i = any_na(m) ? kIntNa : static_cast<std::int64_t>(linalg::rank(x));
      return true;
    case CollOp::MATRIX_TRACE: {
      if (!square(m)) return false;
      if (t_ == Type::Int) {
        std::int64_t s = 0;
        for (std::size_t k = 0; k < m.rows; ++k) {
          const std::int64_t e = m.items[k * m.cols + k].i;
          if (e == kIntNa) {
            out.i = kIntNa;
            return true;
          }
          s = static_cast<std::int64_t>(static_cast<std::uint64_t>(s) + static_cast<std::uint64_t>(e));
        }
        out.i = s;
      } else {
        double s = 0;
        for (std::size_t k = 0; k < m.rows; ++k) s += x(k, k);
        out.f = s;
      }
      return true;
    }
    case CollOp::MATRIX_EIGENVALUES:
    case CollOp::MATRIX_EIGENVECTORS: {
      if (!square(m)) return false;
      const linalg::Eigen e = linalg::eigen(x);
      if (op == CollOp::MATRIX_EIGENVECTORS) return store(e.vectors, Type::Float, out);
      // Complex eigenvalues are reported by their real parts (docs/semantics.md).
      HeapObject values = new_array(Type::Float);
      for (const std::complex<double>& v : e.values) values.items.push_back(make_float(v.real()));
      return new_object(std::move(values), out);
    }
    default: break;
  }
  return fail("unknown matrix operation");
}

/// avg, max, min, median, mode over the non-na elements (na when none).
bool MatrixOp::stats_op(CollOp op, const HeapObject& m) {
  std::vector<double> xs;
  for (Value v : m.items)
    if (!element_is_na(t_, v)) xs.push_back(element_as_double(t_, v));
  Value& out = results_[0];
  if (xs.empty()) {
    out = op == CollOp::MATRIX_AVG || op == CollOp::MATRIX_MEDIAN ? make_float(kFloatNa) : na_value(t_);
    return true;
  }
  std::sort(xs.begin(), xs.end());
  const std::size_t n = xs.size();
  switch (op) {
    case CollOp::MATRIX_AVG: out.f = std::accumulate(xs.begin(), xs.end(), 0.0) / static_cast<double>(n); return true;
    case CollOp::MATRIX_MIN: out = element_from_double(t_, xs.front()); return true;
    case CollOp::MATRIX_MAX: out = element_from_double(t_, xs.back()); return true;
    case CollOp::MATRIX_MEDIAN: out.f = n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2; return true;
    case CollOp::MATRIX_MODE: {
      // The most frequent value; ties go to the smallest (as array.mode).
      out = element_from_double(t_, mode_of_sorted(xs));
      return true;
    }
    default: break;
  }
  return fail("unknown matrix operation");
}

/// The is_* predicates. Elements compare as `==` does (floats within
/// 1e-10); an na element makes every predicate but is_square false. Shape
/// predicates on a non-square matrix are false.
bool MatrixOp::predicate_op(CollOp op, const HeapObject& m) {
  const std::size_t rows = m.rows, cols = m.cols;
  Value& out = results_[0];
  if (op == CollOp::MATRIX_IS_SQUARE) {
    out.i = rows == cols ? 1 : 0;
    return true;
  }
  out.i = 0;
  if (any_na(m)) return true;
  const Dense x = dense(m, t_);
  auto is = [](double v, double want) { return float_eq(v, want); };
  bool ok = true;
  switch (op) {
    case CollOp::MATRIX_IS_ZERO:
      ok = std::all_of(x.a.begin(), x.a.end(), [&](double v) { return is(v, 0); });
      break;
    case CollOp::MATRIX_IS_BINARY:
      ok = std::all_of(x.a.begin(), x.a.end(), [&](double v) { return is(v, 0) || is(v, 1); });
      break;
    default: {
      if (rows != cols) return true;
      const std::size_t n = rows;
      bool lower = true, upper = true;
      for (std::size_t i = 0; i < n; ++i) {
        double row_sum = 0;
        for (std::size_t j = 0; j < n; ++j) {
          const double e = x(i, j);
          row_sum += e;
          switch (op) {
            case CollOp::MATRIX_IS_IDENTITY: ok = ok && is(e, i == j ? 1 : 0); break;
            case CollOp::MATRIX_IS_DIAGONAL: ok = ok && (i == j || is(e, 0)); break;
            case CollOp::MATRIX_IS_ANTIDIAGONAL: ok = ok && (i + j == n - 1 || is(e, 0)); break;
            case CollOp::MATRIX_IS_SYMMETRIC: ok = ok && is(e, x(j, i)); break;
            case CollOp::MATRIX_IS_ANTISYMMETRIC: ok = ok && is(e, -x(j, i)); break;
            case CollOp::MATRIX_IS_STOCHASTIC: ok = ok && e >= 0; break;
            default: break;
          }
          if (j > i && !is(e, 0)) lower = false;  // nonzero above the diagonal
          if (j < i && !is(e, 0)) upper = false;  // nonzero below the diagonal
        }
        if (op == CollOp::MATRIX_IS_STOCHASTIC) ok = ok && is(row_sum, 1);
      }
      if (op == CollOp::MATRIX_IS_TRIANGULAR) ok = lower || upper;
      break;
    }
  }
  out.i = ok ? 1 : 0;
  return true;
}

/// str.tostring(matrix): one "[a, b, c]" line per row, rows joined by a
/// newline; an empty matrix prints as "[]".
bool MatrixOp::to_string(const HeapObject& m) {
  std::string s;
  for (std::size_t i = 0; i < m.rows; ++i) {
    if (i > 0) s += '\n';
    s += '[';
    for (std::size_t j = 0; j < m.cols; ++j) {
      if (j > 0) s += ", ";
      s += value_to_string(t_, m.items[i * m.cols + j], ctx_.strings);
    }
    s += ']';
    if (s.size() > kMaxStringLength) return fail("string is longer than 40960 characters");
  }
  if (m.rows == 0) s = "[]";
  results_[0].i = ctx_.strings.add(std::move(s));
  return true;
}

} // namespace

bool call_matrix(CollOp op, std::uint8_t t, const Value* args, Value* results, CollContext& ctx) {
  return MatrixOp(t, args, results, ctx).run(op);
}

} // namespace pine
