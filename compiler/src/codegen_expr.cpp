// Expressions: literals, names, operators, conditionals and history.
#include <cmath>
#include <functional>

#include "builtin_table.h"
#include "codegen.h"
#include "codegen_time.h"
#include "named_constants.h"

namespace pine {

using sema::Qual;
using sema::TypeInfo;

namespace {

/// True for the types arithmetic accepts.
bool is_numeric(Type t) { return t == Type::Int || t == Type::Float; }

} // namespace

ExprValue FunctionCompiler::constant(Type t, Value v, Qual q) {
  ExprValue r;
  r.reg = alloc_reg({});
  r.type = sema::make_type(t, q);
  r.const_load = emit_.abx(Opcode::LOADK, r.reg, pc_.pool.add(t, v));
  r.const_value = v;
  return r;
}

ExprValue FunctionCompiler::compile_single(const ast::Expr& e) {
  if (e.kind == ast::ExprKind::Call) {
    std::vector<ExprValue> vs = compile_call(e);
    if (vs.size() != 1) {
      if (vs.empty()) error(e.loc, "the function returns no value");
      error(e.loc, "the function returns a tuple of " + std::to_string(vs.size()) + " values; use '[a, b] = ...'");
    }
    return vs[0];
  }
  return compile_expr(e);
}

ExprValue FunctionCompiler::compile_expr(const ast::Expr& e) {
  NestingGuard guard(pc_, e.loc);
  at(e.loc);
  switch (e.kind) {
    case ast::ExprKind::IntLit: return constant(Type::Int, make_int(e.int_value));
    case ast::ExprKind::FloatLit: return constant(Type::Float, make_float(e.float_value));
    case ast::ExprKind::BoolLit: return constant(Type::Bool, make_int(e.bool_value ? 1 : 0));
    case ast::ExprKind::StringLit: return constant(Type::String, make_int(pc_.pool.intern(e.text)));
    case ast::ExprKind::ColorLit: return constant(Type::Color, make_int(e.color_value));
    case ast::ExprKind::Na: {
      ExprValue r;
      r.reg = alloc_reg(e.loc);
      r.type.is_na = true;
      r.type.type = Type::Float; // retyped by convert()/unify()
      r.na_load = emit_.abx(Opcode::LOADK, r.reg, pc_.pool.add(Type::Float, make_float(kFloatNa)));
      return r;
    }
    case ast::ExprKind::Name: return compile_name(e);
    case ast::ExprKind::Member: return emit_field_get(compile_single(*e.lhs), e.text, e.loc);
    case ast::ExprKind::Call: return compile_single(e);
    case ast::ExprKind::History: return compile_history(e);
    case ast::ExprKind::Unary: return compile_unary(e);
    case ast::ExprKind::Binary:
      if (e.op == ast::Op::And || e.op == ast::Op::Or) return compile_logical(e);
      return compile_binary(e);
    case ast::ExprKind::Ternary: return compile_ternary(e);
    case ast::ExprKind::If: return compile_if(e, true);
    case ast::ExprKind::Tuple: error(e.loc, "a tuple can only be returned by a function or destructured");
    case ast::ExprKind::Switch: return compile_switch(e, true);
    case ast::ExprKind::For:
    case ast::ExprKind::While:
    case ast::ExprKind::ForIn: return compile_loop_value(e, true);
  }
  error(e.loc, "unsupported expression");
}

ExprValue FunctionCompiler::compile_name(const ast::Expr& e) {
  const std::string& name = e.text;
  if (Variable* v = lookup(name)) {
    ExprValue r;
    r.type = v->type;
    if (v->is_global) {
      r.reg = alloc_reg(e.loc);
      emit_.abc(Opcode::GETGLOBAL, r.reg, v->reg);
    } else {
      r.reg = v->reg;
    }
    return r;
  }
  if (auto c = find_scoped(pc_.lib_constants, name); c != pc_.lib_constants.end())
    return constant(c->second.first, c->second.second);
  if (name.find('.') != std::string::npos) {
    if (std::optional<ExprValue> v = compile_dotted_name(e)) return *v;
  }
  // Quotes exist only on realtime bars; on the confirmed bars pinevm runs
  // they are na (Reference: bid and ask are "series float", na on history).
  if (name == "bid" || name == "ask") return constant(Type::Float, make_float(kFloatNa), Qual::Series);
  if (std::optional<ExprValue> s = compile_session_name(e)) return *s;
  if (std::optional<ExprValue> s = compile_strategy_name(e)) return *s;
  // (Stateful built-in variables such as ta.obv are main-frame variables
  // declared by hoist_stateful_variables, found by lookup() above.)
  if (auto c = find_color_constant(name)) return constant(Type::Color, make_int(*c));
  if (auto k = find_named_constant(name))
    return constant(k->type, k->type == Type::String ? make_int(pc_.pool.intern(k->text)) : make_int(k->int_value));
  if (auto ctx = compile_context_name(*this, name, e.loc)) return *ctx;
  if (name == "math.pi") return constant(Type::Float, make_float(3.14159265358979323846));
  if (name == "math.e") return constant(Type::Float, make_float(2.71828182845904523536));
  if (name == "math.phi") return constant(Type::Float, make_float(1.61803398874989484820));
  if (name == "math.rphi") return constant(Type::Float, make_float(0.61803398874989484820));
  if (is_builtin_function_name(name)) error(e.loc, "'" + name + "' is a function; call it with '()'");
  if (const char* feature = unsupported_feature(name))
    error(e.loc, "'" + name + "' is not supported yet: pinevm does not implement " + feature);
  error(e.loc, "undeclared identifier '" + name + "'");
}

bool FunctionCompiler::convert(ExprValue& v, Type want) {
  if (v.type.is_na) {
    if (want == Type::Bool || want == Type::Void) return false; // bool is never na (v6)
    emit_.patch(*v.na_load, pc_.pool.add(want, na_value(want)));
    v.type.is_na = false;
    v.type.type = want;
    v.na_load.reset();
    return true;
  }
  if (v.type.type == want) return true;
  if (v.type.type == Type::Int && want == Type::Float && v.const_load && v.const_value.i != kIntNa) {
    // A literal int: load the float constant instead of converting.
    emit_.patch(*v.const_load, pc_.pool.add(Type::Float, make_float(static_cast<double>(v.const_value.i))));
    v.type.type = Type::Float;
    v.const_value = make_float(static_cast<double>(v.const_value.i));
    return true;
  }
  if (v.type.type == Type::Int && want == Type::Float) {
    const std::uint16_t r = alloc_reg({});
    emit_.abc(Opcode::I2F, r, v.reg);
    v.reg = r;
    v.type.type = Type::Float;
    return true;
  }
  if (v.type.type == Type::Float && v.type.int_like && want == Type::Int) {
    const std::uint16_t r = alloc_reg({});
    emit_.abc(Opcode::F2I, r, v.reg);
    v.reg = r;
    v.type.type = Type::Int;
    v.type.int_like = false;
    return true;
  }
  return false;
}

ExprValue FunctionCompiler::compile_as(const ast::Expr& e, Type want, const std::string& what) {
  ExprValue v = compile_single(e);
  if (!convert(v, want)) {
    if (v.type.is_na && want == Type::Bool) error(e.loc, "bool values cannot be na in Pine v6 (" + what + ")");
    error(e.loc, "type mismatch: " + what + " expects " + sema::type_name(want) + ", got " + sema::describe(v.type));
  }
  return v;
}

ExprValue FunctionCompiler::compile_unary(const ast::Expr& e) {
  ExprValue v = compile_expr(*e.lhs);
  ExprValue r;
  r.type = v.type;
  if (e.op == ast::Op::Not) {
    if (v.type.type != Type::Bool || v.type.is_na)
      error(e.lhs->loc, "'not' needs a bool operand, got " + sema::describe(v.type));
    r.reg = alloc_reg(e.loc);
    emit_.abc(Opcode::NOT, r.reg, v.reg);
    return r;
  }
  if (v.type.is_na) return v;
  if (!is_numeric(v.type.type))
    error(e.lhs->loc, std::string("unary '") + ast::op_text(e.op) + "' needs a number, got " + sema::describe(v.type));
  if (e.op == ast::Op::Plus) return v;
  // A negated literal is a constant too (v5 folds `-7 / 2` as ints).
  // The operand's own load is then dead (v is not used again): retired.
  if (v.const_load && v.type.qual == Qual::Const && !v.type.int_like) {
    if (v.type.type == Type::Int && v.const_value.i != kIntNa) {
      take_constant(v);
      return constant(Type::Int, make_int(-v.const_value.i));
    }
    if (v.type.type == Type::Float) {
      take_constant(v);
      return constant(Type::Float, make_float(-v.const_value.f));
    }
  }
  r.reg = alloc_reg(e.loc);
  emit_.abc(v.type.type == Type::Int ? Opcode::NEGI : Opcode::NEGF, r.reg, v.reg);
  return r;
}

ExprValue FunctionCompiler::compile_binary(const ast::Expr& e) {
  ExprValue l = compile_expr(*e.lhs);
  ExprValue r = compile_expr(*e.rhs);
  return emit_binary(e, l, r);
}

ExprValue FunctionCompiler::emit_binary(const ast::Expr& e, ExprValue l, ExprValue r) {
  const bool comparison = e.op == ast::Op::Lt || e.op == ast::Op::Le || e.op == ast::Op::Gt || e.op == ast::Op::Ge;
  const bool equality = e.op == ast::Op::Eq || e.op == ast::Op::Ne;
  if ((equality) && (l.type.is_na || r.type.is_na))
    error(e.loc, std::string("cannot compare with na using '") + ast::op_text(e.op) + "'; use na(x) instead");
  // An na operand takes the other operand's type (na + x is na).
  if (l.type.is_na && !r.type.is_na) convert(l, r.type.type);
  if (r.type.is_na && !l.type.is_na) convert(r, l.type.type);
  if (l.type.is_na && r.type.is_na) {
    convert(l, Type::Float);
    convert(r, Type::Float);
  }
  ExprValue out;
  out.type.qual = sema::max_qual(l.type.qual, r.type.qual);
  const std::string mismatch = std::string("operator '") + ast::op_text(e.op) + "' cannot combine " + sema::describe(l.type) +
                               " and " + sema::describe(r.type);

  if (l.type.type == Type::String && r.type.type == Type::String && e.op == ast::Op::Add) {
    out.reg = alloc_reg(e.loc);
    out.type.type = Type::String;
    emit_.abc(Opcode::CONCAT, out.reg, l.reg, r.reg);
    return out;
  }
  if (equality && l.type.type == r.type.type && !is_numeric(l.type.type)) {
    Opcode op = Opcode::EQB;
    switch (l.type.type) {
      case Type::Bool: op = e.op == ast::Op::Eq ? Opcode::EQB : Opcode::NEB; break;
      case Type::String: op = e.op == ast::Op::Eq ? Opcode::EQS : Opcode::NES; break;
      case Type::Color: op = e.op == ast::Op::Eq ? Opcode::EQC : Opcode::NEC; break;
      case Type::Enum:
        if (l.type.id != r.type.id) error(e.loc, mismatch);
        op = e.op == ast::Op::Eq ? Opcode::EQI : Opcode::NEI;
        break;
      default: error(e.loc, mismatch);
    }
    out.reg = alloc_reg(e.loc);
    out.type.type = Type::Bool;
    emit_.abc(op, out.reg, l.reg, r.reg);
    return out;
  }
  if (!is_numeric(l.type.type) || !is_numeric(r.type.type)) error(e.loc, mismatch);

  const bool both_int = l.type.type == Type::Int && r.type.type == Type::Int;
  // v5 divided two const ints as integers (15 / 2 is 7, truncated toward
  // zero); v6 keeps the fraction (User Manual, "To Pine Script version 6"). Both are literals here, so the
  // quotient is folded; x / 0 stays the IEEE division below.
  if (pc_.version == 5 && both_int && e.op == ast::Op::Div && l.const_load && r.const_load &&
      l.type.qual == Qual::Const && r.type.qual == Qual::Const && r.const_value.i != 0 && l.const_value.i != kIntNa &&
      r.const_value.i != kIntNa && !(l.const_value.i == INT64_MIN + 1 && r.const_value.i == -1))
    return constant(Type::Int, make_int(l.const_value.i / r.const_value.i));
  const bool int_like_operands = (l.type.type == Type::Int || l.type.int_like) && (r.type.type == Type::Int || r.type.int_like);
  if (both_int && e.op != ast::Op::Div) {
    out.reg = alloc_reg(e.loc);
    Opcode op = Opcode::ADDI;
    switch (e.op) {
      case ast::Op::Add: op = Opcode::ADDI; break;
      case ast::Op::Sub: op = Opcode::SUBI; break;
      case ast::Op::Mul: op = Opcode::MULI; break;
      case ast::Op::Mod: op = Opcode::MODI; break;
      case ast::Op::Lt: op = Opcode::LTI; break;
      case ast::Op::Le: op = Opcode::LEI; break;
      case ast::Op::Gt: op = Opcode::GTI; break;
      case ast::Op::Ge: op = Opcode::GEI; break;
      case ast::Op::Eq: op = Opcode::EQI; break;
      case ast::Op::Ne: op = Opcode::NEI; break;
      default: error(e.loc, mismatch);
    }
    out.type.type = comparison || equality ? Type::Bool : Type::Int;
    emit_.abc(op, out.reg, l.reg, r.reg);
    return out;
  }
  convert(l, Type::Float);
  convert(r, Type::Float);
  out.reg = alloc_reg(e.loc);
  Opcode op = Opcode::ADDF;
  switch (e.op) {
    case ast::Op::Add: op = Opcode::ADDF; break;
    case ast::Op::Sub: op = Opcode::SUBF; break;
    case ast::Op::Mul: op = Opcode::MULF; break;
    case ast::Op::Div: op = Opcode::DIVF; break;
    case ast::Op::Mod: op = Opcode::MODF; break;
    case ast::Op::Lt: op = Opcode::LTF; break;
    case ast::Op::Le: op = Opcode::LEF; break;
    case ast::Op::Gt: op = Opcode::GTF; break;
    case ast::Op::Ge: op = Opcode::GEF; break;
    case ast::Op::Eq: op = Opcode::EQF; break;
    case ast::Op::Ne: op = Opcode::NEF; break;
    default: error(e.loc, mismatch);
  }
  out.type.type = comparison || equality ? Type::Bool : Type::Float;
  // int / int (and arithmetic on such quotients) is typed int in Pine but
  // keeps its fraction: remember it so an int parameter truncates it.
  out.type.int_like = !comparison && !equality && int_like_operands;
  emit_.abc(op, out.reg, l.reg, r.reg);
  return out;
}

ExprValue FunctionCompiler::compile_logical(const ast::Expr& e) {
  // v6: `and`/`or` short-circuit; the right operand may not run at all.
  ExprValue out;
  out.reg = alloc_reg(e.loc);
  out.type = sema::make_type(Type::Bool, Qual::Const);
  const std::uint16_t mark = top();
  ExprValue l = compile_as(*e.lhs, Type::Bool, std::string("the left operand of '") + ast::op_text(e.op) + "'");
  emit_.abc(Opcode::MOVE, out.reg, l.reg);
  const std::size_t skip = emit_.jump(e.op == ast::Op::And ? Opcode::JMPF : Opcode::JMPT, out.reg);
  release_to(mark);
  ++cond_depth_;
  ExprValue r = compile_as(*e.rhs, Type::Bool, std::string("the right operand of '") + ast::op_text(e.op) + "'");
  --cond_depth_;
  emit_.abc(Opcode::MOVE, out.reg, r.reg);
  emit_.patch_to_here(skip);
  release_to(mark);
  out.type.qual = sema::max_qual(l.type.qual, r.type.qual);
  return out;
}

namespace {

/// One arm of a conditional, as seen by unify(): where its value was moved
/// into the result register, with a NOP after it to patch a conversion into.
struct Arm {
  ExprValue value;
  std::size_t fixup = 0;
  std::optional<std::size_t> move;   ///< the MOVE of the value into the result register
  std::optional<std::size_t> direct; ///< or the LOADK of a constant value straight into it
  bool missing = false; ///< no value: an implicit na (or false)
};

} // namespace

TypeInfo FunctionCompiler::unify(const std::vector<ExprValue*>& values, SourceLoc loc) {
  TypeInfo t;
  bool any = false;
  for (ExprValue* v : values) {
    if (v->type.is_na) continue;
    if (!any) {
      t = v->type;
      any = true;
      continue;
    }
    t.qual = sema::max_qual(t.qual, v->type.qual);
    if (sema::same_type(t, v->type)) {
      t.int_like = t.int_like && v->type.int_like;
      continue;
    }
    if (t.type == v->type.type)
      error(loc, "the branches have incompatible types " + describe(t) + " and " + describe(v->type));
    if (is_numeric(t.type) && is_numeric(v->type.type)) {
      t.type = Type::Float;
      t.int_like = false;
      continue;
    }
    error(loc, "the branches have incompatible types " + sema::describe(t) + " and " + sema::describe(v->type));
  }
  if (!any) t.is_na = true;
  return t;
}

/// Emits `cond ? then : else` style code shared by ?: and if-expressions.
ExprValue FunctionCompiler::compile_conditional(const ast::Expr& cond_expr, const std::function<std::optional<ExprValue>()>& then_arm,
                                                const std::function<std::optional<ExprValue>()>& else_arm, bool want_value,
                                                SourceLoc loc) {
  std::vector<ArmSpec> arms(2);
  arms[0].test = [&]() { return compile_as(cond_expr, Type::Bool, "the condition"); };
  arms[0].body = then_arm;
  arms[1].body = else_arm;
  return compile_arms(arms, want_value, loc);
}

// The MOVE is overwritten by the LOADK patched right after it, so it is
// dead; the arm's own `na` load then has no reader left, unless code between
// it and the MOVE reads its register.
void FunctionCompiler::drop_overwritten_na(const ExprValue& na, std::size_t move) {
  emit_.retire(move);
  if (!na.na_load) return;
  const Instr& load = emit_.at(*na.na_load);
  if (load.op == Opcode::LOADK && load.a == na.reg && untouched_between(na.reg, *na.na_load + 1, move))
    emit_.retire(*na.na_load);
}

ExprValue FunctionCompiler::compile_arms(const std::vector<ArmSpec>& specs, bool want_value, SourceLoc loc) {
  ExprValue out;
  out.reg = alloc_reg(loc);
  const std::uint16_t mark = top();
  std::vector<Arm> arms(specs.size());
  std::vector<std::size_t> to_end;
  sema::Qual cond_qual = sema::Qual::Const;
  bool has_default = false;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    std::optional<std::size_t> skip;
    if (specs[i].test) {
      // Tests after the first run only when the earlier ones failed.
      if (i > 0) ++cond_depth_;
      ExprValue c = specs[i].test();
      if (i > 0) --cond_depth_;
      cond_qual = sema::max_qual(cond_qual, c.type.qual);
      skip = emit_.jump(Opcode::JMPF, c.reg);
      release_to(mark);
    } else {
      has_default = true;
    }
    ++cond_depth_;
    std::optional<ExprValue> v = specs[i].body();
    --cond_depth_;
    if (v && want_value) {
      // The arm's value is not read again (unify() looks at types only).
      arms[i].value = *v;
      if (const std::optional<std::uint32_t> k = take_constant(*v)) arms[i].direct = emit_.abx(Opcode::LOADK, out.reg, *k);
      else arms[i].move = emit_.abc(Opcode::MOVE, out.reg, v->reg);
    } else {
      arms[i].missing = true;
    }
    if (want_value) arms[i].fixup = emit_.abc(Opcode::NOP, 0);
    release_to(mark);
    if (i + 1 < specs.size() || skip) to_end.push_back(emit_.jump(Opcode::JMP));
    if (skip) emit_.patch_to_here(*skip);
    if (!specs[i].test) break; // a default arm ends the chain
  }
  // No arm matched and there is no default: the value is na (false for bool).
  Arm fallthrough;
  fallthrough.missing = true;
  if (!has_default && want_value) fallthrough.fixup = emit_.abc(Opcode::NOP, 0);
  for (std::size_t j : to_end) emit_.patch_to_here(j);
  if (!has_default && want_value) arms.push_back(fallthrough);
  if (!want_value) {
    out.type.type = Type::Void;
    return out;
  }
  std::vector<ExprValue*> present;
  for (Arm& a : arms)
    if (!a.missing) present.push_back(&a.value);
  if (present.empty()) {
    out.type.type = Type::Void;
    return out;
  }
  TypeInfo t = unify(present, loc);
  t.qual = sema::max_qual(t.qual, cond_qual);
  if (t.is_na) error(loc, "cannot infer the type of a conditional whose branches are all na; cast one, e.g. float(na)");
  for (Arm& a : arms) {
    if (a.missing || a.value.type.is_na) {
      // No value (or na): na of the result type; bool gives false (v6).
      emit_.at(a.fixup) = make_abc32(Opcode::LOADK, out.reg, pc_.pool.add(t.type, na_value(t.type)));
      if (a.move) drop_overwritten_na(a.value, *a.move);
    } else if (a.value.type.type == Type::Int && t.type == Type::Float) {
      // A constant loaded straight into the result becomes the float
      // constant (as convert() does); anything else is converted in place.
      if (a.direct && a.value.const_value.i != kIntNa)
        emit_.patch(*a.direct, pc_.pool.add(Type::Float, make_float(static_cast<double>(a.value.const_value.i))));
      else
        emit_.at(a.fixup) = Instr{Opcode::I2F, 0, out.reg, out.reg, 0};
    }
  }
  out.type = t;
  return out;
}

