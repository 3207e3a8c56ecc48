// The runtime value representation shared by the compiler, the VM and snapshots.
//
// Pine is statically typed, so a value is an untyped 8-byte slot; the compiler
// knows the type of every slot and emits typed instructions. No tag travels
// with a value and the interpreter never checks a type at run time.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace pine {

/// One untyped 8-byte slot. Which member is meaningful is known statically.
union Value {
  double f;       ///< float
  std::int64_t i; ///< int, bool (0/1), string handle, color bits
  std::uint64_t u;
};
static_assert(sizeof(Value) == 8);

/// The static types of the language core. Values of every type fit one slot.
enum class Type : std::uint8_t {
  Void,
  Int,
  Float,
  Bool,
  Color,
  String,
  Enum, ///< a member of a user enum: its ordinal (int64), na is INT64_MIN
  Ref,  ///< a reference to a heap object (array, matrix, map, UDT object); na is -1
};

/// Number of Type values (types are stored in bytes and validated against it).
inline constexpr std::uint8_t kTypeCount = 8;

/// A type's name: the Pine keyword of a core type ("float"), "enum", "ref"
/// for a heap reference and "void"; listings print it, and the compiler's
/// messages use it for every type but references.
constexpr const char* type_name(Type t) {
  switch (t) {
    case Type::Void: return "void";
    case Type::Int: return "int";
    case Type::Float: return "float";
    case Type::Bool: return "bool";
    case Type::Color: return "color";
    case Type::String: return "string";
    case Type::Enum: return "enum";
    case Type::Ref: return "ref";
  }
  return "?";
}

/// The core type a Pine type keyword names ("int", "float", "bool", "color",
/// "string"), the inverse of type_name on those; nullopt for any other word.
constexpr std::optional<Type> core_type_from_keyword(std::string_view word) {
  for (Type t : {Type::Int, Type::Float, Type::Bool, Type::Color, Type::String})
    if (word == type_name(t)) return t;
  return std::nullopt;
}

/// Float na is a quiet NaN. `na(x)` is true for NaN and for +-inf (docs/semantics.md).
inline constexpr double kFloatNa = std::numeric_limits<double>::quiet_NaN();
/// Int na is the most negative int64: no Pine computation produces it from
/// ordinary data (timestamps and bar indices are far from it), and it keeps
/// ints a plain int64 with no side flag.
inline constexpr std::int64_t kIntNa = std::numeric_limits<std::int64_t>::min();
/// Colors are 0xRRGGBBAA in the low 32 bits; na sets bit 32 so no RGBA value
/// collides with it.
inline constexpr std::int64_t kColorNa = std::int64_t{1} << 32;
/// Strings are handles into the instance's string table; na is -1.
inline constexpr std::int64_t kStringNa = -1;
/// References are handles into the instance's object heap; na is -1.
inline constexpr std::int64_t kRefNa = -1;

inline bool is_na_float(double v) { return !std::isfinite(v); }

inline Value make_float(double v) { Value x; x.f = v; return x; }
inline Value make_int(std::int64_t v) { Value x; x.i = v; return x; }

/// The na value of a type, as stored in a slot (bool has none: false).
inline Value na_value(Type t) {
  switch (t) {
    case Type::Float: return make_float(kFloatNa);
    case Type::Int:
    case Type::Enum: return make_int(kIntNa);
    case Type::Ref: return make_int(kRefNa);
    case Type::Color: return make_int(kColorNa);
    case Type::String: return make_int(kStringNa);
    default: return make_int(0);
  }
}

} // namespace pine
