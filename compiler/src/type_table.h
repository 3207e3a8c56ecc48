// The composite types of one program: arrays, maps, matrices, user-defined
// types and enums, interned so that two equal types have the same id.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ast.h"
#include "types.h"

namespace pine::sema {

enum class CompositeKind : std::uint8_t { Array, Map, Udt, Matrix };

/// A reference type. `elem` is the array/matrix element or map value type, `key`
/// the map key type; `udt` indexes TypeTable::udts.
struct Composite {
  CompositeKind kind = CompositeKind::Array;
  TypeInfo elem;
  TypeInfo key;
  std::uint32_t udt = 0;
};

/// One field of a user-defined type.
struct UdtField {
  std::string name;
  TypeInfo type;
  const ast::Expr* default_value = nullptr; ///< null: na (false for bool)
  bool varip = false;
};

struct UdtInfo {
  std::string name;
  std::vector<UdtField> fields;
  std::uint32_t composite = 0; ///< its id in the composite table
  std::uint32_t vm_index = 0;  ///< index into Program::types
};

struct EnumInfo {
  std::string name;
  std::vector<std::string> members; ///< by ordinal
  std::uint32_t vm_index = 0;       ///< index into Program::enums
};

class TypeTable {
public:
  TypeTable() { composites_.emplace_back(); } // id 0 is "no composite"

  /// The reference type for `c`, interned.
  TypeInfo ref(const Composite& c);
  TypeInfo array_of(const TypeInfo& elem);
  TypeInfo map_of(const TypeInfo& key, const TypeInfo& value);
  TypeInfo matrix_of(const TypeInfo& elem);

  const Composite& composite(const TypeInfo& t) const { return composites_[t.id]; }
  bool is_array(const TypeInfo& t) const { return t.type == Type::Ref && !t.is_na && composites_[t.id].kind == CompositeKind::Array; }
  bool is_map(const TypeInfo& t) const { return t.type == Type::Ref && !t.is_na && composites_[t.id].kind == CompositeKind::Map; }
  bool is_matrix(const TypeInfo& t) const { return t.type == Type::Ref && !t.is_na && composites_[t.id].kind == CompositeKind::Matrix; }
  bool is_udt(const TypeInfo& t) const { return t.type == Type::Ref && !t.is_na && composites_[t.id].kind == CompositeKind::Udt; }
  UdtInfo& udt_of(const TypeInfo& t) { return udts[composites_[t.id].udt]; }

  /// Pine's spelling of a type: "float", "array<float>", "map<string, int>", "Point".
  std::string name(const TypeInfo& t) const;
  /// "series float", "array<int>" (reference types carry no qualifier in messages).
  std::string describe(const TypeInfo& t) const;

  std::vector<UdtInfo> udts;
  std::vector<EnumInfo> enums;

private:
  std::vector<Composite> composites_;
};

} // namespace pine::sema
