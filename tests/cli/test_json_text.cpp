// JSON string text (cli/src/json_text.h): escaping for the JSONL writers and
// the pieces the --syminfo reader unescapes with.
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

TEST_CASE("json_text: unescaping pieces") {
  CHECK(pine::cli::hex_digit('0') == 0);
  CHECK(pine::cli::hex_digit('f') == 15);
  CHECK(pine::cli::hex_digit('F') == 15);
  CHECK(pine::cli::hex_digit('g') == -1);
  CHECK(pine::cli::json_simple_unescape('n') == '\n');
  CHECK(pine::cli::json_simple_unescape('/') == '/');
  CHECK(pine::cli::json_simple_unescape('"') == '"');
  CHECK(!pine::cli::json_simple_unescape('u'));
  CHECK(!pine::cli::json_simple_unescape('x'));
}

TEST_CASE("json_text: escaping round-trips through the unescapes") {
  const std::string text = "a\"b\\c\n\t\x01";
  const std::string lit = json(text);
  std::string back;
  for (std::size_t i = 1; i + 1 < lit.size(); ++i) {
    if (lit[i] != '\\') {
      back += lit[i];
      continue;
    }
    const char e = lit[++i];
    if (auto c = pine::cli::json_simple_unescape(e)) {
      back += *c;
      continue;
    }
    REQUIRE(e == 'u');
    unsigned cp = 0;
    for (int k = 0; k < 4; ++k) cp = cp * 16 + static_cast<unsigned>(pine::cli::hex_digit(lit[++i]));
    pine::cli::append_utf8(back, cp);
  }
  CHECK(back == text);
}
