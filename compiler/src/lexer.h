// The Pine Script lexer: source text -> a flat token list with layout tokens.
//
// Layout follows Pine's line rules (User Manual, "Script structure"), in
// Python style:
//  - a logical line ends with NEWLINE;
//  - a line indented one level (4 columns; a tab counts 4) deeper than the
//    current block emits INDENT, a shallower one emits one DEDENT per level;
//  - blank and comment-only lines are ignored for layout;
//  - a line is joined to the previous one (no NEWLINE, no INDENT/DEDENT) when
//    a `(` or `[` is still open, when the previous token is a binary operator
//    or a comma, or when its indentation is not a multiple of 4.
// At end of input the lexer closes the last line (NEWLINE) and every open
// block (DEDENT), then emits EOF. When the input ends inside brackets or after
// a trailing operator, only EOF is emitted so the parser reports "end of input".
//
// Soft keywords (`type method enum const simple series to by in`) and `na`
// are lexed as identifiers; the parser gives them meaning by context.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pine/compiler/diagnostic.h"

namespace pine {

enum class Tok : std::uint8_t {
  Eof, Newline, Indent, Dedent,
  Error, ///< a lexical error was reported here (the diagnostic is already recorded)
  Ident, Int, Float, String, Color,
  // hard keywords
  KwAnd, KwOr, KwNot, KwIf, KwElse, KwSwitch, KwFor, KwWhile, KwBreak, KwContinue,
  KwVar, KwVarip, KwImport, KwExport, KwTrue, KwFalse,
  // operators and punctuation
  Plus, Minus, Star, Slash, Percent,
  PlusAssign, MinusAssign, StarAssign, SlashAssign, PercentAssign,
  EqEq, NotEq, Lt, Le, Gt, Ge,
  Assign,   ///< =
  Reassign, ///< :=
  Arrow,    ///< =>
  Question, Colon, Dot, Comma, LParen, RParen, LBracket, RBracket,
};

/// One token. `text` is the identifier or keyword spelling, the raw number or
/// color spelling, or the *decoded* value of a string literal.
struct Token {
  Tok kind = Tok::Eof;
  std::string text;
  SourceLoc loc;
  std::int64_t int_value = 0;     ///< Int
  double float_value = 0;         ///< Float
  std::uint32_t color_value = 0;  ///< Color, 0xRRGGBBAA
};

/// Lexer limits: the lexer stops after this many errors.
inline constexpr std::size_t kMaxLexErrors = 10;

/// Tokenizes `src`. Errors are appended to `diags` (at most kMaxLexErrors);
/// the token list always ends with Tok::Eof. When `version` is not null it
/// receives the number of the first `//@version=N` comment (0 when absent).
/// `version_line`, when not null, receives that comment's line (0 when absent).
std::vector<Token> tokenize(std::string_view src, std::vector<Diagnostic>& diags, int* version = nullptr,
                            std::uint32_t* version_line = nullptr);

/// A short human name of a token kind, e.g. "')'" or "end of line", for messages.
std::string tok_name(Tok kind);

/// How a token reads in an "unexpected ..." message: `'foo'`, `end of line`, ...
std::string describe_token(const Token& t);

} // namespace pine
