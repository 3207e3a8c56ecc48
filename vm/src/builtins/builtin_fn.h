// The typed handlers of the stateless builtins.
//
// Each stateless builtin of the registry (pine/vm/builtins.h) has one
// specialisation BuiltinFn<BuiltinId::ID>, written in the header of its
// namespace (math_builtins.h, color_builtins.h, str_builtins.h,
// time_builtins.h; ta_pivots.h for ta.pivot_point_levels' type):
//
//   template <> struct BuiltinFn<BuiltinId::SQRT> {
//     static double run(double number) { return std::sqrt(number); }
//   };
//
// `run` takes, optionally, the instance's StringTable& first (for handlers
// that read a possibly-na string or make a string themselves), then the
// call's arguments in register order, and returns the result. The C++ types
// are the handler's signature, which a unit test compares with the
// registry's, so the registry and the handler cannot drift apart:
//
//   argument               Pine type   what the handler receives
//   double                 float       the value, NaN for na
//   std::int64_t           int         the value, kIntNa for na
//   bool                   bool        the value
//   Rgba                   color       the packed RGBA, kColorNa for na
//   std::string_view       string      the text; an na string never reaches
//                                      the handler: the call returns na
//                                      (false for a bool result) instead
//   Str                    string      the handle, possibly kStringNa
//
//   result                 Pine type
//   double, std::int64_t, bool, Rgba   float, int, bool, color
//   std::string            string: made by the VM, a runtime error past
//                          Pine's 40,960-character limit
//   Str                    string: a handle the handler made or was given
//
// A handler that can fail returns Checked<R>: a result, or Error{message}
// for a runtime error of the script.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "pine/vm/builtins.h"
#include "pine/vm/value.h"
#include "string_table.h"

namespace pine {

/// A color argument or result: Pine's packed 0xRRGGBBAA, kColorNa for na.
/// A type of its own so that the handler's signature says "color", not "int".
struct Rgba {
  std::int64_t bits;
};

/// A string argument or result as a handle into the instance's StringTable,
/// possibly kStringNa: for handlers that give na strings a meaning of their
/// own (str.tostring(na) is "NaN") or return an existing string unchanged.
struct Str {
  std::int64_t handle;
};

/// A runtime error message returned by a handler through Checked<R>.
struct Error {
  const char* message;
};

/// A handler's result or its runtime error. Converts from both, so a
/// handler writes `return value;` or `return Error{"..."};`.
template <class R>
struct Checked {
  Checked(R v) : value(std::move(v)) {}
  Checked(Error e) : error(e.message) {}
  R value{};
  const char* error = nullptr;
};

/// A handler's signature as Pine types: its arguments (without the
/// StringTable, a call site's state or the bar) and its results. The
/// registry test compares it with the registry's.
struct HandlerSignature {
  std::vector<Type> params;
  std::vector<Type> results;
};

/// The handler of stateless builtin ID (see the file comment). Every
/// BuiltinId has exactly one specialisation; a missing one fails to compile.
template <BuiltinId ID>
struct BuiltinFn;

} // namespace pine
