// Parser: statements, declarations and structures (if/switch/for/while).
#include "parser_impl.h"

namespace pine::detail {

using ast::Block;
using ast::Expr;
using ast::ExprKind;
using ast::ExprPtr;
using ast::Stmt;
using ast::StmtKind;
using ast::StmtPtr;

namespace {

/// Maps a reassignment token (`:=`, `+=`, ...) to its AssignOp; false otherwise.
bool assign_op_of(Tok k, ast::AssignOp& op) {
  switch (k) {
  case Tok::Reassign: op = ast::AssignOp::Reassign; return true;
  case Tok::PlusAssign: op = ast::AssignOp::AddAssign; return true;
  case Tok::MinusAssign: op = ast::AssignOp::SubAssign; return true;
  case Tok::StarAssign: op = ast::AssignOp::MulAssign; return true;
  case Tok::SlashAssign: op = ast::AssignOp::DivAssign; return true;
  case Tok::PercentAssign: op = ast::AssignOp::ModAssign; return true;
  default: return false;
  }
}

/// The Qualifier named by `const`/`simple`/`series`.
ast::Qualifier qualifier_of(std::string_view s) {
  if (s == "const") return ast::Qualifier::Const;
  if (s == "simple") return ast::Qualifier::Simple;
  return ast::Qualifier::Series;
}

/// Allocates a statement node.
StmtPtr make_stmt(StmtKind k, SourceLoc loc) { return std::make_unique<Stmt>(k, loc); }

} // namespace

/// Parses statement lines until the end of the block (DEDENT, not consumed)
/// or of the input. Each line is parsed under error recovery.
void Parser::parse_lines(Block& out, bool top) {
  for (;;) {
    if (check(Tok::Newline)) {
      advance();
      continue;
    }
    if (check(Tok::Eof)) return;
    if (check(Tok::Dedent)) {
      if (!top) return;
      advance();
      continue;
    }
    if (check(Tok::Indent)) {
      report(peek().loc, top ? "bad indentation: global statement must start at column 0"
                             : "bad indentation: unexpected indent");
      synchronize();
      continue;
    }
    try {
      parse_line(out, top);
    } catch (const SyntaxError&) {
      synchronize();
    }
  }
}

/// One logical line: `simple {, simple} [,] NEWLINE`, or a statement that
/// ends with an indented block (which needs no NEWLINE after its DEDENT).
void Parser::parse_line(Block& out, bool top) {
  for (;;) {
    if (parse_simple(out, top)) return;
    if (!match(Tok::Comma)) break;
    if (check(Tok::Newline) || check(Tok::Eof)) break;
  }
  expect_line_end();
}

/// True when the last consumed token closed a block, i.e. the statement just
/// parsed ended with an indented block.
bool Parser::ended_with_block() const { return pos_ > 0 && toks_[pos_ - 1].kind == Tok::Dedent; }

/// Parses one statement into `out`; returns ended_with_block().
bool Parser::parse_simple(Block& out, bool top) {
  const Token& t = peek();
  switch (t.kind) {
  case Tok::KwBreak:
  case Tok::KwContinue:
    out.stmts.push_back(make_stmt(t.kind == Tok::KwBreak ? StmtKind::Break : StmtKind::Continue, t.loc));
    advance();
    return false;
  case Tok::KwVar:
  case Tok::KwVarip:
    out.stmts.push_back(parse_decl(false));
    return ended_with_block();
  case Tok::KwImport: {
    if (!top) fail(t.loc, "'import' is only allowed at the top level");
    // import owner/name/version [as alias]: the path is the tokens up to
    // `as` or the end of the line, glued together.
    StmtPtr s = make_stmt(StmtKind::Import, advance().loc);
    while (!check(Tok::Newline) && !check(Tok::Eof) && !check_word("as")) {
      const Token& p = advance();
      if (p.kind != Tok::Ident && p.kind != Tok::Int && p.kind != Tok::Slash) fail(p.loc, "expected a library path such as 'owner/name/1'");
      s->name += p.kind == Tok::Slash ? std::string("/") : p.text;
    }
    if (s->name.empty()) fail(s->loc, "expected a library path after 'import'");
    std::string alias = s->name;
    const std::size_t first = alias.find('/');
    if (first != std::string::npos) {
      const std::size_t second = alias.find('/', first + 1);
      alias = alias.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
    }
    if (check_word("as")) {
      advance();
      alias = expect(Tok::Ident, "an alias name").text;
    }
    s->names.push_back(alias);
    out.stmts.push_back(std::move(s));
    return false;
  }
  case Tok::KwExport:
    return parse_export(out, top);
  case Tok::LBracket:
    if (tuple_decl_ahead()) {
      out.stmts.push_back(parse_tuple_decl());
      return ended_with_block();
    }
    break;
  case Tok::Ident:
    if (parse_ident_stmt(out, top)) return ended_with_block();
    break;
  default:
    break;
  }

  // An expression, a structure, or a reassignment `target op value`.
  SourceLoc loc = t.loc;
  ExprPtr e = parse_value();
  ast::AssignOp op{};
  if (assign_op_of(peek().kind, op)) {
    if (e->kind != ExprKind::Name && e->kind != ExprKind::Member)
      fail(e->loc, "invalid assignment target: expected a variable or a field");
    advance();
    StmtPtr s = make_stmt(StmtKind::Assign, loc);
    s->assign_op = op;
    s->target = std::move(e);
    s->value = parse_value();
    out.stmts.push_back(std::move(s));
    return ended_with_block();
  }
  if (check(Tok::Assign) && (e->kind == ExprKind::Name || e->kind == ExprKind::Member))
    fail(peek().loc, "'=' declares a new variable and cannot target a field; use ':=' to assign");
  StmtPtr s = make_stmt(StmtKind::ExprStmt, loc);
  s->value = std::move(e);
  out.stmts.push_back(std::move(s));
  return ended_with_block();
}

/// Statements that start with an identifier and are not expressions:
/// declarations (`x = `, `float x = `, `series int x = `), function
/// declarations, and the not-yet-supported `type`/`enum`. Returns false when
/// the identifier starts an expression or reassignment instead.
bool Parser::parse_ident_stmt(Block& out, bool top) {
  const Token& t = peek();
  if ((t.text == "type" || t.text == "enum") && check(Tok::Ident, 1) &&
      (check(Tok::Newline, 2) || check(Tok::Eof, 2))) {
    if (!top) fail(t.loc, "'" + t.text + "' declarations are only allowed at the top level");
    out.stmts.push_back(parse_type_decl(false));
    return true;
  }
  if ((t.text == "method" && check(Tok::Ident, 1) && check(Tok::LParen, 2)) ||
      (check(Tok::LParen, 1) && func_decl_ahead())) {
    out.stmts.push_back(parse_func_decl(top, false));
    return true;
  }
  if ((is_qualifier_word(t.text) && check(Tok::Ident, 1)) || check(Tok::Assign, 1) || typed_decl_ahead()) {
    out.stmts.push_back(parse_decl(false));
    return true;
  }
  return false;
}

/// `export` followed by a function, method or variable declaration.
bool Parser::parse_export(Block& out, bool top) {
  SourceLoc loc = advance().loc;
  StmtPtr s;
  if ((check_word("type") || check_word("enum")) && check(Tok::Ident, 1)) {
    s = parse_type_decl(true);
  } else if ((check_word("method") && check(Tok::Ident, 1)) || (check(Tok::Ident) && check(Tok::LParen, 1))) {
    s = parse_func_decl(top, true);
  } else if (check(Tok::KwVar) || check(Tok::KwVarip) || check(Tok::Ident)) {
    s = parse_decl(true);
  } else {
    unexpected("a declaration after 'export'");
  }
  s->loc = loc;
  out.stmts.push_back(std::move(s));
  return ended_with_block();
}

/// `type Name` or `enum Name`, then an indented block of fields
/// (`[varip] type name [= default]`) or members (`name [= "title"]`).
StmtPtr Parser::parse_type_decl(bool is_export) {
  const bool is_enum = peek().text == "enum";
  StmtPtr s = make_stmt(is_enum ? StmtKind::EnumDecl : StmtKind::TypeDecl, advance().loc);
  s->is_export = is_export;
  s->name = advance().text;
  require_block(is_enum ? "an enum declaration" : "a type declaration");
  advance();
  advance();
  for (;;) {
    if (match(Tok::Newline)) continue;
    if (check(Tok::Dedent) || check(Tok::Eof)) break;
    ast::Param f;
    f.loc = peek().loc;
    if (!is_enum) {
      f.varip = match(Tok::KwVarip);
      f.type = parse_type();
    }
    f.name = expect(Tok::Ident, is_enum ? "an enum member name" : "a field name").text;
    if (match(Tok::Assign)) f.default_value = parse_expr();
    s->params.push_back(std::move(f));
    expect_line_end();
  }
  match(Tok::Dedent);
  if (s->params.empty()) fail(s->loc, "'" + s->name + "' declares no " + (is_enum ? "members" : "fields"));
  return s;
}

/// True when the tokens ahead are `name ( ... ) =>`: a function declaration
/// rather than a call (scans to the matching ')').
bool Parser::func_decl_ahead() const {
  int depth = 0;
  for (std::size_t i = pos_ + 1;; ++i) {
    Tok k = tok_at(i).kind;
    if (k == Tok::Eof || k == Tok::Newline || k == Tok::Indent || k == Tok::Dedent) return false;
    if (k == Tok::LParen || k == Tok::LBracket) ++depth;
    if (k == Tok::RParen || k == Tok::RBracket) {
      if (--depth <= 0) return k == Tok::RParen && tok_at(i + 1).kind == Tok::Arrow;
    }
  }
}

/// True when the tokens ahead are `[a, b, ...] =`.
bool Parser::tuple_decl_ahead() const {
  std::size_t i = pos_ + 1;
  for (;;) {
    if (tok_at(i).kind != Tok::Ident) return false;
    Tok k = tok_at(i + 1).kind;
    i += 2;
    if (k == Tok::RBracket) break;
    if (k != Tok::Comma) return false;
  }
  return tok_at(i).kind == Tok::Assign;
}

/// True when the tokens ahead are `type name =` (a typed declaration).
bool Parser::typed_decl_ahead() const {
  std::size_t end = scan_type(pos_);
  return end != kNoType && tok_at(end).kind == Tok::Ident && tok_at(end + 1).kind == Tok::Assign;
}

/// `[var|varip] [const|simple|series] [type] name = value`.
StmtPtr Parser::parse_decl(bool is_export) {
  StmtPtr s = make_stmt(StmtKind::VarDecl, peek().loc);
  s->is_export = is_export;
  if (match(Tok::KwVar)) {
    s->mode = ast::DeclMode::Var;
  } else if (match(Tok::KwVarip)) {
    s->mode = ast::DeclMode::Varip;
  }
  if (check(Tok::Ident) && is_qualifier_word(peek().text) && check(Tok::Ident, 1)) {
    s->qualifier = qualifier_of(peek().text);
    advance();
  }
  if (!(check(Tok::Ident) && check(Tok::Assign, 1))) s->type = parse_type();
  s->name = expect(Tok::Ident, "a variable name").text;
  expect(Tok::Assign, "'='");
  s->value = parse_value();
  return s;
}

/// `[a, b, _] = value`.
StmtPtr Parser::parse_tuple_decl() {
  StmtPtr s = make_stmt(StmtKind::TupleDecl, advance().loc);
  do {
    const Token& n = expect(Tok::Ident, "a name");
    s->names.push_back(n.text);
    s->name_locs.push_back(n.loc);
  } while (match(Tok::Comma));
  expect(Tok::RBracket, "']'");
  expect(Tok::Assign, "'='");
  s->value = parse_value();
  return s;
}

/// `[method] name(params) => body`, where body is an inline comma list or an
/// indented block. Only allowed at the top level.
StmtPtr Parser::parse_func_decl(bool top, bool is_export) {
  SourceLoc loc = peek().loc;
  StmtPtr s = make_stmt(StmtKind::FuncDecl, loc);
  s->is_export = is_export;
  if (check_word("method") && check(Tok::Ident, 1)) {
    s->is_method = true;
    advance();
  }
  s->name = expect(Tok::Ident, "a function name").text;
  if (!top) fail(loc, "functions can only be declared at the top level");
  expect(Tok::LParen, "'('");
  if (!match(Tok::RParen)) {
    for (;;) {
      s->params.push_back(parse_param());
      if (match(Tok::Comma)) continue;
      expect(Tok::RParen, "',' or ')'");
      break;
    }
  }
  expect(Tok::Arrow, "'=>'");
  if (check(Tok::Newline)) {
    s->body = parse_block("'=>'");
  } else {
    parse_inline_body(s->body);
  }
  return s;
}

/// `[const|simple|series] [type] name [= default]`.
ast::Param Parser::parse_param() {
  ast::Param p;
  p.loc = peek().loc;
  if (check(Tok::Ident) && is_qualifier_word(peek().text) && check(Tok::Ident, 1)) {
    p.qualifier = qualifier_of(peek().text);
    advance();
  }
  bool bare = check(Tok::Ident) && (check(Tok::Comma, 1) || check(Tok::RParen, 1) || check(Tok::Assign, 1));
  if (!bare) p.type = parse_type();
  p.name = expect(Tok::Ident, "a parameter name").text;
  if (match(Tok::Assign)) p.default_value = parse_expr();
  return p;
}

/// The inline body after `=>` (function or switch case): comma-separated
/// statements up to the end of the line, which is left for the caller.
void Parser::parse_inline_body(Block& out) {
  for (;;) {
    if (parse_simple(out, false)) return;
    if (!match(Tok::Comma)) return;
    if (check(Tok::Newline) || check(Tok::Eof)) return;
  }
}

/// Checks that NEWLINE INDENT follows (the start of a block after `after`),
/// without consuming anything.
void Parser::require_block(std::string_view after) {
  if (!check(Tok::Newline)) unexpected("end of line");
  if (check(Tok::Indent, 1)) return;
  if (check(Tok::Error, 1)) {
    advance();
    throw SyntaxError{};
  }
  fail(peek(1).loc, "expected an indented block after " + std::string(after));
}

/// NEWLINE INDENT statements DEDENT.
Block Parser::parse_block(std::string_view after) {
  require_block(after);
  advance();
  DepthGuard guard(*this, peek().loc, "blocks");
  advance();
  Block b;
  parse_lines(b, false);
  match(Tok::Dedent);
  return b;
}

/// A value: a structure (if/switch/for/while) or an expression.
ExprPtr Parser::parse_value() {
  switch (peek().kind) {
  case Tok::KwIf: return parse_if();
  case Tok::KwSwitch: return parse_switch();
  case Tok::KwFor: return parse_for();
  case Tok::KwWhile: return parse_while();
  default: return parse_expr();
  }
}

/// `if cond block {else if cond block} [else block]`. An else-if chain is
/// built iteratively: each `else if` is an If in an ExprStmt that forms the
/// whole else_block of the previous If.
ExprPtr Parser::parse_if() {
  auto root = std::make_unique<Expr>(ExprKind::If, advance().loc);
  root->cond = parse_expr();
  root->then_block = parse_block("'if'");
  Expr* cur = root.get();
  while (check(Tok::KwElse)) {
    advance();
    cur->has_else = true;
    if (!check(Tok::KwIf)) {
      cur->else_block = parse_block("'else'");
      break;
    }
    SourceLoc loc = advance().loc;
    auto next = std::make_unique<Expr>(ExprKind::If, loc);
    next->cond = parse_expr();
    next->then_block = parse_block("'if'");
    Expr* raw = next.get();
    StmtPtr s = make_stmt(StmtKind::ExprStmt, loc);
    s->value = done(std::move(next));
    cur->else_block.stmts.push_back(std::move(s));
    cur = raw;
  }
  return done(std::move(root));
}

/// `switch [subject]` NEWLINE INDENT { [cond] `=>` body } DEDENT, where a
/// body is inline statements or an indented block.
ExprPtr Parser::parse_switch() {
  auto e = std::make_unique<Expr>(ExprKind::Switch, advance().loc);
  if (!check(Tok::Newline)) e->cond = parse_expr();
  require_block("'switch'");
  advance();
  DepthGuard guard(*this, peek().loc, "blocks");
  advance();
  while (!check(Tok::Dedent) && !check(Tok::Eof)) {
    if (match(Tok::Newline)) continue;
    if (check(Tok::Indent)) {
      report(peek().loc, "bad indentation: unexpected indent");
      synchronize();
      continue;
    }
    try {
      ast::SwitchCase c;
      c.loc = peek().loc;
      if (!match(Tok::Arrow)) {
        c.cond = parse_expr();
        expect(Tok::Arrow, "'=>'");
      }
      if (check(Tok::Newline)) {
        c.body = parse_block("'=>'");
      } else {
        parse_inline_body(c.body);
        if (!ended_with_block()) expect_line_end();
      }
      e->cases.push_back(std::move(c));
    } catch (const SyntaxError&) {
      synchronize();
    }
  }
  match(Tok::Dedent);
  return done(std::move(e));
}

/// `for i = from to to [by step]`, `for x in coll`, `for [i, x] in coll`.
ExprPtr Parser::parse_for() {
  SourceLoc loc = advance().loc;
  ExprPtr e;
  if (match(Tok::LBracket)) {
    e = std::make_unique<Expr>(ExprKind::ForIn, loc);
    e->index_name = expect(Tok::Ident, "a loop variable").text;
    expect(Tok::Comma, "','");
    e->var_name = expect(Tok::Ident, "a loop variable").text;
    expect(Tok::RBracket, "']'");
    expect_word("in");
    e->to = parse_expr();
  } else {
    std::string name = expect(Tok::Ident, "a loop variable or '['").text;
    if (check_word("in")) {
      advance();
      e = std::make_unique<Expr>(ExprKind::ForIn, loc);
      e->var_name = std::move(name);
      e->to = parse_expr();
    } else {
      expect(Tok::Assign, "'=' or 'in'");
      e = std::make_unique<Expr>(ExprKind::For, loc);
      e->var_name = std::move(name);
      e->from = parse_expr();
      expect_word("to");
      e->to = parse_expr();
      if (check_word("by")) {
        advance();
        e->step = parse_expr();
      }
    }
  }
  e->then_block = parse_block("'for'");
  return done(std::move(e));
}

/// `while cond block`.
ExprPtr Parser::parse_while() {
  auto e = std::make_unique<Expr>(ExprKind::While, advance().loc);
  e->cond = parse_expr();
  e->then_block = parse_block("'while'");
  return done(std::move(e));
}

} // namespace pine::detail
