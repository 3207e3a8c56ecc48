// JSON string text (cli/src/json_text.h): escaping for the JSONL writers and
// the reader of string literals (--syminfo files, the tests).
#include <doctest/doctest.h>

#include <string>

#include "json_text.h"

namespace {

/// The JSON string literal of `s`.
std::string json(std::string_view s) {
  std::string out;
  pine::cli::append_json_string(out, s);
  return out;
}

/// `cp` encoded as UTF-8.
std::string utf8(unsigned cp) {
  std::string out;
  pine::cli::append_utf8(out, cp);
  return out;
}

} // namespace

TEST_CASE("json_text: escaping") {
  CHECK(json("plain") == "\"plain\"");
  CHECK(json("q\"b\\s/") == "\"q\\\"b\\\\s/\"");
  CHECK(json("\n\r\t\b\f") == "\"\\n\\r\\t\\b\\f\"");
  CHECK(json(std::string("\x00\x1f", 2)) == "\"\\u0000\\u001f\"");
  CHECK(json("caf\xC3\xA9") == "\"caf\xC3\xA9\"");
  CHECK(json("bad\xFF") == "\"bad\\ufffd\"");
}

TEST_CASE("json_text: UTF-8 sequences") {
  CHECK(pine::cli::utf8_sequence_length("\xC3\xA9", 0) == 2);
  CHECK(pine::cli::utf8_sequence_length("\xF0\x9F\x98\x80", 0) == 4);
  CHECK(pine::cli::utf8_sequence_length("\xC0\x80", 0) == 0);     // overlong
  CHECK(pine::cli::utf8_sequence_length("\xED\xA0\x80", 0) == 0); // surrogate
  CHECK(pine::cli::utf8_sequence_length("\xE2\x82", 0) == 0);     // truncated
  CHECK(utf8(0x41) == "A");
  CHECK(utf8(0xE9) == "\xC3\xA9");
  CHECK(utf8(0x20AC) == "\xE2\x82\xAC");
  CHECK(utf8(0x1F600) == "\xF0\x9F\x98\x80");
}

/// What read_json_string makes of `literal`: the contents, or "error: ...".
/// Also checks that a successful read stops right after the closing quote.
std::string read(std::string_view literal) {
  std::size_t pos = 0;
  std::string out;
  if (const char* error = pine::cli::read_json_string(literal, pos, out)) return std::string("error: ") + error;
  CHECK(pos == literal.size());
  return out;
}

TEST_CASE("json_text: reading string literals") {
  CHECK(read(R"("plain")") == "plain");
  CHECK(read(R"("q\"b\\s\/")") == "q\"b\\s/");
  CHECK(read(R"("\n\r\t\b\f")") == "\n\r\t\b\f");
  CHECK(read(R"("caf\u00e9 \u20AC")") == "caf\xC3\xA9 \xE2\x82\xAC");
  CHECK(read(R"("\ud83d\ude00")") == "\xF0\x9F\x98\x80"); // a surrogate pair
  CHECK(read(R"("open)") == "error: unterminated string");
  CHECK(read("\"a\nb\"") == "error: control character in a string");
  CHECK(read(R"("\x")") == "error: unknown escape in a string");
  CHECK(read(R"("\u12g4")") == "error: expected four hex digits after \\u");
  CHECK(read(R"("\ud83d")") == "error: unpaired surrogate in \\u escape");
  CHECK(read(R"("\ude00")") == "error: unpaired surrogate in \\u escape");
  CHECK(read(R"("\ud83d\u0041")") == "error: unpaired surrogate in \\u escape");
}

TEST_CASE("json_text: writing then reading gives the text back") {
  for (const std::string& text : {std::string("a\"b\\c\n\t\x01"), std::string("caf\xC3\xA9 \xF0\x9F\x98\x80"),
                                 std::string("\x00\x1f", 2), std::string()})
    CHECK(read(json(text)) == text);
}
