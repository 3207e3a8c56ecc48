// Statements: declarations, assignments, loops, function declarations.
#include "codegen.h"

#include <algorithm>

#include "builtin_table.h"
#include "named_constants.h"

namespace pine {

namespace {

/// True when two declarations have the same required parameters: as many,
/// with the same written types at each position (User Manual, "User-defined
/// functions": overloads must differ there).
bool same_required_signature(const ast::Stmt& a, const ast::Stmt& b) {
  auto required = [](const ast::Stmt& f) {
    std::vector<std::string> types;
    for (const ast::Param& p : f.params)
      if (!p.default_value) types.push_back(p.type ? p.type->name + "<" + std::to_string(p.type->args.size()) + ">" : "");
    return types;
  };
  return required(a) == required(b);
}

sema::Qual declared_qual(ast::Qualifier q, sema::Qual fallback) {
  switch (q) {
    case ast::Qualifier::Const: return sema::Qual::Const;
    case ast::Qualifier::Simple: return sema::Qual::Simple;
    case ast::Qualifier::Series: return sema::Qual::Series;
    case ast::Qualifier::None: break;
  }
  return fallback;
}

} // namespace

void FunctionCompiler::compile_block(const ast::Block& block) {
  push_scope();
  const std::uint16_t mark = top();
  for (const ast::StmtPtr& s : block.stmts) compile_stmt(*s);
  pop_scope();
  release_to(mark);
}

void FunctionCompiler::compile_branch_block(const ast::Block& block) {
  push_scope();
  const std::uint16_t mark = top();
  for (std::size_t i = 0; i < block.stmts.size(); ++i) {
    const ast::Stmt& s = *block.stmts[i];
    // TradingView's "conditional structures" allow a tuple as a branch's
    // value; when the structure's value is unused it is simply dropped.
    if (i + 1 == block.stmts.size() && s.kind == ast::StmtKind::ExprStmt && s.value->kind == ast::ExprKind::Tuple) {
      NestingGuard guard(pc_, s.loc);
      at(s.loc);
      for (const ast::ExprPtr& x : s.value->elems) compile_single(*x);
      release_to(mark);
      continue;
    }
    compile_stmt(s);
  }
  pop_scope();
  release_to(mark);
}

void FunctionCompiler::compile_stmt(const ast::Stmt& s) {
  NestingGuard guard(pc_, s.loc);
  at(s.loc);
  const std::uint16_t mark = top();
  switch (s.kind) {
    case ast::StmtKind::VarDecl:
      compile_var_decl(s);
      return; // keeps the variable's register
    case ast::StmtKind::TupleDecl:
      compile_tuple_decl(s);
      return;
    case ast::StmtKind::Assign: compile_assign(s); break;
    case ast::StmtKind::ExprStmt: {
      const ast::Expr& e = *s.value;
      switch (e.kind) {
        case ast::ExprKind::If: compile_if(e, false); break;
        case ast::ExprKind::Switch: compile_switch(e, false); break;
        case ast::ExprKind::For: compile_for(e); break;
        case ast::ExprKind::While: compile_while(e); break;
        case ast::ExprKind::ForIn: compile_for_in(e); break;
        case ast::ExprKind::Call: compile_call(e); break;
        default: compile_expr(e); break;
      }
      break;
    }
    case ast::StmtKind::FuncDecl: {
      if (!is_main_ || scopes_.size() != 1) error(s.loc, "functions can only be declared at the top level");
      for (std::size_t i = 0; i < s.params.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
          if (s.params[i].name == s.params[j].name)
            error(s.params[i].loc, "parameter '" + s.params[i].name + "' is declared more than once in '" + s.name + "'");
      UserFunction f;
      f.decl = &s;
      f.order = pc_.function_count++;
      f.globals_visible = pc_.global_count;
      if (s.is_method) {
        if (s.params.empty() || !s.params.front().type)
          error(s.loc, "the first parameter of method '" + s.name + "' must have a declared type");
        const sema::TypeInfo self = resolve_type(*s.params.front().type);
        f.self_type = self;
        for (UserFunction& other : pc_.methods[s.name])
          if (sema::same_type(method_self_type(other), self))
            error(s.loc, "method '" + s.name + "' is already declared for " + pc_.types.name(self));
        pc_.methods[s.name].push_back(std::move(f));
        break;
      }
      if (is_builtin_function_name(s.name)) error(s.loc, "'" + s.name + "' is a built-in function name");
      if (auto first = pc_.functions.find(s.name); first != pc_.functions.end()) {
        // An overload must differ in its number of required parameters or in
        // the declared type of a required one.
        std::vector<const UserFunction*> earlier{&first->second};
        for (const UserFunction& o : pc_.overloads[s.name]) earlier.push_back(&o);
        for (const UserFunction* o : earlier)
          if (same_required_signature(*o->decl, s))
            error(s.loc, "function '" + s.name + "' is already declared with the same required parameters");
        pc_.overloads[s.name].push_back(std::move(f));
        break;
      }
      pc_.functions.emplace(s.name, std::move(f));
      break;
    }
    case ast::StmtKind::Import: import_library(s); break;
    case ast::StmtKind::TypeDecl: declare_udt(s); break;
    case ast::StmtKind::EnumDecl: declare_enum(s); break;
    case ast::StmtKind::Break:
    case ast::StmtKind::Continue: {
      if (loop_depth_ == 0) error(s.loc, std::string("'") + (s.kind == ast::StmtKind::Break ? "break" : "continue") + "' outside a loop");
      auto& list = s.kind == ast::StmtKind::Break ? break_jumps_.back() : continue_jumps_.back();
      list.push_back(emit_.jump(Opcode::JMP));
      break;
    }
  }
  release_to(mark);
}

void FunctionCompiler::compile_var_decl(const ast::Stmt& s) {
  std::optional<sema::TypeInfo> declared;
  if (s.type) declared = resolve_type(*s.type);
  if (s.name == "_") error(s.loc, "'_' cannot be declared as a variable");
  const bool is_var = s.mode != ast::DeclMode::Plain;
  Variable v;
  v.is_var = is_var;
  std::size_t skip = 0;
  if (is_var) {
    const auto regs = var_regs_.at(&s);
    v.reg = regs.first;
    skip = emit_.jump(Opcode::ONCE, regs.second);
  } else {
    v.reg = alloc_reg(s.loc);
  }
  const std::uint16_t mark = top();
  const std::size_t code_start = emit_.here();
  ExprValue init;
  try {
    init = declared ? compile_as_type(*s.value, *declared, "variable '" + s.name + "'") : compile_single(*s.value);
    if (init.type.is_na)
      error(s.value->loc, "cannot declare '" + s.name + "' with the value 'na' without a type; write e.g. 'float " + s.name + " = na'");
    if (init.type.type == Type::Void) error(s.value->loc, "cannot assign a void value to '" + s.name + "'");
  } catch (const CompileError&) {
    // Declare the name anyway (as its written type, else float) so later
    // statements do not report it as undeclared: one mistake, one error.
    v.type = declared.value_or(sema::make_type(Type::Float, sema::Qual::Series));
    v.type.qual = sema::Qual::Series;
    if (scopes_.back().count(s.name) == 0) declare(s.name, v, s.loc);
    throw;
  }
  v.type = init.type;
  v.type.qual = declared_qual(s.qualifier, init.type.qual);
  // A var that is never reassigned holds its first value forever, so it keeps
  // that value's qualifier (published scripts pass such vars as "input" args).
  if (scan_.reassigned.count(s.name)) v.type.qual = sema::Qual::Series;
  v.is_const = s.qualifier == ast::Qualifier::Const;
  if (s.qualifier == ast::Qualifier::Const && init.type.qual != sema::Qual::Const)
    error(s.value->loc, "'" + s.name + "' is declared const but its value is " + sema::describe(init.type));
  // init is not read again.
  if (!retarget_result(init, code_start, mark, v.reg)) emit_arg_block(v.reg, {init});
  release_to(mark);
  if (const std::uint32_t cap = history_capacity(s.name)) v.series = add_series(v.type.type, cap);
  if (is_var && v.type.type == Type::String) fn_.string_slots.push_back(v.reg);
  if (is_var && v.type.type == Type::Ref) fn_.ref_slots.push_back(v.reg);
  record_series(v, v.reg);
  if (is_var) emit_.patch_to_here(skip);
  declare(s.name, v, s.loc);
}

bool FunctionCompiler::own_distinct_temporaries(const std::vector<ExprValue>& values, std::uint16_t start) const {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i].reg < start || values[i].reg >= top()) return false;
    for (std::size_t j = 0; j < i; ++j)
      if (values[j].reg == values[i].reg) return false;
  }
  return true;
}

