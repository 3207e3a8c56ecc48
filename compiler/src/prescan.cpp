// The pre-pass over a function body (see prescan.h).
//
// The walk uses an explicit stack rather than recursion: the tree may be
// tens of thousands of levels deep (a long else-if chain or operator chain),
// deeper than the C++ stack allows. Children are pushed in reverse, so nodes
// are visited in the same pre-order as a recursive walk: var_decls and calls
// keep source order (var_decls decide register numbers).
#include "prescan.h"

namespace pine {

namespace {

/// One pending node: a statement or an expression.
struct Item {
  const ast::Stmt* stmt = nullptr;
  const ast::Expr* expr = nullptr;
};

class Prescanner {
public:
  PrescanResult result;

  /// Walks `body` to the end.
  void run(const ast::Block& body) {
    push_block(body);
    while (!work_.empty()) {
      const Item it = work_.back();
      work_.pop_back();
      if (it.stmt) stmt(*it.stmt);
      else expr(*it.expr);
    }
  }

private:
  std::vector<Item> work_;

  /// Schedules the statements of `b` (first statement on top).
  void push_block(const ast::Block& b) {
    for (auto it = b.stmts.rbegin(); it != b.stmts.rend(); ++it) work_.push_back({it->get(), nullptr});
  }

  /// Schedules an expression, if present.
  void push_expr(const ast::ExprPtr& e) {
    if (e) work_.push_back({nullptr, e.get()});
  }

  /// Records what statement `s` declares or assigns, then schedules its
  /// target and value (target first).
  void stmt(const ast::Stmt& s) {
    switch (s.kind) {
      case ast::StmtKind::VarDecl:
        if (s.mode != ast::DeclMode::Plain) result.var_decls.push_back(&s);
        break;
      case ast::StmtKind::Assign:
        if (s.target && s.target->kind == ast::ExprKind::Name) result.reassigned.insert(s.target->text);
        break;
      case ast::StmtKind::FuncDecl: return; // compiled on its own
      default: break;
    }
    push_expr(s.value);
    if (s.kind == ast::StmtKind::Assign) push_expr(s.target);
  }

  /// Records history reads, loop variables, names and calls of `e`, then
  /// schedules its children so that they pop in the order lhs, rhs, cond,
  /// from, to, step, args, elems, then block, else block, cases.
  void expr(const ast::Expr& e) {
    if (e.kind == ast::ExprKind::History && e.lhs && e.lhs->kind == ast::ExprKind::Name && e.rhs) {
      HistoryUse& use = result.history[e.lhs->text];
      if (e.rhs->kind == ast::ExprKind::IntLit) {
        if (e.rhs->int_value > use.max_offset) use.max_offset = e.rhs->int_value;
      } else {
        use.dynamic = true;
      }
    }
    if (e.kind == ast::ExprKind::For) result.reassigned.insert(e.var_name);
    if (e.kind == ast::ExprKind::Name) result.names.insert(e.text);
    if (e.kind == ast::ExprKind::Call && e.lhs && e.lhs->kind == ast::ExprKind::Name)
      result.calls.emplace_back(e.lhs->text, e.loc);
    for (auto c = e.cases.rbegin(); c != e.cases.rend(); ++c) {
      push_block(c->body);
      push_expr(c->cond);
    }
    push_block(e.else_block);
    push_block(e.then_block);
    for (auto x = e.elems.rbegin(); x != e.elems.rend(); ++x) push_expr(*x);
    for (auto a = e.args.rbegin(); a != e.args.rend(); ++a) push_expr(a->value);
    push_expr(e.step);
    push_expr(e.to);
    push_expr(e.from);
    push_expr(e.cond);
    push_expr(e.rhs);
    push_expr(e.lhs);
  }
};

} // namespace

PrescanResult prescan(const ast::Block& body) {
  Prescanner p;
  p.run(body);
  return std::move(p.result);
}

} // namespace pine
