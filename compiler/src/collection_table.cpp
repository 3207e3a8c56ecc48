// The table of generic collection builtins (see collection_table.h).
#include "collection_table.h"

#include <map>

namespace pine {

namespace {

using K = CollParamKind;
using D = CollDefault;
using R = CollResult;

const std::vector<CollSig>& table() {
  static const CollParam self{"id", K::Self};
  static const std::vector<CollSig> t = {
      {"array.size", {self}, R::Int, CollOp::ARRAY_SIZE},
      {"array.get", {self, {"index", K::Int}}, R::Elem, CollOp::ARRAY_GET},
      {"array.set", {self, {"index", K::Int}, {"value", K::Elem}}, R::None, CollOp::ARRAY_SET},
      {"array.push", {self, {"value", K::Elem}}, R::None, CollOp::ARRAY_PUSH},
      {"array.pop", {self}, R::Elem, CollOp::ARRAY_POP},
      {"array.shift", {self}, R::Elem, CollOp::ARRAY_SHIFT},
      {"array.unshift", {self, {"value", K::Elem}}, R::None, CollOp::ARRAY_UNSHIFT},
      {"array.insert", {self, {"index", K::Int}, {"value", K::Elem}}, R::None, CollOp::ARRAY_INSERT},
      {"array.remove", {self, {"index", K::Int}}, R::Elem, CollOp::ARRAY_REMOVE},
      {"array.clear", {self}, R::None, CollOp::ARRAY_CLEAR},
      {"array.first", {self}, R::Elem, CollOp::ARRAY_FIRST},
      {"array.last", {self}, R::Elem, CollOp::ARRAY_LAST},
      {"array.copy", {self}, R::Self, CollOp::ARRAY_COPY},
      {"array.slice", {self, {"index_from", K::Int}, {"index_to", K::Int}}, R::Self, CollOp::ARRAY_SLICE},
      {"array.concat", {self, {"id2", K::Other}}, R::Self, CollOp::ARRAY_CONCAT},
      {"array.reverse", {self}, R::None, CollOp::ARRAY_REVERSE},
      {"array.fill", {self, {"value", K::Elem}, {"index_from", K::Int, D::Zero}, {"index_to", K::Int, D::Na}}, R::None,
       CollOp::ARRAY_FILL},
      {"array.includes", {self, {"value", K::Elem}}, R::Bool, CollOp::ARRAY_INCLUDES, ElemRule::Value},
      {"array.indexof", {self, {"value", K::Elem}}, R::Int, CollOp::ARRAY_INDEXOF, ElemRule::Value},
      {"array.lastindexof", {self, {"value", K::Elem}}, R::Int, CollOp::ARRAY_LASTINDEXOF, ElemRule::Value},
      {"array.join", {self, {"separator", K::String, D::Na}}, R::String, CollOp::ARRAY_JOIN, ElemRule::Value},
      {"array.sort", {self, {"order", K::Order, D::False}}, R::None, CollOp::ARRAY_SORT, ElemRule::Sortable},
      {"array.sort_indices", {self, {"order", K::Order, D::False}}, R::ArrayOfInt, CollOp::ARRAY_SORT_INDICES,
       ElemRule::Sortable},
      {"array.sum", {self}, R::Elem, CollOp::ARRAY_SUM, ElemRule::Numeric},
      {"array.avg", {self}, R::Float, CollOp::ARRAY_AVG, ElemRule::Numeric},
      {"array.min", {self, {"nth", K::Int, D::Zero}}, R::Elem, CollOp::ARRAY_MIN, ElemRule::Numeric},
      {"array.max", {self, {"nth", K::Int, D::Zero}}, R::Elem, CollOp::ARRAY_MAX, ElemRule::Numeric},
      {"array.range", {self}, R::Elem, CollOp::ARRAY_RANGE, ElemRule::Numeric},
      {"array.median", {self}, R::Float, CollOp::ARRAY_MEDIAN, ElemRule::Numeric},
      {"array.mode", {self}, R::Elem, CollOp::ARRAY_MODE, ElemRule::Numeric},
      {"array.stdev", {self, {"biased", K::Bool, D::True}}, R::Float, CollOp::ARRAY_STDEV, ElemRule::Numeric},
      {"array.variance", {self, {"biased", K::Bool, D::True}}, R::Float, CollOp::ARRAY_VARIANCE, ElemRule::Numeric},
      {"array.covariance", {self, {"id2", K::Other}, {"biased", K::Bool, D::True}}, R::Float, CollOp::ARRAY_COVARIANCE,
       ElemRule::Numeric},
      {"array.standardize", {self}, R::ArrayOfFloat, CollOp::ARRAY_STANDARDIZE, ElemRule::Numeric},
      {"array.abs", {self}, R::Self, CollOp::ARRAY_ABS, ElemRule::Numeric},
      {"array.percentile_linear_interpolation", {self, {"percentage", K::Float}}, R::Float,
       CollOp::ARRAY_PERCENTILE_LINEAR, ElemRule::Numeric},
      {"array.percentile_nearest_rank", {self, {"percentage", K::Float}}, R::Elem, CollOp::ARRAY_PERCENTILE_NEAREST,
       ElemRule::Numeric},
      {"array.percentrank", {self, {"index", K::Int}}, R::Float, CollOp::ARRAY_PERCENTRANK, ElemRule::Numeric},
      {"array.binary_search", {self, {"val", K::Elem}}, R::Int, CollOp::ARRAY_BSEARCH, ElemRule::Sortable},
      {"array.binary_search_leftmost", {self, {"val", K::Elem}}, R::Int, CollOp::ARRAY_BSEARCH_LEFT, ElemRule::Sortable},
      {"array.binary_search_rightmost", {self, {"val", K::Elem}}, R::Int, CollOp::ARRAY_BSEARCH_RIGHT, ElemRule::Sortable},
      {"array.every", {self}, R::Bool, CollOp::ARRAY_EVERY, ElemRule::Truthy},
      {"array.some", {self}, R::Bool, CollOp::ARRAY_SOME, ElemRule::Truthy},
      {"map.size", {self}, R::Int, CollOp::MAP_SIZE},
      {"map.get", {self, {"key", K::Key}}, R::Elem, CollOp::MAP_GET},
      {"map.put", {self, {"key", K::Key}, {"value", K::Elem}}, R::Elem, CollOp::MAP_PUT},
      {"map.contains", {self, {"key", K::Key}}, R::Bool, CollOp::MAP_CONTAINS},
      {"map.remove", {self, {"key", K::Key}}, R::Elem, CollOp::MAP_REMOVE},
      {"map.clear", {self}, R::None, CollOp::MAP_CLEAR},
      {"map.keys", {self}, R::ArrayOfKey, CollOp::MAP_KEYS},
      {"map.values", {self}, R::ArrayOfElem, CollOp::MAP_VALUES},
      {"map.copy", {self}, R::Self, CollOp::MAP_COPY},
      {"map.put_all", {self, {"id2", K::Other}}, R::None, CollOp::MAP_PUT_ALL},
      // Matrices (compiled by codegen_matrix.cpp). Row/column bounds left
      // out are passed as na, which the VM reads as the documented default.
      {"matrix.get", {self, {"row", K::Int}, {"column", K::Int}}, R::Elem, CollOp::MATRIX_GET},
      {"matrix.set", {self, {"row", K::Int}, {"column", K::Int}, {"value", K::Elem}}, R::None, CollOp::MATRIX_SET},
      {"matrix.row", {self, {"row", K::Int}}, R::ArrayOfElem, CollOp::MATRIX_ROW},
      {"matrix.col", {self, {"column", K::Int}}, R::ArrayOfElem, CollOp::MATRIX_COL},
      {"matrix.rows", {self}, R::Int, CollOp::MATRIX_ROWS},
      {"matrix.columns", {self}, R::Int, CollOp::MATRIX_COLUMNS},
      {"matrix.elements_count", {self}, R::Int, CollOp::MATRIX_ELEMENTS_COUNT},
      {"matrix.add_row", {self, {"row", K::Int, D::Na}, {"array_id", K::ArrayOfElem, D::Na}}, R::None, CollOp::MATRIX_ADD_ROW},
      {"matrix.add_col", {self, {"column", K::Int, D::Na}, {"array_id", K::ArrayOfElem, D::Na}}, R::None,
       CollOp::MATRIX_ADD_COL},
      {"matrix.remove_row", {self, {"row", K::Int, D::Na}}, R::ArrayOfElem, CollOp::MATRIX_REMOVE_ROW},
      {"matrix.remove_col", {self, {"column", K::Int, D::Na}}, R::ArrayOfElem, CollOp::MATRIX_REMOVE_COL},
      {"matrix.swap_rows", {self, {"row1", K::Int}, {"row2", K::Int}}, R::None, CollOp::MATRIX_SWAP_ROWS},
      {"matrix.swap_columns", {self, {"column1", K::Int}, {"column2", K::Int}}, R::None, CollOp::MATRIX_SWAP_COLUMNS},
      {"matrix.fill",
       {self, {"value", K::Elem}, {"from_row", K::Int, D::Zero}, {"to_row", K::Int, D::Na}, {"from_column", K::Int, D::Zero},
        {"to_column", K::Int, D::Na}},
       R::None, CollOp::MATRIX_FILL},
      {"matrix.copy", {self}, R::Self, CollOp::MATRIX_COPY},
      {"matrix.submatrix",
       {self, {"from_row", K::Int, D::Zero}, {"to_row", K::Int, D::Na}, {"from_column", K::Int, D::Zero},
        {"to_column", K::Int, D::Na}},
       R::Self, CollOp::MATRIX_SUBMATRIX},
      {"matrix.reshape", {self, {"rows", K::Int}, {"columns", K::Int}}, R::None, CollOp::MATRIX_RESHAPE},
      {"matrix.reverse", {self}, R::None, CollOp::MATRIX_REVERSE},
      {"matrix.transpose", {self}, R::Self, CollOp::MATRIX_TRANSPOSE},
      {"matrix.concat", {{"id1", K::Self}, {"id2", K::Other}}, R::Self, CollOp::MATRIX_CONCAT},
      {"matrix.sort", {self, {"column", K::Int, D::Zero}, {"order", K::Order, D::False}}, R::None, CollOp::MATRIX_SORT,
       ElemRule::Sortable},
      {"matrix.sum", {{"id1", K::Self}, {"id2", K::Operand}}, R::Operand, CollOp::MATRIX_SUM, ElemRule::Numeric},
      {"matrix.diff", {{"id1", K::Self}, {"id2", K::Operand}}, R::Operand, CollOp::MATRIX_DIFF, ElemRule::Numeric},
      {"matrix.mult", {{"id1", K::Self}, {"id2", K::Operand}}, R::Operand, CollOp::MATRIX_MULT, ElemRule::Numeric},
      {"matrix.kron", {{"id1", K::Self}, {"id2", K::Operand}}, R::Operand, CollOp::MATRIX_KRON, ElemRule::Numeric},
      {"matrix.pow", {self, {"power", K::Int}}, R::Self, CollOp::MATRIX_POW, ElemRule::Numeric},
      {"matrix.det", {self}, R::Float, CollOp::MATRIX_DET, ElemRule::Numeric},
      {"matrix.inv", {self}, R::MatrixOfFloat, CollOp::MATRIX_INV, ElemRule::Numeric},
      {"matrix.pinv", {self}, R::MatrixOfFloat, CollOp::MATRIX_PINV, ElemRule::Numeric},
      {"matrix.rank", {self}, R::Int, CollOp::MATRIX_RANK, ElemRule::Numeric},
      {"matrix.trace", {self}, R::Elem, CollOp::MATRIX_TRACE, ElemRule::Numeric},
      {"matrix.eigenvalues", {self}, R::ArrayOfFloat, CollOp::MATRIX_EIGENVALUES, ElemRule::Numeric},
      {"matrix.eigenvectors", {self}, R::MatrixOfFloat, CollOp::MATRIX_EIGENVECTORS, ElemRule::Numeric},
      {"matrix.avg", {self}, R::Float, CollOp::MATRIX_AVG, ElemRule::Numeric},
      {"matrix.max", {self}, R::Elem, CollOp::MATRIX_MAX, ElemRule::Numeric},
      {"matrix.min", {self}, R::Elem, CollOp::MATRIX_MIN, ElemRule::Numeric},
      {"matrix.median", {self}, R::Float, CollOp::MATRIX_MEDIAN, ElemRule::Numeric},
      {"matrix.mode", {self}, R::Elem, CollOp::MATRIX_MODE, ElemRule::Numeric},
      {"matrix.is_square", {self}, R::Bool, CollOp::MATRIX_IS_SQUARE},
      {"matrix.is_identity", {self}, R::Bool, CollOp::MATRIX_IS_IDENTITY, ElemRule::Numeric},
      {"matrix.is_diagonal", {self}, R::Bool, CollOp::MATRIX_IS_DIAGONAL, ElemRule::Numeric},
      {"matrix.is_antidiagonal", {self}, R::Bool, CollOp::MATRIX_IS_ANTIDIAGONAL, ElemRule::Numeric},
      {"matrix.is_symmetric", {self}, R::Bool, CollOp::MATRIX_IS_SYMMETRIC, ElemRule::Numeric},
      {"matrix.is_antisymmetric", {self}, R::Bool, CollOp::MATRIX_IS_ANTISYMMETRIC, ElemRule::Numeric},
      {"matrix.is_triangular", {self}, R::Bool, CollOp::MATRIX_IS_TRIANGULAR, ElemRule::Numeric},
      {"matrix.is_zero", {self}, R::Bool, CollOp::MATRIX_IS_ZERO, ElemRule::Numeric},
      {"matrix.is_binary", {self}, R::Bool, CollOp::MATRIX_IS_BINARY, ElemRule::Numeric},
      {"matrix.is_stochastic", {self}, R::Bool, CollOp::MATRIX_IS_STOCHASTIC, ElemRule::Numeric},
  };
  return t;
}

} // namespace

const CollSig* find_collection_function(const std::string& name) {
  static const auto index = [] {
    std::map<std::string, const CollSig*> m;
    for (const CollSig& s : table()) m[s.name] = &s;
    return m;
  }();
  auto it = index.find(name);
  return it == index.end() ? nullptr : it->second;
}

} // namespace pine
