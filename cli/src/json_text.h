// JSON string text both ways, for every JSON the CLI writes (JSONL plot and
// log lines) and reads (--syminfo files): one statement of the escapes.
//
// Writing escapes `"`, `\` and control characters (\n \r \t \b \f by name,
// others as \u00XX) and replaces each byte of invalid UTF-8 by \ufffd, so
// the output is always valid JSON in valid UTF-8. Reading accepts the
// escapes RFC 8259 defines, surrogate pairs included.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pine::cli {

/// Appends `s` to `out` as a JSON string literal (with the quotes).
void append_json_string(std::string& out, std::string_view s);

/// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid
/// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

/// Appends code point `cp` (at most U+10FFFF) encoded as UTF-8.
void append_utf8(std::string& out, unsigned cp);

/// Reads the JSON string literal whose opening quote is text[pos]: its
/// decoded contents into `out` and pos past the closing quote. Returns
/// nullptr, or what is wrong (pos then at the offending character):
/// unterminated, a raw control character, an unknown escape, bad \u digits
/// or an unpaired surrogate.
const char* read_json_string(std::string_view text, std::size_t& pos, std::string& out);

} // namespace pine::cli