void FunctionCompiler::compile_tuple_decl(const ast::Stmt& s) {
  const ast::ExprKind k = s.value->kind;
  const bool loop = k == ast::ExprKind::For || k == ast::ExprKind::While || k == ast::ExprKind::ForIn;
  if (!loop && k != ast::ExprKind::Call && k != ast::ExprKind::If && k != ast::ExprKind::Switch)
    error(s.value->loc, "a tuple declaration needs a function call, an if, a switch or a loop that returns a tuple");
  std::vector<ExprValue> values;
  const std::size_t depth = scopes_.size();
  const std::uint16_t start = top();
  try {
    values = k == ast::ExprKind::Call ? compile_call(*s.value)
             : loop                   ? compile_tuple_loop(*s.value)
                                      : compile_tuple_conditional(*s.value);
    if (values.size() != s.names.size())
      error(s.loc, "the call returns " + std::to_string(values.size()) + " values but " + std::to_string(s.names.size()) +
                       " names are declared");
  } catch (const CompileError&) {
    // Declare the names anyway (as float) so later statements do not report
    // them as undeclared: one mistake, one error.
    scopes_.resize(depth);
    for (std::size_t i = 0; i < s.names.size(); ++i) {
      if (s.names[i] == "_" || scopes_.back().count(s.names[i])) continue;
      Variable v;
      v.reg = alloc_reg(s.loc);
      v.type = sema::make_type(Type::Float, sema::Qual::Series);
      declare(s.names[i], v, s.loc);
    }
    throw;
  }
  std::vector<std::uint16_t> regs(values.size());
  if (k == ast::ExprKind::Call && own_distinct_temporaries(values, start)) {
    // The names take the call's result registers: nothing but the call
    // writes them, and keeping them allocated (with the temporaries below
    // them) means nothing later in the scope will.
    std::uint16_t end = start;
    for (std::size_t i = 0; i < values.size(); ++i) {
      regs[i] = values[i].reg;
      end = std::max(end, static_cast<std::uint16_t>(regs[i] + 1));
    }
    release_to(end);
  } else {
    const std::uint16_t first = alloc_regs(static_cast<std::uint16_t>(values.size()), s.loc);
    for (std::size_t i = 0; i < values.size(); ++i) {
      regs[i] = static_cast<std::uint16_t>(first + i);
      emit_.abc(Opcode::MOVE, regs[i], values[i].reg);
    }
    // Release temporaries above the declared registers.
    release_to(static_cast<std::uint16_t>(first + values.size()));
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (s.names[i] == "_") continue;
    Variable v;
    v.reg = regs[i];
    v.type = values[i].type;
    if (scan_.reassigned.count(s.names[i])) v.type.qual = sema::Qual::Series;
    if (const std::uint32_t cap = history_capacity(s.names[i])) v.series = add_series(v.type.type, cap);
    record_series(v, v.reg);
    declare(s.names[i], v, i < s.name_locs.size() ? s.name_locs[i] : s.loc);
  }
}

