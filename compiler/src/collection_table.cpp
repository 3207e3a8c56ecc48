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
