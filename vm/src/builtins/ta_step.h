// The typed handlers of the stateful builtins.
//
// Each stateful builtin of the registry (pine/vm/builtins.h) has one
// specialisation TaStep<StateKind::K>, written next to its state struct in
// its indicator family's header:
//
//   template <> struct TaStep<StateKind::SMA> {
//     static double run(Sma& state, double source, Length length);
//   };
//
// `run` takes the call site's state, optionally the current bar (a
// `const BarView&` second parameter, for builtins that read high, low,
// close...), then the call's arguments in register order, and returns the
// results. The parameter and return types are the handler's signature:
// double is a Pine float, std::int64_t an int, bool a bool, Length an int
// that must be a valid window length; a std::array<double, N> returns N
// floats and a std::pair<double, std::int64_t> a float and an int. The VM
// unpacks the argument registers by these types (ta_state.cpp), and a unit
// test checks them against the registry's signature, so the two cannot
// drift apart.
//
// An optional `static const char* check(Args...)` receives the same
// arguments before `run` and returns a runtime error message (or nullptr)
// for arguments TradingView rejects; Length arguments are checked first, in
// order, with TradingView's length messages.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pine/vm/builtins.h"
#include "pine/vm/value.h"

namespace pine::ta {

/// A window length argument. The VM raises the runtime error for one that
/// is <= 0 or too large before `run` is called; na reaches `run`, whose
/// struct returns na for it.
struct Length {
  std::int64_t value;
};

/// The current bar, as the built-in variables of the main frame hold it.
/// Handlers that read the bar take one, so the price they use is the same
/// slot the script's `high`/`low`/`close` read. OHLCV and time are loaded on
/// every bar; hl2 only when the program can read it, which readable_builtins
/// (instance.cpp) must then know: a new C++ reader of a derived price is
/// listed there.
class BarView {
 public:
  explicit BarView(const Value* globals) : globals_(globals) {}
  double open() const { return f(BuiltinVar::OPEN); }
  double high() const { return f(BuiltinVar::HIGH); }
  double low() const { return f(BuiltinVar::LOW); }
  double close() const { return f(BuiltinVar::CLOSE); }
  double volume() const { return f(BuiltinVar::VOLUME); }
  double hl2() const { return f(BuiltinVar::HL2); }
  std::int64_t time() const { return globals_[static_cast<std::size_t>(BuiltinVar::TIME)].i; }

 private:
  double f(BuiltinVar v) const { return globals_[static_cast<std::size_t>(v)].f; }
  const Value* globals_;
};

/// The handler of stateful builtin K (see the file comment). Every
/// StateKind has exactly one specialisation; a missing one fails to compile.
template <StateKind K>
struct TaStep;

/// The handler shape shared by most window builtins, f(source, length):
/// forwards to T::step.
template <class T>
struct SourceLengthStep {
  static auto run(T& state, double source, Length length) { return state.step(source, length.value); }
};

} // namespace pine::ta