void FunctionCompiler::compile_assign(const ast::Stmt& s) {
  if (s.target->kind == ast::ExprKind::Member) return compile_field_assign(s);
  if (s.target->kind != ast::ExprKind::Name) error(s.target->loc, "only variables can be assigned to");
  const std::string& name = s.target->text;
  Variable* var = lookup(name);
  if (var == nullptr && name.find('.') != std::string::npos) {
    const std::string head = name.substr(0, name.find('.'));
    if (lookup(head) != nullptr) return compile_field_assign(s);
  }
  if (var == nullptr && (find_color_constant(name) || find_named_constant(name)))
    error(s.target->loc, "Cannot reassign const variable '" + name + "' (a built-in constant)");
  if (var == nullptr) {
    if (s.assign_op == ast::AssignOp::Reassign)
      error(s.target->loc, "undeclared identifier '" + name + "'; use '=' to declare a new variable");
    error(s.target->loc, "undeclared identifier '" + name + "'");
  }
  if (var->is_builtin) error(s.target->loc, "cannot modify the built-in variable '" + name + "'");
  if (var->is_global) error(s.target->loc, "cannot modify the global variable '" + name + "' in a function");
  if (var->is_const) error(s.target->loc, "Cannot reassign const variable '" + name + "'");
  const Variable target = *var;
  const std::uint16_t temps = top();
  const std::size_t code_start = emit_.here();
  ExprValue value;
  if (s.assign_op == ast::AssignOp::Reassign) {
    value = compile_as_type(*s.value, target.type, "variable '" + name + "'");
  } else {
    // x op= y is x := x op y.
    static const ast::Op ops[] = {ast::Op::Add, ast::Op::Add, ast::Op::Sub, ast::Op::Mul, ast::Op::Div, ast::Op::Mod};
    ast::Expr op(ast::ExprKind::Binary, s.loc);
    op.op = ops[static_cast<int>(s.assign_op)];
    ExprValue current;
    current.reg = target.reg;
    current.type = target.type;
    value = emit_binary(op, current, compile_expr(*s.value));
    if (!convert(value, target.type.type))
      error(s.loc, "cannot assign " + sema::describe(value.type) + " to '" + name + "' of type " + sema::type_name(target.type.type));
  }
  // value is not read again.
  if (!retarget_result(value, code_start, temps, target.reg)) emit_arg_block(target.reg, {value});
  record_series(target, target.reg);
}

