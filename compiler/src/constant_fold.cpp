// Constant folding: the values the compiler knows without running the
// script (see constant_fold.h). Output calls record such arguments as
// attributes instead of columns; colour arithmetic shares pine/vm/color.h
// with the color.* builtins so a folded colour equals the run-time one.
#include <cmath>

#include "builtin_table.h"
#include "codegen.h"
#include "constant_fold.h"
#include "pine/vm/color.h"

namespace pine {

using sema::Qual;

/// The top-level declaration `name = ...` of a script, or null.
const ast::Stmt* global_declaration(const ast::Script& script, const std::string& name) {
  for (const ast::StmtPtr& s : script.body.stmts)
    if (s->kind == ast::StmtKind::VarDecl && s->name == name) return s.get();
  return nullptr;
}

/// A folded value converted to `want` (Void: any), or nullopt when Pine
/// would not convert it implicitly. The untyped na takes the wanted type.
std::optional<FoldedValue> coerce_folded(FoldedValue f, Type want) {
  if (want == Type::Void || f.type == want) return f;
  if (f.type == Type::Void) {
    if (want == Type::Bool) return std::nullopt; // bool is never na (v6)
    return FoldedValue{want, na_value(want)};
  }
  if (f.type == Type::Int && want == Type::Float)
    return FoldedValue{Type::Float, make_float(f.value.i == kIntNa ? kFloatNa : static_cast<double>(f.value.i))};
  // A whole float where an int is wanted (`linewidth = 2.0`): scripts write
  // it and the value is exact, so it is taken as that int.
  if (f.type == Type::Float && want == Type::Int && std::isfinite(f.value.f) && std::floor(f.value.f) == f.value.f &&
      std::fabs(f.value.f) < 9e15)
    return FoldedValue{Type::Int, make_int(static_cast<std::int64_t>(f.value.f))};
  return std::nullopt;
}

namespace {

/// Deepest chain of constant aliases fold_constant follows (`a = 1`, `b = a`,
/// ...). Deeper chains are not folded: the argument then becomes a column,
/// which is still a correct output.
constexpr int kMaxFoldDepth = 16;
/// The argument for parameter `name` at position `pos` of a call, or null.
const ast::Expr* call_arg(const ast::Expr& call, std::size_t pos, const char* name) {
  std::size_t positional = 0;
  for (const ast::Arg& a : call.args) {
    if (a.name.empty() ? positional++ == pos : a.name == name) return a.value.get();
  }
  return nullptr;
}

/// A folded number as a double; nullopt for anything else (or na).
std::optional<double> number_of(const std::optional<FoldedValue>& f) {
  if (!f) return std::nullopt;
  if (f->type == Type::Int && f->value.i != kIntNa) return static_cast<double>(f->value.i);
  if (f->type == Type::Float && std::isfinite(f->value.f)) return f->value.f;
  return std::nullopt;
}

} // namespace

std::optional<FoldedValue> FunctionCompiler::fold_constant(const ast::Expr& e, int depth) {
  if (depth > kMaxFoldDepth) return std::nullopt;
  switch (e.kind) {
    case ast::ExprKind::IntLit: return FoldedValue{Type::Int, make_int(e.int_value)};
    case ast::ExprKind::FloatLit: return FoldedValue{Type::Float, make_float(e.float_value)};
    case ast::ExprKind::BoolLit: return FoldedValue{Type::Bool, make_int(e.bool_value ? 1 : 0)};
    case ast::ExprKind::StringLit: return FoldedValue{Type::String, make_int(pc_.pool.intern(e.text))};
    case ast::ExprKind::ColorLit: return FoldedValue{Type::Color, make_int(e.color_value)};
    case ast::ExprKind::Na: return FoldedValue{};
    case ast::ExprKind::Name: {
      if (auto c = find_color_constant(e.text)) return FoldedValue{Type::Color, make_int(*c)};
      if (Variable* v = lookup(e.text)) {
        // A global constant: fold the expression it was declared with.
        const auto global = scopes_.front().find(e.text);
        if (!is_main_ || v->is_builtin || v->is_var || v->type.qual != Qual::Const || pc_.script == nullptr ||
            global == scopes_.front().end() || &global->second != v)
          return std::nullopt;
        const ast::Stmt* decl = global_declaration(*pc_.script, e.text);
        if (decl == nullptr) return std::nullopt;
        std::optional<FoldedValue> f = fold_constant(*decl->value, depth + 1);
        return f ? coerce_folded(*f, v->type.type) : std::nullopt;
      }
      // A named constant of another module (display.none, shape.xcross...):
      // compile it aside, keep its value if it is a constant load, and drop
      // the code again.
      const std::size_t code_mark = fn_.code.size();
      const std::uint16_t reg_mark = top();
      const ExprValue v = compile_expr(e);
      fn_.code.resize(code_mark);
      fn_.lines.resize(code_mark);
      release_to(reg_mark);
      if (!v.const_load || v.type.is_na) return std::nullopt;
      return FoldedValue{v.type.type, v.const_value};
    }
    case ast::ExprKind::Unary: {
      std::optional<FoldedValue> f = fold_constant(*e.lhs, depth + 1);
      if (!f) return std::nullopt;
      if (e.op == ast::Op::Not) {
        if (f->type != Type::Bool) return std::nullopt;
        return FoldedValue{Type::Bool, make_int(f->value.i == 0)};
      }
      if (f->type == Type::Int && f->value.i != kIntNa)
        return FoldedValue{Type::Int, make_int(e.op == ast::Op::Neg ? static_cast<std::int64_t>(0 - f->value.u) : f->value.i)};
      if (f->type == Type::Float) return FoldedValue{Type::Float, make_float(e.op == ast::Op::Neg ? -f->value.f : f->value.f)};
      return std::nullopt;
    }
    case ast::ExprKind::Binary: {
      const std::optional<FoldedValue> l = fold_constant(*e.lhs, depth + 1), r = fold_constant(*e.rhs, depth + 1);
      if (!l || !r) return std::nullopt;
      if (l->type == Type::String && r->type == Type::String && e.op == ast::Op::Add && l->value.i >= 0 && r->value.i >= 0)
        return FoldedValue{Type::String, make_int(pc_.pool.intern(pc_.program.strings[static_cast<std::size_t>(l->value.i)] +
                                                                  pc_.program.strings[static_cast<std::size_t>(r->value.i)]))};
      const std::optional<double> x = number_of(l), y = number_of(r);
      if (!x || !y) return std::nullopt;
      if (l->type == Type::Int && r->type == Type::Int && e.op != ast::Op::Div && e.op != ast::Op::Mod) {
        const std::uint64_t a = l->value.u, b = r->value.u; // wrapping, as ADDI/SUBI/MULI
        switch (e.op) {
          case ast::Op::Add: return FoldedValue{Type::Int, make_int(static_cast<std::int64_t>(a + b))};
          case ast::Op::Sub: return FoldedValue{Type::Int, make_int(static_cast<std::int64_t>(a - b))};
          case ast::Op::Mul: return FoldedValue{Type::Int, make_int(static_cast<std::int64_t>(a * b))};
          default: return std::nullopt;
        }
      }
      switch (e.op) {
        case ast::Op::Add: return FoldedValue{Type::Float, make_float(*x + *y)};
        case ast::Op::Sub: return FoldedValue{Type::Float, make_float(*x - *y)};
        case ast::Op::Mul: return FoldedValue{Type::Float, make_float(*x * *y)};
        case ast::Op::Div: return FoldedValue{Type::Float, make_float(*x / *y)};
        default: return std::nullopt;
      }
    }
    case ast::ExprKind::Call: {
      const std::string callee = e.lhs && e.lhs->kind == ast::ExprKind::Name ? e.lhs->text : std::string();
      if (callee == "color.new") {
        const ast::Expr* c = call_arg(e, 0, "color");
        const ast::Expr* t = call_arg(e, 1, "transp");
        if (c == nullptr || t == nullptr || e.args.size() != 2) return std::nullopt;
        const std::optional<FoldedValue> base = fold_constant(*c, depth + 1);
        const std::optional<double> transp = number_of(fold_constant(*t, depth + 1));
        if (!base || base->type != Type::Color || !transp) return std::nullopt;
        if (base->value.i == kColorNa) return base;
        return FoldedValue{Type::Color, make_int(color_with_transp(base->value.i, *transp))};
      }
      if (callee == "color.rgb") {
        const char* names[] = {"red", "green", "blue", "transp"};
        double parts[4] = {0, 0, 0, 0};
        for (std::size_t i = 0; i < 4; ++i) {
          const ast::Expr* a = call_arg(e, i, names[i]);
          if (a == nullptr && i == 3) break;
          const std::optional<double> x = a == nullptr ? std::nullopt : number_of(fold_constant(*a, depth + 1));
          if (!x) return std::nullopt;
          parts[i] = *x;
        }
        return FoldedValue{Type::Color, make_int(color_from_rgb(parts[0], parts[1], parts[2], parts[3]))};
      }
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

} // namespace pine