ExprValue FunctionCompiler::compile_switch(const ast::Expr& e, bool want_value) {
  NestingGuard guard(pc_, e.loc);
  const std::uint16_t mark = top();
  std::optional<ExprValue> subject;
  if (e.cond) {
    subject = compile_single(*e.cond);
    if (subject->type.is_na) error(e.cond->loc, "cannot switch on 'na'");
  }
  std::vector<ArmSpec> arms;
  for (const ast::SwitchCase& c : e.cases) {
    ArmSpec arm;
    if (c.cond) {
      const ast::Expr& test = *c.cond;
      if (subject) {
        arm.test = [&, this]() {
          ExprValue v = compile_single(test);
          ast::Expr eq(ast::ExprKind::Binary, test.loc);
          eq.op = ast::Op::Eq;
          ExprValue r = emit_binary(eq, *subject, v);
          if (r.type.type != Type::Bool) error(test.loc, "a switch case must be comparable with the switch value");
          return r;
        };
      } else {
        arm.test = [&, this]() { return compile_as(test, Type::Bool, "a switch case"); };
      }
    }
    const ast::Block& body = c.body;
    arm.body = [&, this]() -> std::optional<ExprValue> {
      if (!want_value) {
        compile_branch_block(body);
        return std::nullopt;
      }
      return compile_value_block(body);
    };
    arms.push_back(std::move(arm));
  }
  ExprValue out = compile_arms(arms, want_value, e.loc);
  // Keep the result register; release the subject's temporaries above it.
  if (out.reg >= mark) release_to(static_cast<std::uint16_t>(out.reg + 1));
  return out;
}