void FunctionCompiler::compile_for(const ast::Expr& e) {
  const std::uint16_t mark = top();
  ExprValue from = compile_expr(*e.from);
  ExprValue to = compile_expr(*e.to);
  std::optional<ExprValue> step;
  if (e.step) step = compile_expr(*e.step);
  auto numeric = [&](const ExprValue& v, const ast::Expr& x) {
    if (v.type.type != Type::Int && v.type.type != Type::Float && !v.type.is_na)
      error(x.loc, "a for loop bound must be int or float, not " + sema::describe(v.type));
  };
  numeric(from, *e.from);
  numeric(to, *e.to);
  if (step) numeric(*step, *e.step);
  // An int-like bound (length / 2) is an int here, as elsewhere an int is
  // expected: it truncates (docs/semantics.md).
  auto floaty = [](const ExprValue& v) { return v.type.type == Type::Float && !v.type.int_like; };
  const bool is_float = floaty(from) || floaty(to) || (step && floaty(*step));
  const Type t = is_float ? Type::Float : Type::Int;
  auto to_type = [&](ExprValue& v) {
    if (!convert(v, t)) error(e.loc, "bad loop bound type");
  };
  to_type(from);
  to_type(to);
  const std::uint16_t counter = alloc_reg(e.loc);
  const std::uint16_t limit = alloc_reg(e.loc);
  const std::uint16_t stride = alloc_reg(e.loc);
  const std::uint16_t descending = alloc_reg(e.loc);
  const std::uint16_t cond = alloc_reg(e.loc);
  // The bounds are not read again after these copies.
  emit_arg_block(counter, {from});
  emit_arg_block(limit, {to});
  if (step) {
    to_type(*step);
    emit_arg_block(stride, {*step});
  } else {
    emit_.abx(Opcode::LOADK, stride, pc_.pool.add(t, is_float ? make_float(1.0) : make_int(1)));
  }
  // The direction is fixed by the initial bounds (User Manual, "Loops").
  emit_.abc(is_float ? Opcode::GTF : Opcode::GTI, descending, counter, limit);
  const std::size_t j_first = emit_.jump(Opcode::JMP);
  // v6 re-evaluates `to` before every iteration after the first (User Manual, "Loops").
  // The backward jump lands on LOOPCHECK, as the verifier requires.
  const std::uint32_t top_pc = emit_.here();
  emit_.abc(Opcode::LOOPCHECK, 0);
  {
    const std::uint16_t m2 = top();
    ExprValue again = compile_expr(*e.to);
    to_type(again);
    emit_arg_block(limit, {again});
    release_to(m2);
  }
  emit_.patch_to_here(j_first);
  // cond = descending ? counter >= limit : counter <= limit
  const std::size_t j_desc = emit_.jump(Opcode::JMPT, descending);
  emit_.abc(is_float ? Opcode::LEF : Opcode::LEI, cond, counter, limit);
  const std::size_t j_test = emit_.jump(Opcode::JMP);
  emit_.patch_to_here(j_desc);
  emit_.abc(is_float ? Opcode::GEF : Opcode::GEI, cond, counter, limit);
  emit_.patch_to_here(j_test);
  const std::size_t j_exit = emit_.jump(Opcode::JMPF, cond);

  push_scope();
  Variable iv;
  iv.reg = counter;
  iv.type = sema::make_type(t, sema::Qual::Series);
  declare(e.var_name, iv, e.loc);
  begin_loop();
  compile_loop_body(e.then_block);
  pop_scope();
  for (std::size_t j : continue_jumps_.back()) emit_.patch_to_here(j);
  // counter += descending ? -stride : stride
  const std::size_t j_down = emit_.jump(Opcode::JMPT, descending);
  emit_.abc(is_float ? Opcode::ADDF : Opcode::ADDI, counter, counter, stride);
  const std::size_t j_next = emit_.jump(Opcode::JMP);
  emit_.patch_to_here(j_down);
  emit_.abc(is_float ? Opcode::SUBF : Opcode::SUBI, counter, counter, stride);
  emit_.patch_to_here(j_next);
  emit_.abx(Opcode::JMP, 0, top_pc);
  end_loop(j_exit);
  release_to(mark);
}

