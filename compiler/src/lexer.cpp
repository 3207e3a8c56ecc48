// The Pine Script lexer. See lexer.h for the layout rules.
#include "lexer.h"

#include <charconv>
#include <cstdio>
#include <optional>
#include <string_view>

#include "pine/vm/color.h"

namespace pine {
namespace {

struct Keyword {
  std::string_view text;
  Tok kind;
};

// Hard keywords. Soft keywords (type, method, enum, const, simple, series,
// to, by, in) stay identifiers: real scripts use several of them as names.
constexpr Keyword kKeywords[] = {
    {"and", Tok::KwAnd},       {"or", Tok::KwOr},         {"not", Tok::KwNot},
    {"if", Tok::KwIf},         {"else", Tok::KwElse},     {"switch", Tok::KwSwitch},
    {"for", Tok::KwFor},       {"while", Tok::KwWhile},   {"break", Tok::KwBreak},
    {"continue", Tok::KwContinue}, {"var", Tok::KwVar},   {"varip", Tok::KwVarip},
    {"import", Tok::KwImport}, {"export", Tok::KwExport}, {"true", Tok::KwTrue},
    {"false", Tok::KwFalse},
};

/// True for characters that may start an identifier.
bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

/// True for characters that may continue an identifier.
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }

/// True for decimal digits.
bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Value of a hex digit, or -1.
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// True when a line break right after a token of this kind is not the end of
/// the statement (spec §1.4 rule 2: binary operators and separators).
bool continues_line(Tok k) {
  switch (k) {
  case Tok::Plus: case Tok::Minus: case Tok::Star: case Tok::Slash: case Tok::Percent:
  case Tok::EqEq: case Tok::NotEq: case Tok::Lt: case Tok::Le: case Tok::Gt: case Tok::Ge:
  case Tok::KwAnd: case Tok::KwOr: case Tok::Question: case Tok::Colon:
  case Tok::Assign: case Tok::Reassign: case Tok::PlusAssign: case Tok::MinusAssign:
  case Tok::StarAssign: case Tok::SlashAssign: case Tok::PercentAssign: case Tok::Comma:
    return true;
  default:
    return false;
  }
}

/// Indentation width of the whitespace run starting at `p` (tab = 4 columns);
/// `p` is moved past the run.
int measure_indent(const std::string& s, std::size_t& p) {
  int width = 0;
  while (p < s.size() && (s[p] == ' ' || s[p] == '\t')) {
    width += s[p] == '\t' ? 4 : 1;
    ++p;
  }
  return width;
}

/// The single-pass lexer state machine. One instance tokenizes one source.
class Lexer {
public:
  /// Copies the source with "\r\n" and lone "\r" turned into "\n", so the
  /// rest of the lexer only knows one line terminator.
  /// A UTF-8 byte order mark (editors on Windows write one) is skipped:
  /// column 1 is the first character after it, as format_diagnostic counts.
  Lexer(std::string_view src, std::vector<Diagnostic>& diags) : diags_(diags) {
    if (src.substr(0, 3) == "\xEF\xBB\xBF") src.remove_prefix(3);
    src_.reserve(src.size());
    for (std::size_t i = 0; i < src.size(); ++i) {
      if (src[i] == '\r') {
        if (i + 1 < src.size() && src[i + 1] == '\n') continue;
        src_.push_back('\n');
      } else {
        src_.push_back(src[i]);
      }
    }
  }

  /// Tokenizes the whole input; see lexer.h for the contract.
  std::vector<Token> run(int* version, std::uint32_t* version_line) {
    bool line_start = true;
    while (errors_ < kMaxLexErrors) {
      if (line_start) {
        if (!begin_line()) break;
        line_start = false;
        continue;
      }
      if (at_end()) break;
      char c = src_[pos_];
      if (c == ' ' || c == '\t') {
        ++pos_;
      } else if (c == '\n') {
        newline();
        line_start = true;
      } else if (c == '/' && peek(1) == '/') {
        comment();
      } else {
        lex_token();
      }
    }
    finish();
    if (version) *version = version_;
    if (version_line) *version_line = version_line_;
    return std::move(out_);
  }

private:
  std::string src_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1;
  std::size_t line_start_ = 0;
  std::vector<Token> out_;
  std::vector<Diagnostic>& diags_;
  std::vector<int> indents_{0};
  int depth_ = 0; ///< open ( and [
  int version_ = 0;
  std::uint32_t version_line_ = 0; ///< line of the //@version comment (0: none)
  bool have_version_ = false;
  std::size_t errors_ = 0;
  bool indent_error_ = false; ///< report only the first layout error: later ones are echoes
  SourceLoc last_end_{1, 1};  ///< just after the last real token

