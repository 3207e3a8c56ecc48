// The str.* builtins: typed handlers BuiltinFn<ID> (see builtin_fn.h).
//
// A string argument taken as std::string_view makes the call return na (false
// for the predicates) when it is na, so the handlers below see text only.
// Positions are 0-based byte offsets. The bodies that need more than a line
// live in str_builtins.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "builtins/builtin_fn.h"

namespace pine {

template <> struct BuiltinFn<BuiltinId::TOSTRING_F> {
  static std::string run(double value);
};
template <> struct BuiltinFn<BuiltinId::TOSTRING_I> {
  static std::string run(std::int64_t value);
};
template <> struct BuiltinFn<BuiltinId::TOSTRING_B> {
  static std::string run(bool value) { return value ? "true" : "false"; }
};
template <> struct BuiltinFn<BuiltinId::TOSTRING_S> {
  /// The string itself; na reads "NaN", as for numbers.
  static Str run(StringTable& strings, Str value) {
    return value.handle == kStringNa ? Str{strings.add("NaN")} : value;
  }
};
template <> struct BuiltinFn<BuiltinId::TOSTRING_FMT> {
  /// An na format is the default format.
  static std::string run(StringTable& strings, double value, Str format);
};
template <> struct BuiltinFn<BuiltinId::STR_LENGTH> {
  static std::int64_t run(std::string_view string) { return static_cast<std::int64_t>(string.size()); }
};
template <> struct BuiltinFn<BuiltinId::STR_CONTAINS> {
  static bool run(std::string_view source, std::string_view str) { return source.find(str) != std::string_view::npos; }
};
template <> struct BuiltinFn<BuiltinId::STR_STARTSWITH> {
  static bool run(std::string_view source, std::string_view str) { return source.starts_with(str); }
};
template <> struct BuiltinFn<BuiltinId::STR_ENDSWITH> {
  static bool run(std::string_view source, std::string_view str) { return source.ends_with(str); }
};
template <> struct BuiltinFn<BuiltinId::STR_UPPER> {
  static std::string run(std::string_view source);
};
template <> struct BuiltinFn<BuiltinId::STR_LOWER> {
  static std::string run(std::string_view source);
};
template <> struct BuiltinFn<BuiltinId::STR_TRIM> {
  static std::string run(std::string_view source);
};
template <> struct BuiltinFn<BuiltinId::STR_REPEAT> {
  /// na `repeat` gives na; a negative one is an error.
  static Checked<std::optional<std::string>> run(std::string_view source, std::int64_t repeat, std::string_view separator);
};
template <> struct BuiltinFn<BuiltinId::STR_REPLACE_ALL> {
  static Checked<std::string> run(std::string_view source, std::string_view target, std::string_view replacement);
};
template <> struct BuiltinFn<BuiltinId::STR_POS> {
  /// The first occurrence, na when there is none.
  static std::int64_t run(std::string_view source, std::string_view str) {
    const std::size_t hit = source.find(str);
    return hit == std::string_view::npos ? kIntNa : static_cast<std::int64_t>(hit);
  }
};
template <> struct BuiltinFn<BuiltinId::STR_SUBSTRING> {
  /// na `begin_pos` gives na; na `end_pos` means the end of the string.
  static Checked<std::optional<std::string>> run(std::string_view source, std::int64_t begin_pos, std::int64_t end_pos);
};
template <> struct BuiltinFn<BuiltinId::STR_TONUMBER> {
  static double run(std::string_view string);
};
template <> struct BuiltinFn<BuiltinId::STR_REPLACE> {
  static Checked<std::optional<std::string>> run(std::string_view source, std::string_view target,
                                                 std::string_view replacement, std::int64_t occurrence);
};
template <> struct BuiltinFn<BuiltinId::STR_MATCH> {
  static Checked<std::string> run(std::string_view source, std::string_view regex);
};
template <> struct BuiltinFn<BuiltinId::STR_FORMAT_TIME> {
  static Checked<std::optional<std::string>> run(std::int64_t time, std::string_view format, std::string_view timezone);
};

} // namespace pine