ExprValue FunctionCompiler::compile_ternary(const ast::Expr& e) {
  return compile_conditional(
      *e.cond, [&]() -> std::optional<ExprValue> { return compile_single(*e.lhs); },
      [&]() -> std::optional<ExprValue> { return compile_single(*e.rhs); }, true, e.loc);
}

ExprValue FunctionCompiler::compile_if(const ast::Expr& e, bool want_value) {
  NestingGuard guard(pc_, e.loc);
  // As a statement the blocks are plain blocks: nothing in them is a value.
  auto arm = [&](const ast::Block& block, bool present) -> std::optional<ExprValue> {
    if (!present) return std::nullopt;
    if (!want_value) {
      compile_branch_block(block);
      return std::nullopt;
    }
    return compile_value_block(block);
  };
  return compile_conditional(
      *e.cond, [&]() { return arm(e.then_block, true); }, [&]() { return arm(e.else_block, e.has_else); }, want_value,
      e.loc);
}

ExprValue FunctionCompiler::compile_history(const ast::Expr& e) {
  const ast::Expr& operand = *e.lhs;
  if (operand.kind == ast::ExprKind::IntLit || operand.kind == ast::ExprKind::FloatLit ||
      operand.kind == ast::ExprKind::StringLit || operand.kind == ast::ExprKind::BoolLit ||
      operand.kind == ast::ExprKind::ColorLit || operand.kind == ast::ExprKind::Na)
    error(e.loc, "the history operator '[]' cannot be used on a literal");
  // v6: no `[]` directly on a UDT field (User Manual, "Objects"); the object's history is
  // what carries the field's past values.
  if ((operand.kind == ast::ExprKind::Name && operand.text.find('.') != std::string::npos &&
       lookup(operand.text) == nullptr && lookup(operand.text.substr(0, operand.text.find('.'))) != nullptr) ||
      operand.kind == ast::ExprKind::Member)
    error(e.loc, "the history operator '[]' cannot be used on a field; write (obj[1]).field instead");
  // The offset: a literal, or an int (float offsets are floored).
  std::optional<std::int64_t> literal;
  if (e.rhs->kind == ast::ExprKind::IntLit) literal = e.rhs->int_value;
  const std::uint16_t mark = top();
  ExprValue offset;
  if (!literal) {
    offset = compile_single(*e.rhs);
    if (offset.type.type == Type::Float && !offset.type.is_na) {
      const std::uint16_t r = alloc_reg(e.loc);
      emit_.abc(Opcode::BUILTIN, static_cast<std::uint16_t>(BuiltinId::FLOOR), offset.reg, r);
      offset.reg = r;
      offset.type.type = Type::Int;
    }
    if (!convert(offset, Type::Int)) error(e.rhs->loc, "the history offset must be an int, got " + sema::describe(offset.type));
  } else if (*literal < 0) {
    error(e.rhs->loc, "the history offset cannot be negative");
  } else if (*literal > pc_.program.max_bars_back) {
    error(e.rhs->loc, "the history offset " + std::to_string(*literal) + " exceeds max_bars_back (" +
                          std::to_string(pc_.program.max_bars_back) + ")");
  }

  // Find the series to read: a variable's own, or a hidden one for an expression.
  Opcode get_k = Opcode::SERIES_GETK, get = Opcode::SERIES_GET;
  int series = -1;
  TypeInfo type;
  Variable* var = operand.kind == ast::ExprKind::Name ? lookup(operand.text) : nullptr;
  if (var != nullptr && var->series >= 0) {
    series = var->series;
    type = var->type;
    if (var->is_global) {
      get_k = Opcode::GSERIES_GETK;
      get = Opcode::GSERIES_GET;
    }
  } else {
    ExprValue v = compile_single(operand);
    if (v.type.is_na) error(operand.loc, "the history operator needs a typed value");
    const std::uint32_t cap = literal ? static_cast<std::uint32_t>(*literal + 1)
                                      : static_cast<std::uint32_t>(pc_.program.max_bars_back + 1);
    series = add_series(v.type.type, cap);
    emit_.abc(Opcode::SERIES_SET, static_cast<std::uint16_t>(series), v.reg);
    type = v.type;
    if (literal && *literal == 0) {
      release_to(mark);
      ExprValue out;
      out.reg = alloc_reg(e.loc);
      out.type = type;
      emit_.abc(Opcode::MOVE, out.reg, v.reg);
      return out;
    }
  }
  type.qual = Qual::Series;
  ExprValue out;
  if (literal && *literal == 0) {
    release_to(mark);
    return compile_single(operand);
  }
  const std::uint16_t off_reg = offset.reg;
  release_to(mark);
  out.reg = alloc_reg(e.loc);
  out.type = type;
  if (literal) emit_.abc(get_k, out.reg, static_cast<std::uint16_t>(series), static_cast<std::uint16_t>(*literal));
  else emit_.abc(get, out.reg, static_cast<std::uint16_t>(series), off_reg);
  return out;
}

} // namespace pine