  /// True when the whole input has been consumed.
  bool at_end() const { return pos_ >= src_.size(); }

  /// The character `k` places ahead, or '\0' past the end.
  char peek(std::size_t k = 0) const { return pos_ + k < src_.size() ? src_[pos_ + k] : '\0'; }

  /// 1-based position of byte `p`, which must lie on the current line.
  SourceLoc loc_at(std::size_t p) const {
    return {line_, static_cast<std::uint32_t>(p - line_start_ + 1)};
  }

  /// Consumes the '\n' at pos_ and starts the next line.
  void newline() {
    ++pos_;
    ++line_;
    line_start_ = pos_;
  }

  /// Records an error (up to the cap) and emits an Error token at `loc`.
  void error(SourceLoc loc, std::string message) {
    if (errors_ < kMaxLexErrors) diags_.push_back({Severity::Error, loc, std::move(message)});
    ++errors_;
    push(Tok::Error, "", loc);
  }

  /// Appends a token without touching last_end_ (layout tokens).
  void push(Tok kind, std::string text, SourceLoc loc) {
    Token t;
    t.kind = kind;
    t.text = std::move(text);
    t.loc = loc;
    out_.push_back(std::move(t));
  }

  /// Appends a real token that ends at pos_ and tracks bracket depth.
  Token& emit(Tok kind, std::string text, SourceLoc loc) {
    push(kind, std::move(text), loc);
    last_end_ = loc_at(pos_);
    if (kind == Tok::LParen || kind == Tok::LBracket) ++depth_;
    if ((kind == Tok::RParen || kind == Tok::RBracket) && depth_ > 0) --depth_;
    return out_.back();
  }

  /// At the start of a physical line: skips blank and comment-only lines,
  /// then applies the layout rules to the first content line. Returns false
  /// at end of input.
  bool begin_line() {
    for (;;) {
      std::size_t p = pos_;
      int width = measure_indent(src_, p);
      pos_ = p;
      if (at_end()) return false;
      if (src_[pos_] == '\n') {
        newline();
        continue;
      }
      if (src_[pos_] == '/' && peek(1) == '/') {
        comment();
        if (at_end()) return false;
        newline();
        continue;
      }
      layout(width, loc_at(pos_));
      return true;
    }
  }

  /// Emits NEWLINE / INDENT / DEDENT for a content line of the given width,
  /// unless the line continues the previous one (spec §1.4).
  void layout(int width, SourceLoc loc) {
    const bool first = out_.empty();
    if (first) {
      // Nothing to continue. An indented first line that is a multiple of 4
      // becomes an INDENT, which the parser reports like any other indented
      // global statement.
      if (width % 4 != 0 || width > 4) {
        indent_error_ = true;
        return error(loc, "bad indentation: global statement must start at column 0");
      }
    } else {
      if (depth_ > 0 || continues_line(out_.back().kind) || width % 4 != 0) return;
      push(Tok::Newline, "", last_end_);
    }
    int top = indents_.back();
    if (width == top) return;
    if (width == top + 4) {
      indents_.push_back(width);
      push(Tok::Indent, "", loc);
      return;
    }
    if (width > top) {
      if (!indent_error_) {
        error(loc, "bad indentation: line is indented " + std::to_string(width) +
                       " columns but the enclosing block is at " + std::to_string(top) +
                       "; a nested block must be exactly one level (4 spaces or a tab) deeper");
      } else {
        push(Tok::Error, "", loc);
      }
      indent_error_ = true;
      indents_.push_back(width);
      push(Tok::Indent, "", loc);
      return;
    }
    while (indents_.back() > width) {
      indents_.pop_back();
      push(Tok::Dedent, "", loc);
    }
    if (indents_.back() != width) {
      // Only reachable after an earlier layout error (levels are pushed in
      // steps of 4 otherwise); open the level so the parser can resynchronize.
      if (!indent_error_) error(loc, "bad indentation: dedent to a level that was never opened");
      indent_error_ = true;
      indents_.push_back(width);
      push(Tok::Indent, "", loc);
    }
  }

