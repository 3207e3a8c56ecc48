// JSON string escaping and unescaping (see json_text.h).
#include "json_text.h"

namespace pine::cli {

/// Decides which bytes the writer copies and which it replaces.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) len = 2, cp = b0 & 0x1Fu;
  else if (b0 >= 0xE0 && b0 <= 0xEF) len = 3, cp = b0 & 0x0Fu;
  else if (b0 >= 0xF0 && b0 <= 0xF4) len = 4, cp = b0 & 0x07u;
  else return 0;
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0u) != 0x80u) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
  if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
  return len;
}

/// The one JSON string writer (JSONL plots, logs, alerts, keys).
void append_json_string(std::string& out, std::string_view s) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const std::size_t len = utf8_sequence_length(s, i);
      if (len == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(s.substr(i, len));
        i += len;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

/// Turns a decoded \u escape back into bytes.
void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

namespace {

/// The value of one hex digit of a \u escape, -1 for any other character.
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// What follows a backslash for the one-character escapes (\" \\ \/ \b \f
/// \n \r \t); nullopt for 'u' and anything else.
std::optional<char> simple_unescape(char e) {
  switch (e) {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return std::nullopt;
  }
}

/// The four hex digits of a \u escape at text[pos], or nullopt.
std::optional<unsigned> read_hex4(std::string_view text, std::size_t& pos) {
  unsigned v = 0;
  for (int i = 0; i < 4; ++i) {
    const int d = pos < text.size() ? hex_digit(text[pos]) : -1;
    if (d < 0) return std::nullopt;
    v = v * 16 + static_cast<unsigned>(d);
    ++pos;
  }
  return v;
}

} // namespace

// The one JSON string reader (--syminfo files; the tests' JSON readers).
const char* read_json_string(std::string_view text, std::size_t& pos, std::string& out) {
  ++pos; // the opening quote
  out.clear();
  for (;;) {
    if (pos >= text.size()) return "unterminated string";
    const char c = text[pos];
    if (c == '"') {
      ++pos;
      return nullptr;
    }
    if (static_cast<unsigned char>(c) < 0x20) return "control character in a string";
    ++pos;
    if (c != '\\') {
      out += c;
      continue;
    }
    const char e = pos < text.size() ? text[pos] : '\0';
    if (const std::optional<char> plain = simple_unescape(e)) {
      out += *plain;
      ++pos;
      continue;
    }
    if (e != 'u') return "unknown escape in a string";
    ++pos;
    std::optional<unsigned> cp = read_hex4(text, pos);
    if (!cp) return "expected four hex digits after \\u";
    if (*cp >= 0xD800 && *cp <= 0xDBFF) {
      // A surrogate pair encodes one code point above U+FFFF.
      if (pos + 1 >= text.size() || text[pos] != '\\' || text[pos + 1] != 'u') return "unpaired surrogate in \\u escape";
      pos += 2;
      const std::optional<unsigned> low = read_hex4(text, pos);
      if (!low) return "expected four hex digits after \\u";
      if (*low < 0xDC00 || *low > 0xDFFF) return "unpaired surrogate in \\u escape";
      *cp = 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00);
    } else if (*cp >= 0xDC00 && *cp <= 0xDFFF) {
      return "unpaired surrogate in \\u escape";
    }
    append_utf8(out, *cp);
  }
}

} // namespace pine::cli
