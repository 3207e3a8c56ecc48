// The state of one stateful builtin call site, and its dispatch.
//
// A TaState holds the state struct of whichever builtin its call site calls
// (the kind is fixed by the program's state table). Everything here is
// generated from the registry's list of stateful builtins
// (PINE_STATEFUL_BUILTINS) and each kind's typed handler TaStep<K>
// (builtins/ta_step.h): the variant's alternatives are the handlers' state
// types, and the step function of a kind unpacks the argument registers by
// the handler's parameter types. Adding a stateful builtin therefore never
// touches this file.
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <variant>
#include <vector>

#include "archive.h"
#include "builtins/builtin_fn.h"
#include "builtins/ta_events.h"
#include "builtins/ta_extremes.h"
#include "builtins/ta_moving_averages.h"
#include "builtins/ta_oscillators.h"
#include "builtins/ta_pivots.h"
#include "builtins/ta_statistics.h"
#include "builtins/ta_trend.h"
#include "builtins/ta_volatility.h"
#include "builtins/ta_volume.h"
#include "pine/vm/builtins.h"
#include "pine/vm/value.h"

namespace pine {

namespace ta_dispatch {

/// The parts of a handler's `run` signature.
template <class F>
struct RunTraits;
template <class R, class S, class... A>
struct RunTraits<R (*)(S&, A...)> {
  using Result = R;
  using State = S;
  using Params = std::tuple<A...>; ///< may start with const BarView&
};

/// The state struct of kind K: the first parameter of TaStep<K>::run.
template <StateKind K>
using StateOf = typename RunTraits<decltype(&ta::TaStep<K>::run)>::State;

/// A std::variant of the distinct types among Ts (kinds may share a struct).
template <class Variant, class... Ts>
struct UniqueVariant {
  using type = Variant;
};
template <class... Vs, class T, class... Ts>
struct UniqueVariant<std::variant<Vs...>, T, Ts...>
    : std::conditional_t<(std::is_same_v<T, Vs> || ...), UniqueVariant<std::variant<Vs...>, Ts...>,
                         UniqueVariant<std::variant<Vs..., T>, Ts...>> {};

} // namespace ta_dispatch

/// One call site's state: monostate until init_ta_state, then its kind's
/// struct.
#define PINE_TA_STATE_TYPE(kind, ...) , ta_dispatch::StateOf<StateKind::kind>
using TaState = typename ta_dispatch::UniqueVariant<std::variant<std::monostate>
                                                        PINE_STATEFUL_BUILTINS(PINE_TA_STATE_TYPE)>::type;
#undef PINE_TA_STATE_TYPE

/// The runtime error for an unusable length argument, or nullptr. An na
/// length yields na (no error); a length <= 0 or beyond ta::kMaxLength is an
/// error, as in TradingView.
const char* length_error(std::int64_t length);

/// Puts a fresh state of `kind` in `state`.
void init_ta_state(TaState& state, StateKind kind);

/// Advances the state one call: reads the kind's arguments from `args`,
/// writes its results to `results`. `globals` is the main frame (for the
/// builtins that read the bar). Returns nullptr, or a runtime error message
/// (an invalid argument), in which case nothing was changed or written.
const char* step_state(TaState& state, StateKind kind, const Value* args, Value* results, const Value* globals);

/// step_state() with the kind bound: what the interpreter calls per TA
/// instruction, so each call site jumps straight to its builtin's code
/// instead of switching over some 80 kinds.
using StepFunction = const char* (*)(TaState& state, const Value* args, Value* results, const Value* globals);
inline constexpr std::size_t kStateKindCount = static_cast<std::size_t>(StateKind::Count);
/// The step function of each kind, indexed by StateKind (the verifier
/// guarantees a program's kinds are below Count).
extern const std::array<StepFunction, kStateKindCount> kStepFunctions;

void save_ta_state(archive::Out& ar, const TaState& state, StateKind kind);
void load_ta_state(archive::In& ar, TaState& state, StateKind kind);

/// The signature of kind's handler as Pine types: its arguments (without
/// the state and the bar) and its results. The registry test compares it
/// with state_spec(kind).
HandlerSignature handler_signature(StateKind kind);

} // namespace pine
