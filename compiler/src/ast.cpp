// AST teardown without recursion (see ~Expr in ast.h).
//
// The default destructors would recurse once per level of the tree (an
// else-if chain nests each branch in the previous one's else block, a chain
// `a + b + c ...` nests each operator in the next one's left operand), so a
// large enough input would overflow the stack just by being freed. Instead a
// node hands its children to a work list and the list frees them one by
// one, each child first handing over its own children: the recursion never
// goes deeper than one destructor inside another.
#include "ast.h"

namespace pine::ast {

namespace {

/// Children waiting to be freed.
struct Teardown {
  std::vector<ExprPtr> exprs;
  std::vector<StmtPtr> stmts;
};

/// Moves the statements of `b` into the work list.
void take_block(Block& b, Teardown& t) {
  for (StmtPtr& s : b.stmts)
    if (s) t.stmts.push_back(std::move(s));
  b.stmts.clear();
}

/// Moves one child into the work list, if present.
void take_expr(ExprPtr& e, Teardown& t) {
  if (e) t.exprs.push_back(std::move(e));
}

/// Moves every child of `e` into the work list.
void take_children(Expr& e, Teardown& t) {
  take_expr(e.lhs, t);
  take_expr(e.rhs, t);
  take_expr(e.cond, t);
  take_expr(e.from, t);
  take_expr(e.to, t);
  take_expr(e.step, t);
  for (Arg& a : e.args) take_expr(a.value, t);
  for (ExprPtr& x : e.elems) take_expr(x, t);
  take_block(e.then_block, t);
  take_block(e.else_block, t);
  for (SwitchCase& c : e.cases) {
    take_expr(c.cond, t);
    take_block(c.body, t);
  }
}

/// Moves every child of `s` into the work list.
void take_children(Stmt& s, Teardown& t) {
  take_expr(s.target, t);
  take_expr(s.value, t);
  for (Param& p : s.params) take_expr(p.default_value, t);
  take_block(s.body, t);
}

/// Frees the work list; each node gives up its children before it dies, so
/// its own destructor finds nothing to recurse into.
void drain(Teardown& t) {
  while (!t.exprs.empty() || !t.stmts.empty()) {
    if (!t.exprs.empty()) {
      ExprPtr e = std::move(t.exprs.back());
      t.exprs.pop_back();
      take_children(*e, t);
    } else {
      StmtPtr s = std::move(t.stmts.back());
      t.stmts.pop_back();
      take_children(*s, t);
    }
  }
}

} // namespace

Expr::~Expr() {
  Teardown t;
  take_children(*this, t);
  drain(t);
}

Stmt::~Stmt() {
  Teardown t;
  take_children(*this, t);
  drain(t);
}

} // namespace pine::ast
