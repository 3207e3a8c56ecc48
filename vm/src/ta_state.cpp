// Dispatch from a call site's StateKind to its state struct and typed
// handler, generated from the registry (see ta_state.h).
#include "ta_state.h"

#include <tuple>
#include <utility>

namespace pine {

// The messages TradingView gives (see the declaration).
const char* length_error(std::int64_t length) {
  if (length == kIntNa || ta::valid_length(length)) return nullptr;
  if (length <= 0) return "invalid length argument: length must be greater than 0";
  return "invalid length argument: it is larger than 1000000";
}

namespace {

using ta::BarView;
using ta::Length;
using ta::TaStep;
using ta_dispatch::RunTraits;
using ta_dispatch::StateOf;

/// Reads one argument register as the handler's parameter type T.
template <class T>
T read_arg(const Value& v) {
  if constexpr (std::is_same_v<T, double>) return v.f;
  else if constexpr (std::is_same_v<T, std::int64_t>) return v.i;
  else if constexpr (std::is_same_v<T, bool>) return v.i != 0;
  else if constexpr (std::is_same_v<T, Length>) return Length{v.i};
  else static_assert(sizeof(T) == 0, "a TaStep parameter must be double, std::int64_t, bool or Length");
}

/// The runtime error of an argument of type T before the handler runs:
/// Length arguments must be usable window lengths.
template <class T>
const char* argument_error(const Value& v) {
  if constexpr (std::is_same_v<T, Length>) return length_error(v.i);
  else return nullptr;
}

/// A result as a slot: float, int (kIntNa stays na) or bool (1 or 0).
inline Value result_value(double x) { return make_float(x); }
inline Value result_value(std::int64_t x) { return make_int(x); }
inline Value result_value(bool x) { return make_int(x ? 1 : 0); }

/// Writes a handler's results to consecutive result registers.
template <class R>
void write_results(Value* r, const R& result) {
  if constexpr (std::is_same_v<R, double> || std::is_same_v<R, std::int64_t> || std::is_same_v<R, bool>) {
    r[0] = result_value(result);
  } else if constexpr (std::is_same_v<R, std::pair<double, std::int64_t>>) {
    r[0] = make_float(result.first);
    r[1] = make_int(result.second);
  } else {
    for (std::size_t i = 0; i < result.size(); ++i) r[i] = make_float(result[i]);
  }
}

/// True when TaStep<K> declares a check().
template <StateKind K>
concept HasCheck = requires { &TaStep<K>::check; };

/// Calls TaStep<K>::run with the state, the bar when it asks for one, and
/// the arguments A... read from registers a[I]...; the Length checks and
/// check() run first and stop the call on an error.
template <StateKind K, bool kTakesBar, class... A, std::size_t... I>
inline const char* call_handler(TaState& state, const Value* a, Value* r, const Value* g, std::index_sequence<I...>) {
  const char* error = nullptr;
  if (((error = argument_error<A>(a[I])) || ...)) return error;
  if constexpr (HasCheck<K>)
    if ((error = TaStep<K>::check(read_arg<A>(a[I])...))) return error;
  auto& s = std::get<StateOf<K>>(state);
  if constexpr (kTakesBar)
    write_results(r, TaStep<K>::run(s, BarView(g), read_arg<A>(a[I])...));
  else
    write_results(r, TaStep<K>::run(s, read_arg<A>(a[I])...));
  return nullptr;
}

/// Splits a handler's parameter list into the optional bar and the
/// register arguments.
template <StateKind K, class Params>
struct Handler;
template <StateKind K, class... A>
struct Handler<K, std::tuple<const BarView&, A...>> {
  static constexpr bool kTakesBar = true;
  using Args = std::tuple<A...>;
  static const char* step(TaState& s, const Value* a, Value* r, const Value* g) {
    return call_handler<K, true, A...>(s, a, r, g, std::index_sequence_for<A...>{});
  }
};
template <StateKind K, class... A>
struct Handler<K, std::tuple<A...>> {
  static constexpr bool kTakesBar = false;
  using Args = std::tuple<A...>;
  static const char* step(TaState& s, const Value* a, Value* r, const Value* g) {
    return call_handler<K, false, A...>(s, a, r, g, std::index_sequence_for<A...>{});
  }
};

template <StateKind K>
using HandlerOf = Handler<K, typename RunTraits<decltype(&TaStep<K>::run)>::Params>;

/// Calls `fn(std::type_identity<T>{})` with the state struct type T of
/// `kind` (nothing for StateKind::Count or an unknown kind).
template <class Fn>
void with_state_type(StateKind kind, Fn&& fn) {
  switch (kind) {
#define PINE_TA_STATE_CASE(kind, ...) \
  case StateKind::kind: fn(std::type_identity<StateOf<StateKind::kind>>{}); break;
    PINE_STATEFUL_BUILTINS(PINE_TA_STATE_CASE)
#undef PINE_TA_STATE_CASE
    default: break;
  }
}

/// The Pine type of a handler parameter or result type.
template <class T>
constexpr Type pine_type() {
  if constexpr (std::is_same_v<T, double>) return Type::Float;
  else if constexpr (std::is_same_v<T, bool>) return Type::Bool;
  else return Type::Int; // std::int64_t, Length
}

template <class R>
std::vector<Type> result_types() {
  if constexpr (std::is_same_v<R, std::pair<double, std::int64_t>>) return {Type::Float, Type::Int};
  else if constexpr (std::is_same_v<R, double> || std::is_same_v<R, std::int64_t> || std::is_same_v<R, bool>)
    return {pine_type<R>()};
  else return std::vector<Type>(std::tuple_size_v<R>, Type::Float);
}

template <StateKind K>
HandlerSignature signature_of() {
  HandlerSignature sig;
  std::apply([&](auto... tag) { (sig.params.push_back(pine_type<typename decltype(tag)::type>()), ...); },
             []<class... A>(std::type_identity<std::tuple<A...>>) {
               return std::tuple<std::type_identity<A>...>{};
             }(std::type_identity<typename HandlerOf<K>::Args>{}));
  sig.results = result_types<typename RunTraits<decltype(&TaStep<K>::run)>::Result>();
  return sig;
}

} // namespace

// Emplaces the struct type of `kind`.
void init_ta_state(TaState& state, StateKind kind) {
  with_state_type(kind, [&]<class T>(std::type_identity<T>) { state.emplace<T>(); });
}

const std::array<StepFunction, kStateKindCount> kStepFunctions = {
#define PINE_TA_STEP_ENTRY(kind, ...) &HandlerOf<StateKind::kind>::step,
    PINE_STATEFUL_BUILTINS(PINE_TA_STEP_ENTRY)
#undef PINE_TA_STEP_ENTRY
};

const char* step_state(TaState& state, StateKind kind, const Value* a, Value* r, const Value* g) {
  if (static_cast<std::size_t>(kind) >= kStateKindCount) return "invalid builtin state";
  return kStepFunctions[static_cast<std::size_t>(kind)](state, a, r, g);
}

void save_ta_state(archive::Out& ar, const TaState& state, StateKind kind) {
  with_state_type(kind, [&]<class T>(std::type_identity<T>) { std::get<T>(state).save(ar); });
}

void load_ta_state(archive::In& ar, TaState& state, StateKind kind) {
  with_state_type(kind, [&]<class T>(std::type_identity<T>) { std::get<T>(state).load(ar); });
}

HandlerSignature handler_signature(StateKind kind) {
  switch (kind) {
#define PINE_TA_SIGNATURE_CASE(kind, ...) \
  case StateKind::kind: return signature_of<StateKind::kind>();
    PINE_STATEFUL_BUILTINS(PINE_TA_SIGNATURE_CASE)
#undef PINE_TA_SIGNATURE_CASE
    default: return {};
  }
}

} // namespace pine
