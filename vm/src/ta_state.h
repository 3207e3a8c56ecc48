// The state of one stateful builtin call site, and its dispatch.
//
// A TaState holds the state struct of whichever builtin its call site calls
// (the kind is fixed by the program's state table). The interpreter steps it
// through step_state(); archives go through save/load with the same kind.
#pragma once

#include <variant>

#include "archive.h"
#include "builtins/ta.h"
#include "pine/vm/builtins.h"
#include "pine/vm/value.h"

namespace pine {

/// fixnan(): the last non-na value seen at this call site.
struct FixnanState {
  Value last{};
  bool seen = false;
};

using TaState = std::variant<std::monostate, ta::Sma, ta::Ema, ta::Rma, ta::Wma, ta::Rsi, ta::Atr, ta::Tr,
                             ta::Highest, ta::Lowest, ta::Stdev, ta::Change, ta::ChangeInt, ta::ChangeBool, ta::Cross,
                             ta::Macd, ta::Sum, FixnanState>;

/// Puts a fresh state of `kind` in `state`.
void init_ta_state(TaState& state, StateKind kind);

/// Advances the state one call: reads the kind's arguments from `args`,
/// writes its results to `results`. `globals` is the main frame (for the
/// builtins that read high/low/close). Returns nullptr, or a runtime error
/// message (an invalid length).
const char* step_state(TaState& state, StateKind kind, const Value* args, Value* results, const Value* globals);

void save_ta_state(archive::Out& ar, const TaState& state, StateKind kind);
void load_ta_state(archive::In& ar, TaState& state, StateKind kind);

} // namespace pine