void FunctionCompiler::begin_loop() {
  ++loop_depth_;
  ++cond_depth_;
  break_jumps_.emplace_back();
  continue_jumps_.emplace_back();
}

void FunctionCompiler::end_loop(std::size_t exit_jump) {
  emit_.patch_to_here(exit_jump);
  for (std::size_t j : break_jumps_.back()) emit_.patch_to_here(j);
  break_jumps_.pop_back();
  continue_jumps_.pop_back();
  --loop_depth_;
  --cond_depth_;
}

void FunctionCompiler::compile_while(const ast::Expr& e) {
  const std::uint16_t mark = top();
  const std::uint32_t top_pc = emit_.here();
  emit_.abc(Opcode::LOOPCHECK, 0);
  const std::uint16_t m2 = top();
  ExprValue c = compile_as(*e.cond, Type::Bool, "while condition");
  const std::size_t j_exit = emit_.jump(Opcode::JMPF, c.reg);
  release_to(m2);
  begin_loop();
  compile_loop_body(e.then_block);
  for (std::size_t j : continue_jumps_.back()) emit_.patch(j, top_pc);
  emit_.abx(Opcode::JMP, 0, top_pc);
  end_loop(j_exit);
  release_to(mark);
}

void FunctionCompiler::compile_for_in(const ast::Expr& e) {
  const std::uint16_t mark = top();
  if (e.to->kind == ast::ExprKind::Tuple)
    error(e.to->loc, "'for ... in' needs an array or a map; Pine has no array literals, use array.from(...)");
  ExprValue coll = compile_single(*e.to);
  const bool is_map = pc_.types.is_map(coll.type);
  // A matrix is iterated row by row, each row a new array (User Manual, "Loops").
  const bool is_matrix = pc_.types.is_matrix(coll.type);
  if (!is_map && !is_matrix && !pc_.types.is_array(coll.type))
    error(e.to->loc, "'for ... in' needs an array, a matrix or a map, got " + describe(coll.type));
  if (is_map && e.index_name.empty()) error(e.loc, "a 'for ... in' loop over a map needs the '[key, value]' form");
  const sema::Composite comp = pc_.types.composite(coll.type);
  const sema::TypeInfo item_type = is_matrix ? pc_.types.array_of(comp.elem) : comp.elem;
  const std::uint16_t ref = alloc_reg(e.loc);
  emit_.abc(Opcode::MOVE, ref, coll.reg);
  // A map is iterated over its keys and values as of the loop's start (it
  // must not be modified in the loop); an array follows its current size.
  ExprValue keys, values;
  ExprValue source{ref, coll.type, {}, {}, {}};
  if (is_map) {
    keys = emit_coll(CollOp::MAP_KEYS, elem_code(coll.type), {source}, pc_.types.array_of(comp.key), e.loc);
    values = emit_coll(CollOp::MAP_VALUES, elem_code(coll.type), {source}, pc_.types.array_of(comp.elem), e.loc);
    source = values;
  }
  const std::uint8_t code = static_cast<std::uint8_t>(comp.elem.type);
  const std::uint16_t counter = alloc_reg(e.loc);
  const std::uint16_t one = alloc_reg(e.loc);
  const std::uint16_t cond = alloc_reg(e.loc);
  const std::uint16_t item = alloc_reg(e.loc);
  const std::uint16_t index = alloc_reg(e.loc);
  emit_.abx(Opcode::LOADK, counter, pc_.pool.add(Type::Int, make_int(0)));
  emit_.abx(Opcode::LOADK, one, pc_.pool.add(Type::Int, make_int(1)));
  const std::uint32_t top_pc = emit_.here();
  emit_.abc(Opcode::LOOPCHECK, 0);
  {
    const std::uint16_t m2 = top();
    ExprValue size = emit_coll(is_matrix ? CollOp::MATRIX_ROWS : CollOp::ARRAY_SIZE, code, {source},
                               sema::make_type(Type::Int, sema::Qual::Series), e.loc);
    emit_.abc(Opcode::LTI, cond, counter, size.reg);
    release_to(m2);
  }
  const std::size_t j_exit = emit_.jump(Opcode::JMPF, cond);
  {
    const std::uint16_t m2 = top();
    ExprValue counter_value{counter, sema::make_type(Type::Int, sema::Qual::Series), {}, {}, {}};
    ExprValue x = emit_coll(is_matrix ? CollOp::MATRIX_ROW : CollOp::ARRAY_GET, code, {source, counter_value}, item_type, e.loc);
    emit_.abc(Opcode::MOVE, item, x.reg);
    if (is_map) {
      ExprValue k = emit_coll(CollOp::ARRAY_GET, static_cast<std::uint8_t>(comp.key.type), {keys, counter_value}, comp.key, e.loc);
      emit_.abc(Opcode::MOVE, index, k.reg);
    } else {
      emit_.abc(Opcode::MOVE, index, counter);
    }
    release_to(m2);
  }
  push_scope();
  Variable iv;
  iv.is_const = true; // loop variables are immutable
  iv.reg = item;
  iv.type = item_type;
  iv.type.qual = sema::Qual::Series;
  declare(e.var_name, iv, e.loc);
  if (!e.index_name.empty()) {
    Variable kv = iv;
    kv.reg = index;
    kv.type = is_map ? comp.key : sema::make_type(Type::Int, sema::Qual::Series);
    kv.type.qual = sema::Qual::Series;
    declare(e.index_name, kv, e.loc);
  }
  begin_loop();
  compile_loop_body(e.then_block);
  pop_scope();
  for (std::size_t j : continue_jumps_.back()) emit_.patch_to_here(j);
  emit_.abc(Opcode::ADDI, counter, counter, one);
  emit_.abx(Opcode::JMP, 0, top_pc);
  end_loop(j_exit);
  release_to(mark);
}