  /// Closes the input: final NEWLINE, DEDENT per open block, EOF. Inside open
  /// brackets or after a trailing operator only EOF is emitted, so that the
  /// parser reports "unexpected end of input".
  void finish() {
    if (!out_.empty() && depth_ == 0 && !continues_line(out_.back().kind)) {
      push(Tok::Newline, "", last_end_);
      while (indents_.size() > 1) {
        indents_.pop_back();
        push(Tok::Dedent, "", last_end_);
      }
    }
    push(Tok::Eof, "", last_end_);
  }

  /// Skips a `//` comment up to (not including) the line end; reads the
  /// first `//@version=N` annotation.
  void comment() {
    std::size_t start = pos_;
    while (!at_end() && src_[pos_] != '\n') ++pos_;
    std::string_view text(src_.data() + start, pos_ - start);
    constexpr std::string_view kVersion = "//@version=";
    if (!have_version_ && text.substr(0, kVersion.size()) == kVersion) {
      std::string_view digits = text.substr(kVersion.size());
      int v = 0;
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
      if (ec == std::errc() && ptr != digits.data()) {
        version_ = v;
        version_line_ = line_;
        have_version_ = true;
      }
    }
  }

  /// Lexes one token starting at pos_ (not whitespace, newline or comment).
  void lex_token() {
    SourceLoc loc = loc_at(pos_);
    char c = src_[pos_];
    if (is_ident_start(c)) return identifier(loc);
    if (is_digit(c) || (c == '.' && is_digit(peek(1)))) return number(loc);
    if (c == '"' || c == '\'') return string_literal(loc);
    if (c == '#') return color(loc);
    operator_token(loc);
  }

  /// Identifier or hard keyword.
  void identifier(SourceLoc loc) {
    std::size_t start = pos_;
    while (!at_end() && is_ident_char(src_[pos_])) ++pos_;
    std::string text = src_.substr(start, pos_ - start);
    Tok kind = Tok::Ident;
    for (const Keyword& k : kKeywords) {
      if (k.text == text) kind = k.kind;
    }
    emit(kind, std::move(text), loc);
  }

  /// Int or float literal (`1`, `1.`, `1.5`, `.5`, `1e3`, `6.02E-23`).
  /// Hex/binary/octal forms, `_` separators and trailing letters are errors.
  void number(SourceLoc loc) {
    std::size_t start = pos_;
    char radix = peek(1);
    if (src_[pos_] == '0' && (radix == 'x' || radix == 'X' || radix == 'b' || radix == 'B' || radix == 'o' ||
                              radix == 'O')) {
      while (!at_end() && is_ident_char(src_[pos_])) ++pos_;
      const char* what = (radix == 'x' || radix == 'X') ? "hexadecimal" : (radix == 'b' || radix == 'B') ? "binary" : "octal";
      return error(loc, "invalid number literal '" + src_.substr(start, pos_ - start) + "': " + what +
                            " integer literals are not supported in Pine");
    }
    bool is_float = false;
    while (is_digit(peek())) ++pos_;
    if (peek() == '.') {
      is_float = true;
      ++pos_;
      while (is_digit(peek())) ++pos_;
    }
    if (peek() == 'e' || peek() == 'E') {
      std::size_t k = 1;
      if (peek(1) == '+' || peek(1) == '-') k = 2;
      if (is_digit(peek(k))) {
        is_float = true;
        pos_ += k;
        while (is_digit(peek())) ++pos_;
      }
    }
    if (is_ident_char(peek()) || peek() == '.') {
      while (!at_end() && (is_ident_char(src_[pos_]) || src_[pos_] == '.')) ++pos_;
      std::string bad = src_.substr(start, pos_ - start);
      if (bad.find('_') != std::string::npos)
        return error(loc, "invalid number literal '" + bad + "': '_' digit separators are not supported in Pine");
      return error(loc, "invalid number literal '" + bad + "'");
    }
    std::string text = src_.substr(start, pos_ - start);
    const char* first = text.data();
    const char* last = text.data() + text.size();
    if (is_float) {
      double v = 0;
      auto [ptr, ec] = std::from_chars(first, last, v);
      if (ec != std::errc() || ptr != last)
        return error(loc, "invalid number literal '" + text + "': out of range");
      emit(Tok::Float, std::move(text), loc).float_value = v;
    } else {
      std::int64_t v = 0;
      auto [ptr, ec] = std::from_chars(first, last, v);
      if (ec != std::errc() || ptr != last)
        return error(loc, "invalid number literal '" + text + "': integer too large");
      emit(Tok::Int, std::move(text), loc).int_value = v;
    }
  }

