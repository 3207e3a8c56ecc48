// Dispatch from a BuiltinId to its typed handler, generated from the
// registry: the handler's C++ parameter types say how to read each argument
// register and its return type how to write the result (builtin_fn.h).
#include "builtin_call.h"

#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "builtins/color_builtins.h"
#include "builtins/math_builtins.h"
#include "builtins/str_builtins.h"
#include "builtins/ta_pivots.h"
#include "builtins/time_builtins.h"

namespace pine {

namespace {

/// A handler's return and parameter types.
template <class F>
struct FnTraits;
template <class R, class... A>
struct FnTraits<R (*)(A...)> {
  using Result = R;
  using Params = std::tuple<A...>;
};

/// Checked<R>'s R; R itself for a handler that cannot fail.
template <class R>
struct Unchecked {
  using type = R;
};
template <class R>
struct Unchecked<Checked<R>> {
  using type = R;
};

/// True for a string argument whose na makes the call na (builtin_fn.h).
template <class T>
inline constexpr bool kIsText = std::is_same_v<T, std::string_view>;

/// Reads one argument register as the handler's parameter type T.
template <class T>
T read_arg(const Value& v, const StringTable& strings) {
  if constexpr (std::is_same_v<T, double>) return v.f;
  else if constexpr (std::is_same_v<T, std::int64_t>) return v.i;
  else if constexpr (std::is_same_v<T, bool>) return v.i != 0;
  else if constexpr (std::is_same_v<T, Rgba>) return Rgba{v.i};
  else if constexpr (std::is_same_v<T, Str>) return Str{v.i};
  else if constexpr (kIsText<T>) return strings.get(v.i);
  else static_assert(sizeof(T) == 0, "a BuiltinFn parameter must be double, std::int64_t, bool, Rgba, Str or std::string_view");
}

/// The Pine type of a handler's parameter or result type.
template <class T>
constexpr Type pine_type() {
  if constexpr (std::is_same_v<T, double>) return Type::Float;
  else if constexpr (std::is_same_v<T, std::int64_t>) return Type::Int;
  else if constexpr (std::is_same_v<T, bool>) return Type::Bool;
  else if constexpr (std::is_same_v<T, Rgba>) return Type::Color;
  else return Type::String; // Str, std::string_view, std::string, std::optional<std::string>
}

/// Makes string `s` the result, or reports it as too long.
const char* store_string(std::string&& s, Value& result, StringTable& strings) {
  if (s.size() > kMaxStringLength) return "string is longer than 40960 characters";
  result = make_int(strings.add(std::move(s)));
  return nullptr;
}

/// Writes a handler's result (or returns its error).
template <class R>
const char* store(R&& r, Value& result, StringTable& strings) {
  using T = std::remove_cvref_t<R>;
  if constexpr (std::is_same_v<T, double>) result = make_float(r);
  else if constexpr (std::is_same_v<T, std::int64_t>) result = make_int(r);
  else if constexpr (std::is_same_v<T, bool>) result = make_int(r ? 1 : 0);
  else if constexpr (std::is_same_v<T, Rgba>) result = make_int(r.bits);
  else if constexpr (std::is_same_v<T, Str>) result = make_int(r.handle);
  else if constexpr (std::is_same_v<T, std::string>) return store_string(std::move(r), result, strings);
  else if constexpr (std::is_same_v<T, std::optional<std::string>>) {
    if (!r) result = make_int(kStringNa);
    else return store_string(std::move(*r), result, strings);
  } else {
    if (r.error != nullptr) return r.error;
    return store(std::move(r.value), result, strings);
  }
  return nullptr;
}

/// Calls BuiltinFn<ID>::run on the arguments A... read from args[I]...,
/// passing the string table first when the handler asks for it. An na
/// std::string_view argument makes the result na (false for a bool)
/// without a call.
template <BuiltinId ID, bool kTakesStrings, class... A, std::size_t... I>
inline const char* call_handler(const Value* args, Value& result, StringTable& strings, std::index_sequence<I...>) {
  using Fn = BuiltinFn<ID>;
  using R = typename Unchecked<typename FnTraits<decltype(&Fn::run)>::Result>::type;
  if constexpr ((kIsText<A> || ...)) {
    if (((kIsText<A> && args[I].i == kStringNa) || ...)) {
      result = std::is_same_v<R, bool> ? make_int(0) : na_value(pine_type<R>());
      return nullptr;
    }
  }
  if constexpr (kTakesStrings) return store(Fn::run(strings, read_arg<A>(args[I], strings)...), result, strings);
  else return store(Fn::run(read_arg<A>(args[I], strings)...), result, strings);
}

/// Splits a handler's parameter list into the optional string table and
/// the register arguments.
template <BuiltinId ID, class Params>
struct Handler;
template <BuiltinId ID, class... A>
struct Handler<ID, std::tuple<StringTable&, A...>> {
  using Args = std::tuple<A...>;
  static const char* call(const Value* args, Value& result, StringTable& strings) {
    return call_handler<ID, true, A...>(args, result, strings, std::index_sequence_for<A...>{});
  }
};
template <BuiltinId ID, class... A>
struct Handler<ID, std::tuple<A...>> {
  using Args = std::tuple<A...>;
  static const char* call(const Value* args, Value& result, StringTable& strings) {
    return call_handler<ID, false, A...>(args, result, strings, std::index_sequence_for<A...>{});
  }
};

template <BuiltinId ID>
using HandlerOf = Handler<ID, typename FnTraits<decltype(&BuiltinFn<ID>::run)>::Params>;

/// The Pine types of the argument types in tuple Args.
template <class... A>
std::vector<Type> pine_types(std::type_identity<std::tuple<A...>>) {
  return {pine_type<A>()...};
}

template <BuiltinId ID>
HandlerSignature signature_of() {
  using R = typename Unchecked<typename FnTraits<decltype(&BuiltinFn<ID>::run)>::Result>::type;
  return {pine_types(std::type_identity<typename HandlerOf<ID>::Args>{}), {pine_type<R>()}};
}

} // namespace

const char* call_builtin(BuiltinId id, const Value* args, Value& result, StringTable& strings) {
  switch (id) {
#define PINE_BUILTIN_CALL_CASE(ID, ...) \
  case BuiltinId::ID: return HandlerOf<BuiltinId::ID>::call(args, result, strings);
    PINE_STATELESS_BUILTINS(PINE_BUILTIN_CALL_CASE)
#undef PINE_BUILTIN_CALL_CASE
    case BuiltinId::Count: break;
  }
  return "invalid builtin";
}

HandlerSignature handler_signature(BuiltinId id) {
  switch (id) {
#define PINE_BUILTIN_SIGNATURE_CASE(ID, ...) \
  case BuiltinId::ID: return signature_of<BuiltinId::ID>();
    PINE_STATELESS_BUILTINS(PINE_BUILTIN_SIGNATURE_CASE)
#undef PINE_BUILTIN_SIGNATURE_CASE
    case BuiltinId::Count: break;
  }
  return {};
}

} // namespace pine