void FunctionCompiler::compile_loop_body(const ast::Block& body) {
  // Only the loop being compiled as a value captures its body's value;
  // loops nested in the body are statements.
  LoopValue* lv = loop_value_;
  loop_value_ = nullptr;
  if (lv == nullptr) {
    compile_block(body);
    return;
  }
  const std::uint16_t mark = top();
  if (lv->tuple_size > 0) {
    // The body ends with a tuple literal of tuple_size elements.
    const ast::Stmt* last = body.stmts.empty() ? nullptr : body.stmts.back().get();
    if (last == nullptr || last->kind != ast::StmtKind::ExprStmt || last->value->kind != ast::ExprKind::Tuple ||
        last->value->elems.size() != lv->tuple_size)
      error(last ? last->loc : SourceLoc{}, "the loop body must end with a tuple of " + std::to_string(lv->tuple_size) + " values");
    push_scope();
    for (std::size_t s = 0; s + 1 < body.stmts.size(); ++s) compile_stmt(*body.stmts[s]);
    for (std::size_t i = 0; i < lv->tuple_size; ++i) {
      ExprValue x = compile_single(*last->value->elems[i]);
      if (x.type.is_na) error(last->value->elems[i]->loc, "a loop's tuple element cannot be an untyped na");
      if (!lv->element_types[i]) lv->element_types[i] = x.type;
      emit_.abc(Opcode::MOVE, static_cast<std::uint16_t>(lv->reg + i), x.reg);
    }
    pop_scope();
    release_to(mark);
    loop_value_ = lv;
    return;
  }
  std::optional<ExprValue> v = compile_value_block(body);
  if (v && !v->type.is_na && v->type.type != Type::Void) {
    if (!lv->type) lv->type = v->type;
    else if (!convert_to(*v, *lv->type)) error(body.stmts.back()->loc, "the loop's value changes type");
    emit_.abc(Opcode::MOVE, lv->reg, v->reg);
  }
  release_to(mark);
  loop_value_ = lv;
}

void FunctionCompiler::compile_loop_capturing(const ast::Expr& e, LoopValue& lv) {
  LoopValue* saved = loop_value_;
  loop_value_ = &lv;
  try {
    if (e.kind == ast::ExprKind::For) compile_for(e);
    else if (e.kind == ast::ExprKind::While) compile_while(e);
    else compile_for_in(e);
  } catch (...) {
    loop_value_ = saved;
    throw;
  }
  loop_value_ = saved;
}

