// Parser core: token access, error reporting and recovery, and the entry point.
#include "parser.h"

#include <algorithm>
#include <exception>

#include "parser_impl.h"

namespace pine {
namespace detail {

bool is_qualifier_word(std::string_view s) { return s == "const" || s == "simple" || s == "series"; }

Parser::Parser(std::vector<Token> tokens, std::vector<Diagnostic>& diags)
    : toks_(std::move(tokens)), diags_(diags) {
  if (toks_.empty() || toks_.back().kind != Tok::Eof) toks_.push_back(Token{});
}

/// The token `k` places ahead; positions past the end read as the final Eof.
const Token& Parser::peek(std::size_t k) const { return tok_at(pos_ + k); }

/// The token at absolute index `i`, clamped to the final Eof.
const Token& Parser::tok_at(std::size_t i) const { return i < toks_.size() ? toks_[i] : toks_.back(); }

/// True when the token `k` ahead is the identifier `word` (soft keywords).
bool Parser::check_word(std::string_view word, std::size_t k) const {
  const Token& t = peek(k);
  return t.kind == Tok::Ident && t.text == word;
}

/// Consumes and returns the current token (never moves past Eof).
const Token& Parser::advance() {
  const Token& t = toks_[pos_ < toks_.size() ? pos_ : toks_.size() - 1];
  if (pos_ + 1 < toks_.size()) ++pos_;
  return t;
}

/// Consumes the current token when it has the given kind.
bool Parser::match(Tok kind) {
  if (!check(kind)) return false;
  advance();
  return true;
}

/// Consumes a token of the given kind, or fails with "unexpected X, expected <expected>".
const Token& Parser::expect(Tok kind, std::string_view expected) {
  if (!check(kind)) unexpected(expected);
  return advance();
}

/// Consumes the soft keyword `word`, or fails.
void Parser::expect_word(std::string_view word) {
  if (!check_word(word)) unexpected("'" + std::string(word) + "'");
  advance();
}

/// Consumes the NEWLINE ending a simple statement line; Eof also ends it.
void Parser::expect_line_end() {
  if (match(Tok::Newline) || check(Tok::Eof)) return;
  unexpected("end of line");
}

/// Records an error diagnostic; aborts the parse once the cap is reached.
void Parser::report(SourceLoc loc, std::string message) {
  if (errors_ >= kMaxParseErrors) throw TooManyErrors{};
  if (!diags_.empty() && diags_.back().loc.line == loc.line && diags_.back().loc.col == loc.col &&
      diags_.back().message == message)
    return;
  diags_.push_back({Severity::Error, loc, std::move(message)});
  ++errors_;
}

/// Records an error and unwinds to the innermost statement loop.
void Parser::fail(SourceLoc loc, std::string message) {
  report(loc, std::move(message));
  throw SyntaxError{};
}

/// Fails at the current token with "unexpected X, expected <expected>".
/// At a lexer Error token nothing is added: the lexer already explained it.
void Parser::unexpected(std::string_view expected) {
  const Token& t = peek();
  if (t.kind == Tok::Error) throw SyntaxError{};
  fail(t.loc, "unexpected " + describe_token(t) + ", expected " + std::string(expected));
}

/// Error recovery: skips the rest of the current statement, including any
/// indented block that belongs to it, and stops before a DEDENT that closes
/// the enclosing block (or at Eof).
void Parser::synchronize() {
  int depth = 0;
  while (!check(Tok::Eof)) {
    Tok k = peek().kind;
    if (k == Tok::Indent) {
      ++depth;
      advance();
    } else if (k == Tok::Dedent) {
      if (depth == 0) return;
      --depth;
      advance();
      if (depth == 0 && !check(Tok::Indent)) return;
    } else if (k == Tok::Newline) {
      advance();
      if (depth == 0 && !check(Tok::Indent)) return;
    } else {
      advance();
    }
  }
}

/// Enters one nesting level; fails past kMaxNesting so that hostile inputs
/// cannot exhaust the stack (here or in later tree walks).
void Parser::enter(SourceLoc loc, const char* what) {
  if (depth_ >= kMaxNesting) fail(loc, std::string(what) + " nested too deeply");
  ++depth_;
}

/// Parses the token list as a sequence of top-level statements.
std::unique_ptr<ast::Script> Parser::parse_script() {
  auto script = std::make_unique<ast::Script>();
  try {
    parse_lines(script->body, true);
  } catch (const TooManyErrors&) {
    // The statements parsed so far stay in the script.
  } catch (const SyntaxError&) {
    // Not expected (statement loops catch it), but never let it escape.
  }
  return script;
}

} // namespace detail

ParseResult parse(std::string_view source) {
  ParseResult r;
  try {
    int version = 0;
    std::uint32_t version_line = 0;
    std::vector<Token> toks = tokenize(source, r.diagnostics, &version, &version_line);
    detail::Parser parser(std::move(toks), r.diagnostics);
    r.script = parser.parse_script();
    r.script->version = version;
    r.script->version_line = version_line;
    // Lexer and parser each stop after their first kMaxParseErrors errors;
    // merged in source order, the first kMaxParseErrors are exactly the
    // first ones of the file.
    auto key = [](const Diagnostic& d) {
      return std::pair(d.loc.line == 0 ? UINT32_MAX : d.loc.line, d.loc.col);
    };
    std::stable_sort(r.diagnostics.begin(), r.diagnostics.end(),
                     [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
    if (r.diagnostics.size() > kMaxParseErrors) r.diagnostics.resize(kMaxParseErrors);
  } catch (const std::exception& e) {
    // Only resource exhaustion gets here (e.g. bad_alloc on absurd inputs).
    r.diagnostics.push_back({Severity::Error, {}, std::string("internal error while parsing: ") + e.what()});
    if (!r.script) r.script = std::make_unique<ast::Script>();
  }
  return r;
}

} // namespace pine
