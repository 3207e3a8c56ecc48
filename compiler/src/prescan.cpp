// The pre-pass over a function body (see prescan.h).
#include "prescan.h"

namespace pine {

namespace {

class Prescanner {
public:
  PrescanResult result;

  void block(const ast::Block& b) {
    for (const ast::StmtPtr& s : b.stmts) stmt(*s);
  }

  void stmt(const ast::Stmt& s) {
    switch (s.kind) {
      case ast::StmtKind::VarDecl:
        if (s.mode != ast::DeclMode::Plain) result.var_decls.push_back(&s);
        break;
      case ast::StmtKind::Assign:
        if (s.target && s.target->kind == ast::ExprKind::Name) result.reassigned.insert(s.target->text);
        if (s.target) expr(*s.target);
        break;
      case ast::StmtKind::FuncDecl: return; // compiled on its own
      default: break;
    }
    if (s.value) expr(*s.value);
  }

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
    for (const ast::ExprPtr* p : {&e.lhs, &e.rhs, &e.cond, &e.from, &e.to, &e.step})
      if (*p) expr(**p);
    for (const ast::Arg& a : e.args)
      if (a.value) expr(*a.value);
    for (const ast::ExprPtr& x : e.elems)
      if (x) expr(*x);
    block(e.then_block);
    block(e.else_block);
    for (const ast::SwitchCase& c : e.cases) {
      if (c.cond) expr(*c.cond);
      block(c.body);
    }
  }
};

} // namespace

PrescanResult prescan(const ast::Block& body) {
  Prescanner p;
  p.block(body);
  return std::move(p.result);
}

} // namespace pine
