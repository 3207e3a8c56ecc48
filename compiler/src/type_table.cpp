// Interning and naming of composite types (see type_table.h).
#include "type_table.h"

namespace pine::sema {

namespace {

/// A type stripped to what identifies it (no qualifier, no literal flags).
TypeInfo bare(const TypeInfo& t) {
  TypeInfo b;
  b.type = t.type;
  b.id = t.id;
  return b;
}

} // namespace

TypeInfo TypeTable::ref(const Composite& c) {
  std::uint32_t id = 0;
  for (std::uint32_t i = 1; i < composites_.size() && id == 0; ++i) {
    const Composite& x = composites_[i];
    if (x.kind == c.kind && same_type(x.elem, c.elem) && same_type(x.key, c.key) && x.udt == c.udt) id = i;
  }
  if (id == 0) {
    Composite stored = c;
    stored.elem = bare(c.elem);
    stored.key = bare(c.key);
    composites_.push_back(stored);
    id = static_cast<std::uint32_t>(composites_.size() - 1);
  }
  TypeInfo t = make_type(Type::Ref, Qual::Series);
  t.id = id;
  return t;
}

TypeInfo TypeTable::array_of(const TypeInfo& elem) {
  Composite c;
  c.kind = CompositeKind::Array;
  c.elem = elem;
  return ref(c);
}

TypeInfo TypeTable::map_of(const TypeInfo& key, const TypeInfo& value) {
  Composite c;
  c.kind = CompositeKind::Map;
  c.key = key;
  c.elem = value;
  return ref(c);
}

TypeInfo TypeTable::matrix_of(const TypeInfo& elem) {
  Composite c;
  c.kind = CompositeKind::Matrix;
  c.elem = elem;
  return ref(c);
}

std::string TypeTable::name(const TypeInfo& t) const {
  if (t.type == Type::Enum) return t.id < enums.size() ? enums[t.id].name : "enum";
  if (t.type != Type::Ref) return sema::type_name(t.type);
  if (t.id == 0 || t.id >= composites_.size()) return "object";
  const Composite& c = composites_[t.id];
  switch (c.kind) {
    case CompositeKind::Array: return "array<" + name(c.elem) + ">";
    case CompositeKind::Map: return "map<" + name(c.key) + ", " + name(c.elem) + ">";
    case CompositeKind::Udt: return udts[c.udt].name;
    case CompositeKind::Matrix: return "matrix<" + name(c.elem) + ">";
  }
  return "object";
}

std::string TypeTable::describe(const TypeInfo& t) const {
  if (t.is_na) return "na";
  if (t.type == Type::Void) return "void";
  if (t.type == Type::Ref) return name(t);
  return qual_name(t.qual) + " " + name(t);
}

} // namespace pine::sema
