// Name and shape tables generated from the X-macro lists, so the enums, the
// disassembler and the verifier can never disagree.
#include "pine/vm/builtins.h"
#include "pine/vm/bytecode.h"
#include "pine/vm/collections.h"
#include "pine/vm/program.h"

namespace pine {

const char* opcode_name(Opcode op) {
  static const char* const names[] = {
#define PINE_OPCODE_NAME(name, doc) #name,
      PINE_OPCODES(PINE_OPCODE_NAME)
#undef PINE_OPCODE_NAME
  };
  const auto i = static_cast<std::size_t>(op);
  return i < sizeof(names) / sizeof(names[0]) ? names[i] : "?";
}

const BuiltinInfo& builtin_info(BuiltinId id) {
  static const BuiltinInfo table[] = {
#define PINE_BUILTIN_INFO(id, name, arity, result) {name, arity, Type::result},
      PINE_STATELESS_BUILTINS(PINE_BUILTIN_INFO)
#undef PINE_BUILTIN_INFO
  };
  return table[static_cast<std::size_t>(id)];
}

const StateKindInfo& state_kind_info(StateKind kind) {
  static const StateKindInfo table[] = {
#define PINE_STATE_INFO(kind, name, nargs, nresults) {name, nargs, nresults},
      PINE_STATEFUL_BUILTINS(PINE_STATE_INFO)
#undef PINE_STATE_INFO
  };
  return table[static_cast<std::size_t>(kind)];
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

} // namespace pine
