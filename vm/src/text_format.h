// Text formatting builtins: str.format's MessageFormat patterns and the
// date/time patterns of str.format_time (and `{0,date,...}`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pine/vm/value.h"
#include "string_table.h"

namespace pine {

/// Keeps `message` in a per-thread buffer and returns it as the error of a
/// builtin (the interpreter copies it at once into a RuntimeError).
const char* builtin_error(std::string message);

/// str.format: formats `args` (one slot per character of `types`: 'f'
/// float, 'i' int, 'b' bool, 's' string handle) with a Java MessageFormat
/// pattern (see message_format.cpp for the supported subset) into `out`.
/// Returns nullptr, or an error message for a malformed pattern.
const char* format_message(std::string_view pattern, const Value* args, std::string_view types,
                           const StringTable& strings, std::string& out);

/// Formats epoch milliseconds `time` shifted by `offset_minutes` with a
/// Java SimpleDateFormat pattern (letters G y Y M L d D E u a H k K h m s S
/// z Z X; '...' quotes text, '' is a quote). Returns nullptr, or an error
/// message naming an unsupported pattern letter.
const char* format_date(std::int64_t time, std::int32_t offset_minutes, std::string_view pattern, std::string& out);

} // namespace pine
