// The compiler's view of the builtin registry (pine/vm/builtins.h): the
// signatures of the builtin functions that lower to one BUILTIN or TA
// instruction through the generic call path. Builtins with bespoke lowering
// (plot, input.*, na, nz, casts, log.*, indicator...) are handled in
// codegen_call.cpp and codegen_special.cpp instead.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pine/vm/builtins.h"
#include "pine/vm/value.h"
#include "types.h"

namespace pine {

/// The default_value of a string parameter whose default is "".
inline constexpr std::int64_t kEmptyString = kEmptyStringDefault;

/// One parameter of a builtin signature.
struct ParamSig {
  const char* name;
  Type type;
  bool simple = false;          ///< must be at most "simple" (a fixed length)
  std::optional<Value> default_value; ///< absent = required
};

/// One overload of a builtin.
struct BuiltinSig {
  /// The instruction a call lowers to: BUILTIN (stateless), TA (stateful)
  /// or STRATEGY (strategy commands and trade queries).
  enum class Kind : std::uint8_t { Builtin, State, Strategy };
  const char* name;
  std::vector<ParamSig> params;
  std::vector<Type> results;
  Kind kind = Kind::Builtin;
  std::uint16_t id = 0; ///< BuiltinId, StateKind or StrategyFn
  /// Builtin (pure) results take the strongest argument qualifier; stateful
  /// and strategy ones are always series.
  bool series_result() const { return kind != Kind::Builtin; }
};

/// Every overload of `name`, in preference order (empty when unknown).
std::vector<const BuiltinSig*> find_builtin(const std::string& name);

/// True when `name` is some builtin function (table-driven or special).
bool is_builtin_function_name(const std::string& name);

/// The feature a name belongs to when pinevm does not support any of it
/// ("drawings" for `label.new`, "request.*" for `request.security`...), or
/// null. Lets an unknown name be reported as unsupported rather than
/// undeclared.
const char* unsupported_feature(const std::string& name);

/// A named color constant (`color.red`): its 0xRRGGBBAA value.
std::optional<std::uint32_t> find_color_constant(const std::string& name);

} // namespace pine