  /// String literal in either quote. Escapes: \n, \t, and \x -> x for any
  /// other x (covers \\ \" \'). Line wrapping (spec §1.4): a line break
  /// followed by a continuation indentation (not a multiple of 4) is dropped
  /// together with that indentation, adding nothing to the value, as the
  /// [GRAM] lexer does; write the separating space before the break if one is
  /// wanted. Any other line break inside the literal is an error.
  void string_literal(SourceLoc loc) {
    char quote = src_[pos_++];
    std::string value;
    for (;;) {
      if (at_end()) return error(loc, "unterminated string literal");
      char ch = src_[pos_];
      if (ch == quote) {
        ++pos_;
        break;
      }
      if (ch == '\n') {
        std::size_t p = pos_ + 1;
        int width = measure_indent(src_, p);
        if (p < src_.size() && src_[p] != '\n' && width % 4 != 0) {
          newline();
          pos_ = p;
          continue;
        }
        return error(loc, "unterminated string literal");
      }
      if (ch == '\\') {
        char e = peek(1);
        if (pos_ + 1 >= src_.size() || e == '\n') {
          ++pos_; // a backslash before the line end: the break rules above apply
          continue;
        }
        pos_ += 2;
        value.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
        continue;
      }
      value.push_back(ch);
      ++pos_;
    }
    emit(Tok::String, std::move(value), loc);
  }

  /// `#RRGGBB` or `#RRGGBBAA`, stored as 0xRRGGBBAA (alpha FF when absent).
  void color(SourceLoc loc) {
    std::size_t start = pos_++;
    while (hex_value(peek()) >= 0) ++pos_;
    const std::optional<std::uint32_t> v = parse_color_hex(std::string_view(src_).substr(start, pos_ - start));
    if (!v || is_ident_char(peek())) {
      while (!at_end() && is_ident_char(src_[pos_])) ++pos_;
      return error(loc, "invalid color literal '" + src_.substr(start, pos_ - start) +
                            "': expected #RRGGBB or #RRGGBBAA");
    }
    emit(Tok::Color, src_.substr(start, pos_ - start), loc).color_value = *v;
  }

  /// Operators and punctuation; anything else is an unexpected character.
  void operator_token(SourceLoc loc) {
    char c = src_[pos_];
    char n = peek(1);
    auto op = [&](Tok kind, std::size_t len) {
      pos_ += len;
      emit(kind, src_.substr(pos_ - len, len), loc);
    };
    switch (c) {
    case '+': return n == '=' ? op(Tok::PlusAssign, 2) : op(Tok::Plus, 1);
    case '-': return n == '=' ? op(Tok::MinusAssign, 2) : op(Tok::Minus, 1);
    case '*': return n == '=' ? op(Tok::StarAssign, 2) : op(Tok::Star, 1);
    case '/': return n == '=' ? op(Tok::SlashAssign, 2) : op(Tok::Slash, 1);
    case '%': return n == '=' ? op(Tok::PercentAssign, 2) : op(Tok::Percent, 1);
    case '=': return n == '=' ? op(Tok::EqEq, 2) : n == '>' ? op(Tok::Arrow, 2) : op(Tok::Assign, 1);
    case '<': return n == '=' ? op(Tok::Le, 2) : op(Tok::Lt, 1);
    case '>': return n == '=' ? op(Tok::Ge, 2) : op(Tok::Gt, 1);
    case ':': return n == '=' ? op(Tok::Reassign, 2) : op(Tok::Colon, 1);
    case '!':
      if (n == '=') return op(Tok::NotEq, 2);
      ++pos_;
      return error(loc, "unexpected character '!' (use 'not' for logical negation)");
    case '?': return op(Tok::Question, 1);
    case '.': return op(Tok::Dot, 1);
    case ',': return op(Tok::Comma, 1);
    case '(': return op(Tok::LParen, 1);
    case ')': return op(Tok::RParen, 1);
    case '[': return op(Tok::LBracket, 1);
    case ']': return op(Tok::RBracket, 1);
    default: break;
    }
    std::size_t start = pos_++;
    auto uc = static_cast<unsigned char>(c);
    if (uc >= 0x80) {
      // Keep a UTF-8 sequence whole so the message shows the character.
      while (!at_end() && (static_cast<unsigned char>(src_[pos_]) & 0xC0) == 0x80) ++pos_;
      return error(loc, "unexpected character '" + src_.substr(start, pos_ - start) + "'");
    }
    if (uc < 0x20 || uc == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "0x%02X", uc);
      return error(loc, std::string("unexpected control character ") + buf);
    }
    error(loc, std::string("unexpected character '") + c + "'");
  }
};

} // namespace

