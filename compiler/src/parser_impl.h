// Internals of the recursive-descent parser, shared by parser.cpp (token
// helpers, errors, entry point), parser_stmt.cpp (statements, structures) and
// parser_expr.cpp (expressions, types). Not part of any public interface.
//
// Error handling: a syntax error records a diagnostic and throws SyntaxError,
// which the innermost statement loop catches; it then skips to the next
// statement (synchronize) and goes on. Errors at Tok::Error tokens are silent
// because the lexer already reported them. After kMaxParseErrors diagnostics
// TooManyErrors unwinds the whole parse.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ast.h"
#include "lexer.h"
#include "parser.h"

namespace pine::detail {

struct SyntaxError {};

/// scan_type() result when no type starts at the position.
inline constexpr std::size_t kNoType = static_cast<std::size_t>(-1);
struct TooManyErrors {};

/// True for the qualifier words `const`, `simple`, `series`.
bool is_qualifier_word(std::string_view s);

class Parser {
public:
  /// Takes the token list (ending in Eof) and the diagnostics sink.
  Parser(std::vector<Token> tokens, std::vector<Diagnostic>& diags);

  /// Parses the whole token list into a script (never null).
  std::unique_ptr<ast::Script> parse_script();

private:
  friend struct DepthGuard;

  std::vector<Token> toks_;
  std::size_t pos_ = 0;
  std::vector<Diagnostic>& diags_;
  int depth_ = 0;
  std::size_t errors_ = 0; ///< diagnostics added by the parser (the lexer has its own cap)
  std::unordered_map<const ast::Expr*, int> heights_;

  // ---- tokens and errors (parser.cpp)
  const Token& peek(std::size_t k = 0) const;
  const Token& tok_at(std::size_t i) const;
  bool check(Tok kind, std::size_t k = 0) const { return peek(k).kind == kind; }
  bool check_word(std::string_view word, std::size_t k = 0) const;
  const Token& advance();
  bool match(Tok kind);
  const Token& expect(Tok kind, std::string_view expected);
  void expect_word(std::string_view word);
  void expect_line_end();
  void report(SourceLoc loc, std::string message);
  [[noreturn]] void fail(SourceLoc loc, std::string message);
  [[noreturn]] void unexpected(std::string_view expected);
  void synchronize();
  void enter(SourceLoc loc, const char* what);
  void leave() { --depth_; }

  // ---- statements (parser_stmt.cpp)
  void parse_lines(ast::Block& out, bool top);
  void parse_line(ast::Block& out, bool top);
  bool parse_simple(ast::Block& out, bool top);
  bool parse_ident_stmt(ast::Block& out, bool top);
  void parse_inline_body(ast::Block& out);
  bool parse_export(ast::Block& out, bool top);
  void require_block(std::string_view after);
  ast::Block parse_block(std::string_view after);
  ast::StmtPtr parse_decl(bool is_export);
  ast::StmtPtr parse_tuple_decl();
  ast::StmtPtr parse_type_decl(bool is_export);
  ast::StmtPtr parse_func_decl(bool top, bool is_export);
  ast::Param parse_param();
  bool func_decl_ahead() const;
  bool tuple_decl_ahead() const;
  bool typed_decl_ahead() const;
  bool ended_with_block() const;

  // ---- structures (parser_stmt.cpp)
  ast::ExprPtr parse_value();
  ast::ExprPtr parse_if();
  ast::ExprPtr parse_switch();
  ast::ExprPtr parse_for();
  ast::ExprPtr parse_while();

  // ---- expressions and types (parser_expr.cpp)
  ast::ExprPtr parse_expr();
  ast::ExprPtr parse_binary(int min_prec);
  ast::ExprPtr parse_unary();
  ast::ExprPtr parse_postfix();
  ast::ExprPtr parse_primary();
  ast::ExprPtr parse_call(ast::ExprPtr callee, std::vector<ast::TypeRef> type_args);
  ast::ExprPtr parse_tuple_literal();
  ast::TypeRef parse_type();
  std::size_t scan_type(std::size_t i, int depth = 0) const;
  bool generic_call_ahead() const;
  ast::ExprPtr done(ast::ExprPtr e);
  int height_of(const ast::ExprPtr& e) const;
};

/// RAII nesting counter: reports "<what> nested too deeply" past kMaxNesting.
struct DepthGuard {
  Parser& p;
  /// Enters one nesting level at `loc` (may throw SyntaxError).
  DepthGuard(Parser& parser, SourceLoc loc, const char* what = "expression") : p(parser) { p.enter(loc, what); }
  /// Leaves the level.
  ~DepthGuard() { p.leave(); }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;
};

} // namespace pine::detail
