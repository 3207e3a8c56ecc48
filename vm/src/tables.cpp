// Name and shape tables generated from the X-macro lists, so the enums, the
// disassembler and the verifier can never disagree.
#include "pine/vm/builtins.h"
#include "pine/vm/bytecode.h"
#include "pine/vm/collections.h"
#include "pine/vm/program.h"

namespace pine {

const char* opcode_name(Opcode op) {
  static const char* const names[] = {
#define PINE_OPCODE_NAME(name, a, b, c, t, doc) #name,
      PINE_OPCODES(PINE_OPCODE_NAME)
#undef PINE_OPCODE_NAME
  };
  const auto i = static_cast<std::size_t>(op);
  return i < sizeof(names) / sizeof(names[0]) ? names[i] : "?";
}

namespace {

// The registry's vocabulary (builtins.h), expanded into BuiltinParam.
using enum Type;

/// The `na` default of an optional parameter (typed by the parameter).
struct NaDefault {};
constexpr NaDefault na{};

/// A default value as stored in a slot of the parameter's type.
constexpr Value default_of(Type t, long long v) {
  return t == Float ? Value{.f = static_cast<double>(v)} : Value{.i = v};
}
constexpr Value default_of(Type t, NaDefault) {
  switch (t) {
    case Float: return Value{.f = kFloatNa};
    case Color: return Value{.i = kColorNa};
    case String: return Value{.i = kStringNa};
    default: return Value{.i = kIntNa};
  }
}
constexpr Value default_of(Type, const char (&empty)[1]) {
  return (void)empty, Value{.i = kEmptyStringDefault};
}

#define REQ(name, type) BuiltinParam{#name, type, false, false, Value{.i = 0}}
#define SIMPLE(name, type) BuiltinParam{#name, type, true, false, Value{.i = 0}}
#define OPT(name, type, value) BuiltinParam{#name, type, false, true, default_of(type, value)}
#define PINE_UNPAREN(...) __VA_ARGS__

// One parameter array per builtin, with a trailing sentinel so that builtins
// without parameters still get a (one-element) array; spans exclude it.
#define PINE_STATELESS_PARAMS(id, lowering, name, result, ...) \
  constexpr BuiltinParam builtin_params_##id[] = {__VA_ARGS__ __VA_OPT__(,) BuiltinParam{}};
PINE_STATELESS_BUILTINS(PINE_STATELESS_PARAMS)
#undef PINE_STATELESS_PARAMS

#define PINE_STATEFUL_PARAMS(kind, lowering, name, results, ...)        \
  constexpr BuiltinParam state_params_##kind[] = {__VA_ARGS__ __VA_OPT__(,) BuiltinParam{}}; \
  constexpr Type state_results_##kind[] = {PINE_UNPAREN results};
PINE_STATEFUL_BUILTINS(PINE_STATEFUL_PARAMS)
#undef PINE_STATEFUL_PARAMS

#define PINE_STRATEGY_PARAMS(id, lowering, name, results, ...)        \
  constexpr BuiltinParam strategy_params_##id[] = {__VA_ARGS__ __VA_OPT__(,) BuiltinParam{}}; \
  constexpr Type strategy_results_##id[] = {Void, PINE_UNPAREN results};
PINE_STRATEGY_FUNCTIONS(PINE_STRATEGY_PARAMS)
#undef PINE_STRATEGY_PARAMS

/// The parameters of an array built above, without its sentinel.
template <std::size_t N>
constexpr std::span<const BuiltinParam> params_of(const BuiltinParam (&params)[N]) {
  return {params, N - 1};
}

constexpr Lowering CALL = Lowering::Call;
constexpr Lowering BESPOKE = Lowering::Bespoke;

/// The stateless results: one type each.
#define PINE_STATELESS_RESULT(id, lowering, name, result, ...) constexpr Type builtin_result_##id[] = {result};
PINE_STATELESS_BUILTINS(PINE_STATELESS_RESULT)
#undef PINE_STATELESS_RESULT

#undef REQ
#undef SIMPLE
#undef OPT
#undef PINE_UNPAREN

} // namespace

const BuiltinSpec& builtin_spec(BuiltinId id) {
  static constexpr BuiltinSpec table[] = {
#define PINE_BUILTIN_SPEC(id, lowering, name, ...) \
  {name, lowering, params_of(builtin_params_##id), builtin_result_##id},
      PINE_STATELESS_BUILTINS(PINE_BUILTIN_SPEC)
#undef PINE_BUILTIN_SPEC
  };
  return table[static_cast<std::size_t>(id)];
}

const BuiltinSpec& state_spec(StateKind kind) {
  static constexpr BuiltinSpec table[] = {
#define PINE_STATE_SPEC(kind, lowering, name, ...) \
  {name, lowering, params_of(state_params_##kind), state_results_##kind},
      PINE_STATEFUL_BUILTINS(PINE_STATE_SPEC)
#undef PINE_STATE_SPEC
  };
  return table[static_cast<std::size_t>(kind)];
}

/// A strategy function's results: the array above minus its leading Void
/// (which gives the commands, that have no results, a non-empty array).
template <std::size_t N>
constexpr std::span<const Type> results_of(const Type (&results)[N]) {
  return {results + 1, N - 1};
}

const BuiltinSpec& strategy_spec(StrategyFn fn) {
  static constexpr BuiltinSpec table[] = {
#define PINE_STRATEGY_SPEC(id, lowering, name, ...) \
  {name, lowering, params_of(strategy_params_##id), results_of(strategy_results_##id)},
      PINE_STRATEGY_FUNCTIONS(PINE_STRATEGY_SPEC)
#undef PINE_STRATEGY_SPEC
  };
  return table[static_cast<std::size_t>(fn)];
}

std::span<const char* const> compiler_builtin_names() {
  static constexpr const char* names[] = {
#define PINE_COMPILER_BUILTIN_NAME(name) name,
      PINE_COMPILER_BUILTINS(PINE_COMPILER_BUILTIN_NAME)
#undef PINE_COMPILER_BUILTIN_NAME
  };
  return names;
}

const CollOpInfo& coll_op_info(CollOp op) {
  static const CollOpInfo table[] = {
#define PINE_COLL_INFO(id, name, arity, results) {name, arity, results},
      PINE_COLLECTION_OPS(PINE_COLL_INFO)
#undef PINE_COLL_INFO
  };
  return table[static_cast<std::size_t>(op)];
}

bool is_source_var(std::uint64_t v) {
  switch (v) {
    case static_cast<std::uint64_t>(BuiltinVar::OPEN): case static_cast<std::uint64_t>(BuiltinVar::HIGH):
    case static_cast<std::uint64_t>(BuiltinVar::LOW): case static_cast<std::uint64_t>(BuiltinVar::CLOSE):
    case static_cast<std::uint64_t>(BuiltinVar::VOLUME): case static_cast<std::uint64_t>(BuiltinVar::HL2):
    case static_cast<std::uint64_t>(BuiltinVar::HLC3): case static_cast<std::uint64_t>(BuiltinVar::OHLC4):
    case static_cast<std::uint64_t>(BuiltinVar::HLCC4): return true;
    default: return false;
  }
}

const BuiltinVarInfo& builtin_var_info(BuiltinVar v) {
  static const BuiltinVarInfo table[] = {
#define PINE_VAR_INFO(id, name, type) {name, Type::type},
      PINE_BUILTIN_VARS(PINE_VAR_INFO)
#undef PINE_VAR_INFO
  };
  return table[static_cast<std::size_t>(v)];
}

const BuiltinVarInfo& strategy_var_info(StrategyVar v) {
  static const BuiltinVarInfo table[] = {
#define PINE_STRATEGY_VAR_INFO(id, name, type) {name, Type::type},
      PINE_STRATEGY_VARS(PINE_STRATEGY_VAR_INFO)
#undef PINE_STRATEGY_VAR_INFO
  };
  return table[static_cast<std::size_t>(v)];
}

} // namespace pine
