// Static types and qualifiers as the checker sees them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pine/vm/value.h"

namespace pine::sema {

/// Qualifiers, weakest first (User Manual, "Type system"): an expression's qualifier is the
/// strongest of its operands'.
enum class Qual : std::uint8_t { Const, Input, Simple, Series };

inline Qual max_qual(Qual a, Qual b) { return a > b ? a : b; }

/// The static type of an expression value.
struct TypeInfo {
  Type type = Type::Void;
  Qual qual = Qual::Const;
  /// The untyped `na` literal: it takes the type its context gives it.
  bool is_na = false;
  /// A float that Pine types as int: the result of int / int (docs/semantics.md).
  /// It keeps its fraction, and truncates where an int is required.
  bool int_like = false;
  /// Which composite (Type::Ref: an index into TypeTable's composites) or
  /// which enum (Type::Enum: an index into TypeTable's enums); 0 otherwise.
  std::uint32_t id = 0;
};

/// True when `a` and `b` are the same type (qualifiers aside).
inline bool same_type(const TypeInfo& a, const TypeInfo& b) { return a.type == b.type && a.id == b.id; }

inline TypeInfo make_type(Type t, Qual q) { return TypeInfo{t, q, false, false}; }

/// Pine's name of a type, for messages: pine::type_name, except that a
/// reference is an "object" to a script's author.
inline std::string type_name(Type t) { return t == Type::Ref ? "object" : pine::type_name(t); }

inline std::string qual_name(Qual q) {
  switch (q) {
    case Qual::Const: return "const";
    case Qual::Input: return "input";
    case Qual::Simple: return "simple";
    case Qual::Series: return "series";
  }
  return "?";
}

/// "series float" etc. Composite types print generically here; the type
/// table's describe() spells them out ("array<float>").
inline std::string describe(const TypeInfo& t) {
  if (t.is_na) return "na";
  if (t.type == Type::Void) return "void";
  return qual_name(t.qual) + " " + sema::type_name(t.type);
}

} // namespace pine::sema
