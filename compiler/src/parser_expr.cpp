// Parser: expressions (precedence climbing over spec §2.1) and written types.
//
// Precedence, lowest first: ?: (right) < or < and < == != < < <= > >= < + -
// < * / % < unary - + not < postfix (call, generic call, [] history, .member).
#include <algorithm>

#include "parser_impl.h"

namespace pine::detail {

using ast::Expr;
using ast::ExprKind;
using ast::ExprPtr;

namespace {

/// Binding power of a binary operator token; 0 when the token is not one.
int binary_prec(Tok k) {
  switch (k) {
  case Tok::KwOr: return 1;
  case Tok::KwAnd: return 2;
  case Tok::EqEq: case Tok::NotEq: return 3;
  case Tok::Lt: case Tok::Le: case Tok::Gt: case Tok::Ge: return 4;
  case Tok::Plus: case Tok::Minus: return 5;
  case Tok::Star: case Tok::Slash: case Tok::Percent: return 6;
  default: return 0;
  }
}

/// The AST operator of a binary operator token.
ast::Op binary_op(Tok k) {
  switch (k) {
  case Tok::KwOr: return ast::Op::Or;
  case Tok::KwAnd: return ast::Op::And;
  case Tok::EqEq: return ast::Op::Eq;
  case Tok::NotEq: return ast::Op::Ne;
  case Tok::Lt: return ast::Op::Lt;
  case Tok::Le: return ast::Op::Le;
  case Tok::Gt: return ast::Op::Gt;
  case Tok::Ge: return ast::Op::Ge;
  case Tok::Plus: return ast::Op::Add;
  case Tok::Minus: return ast::Op::Sub;
  case Tok::Star: return ast::Op::Mul;
  case Tok::Slash: return ast::Op::Div;
  default: return ast::Op::Mod;
  }
}

} // namespace

/// Records the height of a finished node and rejects trees taller than
/// kMaxExprHeight (long operator chains build tall trees without recursion
/// in the parser, but later tree walks recurse). Every node passes through
/// here so that no stale height of a freed node is ever read.
ExprPtr Parser::done(ExprPtr e) {
  int h = 0;
  auto see = [&](const ExprPtr& c) {
    if (c) h = std::max(h, height_of(c));
  };
  see(e->lhs);
  see(e->rhs);
  see(e->cond);
  see(e->from);
  see(e->to);
  see(e->step);
  for (const ast::Arg& a : e->args) see(a.value);
  for (const ExprPtr& x : e->elems) see(x);
  for (const ast::SwitchCase& c : e->cases) see(c.cond);
  ++h;
  if (h > kMaxExprHeight)
    fail(e->loc, "expression too deep: more than " + std::to_string(kMaxExprHeight) +
                     " levels of operators, calls and field accesses; split it with intermediate variables");
  heights_[e.get()] = h;
  return e;
}

/// Height recorded by done() for a node.
int Parser::height_of(const ExprPtr& e) const {
  auto it = heights_.find(e.get());
  return it == heights_.end() ? 1 : it->second;
}

/// expr = or_expr [ "?" expr ":" expr ]   (right associative)
ExprPtr Parser::parse_expr() {
  DepthGuard guard(*this, peek().loc);
  ExprPtr c = parse_binary(1);
  if (!check(Tok::Question)) return c;
  advance();
  auto e = std::make_unique<Expr>(ExprKind::Ternary, c->loc);
  e->cond = std::move(c);
  e->lhs = parse_expr();
  expect(Tok::Colon, "':'");
  e->rhs = parse_expr();
  return done(std::move(e));
}

/// Binary operators of binding power >= min_prec, left associative.
ExprPtr Parser::parse_binary(int min_prec) {
  ExprPtr lhs = parse_unary();
  for (;;) {
    int prec = binary_prec(peek().kind);
    if (prec == 0 || prec < min_prec) return lhs;
    Tok k = advance().kind;
    ExprPtr rhs = parse_binary(prec + 1);
    auto e = std::make_unique<Expr>(ExprKind::Binary, lhs->loc);
    e->op = binary_op(k);
    e->lhs = std::move(lhs);
    e->rhs = std::move(rhs);
    lhs = done(std::move(e));
  }
}

/// unary = ("-" | "+" | "not") unary | postfix
ExprPtr Parser::parse_unary() {
  Tok k = peek().kind;
  if (k != Tok::Minus && k != Tok::Plus && k != Tok::KwNot) return parse_postfix();
  DepthGuard guard(*this, peek().loc);
  auto e = std::make_unique<Expr>(ExprKind::Unary, advance().loc);
  e->op = k == Tok::Minus ? ast::Op::Neg : k == Tok::Plus ? ast::Op::Plus : ast::Op::Not;
  e->lhs = parse_unary();
  return done(std::move(e));
}

/// postfix = primary { "(" args ")" | "<" types ">" "(" args ")" | "[" expr "]" | "." NAME }
ExprPtr Parser::parse_postfix() {
  ExprPtr e = parse_primary();
  for (;;) {
    if (check(Tok::LParen)) {
      e = parse_call(std::move(e), {});
    } else if (check(Tok::Lt) && (e->kind == ExprKind::Name || e->kind == ExprKind::Member) &&
               generic_call_ahead()) {
      advance();
      std::vector<ast::TypeRef> type_args;
      do {
        type_args.push_back(parse_type());
      } while (match(Tok::Comma));
      expect(Tok::Gt, "'>'");
      e = parse_call(std::move(e), std::move(type_args));
    } else if (check(Tok::LBracket)) {
      advance();
      auto h = std::make_unique<Expr>(ExprKind::History, e->loc);
      h->lhs = std::move(e);
      h->rhs = parse_expr();
      expect(Tok::RBracket, "']'");
      e = done(std::move(h));
    } else if (check(Tok::Dot)) {
      advance();
      auto m = std::make_unique<Expr>(ExprKind::Member, e->loc);
      m->text = expect(Tok::Ident, "a field or method name").text;
      m->lhs = std::move(e);
      e = done(std::move(m));
    } else {
      return e;
    }
  }
}

/// True when the `<` at the current position opens the type arguments of a
/// generic call: `< type {, type} > (`. Otherwise `<` is "less than".
bool Parser::generic_call_ahead() const {
  std::size_t i = pos_ + 1;
  for (;;) {
    i = scan_type(i);
    if (i == kNoType) return false;
    Tok k = tok_at(i).kind;
    if (k == Tok::Comma) {
      ++i;
      continue;
    }
    return k == Tok::Gt && tok_at(i + 1).kind == Tok::LParen;
  }
}

/// Scans (without consuming) a written type starting at token index `i`:
/// NAME {. NAME} [< type {, type} >] [[ ]]. Returns the index just after it,
/// or kNoType.
std::size_t Parser::scan_type(std::size_t i, int depth) const {
  if (depth > 2 * kMaxNesting || tok_at(i).kind != Tok::Ident) return kNoType;
  ++i;
  while (tok_at(i).kind == Tok::Dot && tok_at(i + 1).kind == Tok::Ident) i += 2;
  if (tok_at(i).kind == Tok::Lt) {
    ++i;
    for (;;) {
      i = scan_type(i, depth + 1);
      if (i == kNoType) return kNoType;
      Tok k = tok_at(i++).kind;
      if (k == Tok::Gt) break;
      if (k != Tok::Comma) return kNoType;
    }
  }
  if (tok_at(i).kind == Tok::LBracket && tok_at(i + 1).kind == Tok::RBracket) i += 2;
  return i;
}

/// type = NAME {. NAME} [< type {, type} >] [[ ]]; `T[]` becomes array<T>.
ast::TypeRef Parser::parse_type() {
  DepthGuard guard(*this, peek().loc, "type");
  ast::TypeRef t;
  t.loc = peek().loc;
  t.name = expect(Tok::Ident, "a type name").text;
  while (check(Tok::Dot) && check(Tok::Ident, 1)) {
    advance();
    t.name += ".";
    t.name += advance().text;
  }
  if (match(Tok::Lt)) {
    do {
      t.args.push_back(parse_type());
    } while (match(Tok::Comma));
    expect(Tok::Gt, "'>'");
  }
  if (check(Tok::LBracket) && check(Tok::RBracket, 1)) {
    advance();
    advance();
    ast::TypeRef arr;
    arr.loc = t.loc;
    arr.name = "array";
    arr.args.push_back(std::move(t));
    return arr;
  }
  return t;
}

/// callee "(" [ [NAME "="] expr { "," [NAME "="] expr } [","] ] ")"
ExprPtr Parser::parse_call(ExprPtr callee, std::vector<ast::TypeRef> type_args) {
  if (callee->kind != ExprKind::Name && callee->kind != ExprKind::Member)
    fail(peek().loc, "only a function or method can be called");
  auto e = std::make_unique<Expr>(ExprKind::Call, callee->loc);
  e->lhs = std::move(callee);
  e->type_args = std::move(type_args);
  advance();
  if (!match(Tok::RParen)) {
    for (;;) {
      ast::Arg a;
      a.loc = peek().loc;
      if (check(Tok::Ident) && check(Tok::Assign, 1)) {
        a.name = advance().text;
        advance();
      }
      a.value = parse_expr();
      e->args.push_back(std::move(a));
      if (match(Tok::Comma)) {
        if (match(Tok::RParen)) break;
        continue;
      }
      expect(Tok::RParen, "',' or ')'");
      break;
    }
  }
  return done(std::move(e));
}

/// "[" [expr {"," expr} [","]] "]": a tuple literal.
ExprPtr Parser::parse_tuple_literal() {
  auto e = std::make_unique<Expr>(ExprKind::Tuple, advance().loc);
  if (!check(Tok::RBracket)) {
    do {
      e->elems.push_back(parse_expr());
    } while (match(Tok::Comma) && !check(Tok::RBracket));
  }
  expect(Tok::RBracket, "',' or ']'");
  return done(std::move(e));
}

/// Literals, `na`, name chains (`ta.sma` is one Name), parentheses, tuples.
ExprPtr Parser::parse_primary() {
  const Token& t = peek();
  auto leaf = [&](ExprKind k) {
    auto e = std::make_unique<Expr>(k, t.loc);
    advance();
    return e;
  };
  ExprPtr e;
  switch (t.kind) {
  case Tok::Int:
    e = leaf(ExprKind::IntLit);
    e->int_value = t.int_value;
    break;
  case Tok::Float:
    e = leaf(ExprKind::FloatLit);
    e->float_value = t.float_value;
    break;
  case Tok::String:
    e = leaf(ExprKind::StringLit);
    e->text = t.text;
    break;
  case Tok::Color:
    e = leaf(ExprKind::ColorLit);
    e->color_value = t.color_value;
    break;
  case Tok::KwTrue:
  case Tok::KwFalse:
    e = leaf(ExprKind::BoolLit);
    e->bool_value = t.kind == Tok::KwTrue;
    break;
  case Tok::Ident:
    // `na` is the na literal, except in the call `na(x)`.
    if (t.text == "na" && !check(Tok::LParen, 1)) {
      e = leaf(ExprKind::Na);
      break;
    }
    e = leaf(ExprKind::Name);
    e->text = t.text;
    while (check(Tok::Dot) && check(Tok::Ident, 1)) {
      advance();
      e->text += ".";
      e->text += advance().text;
    }
    break;
  case Tok::LParen: {
    advance();
    ExprPtr inner = parse_expr();
    expect(Tok::RParen, "')'");
    return inner;
  }
  case Tok::LBracket:
    return parse_tuple_literal();
  case Tok::KwIf:
  case Tok::KwSwitch:
  case Tok::KwFor:
  case Tok::KwWhile:
    fail(t.loc, tok_name(t.kind) +
                    " can only start a statement or the whole value of a declaration or assignment");
  default:
    unexpected("an expression");
  }
  return done(std::move(e));
}

} // namespace pine::detail