std::vector<ExprValue> FunctionCompiler::compile_tuple_loop(const ast::Expr& e) {
  const ast::Block& body = e.then_block;
  const ast::Stmt* last = body.stmts.empty() ? nullptr : body.stmts.back().get();
  if (last == nullptr || last->kind != ast::StmtKind::ExprStmt || last->value->kind != ast::ExprKind::Tuple)
    error(e.loc, "a loop that returns a tuple must end its body with one, such as [a, b]");
  LoopValue lv;
  lv.tuple_size = last->value->elems.size();
  lv.element_types.assign(lv.tuple_size, std::nullopt);
  lv.reg = alloc_regs(static_cast<std::uint16_t>(lv.tuple_size), e.loc);
  std::vector<std::size_t> init(lv.tuple_size);
  for (std::size_t i = 0; i < lv.tuple_size; ++i) init[i] = emit_.abc(Opcode::NOP, 0);
  compile_loop_capturing(e, lv);
  std::vector<ExprValue> out(lv.tuple_size);
  for (std::size_t i = 0; i < lv.tuple_size; ++i) {
    const sema::TypeInfo t = *lv.element_types[i];
    const auto reg = static_cast<std::uint16_t>(lv.reg + i);
    emit_.at(init[i]) = make_abc32(Opcode::LOADK, reg, pc_.pool.add(t.type, na_value(t.type)));
    out[i].reg = reg;
    out[i].type = t;
    out[i].type.qual = sema::Qual::Series;
  }
  return out;
}

ExprValue FunctionCompiler::compile_loop_value(const ast::Expr& e, bool required) {
  // The value of the last statement of the last iteration that ran; na
  // (false for bool) when no iteration ran (User Manual, "Loops").
  LoopValue lv;
  lv.reg = alloc_reg(e.loc);
  const std::size_t init = emit_.abc(Opcode::NOP, 0);
  compile_loop_capturing(e, lv);
  ExprValue out;
  out.reg = lv.reg;
  if (!lv.type) {
    if (required) error(e.loc, "the loop has no value: its body does not end with an expression");
    out.type.type = Type::Void;
    return out;
  }
  emit_.at(init) = make_abc32(Opcode::LOADK, lv.reg, pc_.pool.add(lv.type->type, na_value(lv.type->type)));
  out.type = *lv.type;
  out.type.qual = sema::Qual::Series;
  return out;
}

std::optional<ExprValue> FunctionCompiler::compile_value_block(const ast::Block& block) {
  NestingGuard guard(pc_, block.stmts.empty() ? cur_loc_ : block.stmts.front()->loc);
  push_scope();
  std::optional<ExprValue> value;
  for (std::size_t i = 0; i < block.stmts.size(); ++i) {
    const ast::Stmt& s = *block.stmts[i];
    const bool last = i + 1 == block.stmts.size();
    if (last && s.kind == ast::StmtKind::ExprStmt) {
      at(s.loc);
      const ast::Expr& e = *s.value;
      if (e.kind == ast::ExprKind::Call) {
        std::vector<ExprValue> vs = compile_call(e);
        if (vs.size() == 1) value = vs[0];
        else if (vs.size() > 1) error(e.loc, "a block cannot return a tuple here");
      } else if (e.kind == ast::ExprKind::If || e.kind == ast::ExprKind::Switch) {
        ExprValue v = e.kind == ast::ExprKind::If ? compile_if(e, true) : compile_switch(e, true);
        if (v.type.type != Type::Void || v.type.is_na) value = v;
      } else if (e.kind == ast::ExprKind::For || e.kind == ast::ExprKind::While || e.kind == ast::ExprKind::ForIn) {
        ExprValue v = compile_loop_value(e, false);
        if (v.type.type != Type::Void) value = v;
      } else {
        value = compile_expr(e);
      }
    } else {
      compile_stmt(s);
      if (last && s.kind == ast::StmtKind::VarDecl) value = compile_name_value(s.name, s.loc);
      if (last && s.kind == ast::StmtKind::Assign && s.target->kind == ast::ExprKind::Name)
        value = compile_name_value(s.target->text, s.loc);
    }
  }
  pop_scope();
  return value;
}

} // namespace pine