std::vector<Token> tokenize(std::string_view src, std::vector<Diagnostic>& diags, int* version,
                            std::uint32_t* version_line) {
  return Lexer(src, diags).run(version, version_line);
}

std::string tok_name(Tok kind) {
  switch (kind) {
  case Tok::Eof: return "end of input";
  case Tok::Newline: return "end of line";
  case Tok::Indent: return "indented block";
  case Tok::Dedent: return "end of block";
  case Tok::Error: return "invalid token";
  case Tok::Ident: return "identifier";
  case Tok::Int: return "integer literal";
  case Tok::Float: return "float literal";
  case Tok::String: return "string literal";
  case Tok::Color: return "color literal";
  case Tok::KwAnd: return "'and'";
  case Tok::KwOr: return "'or'";
  case Tok::KwNot: return "'not'";
  case Tok::KwIf: return "'if'";
  case Tok::KwElse: return "'else'";
  case Tok::KwSwitch: return "'switch'";
  case Tok::KwFor: return "'for'";
  case Tok::KwWhile: return "'while'";
  case Tok::KwBreak: return "'break'";
  case Tok::KwContinue: return "'continue'";
  case Tok::KwVar: return "'var'";
  case Tok::KwVarip: return "'varip'";
  case Tok::KwImport: return "'import'";
  case Tok::KwExport: return "'export'";
  case Tok::KwTrue: return "'true'";
  case Tok::KwFalse: return "'false'";
  case Tok::Plus: return "'+'";
  case Tok::Minus: return "'-'";
  case Tok::Star: return "'*'";
  case Tok::Slash: return "'/'";
  case Tok::Percent: return "'%'";
  case Tok::PlusAssign: return "'+='";
  case Tok::MinusAssign: return "'-='";
  case Tok::StarAssign: return "'*='";
  case Tok::SlashAssign: return "'/='";
  case Tok::PercentAssign: return "'%='";
  case Tok::EqEq: return "'=='";
  case Tok::NotEq: return "'!='";
  case Tok::Lt: return "'<'";
  case Tok::Le: return "'<='";
  case Tok::Gt: return "'>'";
  case Tok::Ge: return "'>='";
  case Tok::Assign: return "'='";
  case Tok::Reassign: return "':='";
  case Tok::Arrow: return "'=>'";
  case Tok::Question: return "'?'";
  case Tok::Colon: return "':'";
  case Tok::Dot: return "'.'";
  case Tok::Comma: return "','";
  case Tok::LParen: return "'('";
  case Tok::RParen: return "')'";
  case Tok::LBracket: return "'['";
  case Tok::RBracket: return "']'";
  }
  return "token";
}

std::string describe_token(const Token& t) {
  switch (t.kind) {
  case Tok::Ident: case Tok::Int: case Tok::Float: case Tok::Color:
    return "'" + t.text + "'";
  case Tok::String:
    return "string literal";
  default:
    return tok_name(t.kind);
  }
}

} // namespace pine
