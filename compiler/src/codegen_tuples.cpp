// Conditionals that return tuples: `[a, b] = if c ... [x, y] else [z, w]`
// and the same with `switch` (a structure's value may be a tuple, User Manual, "Conditional structures").
#include "codegen.h"

namespace pine {

namespace {


/// One arm of a flattened if/else-if/else chain or switch.
struct TupleArm {
  const ast::Expr* cond = nullptr; ///< null: the default (else / `=>`) arm
  const ast::Block* body = nullptr;
};

} // namespace

/// The number of values a block that ends with a tuple gives: a tuple
/// literal, or an if/switch whose first branch ends with one; 0 otherwise.
std::size_t tuple_size(const ast::Block& block) {
  if (block.stmts.empty() || block.stmts.back()->kind != ast::StmtKind::ExprStmt) return 0;
  const ast::Expr& last = *block.stmts.back()->value;
  if (last.kind == ast::ExprKind::Tuple) return last.elems.size();
  if (last.kind == ast::ExprKind::If) return tuple_size(last.then_block);
  if (last.kind == ast::ExprKind::Switch && !last.cases.empty()) return tuple_size(last.cases.front().body);
  return 0;
}

std::vector<ExprValue> FunctionCompiler::compile_tuple_conditional(const ast::Expr& e) {
  NestingGuard guard(pc_, e.loc);
  std::vector<TupleArm> arms;
  if (e.kind == ast::ExprKind::If) {
    // Flatten the else-if chain: each else-if is an If alone in an else block.
    for (const ast::Expr* x = &e;;) {
      arms.push_back({x->cond.get(), &x->then_block});
      if (!x->has_else) break;
      const ast::Block& other = x->else_block;
      if (other.stmts.size() == 1 && other.stmts[0]->kind == ast::StmtKind::ExprStmt &&
          other.stmts[0]->value->kind == ast::ExprKind::If) {
        x = other.stmts[0]->value.get();
        continue;
      }
      arms.push_back({nullptr, &other});
      break;
    }
  } else {
    if (e.cond) error(e.loc, "a switch with a subject cannot return a tuple yet; use a switch without a subject");
    for (const ast::SwitchCase& c : e.cases) arms.push_back({c.cond.get(), &c.body});
  }
  const std::size_t n = tuple_size(*arms.front().body);
  if (n == 0) error(e.loc, "each branch must end with a tuple such as [a, b]");
  const std::uint16_t out = alloc_regs(static_cast<std::uint16_t>(n), e.loc);
  // Before the chain, every element is na (the value when no arm runs);
  // patched once the element types are known.
  std::vector<std::size_t> init(n);
  for (std::size_t i = 0; i < n; ++i) init[i] = emit_.abc(Opcode::NOP, 0);

  struct Element {
    ExprValue value;
    std::size_t fixup = 0;
  };
  std::vector<std::vector<Element>> produced;
  std::vector<ArmSpec> specs;
  for (const TupleArm& arm : arms) {
    ArmSpec spec;
    if (arm.cond) spec.test = [&, cond = arm.cond]() { return compile_as(*cond, Type::Bool, "the condition"); };
    spec.body = [&, body = arm.body]() -> std::optional<ExprValue> {
      const SourceLoc where = body->stmts.empty() ? e.loc : body->stmts.back()->loc;
      if (tuple_size(*body) != n) error(where, "every branch must end with a tuple of " + std::to_string(n) + " values");
      push_scope();
      for (std::size_t s = 0; s + 1 < body->stmts.size(); ++s) compile_stmt(*body->stmts[s]);
      // The branch's values: a tuple literal, or a nested tuple conditional.
      const ast::Expr& last = *body->stmts.back()->value;
      std::vector<ExprValue> given;
      if (last.kind == ast::ExprKind::Tuple) {
        for (const ast::ExprPtr& x : last.elems) given.push_back(compile_single(*x));
      } else {
        given = compile_tuple_conditional(last);
      }
      std::vector<Element> values;
      for (std::size_t i = 0; i < n; ++i) {
        Element el;
        el.value = given[i];
        emit_.abc(Opcode::MOVE, static_cast<std::uint16_t>(out + i), el.value.reg);
        el.fixup = emit_.abc(Opcode::NOP, 0);
        values.push_back(el);
      }
      pop_scope();
      produced.push_back(std::move(values));
      return std::nullopt;
    };
    specs.push_back(std::move(spec));
  }
  compile_arms(specs, false, e.loc);

  std::vector<ExprValue> results(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<ExprValue*> column;
    for (std::vector<Element>& arm : produced) column.push_back(&arm[i].value);
    sema::TypeInfo t = unify(column, e.loc);
    if (t.is_na) error(e.loc, "cannot infer the type of tuple element " + std::to_string(i + 1) + " (every branch gives na)");
    t.qual = sema::Qual::Series;
    for (std::vector<Element>& arm : produced) {
      const ExprValue& v = arm[i].value;
      const auto reg = static_cast<std::uint16_t>(out + i);
      if (v.type.is_na) emit_.at(arm[i].fixup) = make_abc32(Opcode::LOADK, reg, pc_.pool.add(t.type, na_value(t.type)));
      else if (v.type.type == Type::Int && t.type == Type::Float) emit_.at(arm[i].fixup) = Instr{Opcode::I2F, 0, reg, reg, 0};
    }
    emit_.at(init[i]) = make_abc32(Opcode::LOADK, static_cast<std::uint16_t>(out + i), pc_.pool.add(t.type, na_value(t.type)));
    results[i].reg = static_cast<std::uint16_t>(out + i);
    results[i].type = t;
  }
  return results;
}

} // namespace pine
