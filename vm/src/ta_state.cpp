// Dispatch from a call site's StateKind to its state struct.
#include "ta_state.h"

#include <array>
#include <string>
#include <utility>

namespace pine {

// The messages TradingView gives (see the declaration).
const char* length_error(std::int64_t length) {
  if (length == kIntNa || ta::valid_length(length)) return nullptr;
  if (length <= 0) return "invalid length argument: length must be greater than 0";
  return "invalid length argument: it is larger than 1000000";
}

namespace {

Value f(double x) { return make_float(x); }

constexpr std::size_t kHigh = static_cast<std::size_t>(BuiltinVar::HIGH);
constexpr std::size_t kLow = static_cast<std::size_t>(BuiltinVar::LOW);
constexpr std::size_t kClose = static_cast<std::size_t>(BuiltinVar::CLOSE);

/// Calls `fn(std::type_identity<T>{})` with the state struct type T of
/// `kind`: the kinds of the first release here, the others through
/// with_more_state_type (nothing for StateKind::Count or an unknown kind).
template <class Fn>
void with_state_type(StateKind kind, Fn&& fn) {
  switch (kind) {
    case StateKind::SMA: fn(std::type_identity<ta::Sma>{}); break;
    case StateKind::EMA: fn(std::type_identity<ta::Ema>{}); break;
    case StateKind::RMA: fn(std::type_identity<ta::Rma>{}); break;
    case StateKind::WMA: fn(std::type_identity<ta::Wma>{}); break;
    case StateKind::RSI: fn(std::type_identity<ta::Rsi>{}); break;
    case StateKind::ATR: fn(std::type_identity<ta::Atr>{}); break;
    case StateKind::TR: fn(std::type_identity<ta::Tr>{}); break;
    case StateKind::HIGHEST: fn(std::type_identity<ta::Highest>{}); break;
    case StateKind::LOWEST: fn(std::type_identity<ta::Lowest>{}); break;
    case StateKind::STDEV:
    case StateKind::VARIANCE: fn(std::type_identity<ta::Stdev>{}); break;
    case StateKind::CHANGE: fn(std::type_identity<ta::Change>{}); break;
    case StateKind::CHANGE_I: fn(std::type_identity<ta::ChangeInt>{}); break;
    case StateKind::CHANGE_B: fn(std::type_identity<ta::ChangeBool>{}); break;
    case StateKind::CROSSOVER:
    case StateKind::CROSSUNDER:
    case StateKind::CROSS: fn(std::type_identity<ta::Cross>{}); break;
    case StateKind::MACD: fn(std::type_identity<ta::Macd>{}); break;
    case StateKind::SUM: fn(std::type_identity<ta::Sum>{}); break;
    case StateKind::FIXNAN_F:
    case StateKind::FIXNAN_I: fn(std::type_identity<FixnanState>{}); break;
    case StateKind::Count: break;
    default: with_more_state_type(kind, fn); break;
  }
}

/// Visits the struct of `kind` inside `state`.
template <class Fn>
void with_state(TaState& state, StateKind kind, Fn&& fn) {
  with_state_type(kind, [&]<class T>(std::type_identity<T>) { fn(std::get<T>(state)); });
}

} // namespace

// Emplaces the struct type of `kind`.
void init_ta_state(TaState& state, StateKind kind) {
  with_state_type(kind, [&]<class T>(std::type_identity<T>) { state.emplace<T>(); });
}

namespace {

/// The body of step_state(), forced inline so that step_kind<K> below folds
/// the switch to its one case.
#if defined(__GNUC__) || defined(__clang__)
[[gnu::always_inline]]
#endif
inline const char* step_any(TaState& state, StateKind kind, const Value* a, Value* r, const Value* g) {
  switch (kind) {
    case StateKind::SMA: return step_src_length<ta::Sma>(state, a, r);
    case StateKind::EMA: return step_src_length<ta::Ema>(state, a, r);
    case StateKind::RMA: return step_src_length<ta::Rma>(state, a, r);
    case StateKind::WMA: return step_src_length<ta::Wma>(state, a, r);
    case StateKind::RSI: return step_src_length<ta::Rsi>(state, a, r);
    case StateKind::ATR:
      if (const char* e = length_error(a[0].i)) return e;
      r[0] = f(std::get<ta::Atr>(state).step(g[kHigh].f, g[kLow].f, g[kClose].f, a[0].i));
      break;
    case StateKind::TR: r[0] = f(std::get<ta::Tr>(state).step(g[kHigh].f, g[kLow].f, g[kClose].f, a[0].i != 0)); break;
    case StateKind::HIGHEST: return step_src_length<ta::Highest>(state, a, r);
    case StateKind::LOWEST: return step_src_length<ta::Lowest>(state, a, r);
    case StateKind::STDEV:
      if (const char* e = length_error(a[1].i)) return e;
      r[0] = f(std::get<ta::Stdev>(state).step(a[0].f, a[1].i, a[2].i != 0));
      break;
    case StateKind::VARIANCE:
      if (const char* e = length_error(a[1].i)) return e;
      r[0] = f(std::get<ta::Stdev>(state).step_variance(a[0].f, a[1].i, a[2].i != 0));
      break;
    case StateKind::CHANGE: return step_src_length<ta::Change>(state, a, r);
    case StateKind::CHANGE_I:
      if (const char* e = length_error(a[1].i)) return e;
      r[0] = make_int(std::get<ta::ChangeInt>(state).step(a[0].i, a[1].i));
      break;
    case StateKind::CHANGE_B:
      if (const char* e = length_error(a[1].i)) return e;
      r[0] = make_int(std::get<ta::ChangeBool>(state).step(a[0].i != 0, a[1].i) ? 1 : 0);
      break;
    case StateKind::CROSSOVER: r[0] = make_int(std::get<ta::Cross>(state).step_over(a[0].f, a[1].f)); break;
    case StateKind::CROSSUNDER: r[0] = make_int(std::get<ta::Cross>(state).step_under(a[0].f, a[1].f)); break;
    case StateKind::CROSS: r[0] = make_int(std::get<ta::Cross>(state).step_cross(a[0].f, a[1].f)); break;
    case StateKind::MACD: {
      for (int i = 1; i <= 3; ++i)
        if (const char* e = length_error(a[i].i)) return e;
      const ta::Macd::Result m = std::get<ta::Macd>(state).step(a[0].f, a[1].i, a[2].i, a[3].i);
      r[0] = f(m.macd);
      r[1] = f(m.signal);
      r[2] = f(m.hist);
      break;
    }
    case StateKind::SUM: return step_src_length<ta::Sum>(state, a, r);
    case StateKind::FIXNAN_F:
    case StateKind::FIXNAN_I: {
      FixnanState& s = std::get<FixnanState>(state);
      const bool na = kind == StateKind::FIXNAN_F ? is_na_float(a[0].f) : a[0].i == kIntNa;
      if (!na) {
        s.last = a[0];
        s.seen = true;
      }
      r[0] = s.seen ? s.last : (kind == StateKind::FIXNAN_F ? make_float(kFloatNa) : make_int(kIntNa));
      break;
    }
    case StateKind::Count: return "invalid builtin state";
    default: return step_more_state(state, kind, a, r, g);
  }
  return nullptr;
}

/// step_state() for one kind known at compile time.
template <StateKind K>
const char* step_kind(TaState& state, const Value* a, Value* r, const Value* g) {
  return step_any(state, K, a, r, g);
}

/// kStepFunctions' entries, in StateKind order.
template <std::size_t... I>
constexpr std::array<StepFunction, sizeof...(I)> step_table(std::index_sequence<I...>) {
  return {&step_kind<static_cast<StateKind>(I)>...};
}

} // namespace

const std::array<StepFunction, kStateKindCount> kStepFunctions =
    step_table(std::make_index_sequence<kStateKindCount>{});

const char* step_state(TaState& state, StateKind kind, const Value* a, Value* r, const Value* g) {
  if (static_cast<std::size_t>(kind) >= kStateKindCount) return "invalid builtin state";
  return kStepFunctions[static_cast<std::size_t>(kind)](state, a, r, g);
}

void save_ta_state(archive::Out& ar, const TaState& state, StateKind kind) {
  with_state(const_cast<TaState&>(state), kind, [&](auto& s) {
    if constexpr (std::is_same_v<std::decay_t<decltype(s)>, FixnanState>) {
      ar(std::uint32_t{1}, s.last.u, static_cast<std::uint8_t>(s.seen ? 1 : 0));
    } else {
      s.save(ar);
    }
  });
}

void load_ta_state(archive::In& ar, TaState& state, StateKind kind) {
  with_state(state, kind, [&](auto& s) {
    if constexpr (std::is_same_v<std::decay_t<decltype(s)>, FixnanState>) {
      std::uint32_t version = 0;
      std::uint8_t seen = 0;
      ar(version, s.last.u, seen);
      archive::require(version == 1 && seen <= 1, "bad fixnan state");
      s.seen = seen == 1;
    } else {
      s.load(ar);
    }
  });
}

} // namespace pine
