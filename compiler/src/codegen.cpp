// Program and function compilation drivers, registers and scopes.
#include "codegen.h"

#include <algorithm>

#include "builtin_table.h"
#include "compact_code.h"

namespace pine {

namespace {

/// Registers available to one function: operands are 16-bit.
constexpr std::uint32_t kMaxRegisters = 65535;
/// Errors reported before compilation gives up (later ones are mostly echoes).
constexpr std::size_t kMaxErrors = 10;

} // namespace

// ---------------------------------------------------------------------------
// ProgramCompiler

std::size_t ProgramCompiler::error_count() const {
  std::size_t n = 0;
  for (const Diagnostic& d : diagnostics) n += d.severity == Severity::Error;
  return n;
}

std::shared_ptr<Program> ProgramCompiler::compile(const ast::Script& script) {
  if (script.version != 0 && script.version != 5 && script.version != 6) {
    const std::string v = std::to_string(script.version);
    diagnostics.push_back({Severity::Error, {script.version_line == 0 ? 1 : script.version_line, 1},
                           script.version < 5 ? "version " + v + " scripts are not supported (//@version=" + v +
                                                    "); pinevm runs version 5 and 6"
                                              : "unsupported //@version=" + v + ": pinevm runs versions 5 and 6"});
    return nullptr;
  }
  version = script.version == 5 ? 5 : 6;
  functions_storage.push_back(std::make_unique<FunctionProto>());
  functions_storage[0]->name = "main";
  FunctionCompiler fc(*this, *functions_storage[0], nullptr);
  main = &fc;
  this->script = &script;
  fc.compile_main(script);
  if (is_library && error_count() == 0) fc.check_library_exports(script);
  main = nullptr;
  check_recursion();
  this->script = nullptr;
  if (error_count() > 0) return nullptr;
  if (!declared_indicator) {
    diagnostics.push_back({Severity::Error, {1, 1}, "the script has no indicator(), strategy() or library() declaration"});
    return nullptr;
  }
  for (auto& f : functions_storage) {
    compact_code(*f);
    program.functions.push_back(std::move(*f));
  }
  return std::make_shared<Program>(std::move(program));
}

void ProgramCompiler::check_recursion() {
  enum class Mark : std::uint8_t { None, Active, Done };
  std::unordered_map<std::string, Mark> mark;
  std::unordered_map<std::string, std::vector<std::pair<std::string, SourceLoc>>> edges;
  for (const auto& [name, f] : functions) {
    if (!f.ns.empty()) continue;
    for (const auto& call : prescan(f.decl->body).calls) {
      // An overload may call an earlier overload of its name (compile_user_call checks the order).
      if (call.first == name && overloads.count(name)) continue;
      if (functions.count(call.first) && functions.at(call.first).ns.empty()) edges[name].push_back(call);
    }
  }
  auto report = [&](SourceLoc loc, const std::string& message) {
    for (const Diagnostic& d : diagnostics)
      if (d.loc.line == loc.line && d.loc.col == loc.col && d.message == message) return;
    diagnostics.push_back({Severity::Error, loc, message});
  };
  // Depth-first in name order, so the report is deterministic.
  std::vector<std::string> names;
  for (const auto& kv : functions)
    if (kv.second.ns.empty()) names.push_back(kv.first);
  std::sort(names.begin(), names.end());
  // Depth-first with an explicit stack (a chain of thousands of functions
  // must not recurse as deep): (function, index of its next edge).
  auto visit = [&](const std::string& root) {
    std::vector<std::pair<std::string, std::size_t>> stack{{root, 0}};
    mark[root] = Mark::Active;
    while (!stack.empty()) {
      const std::string u = stack.back().first;
      const std::size_t next = stack.back().second;
      const auto& out = edges[u];
      if (next == out.size()) {
        mark[u] = Mark::Done;
        stack.pop_back();
        continue;
      }
      ++stack.back().second;
      const auto& [v, loc] = out[next];
      if (mark[v] == Mark::Active) {
        report(loc, u == v ? "'" + u + "' calls itself: recursion is not allowed in Pine"
                           : "'" + v + "' calls itself through '" + u + "': recursion is not allowed in Pine");
      } else if (mark[v] == Mark::None) {
        mark[v] = Mark::Active;
        stack.push_back({v, 0});
      }
    }
  };
  for (const std::string& n : names)
    if (mark[n] == Mark::None) visit(n);
}

// ---------------------------------------------------------------------------
// FunctionCompiler


FunctionCompiler::FunctionCompiler(ProgramCompiler& pc, FunctionProto& fn, const ast::Stmt* decl)
    : pc_(pc), fn_(fn), emit_(fn), decl_(decl) {}

void FunctionCompiler::compile_main(const ast::Script& script) {
  is_main_ = true;
  scan_ = prescan(script.body);
  // Globals read with [] inside functions need history in the main frame.
  for (const ast::StmtPtr& s : script.body.stmts) {
    if (s->kind != ast::StmtKind::FuncDecl) continue;
    for (const auto& [name, use] : prescan(s->body).history) {
      HistoryUse& mine = scan_.history[name];
      mine.dynamic = mine.dynamic || use.dynamic;
      if (use.max_offset > mine.max_offset) mine.max_offset = use.max_offset;
    }
  }
  // max_bars_back sizes history rings, so read it before any is created;
  // a strategy's main frame starts with the strategy.* variables, so find
  // out before the first register is given out whether this is one (its
  // settings are read when the strategy() call itself is compiled).
  for (const ast::StmtPtr& s : script.body.stmts) {
    if (s->kind == ast::StmtKind::ExprStmt && s->value->kind == ast::ExprKind::Call && s->value->lhs &&
        s->value->lhs->text == "strategy" && !pc_.program.strategy)
      pc_.program.strategy = StrategySettings{};
    if (s->kind == ast::StmtKind::ExprStmt && s->value->kind == ast::ExprKind::Call && s->value->lhs &&
        (s->value->lhs->text == "indicator" || s->value->lhs->text == "strategy")) {
      for (const ast::Arg& a : s->value->args) {
        if (a.name != "max_bars_back") continue;
        const ast::Expr& v = *a.value;
        if (v.kind != ast::ExprKind::IntLit || v.int_value < 1 || v.int_value > 65535) {
          pc_.diagnostics.push_back({Severity::Error, v.loc, "max_bars_back must be an int literal in 1..65535"});
          return;
        }
        pc_.program.max_bars_back = v.int_value;
      }
    }
  }
  const bool strategy = pc_.program.strategy.has_value();
  next_reg_ = first_free_slot(strategy);
  max_reg_ = next_reg_;
  push_scope();
  // Built-in variables: fixed slots, with history when some code reads it.
  for (std::uint8_t v = 0; v < static_cast<std::uint8_t>(BuiltinVar::Count); ++v) {
    const BuiltinVarInfo& info = builtin_var_info(static_cast<BuiltinVar>(v));
    Variable var;
    var.reg = v;
    var.type = sema::make_type(info.type, sema::Qual::Series);
    var.is_builtin = true;
    if (const std::uint32_t cap = history_capacity(info.name)) {
      var.series = add_series(info.type, cap);
      emit_.abc(Opcode::SERIES_SET, static_cast<std::uint16_t>(var.series), v);
    }
    scopes_.back().emplace(info.name, var);
    pc_.note_name(info.name);
  }
  // The strategy.* variables, the same way.
  for (std::uint8_t v = 0; strategy && v < static_cast<std::uint8_t>(StrategyVar::Count); ++v) {
    const BuiltinVarInfo& info = strategy_var_info(static_cast<StrategyVar>(v));
    Variable var;
    var.reg = static_cast<std::uint16_t>(kBuiltinVarSlots + v);
    var.type = sema::make_type(info.type, sema::Qual::Series);
    var.is_builtin = true;
    if (const std::uint32_t cap = history_capacity(info.name)) {
      var.series = add_series(info.type, cap);
      emit_.abc(Opcode::SERIES_SET, static_cast<std::uint16_t>(var.series), var.reg);
    }
    scopes_.back().emplace(info.name, var);
    pc_.note_name(info.name);
  }
  reserve_var_slots();
  hoist_stateful_variables(script);
  for (const ast::StmtPtr& s : script.body.stmts) {
    if (pc_.error_count() >= kMaxErrors) break;
    const std::uint16_t mark = top();
    const std::size_t scopes = scopes_.size();
    try {
      compile_stmt(*s);
    } catch (const CompileError& e) {
      pc_.diagnostics.push_back({Severity::Error, e.loc, e.message});
      release_to(mark);
      // The statement was abandoned mid-way: drop the scopes and loop state
      // it opened, so the next statement is compiled at the top level again.
      scopes_.resize(scopes);
      loop_depth_ = 0;
      cond_depth_ = 0;
      break_jumps_.clear();
      continue_jumps_.clear();
      loop_value_ = nullptr;
    }
  }
  at(SourceLoc{});
  emit_.abc(Opcode::RET, 0, 0);
  fn_.num_slots = max_reg_;
}

std::vector<sema::TypeInfo> FunctionCompiler::compile_function(const std::vector<sema::TypeInfo>& args,
                                                               std::size_t globals_visible, std::size_t order) {
  NestingGuard guard(pc_, decl_->loc);
  globals_visible_ = globals_visible;
  order_ = order;
  scan_ = prescan(decl_->body);
  fn_.name = decl_->name;
  fn_.num_params = static_cast<std::uint16_t>(args.size());
  push_scope();
  next_reg_ = 0;
  for (std::size_t i = 0; i < args.size(); ++i) {
    Variable v;
    v.reg = alloc_reg(decl_->params[i].loc);
    v.type = args[i];
    if (scan_.reassigned.count(decl_->params[i].name))
      error(decl_->params[i].loc, "cannot modify function parameter '" + decl_->params[i].name + "'");
    declare(decl_->params[i].name, v, decl_->params[i].loc);
    if (const std::uint32_t cap = history_capacity(decl_->params[i].name)) {
      Variable& declared = *lookup(decl_->params[i].name);
      declared.series = add_series(args[i].type, cap);
      emit_.abc(Opcode::SERIES_SET, static_cast<std::uint16_t>(declared.series), declared.reg);
    }
  }
  reserve_var_slots();
  // The body's value: the last statement's.
  const ast::Block& body = decl_->body;
  std::vector<ExprValue> results;
  for (std::size_t i = 0; i < body.stmts.size(); ++i) {
    const ast::Stmt& s = *body.stmts[i];
    const bool last = i + 1 == body.stmts.size();
    if (!last || s.kind != ast::StmtKind::ExprStmt) {
      compile_stmt(s);
      if (last && s.kind == ast::StmtKind::VarDecl) results.push_back(compile_name_value(s.name, s.loc));
      continue;
    }
    at(s.loc);
    const ast::Expr& e = *s.value;
    if (e.kind == ast::ExprKind::Tuple) {
      for (const ast::ExprPtr& x : e.elems) {
        ExprValue v = compile_single(*x);
        if (v.type.is_na) error(x->loc, "a function cannot return 'na' without a type");
        results.push_back(v);
      }
    } else if (e.kind == ast::ExprKind::Call) {
      results = compile_call(e);
    } else if ((e.kind == ast::ExprKind::If && tuple_size(e.then_block) > 0) ||
               (e.kind == ast::ExprKind::Switch && !e.cases.empty() && tuple_size(e.cases.front().body) > 0)) {
      results = compile_tuple_conditional(e);
    } else if (e.kind == ast::ExprKind::If || e.kind == ast::ExprKind::Switch) {
      ExprValue v = e.kind == ast::ExprKind::If ? compile_if(e, true) : compile_switch(e, true);
      if (v.type.type != Type::Void) results.push_back(v);
    } else if (e.kind == ast::ExprKind::For || e.kind == ast::ExprKind::While || e.kind == ast::ExprKind::ForIn) {
      ExprValue v = compile_loop_value(e, false);
      if (v.type.type != Type::Void) results.push_back(v);
    } else {
      ExprValue v = compile_expr(e);
      if (v.type.is_na) error(e.loc, "a function cannot return 'na' without a type");
      results.push_back(v);
    }
  }
  for (const ExprValue& r : results) result_types_.push_back(r.type);
  // RET only reads its registers, so values already in consecutive
  // registers (one value, or a call's results) are returned where they are.
  bool consecutive = !results.empty();
  for (std::size_t i = 1; consecutive && i < results.size(); ++i)
    consecutive = results[i].reg == results[0].reg + i;
  const std::uint16_t first = consecutive ? results[0].reg : alloc_regs(static_cast<std::uint16_t>(results.size()), decl_->loc);
  if (!consecutive)
    for (std::size_t i = 0; i < results.size(); ++i) emit_.abc(Opcode::MOVE, static_cast<std::uint16_t>(first + i), results[i].reg);
  emit_.abc(Opcode::RET, first, static_cast<std::uint16_t>(results.size()));
  fn_.num_results = static_cast<std::uint16_t>(results.size());
  fn_.num_slots = max_reg_;
  return result_types_;
}

void FunctionCompiler::check_library_exports(const ast::Script& script) {
  // The UserFunction registered for each declaration (functions, their
  // overloads and methods).
  std::unordered_map<const ast::Stmt*, UserFunction*> by_decl;
  for (auto& [name, f] : pc_.functions) by_decl[f.decl] = &f;
  for (auto& [name, list] : pc_.overloads)
    for (UserFunction& f : list) by_decl[f.decl] = &f;
  for (auto& [name, list] : pc_.methods)
    for (UserFunction& f : list) by_decl[f.decl] = &f;
  for (const ast::StmtPtr& s : script.body.stmts) {
    if (s->kind != ast::StmtKind::FuncDecl || !s->is_export) continue;
    auto found = by_decl.find(s.get());
    if (found == by_decl.end()) continue; // its declaration failed and was reported
    UserFunction& f = *found->second;
    try {
      // Exported functions declare their parameter types (TradingView
      // requires it); one specialisation with those types checks the body.
      std::vector<sema::TypeInfo> types;
      for (const ast::Param& p : s->params) {
        if (!p.type) error(p.loc, "parameter '" + p.name + "' of the exported function '" + s->name + "' needs a type");
        sema::TypeInfo t = resolve_type(*p.type);
        t.qual = p.qualifier == ast::Qualifier::Const    ? sema::Qual::Const
                 : p.qualifier == ast::Qualifier::Simple ? sema::Qual::Simple
                                                         : sema::Qual::Series;
        types.push_back(t);
      }
      const auto index = static_cast<std::uint32_t>(pc_.functions_storage.size());
      pc_.functions_storage.push_back(std::make_unique<FunctionProto>());
      FunctionCompiler sub(pc_, *pc_.functions_storage[index], f.decl);
      sub.call_depth_ = 1;
      sub.compile_function(types, f.globals_visible, f.order);
    } catch (const CompileError& e) {
      pc_.diagnostics.push_back({Severity::Error, e.loc, e.message});
    }
  }
}

void FunctionCompiler::hoist_stateful_variables(const ast::Script& script) {
  static const char* const stateful[] = {"ta.tr", "ta.obv", "ta.accdist", "ta.iii", "ta.nvi", "ta.pvi",
                                         "ta.pvt", "ta.wad", "ta.wvad", "ta.vwap"};
  std::unordered_set<std::string> read = scan_.names;
  for (const ast::StmtPtr& s : script.body.stmts)
    if (s->kind == ast::StmtKind::FuncDecl)
      for (const std::string& n : prescan(s->body).names) read.insert(n);
  for (const char* name : stateful) {
    if (!read.count(name)) continue;
    const std::uint16_t slot = alloc_reg({});
    const std::uint16_t mark = top();
    // The variable forms: ta.tr is ta.tr(false), ta.vwap is ta.vwap(hlc3),
    // the volume indicators take no argument.
    ast::Expr call(ast::ExprKind::Call, {});
    call.lhs = std::make_unique<ast::Expr>(ast::ExprKind::Name, SourceLoc{});
    call.lhs->text = name;
    if (std::string(name) == "ta.vwap") {
      ast::Arg src;
      src.value = std::make_unique<ast::Expr>(ast::ExprKind::Name, SourceLoc{});
      src.value->text = "hlc3";
      call.args.push_back(std::move(src));
    }
    const ExprValue v = compile_single(call);
    emit_.abc(Opcode::MOVE, slot, v.reg);
    release_to(mark);
    // A read-only built-in, visible to functions, with its own history when
    // some code reads it with [].
    Variable var;
    var.reg = slot;
    var.type = sema::make_type(Type::Float, sema::Qual::Series);
    var.is_builtin = true;
    if (const std::uint32_t cap = history_capacity(name)) {
      var.series = add_series(Type::Float, cap);
      emit_.abc(Opcode::SERIES_SET, static_cast<std::uint16_t>(var.series), slot);
    }
    scopes_.front().emplace(name, var);
    pc_.note_name(name);
  }
}

void FunctionCompiler::reserve_var_slots() {
  for (const ast::Stmt* s : scan_.var_decls) {
    const std::uint16_t value = alloc_reg(s->loc);
    const std::uint16_t flag = alloc_reg(s->loc);
    var_regs_[s] = {value, flag};
  }
}

ExprValue FunctionCompiler::compile_name_value(const std::string& name, SourceLoc loc) {
  ast::Expr e(ast::ExprKind::Name, loc);
  e.text = name;
  return compile_name(e);
}

// ---------------------------------------------------------------------------
// Registers and scopes

std::uint16_t FunctionCompiler::alloc_reg(SourceLoc loc) { return alloc_regs(1, loc); }

SourceLoc FunctionCompiler::known_loc(SourceLoc loc) const {
  if (loc.line != 0) return loc;
  if (cur_loc_.line != 0) return cur_loc_;
  return decl_ != nullptr ? decl_->loc : SourceLoc{1, 1};
}

std::uint16_t FunctionCompiler::alloc_regs(std::uint16_t n, SourceLoc loc) {
  // Constants and hidden temporaries are allocated without a position: the
  // error then points at the expression or statement being compiled.
  if (static_cast<std::uint32_t>(next_reg_) + n > kMaxRegisters)
    error(known_loc(loc), (is_main_ ? std::string("the script's top level") : "function '" + fn_.name + "'") +
                              " needs more than 65535 registers (too many variables and values in one function)");
  const std::uint16_t r = next_reg_;
  next_reg_ = static_cast<std::uint16_t>(next_reg_ + n);
  if (next_reg_ > max_reg_) max_reg_ = next_reg_;
  return r;
}

Variable* FunctionCompiler::lookup(const std::string& name) {
  for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
    auto f = it->find(name);
    if (f != it->end()) return &f->second;
  }
  if (!is_main_ && pc_.main != nullptr) {
    // Globals declared above the function, and built-in variables.
    auto& globals = pc_.main->scopes_.front();
    auto f = globals.find(name);
    if (f != globals.end() && (f->second.is_builtin || f->second.order < globals_visible_)) {
      global_view_ = f->second;
      global_view_.is_global = true;
      return &global_view_;
    }
  }
  return nullptr;
}

Variable& FunctionCompiler::declare(const std::string& name, Variable v, SourceLoc loc) {
  auto& scope = scopes_.back();
  auto it = scope.find(name);
  if (it != scope.end() && name != "_") {
    if (it->second.is_builtin) error(loc, "cannot redeclare the built-in variable '" + name + "'");
    error(loc, "'" + name + "' is already declared in this scope; use ':=' to reassign it");
  }
  if (is_main_ && scopes_.size() == 1) v.order = pc_.global_count++;
  pc_.note_name(name);
  auto [pos, inserted] = scope.insert_or_assign(name, v);
  (void)inserted;
  return pos->second;
}

int FunctionCompiler::add_series(Type type, std::uint32_t capacity) {
  fn_.series.push_back(SeriesDecl{type, capacity});
  return static_cast<int>(fn_.series.size() - 1);
}

void FunctionCompiler::record_series(const Variable& var, std::uint16_t reg) {
  if (var.series >= 0) emit_.abc(Opcode::SERIES_SET, static_cast<std::uint16_t>(var.series), reg);
}

std::uint32_t FunctionCompiler::history_capacity(const std::string& name) const {
  auto h = scan_.history.find(name);
  if (h == scan_.history.end()) return 0;
  if (h->second.dynamic) return static_cast<std::uint32_t>(pc_.program.max_bars_back + 1);
  return static_cast<std::uint32_t>(h->second.max_offset + 1);
}

void FunctionCompiler::error(SourceLoc loc, const std::string& message) { throw CompileError{loc, message}; }

void FunctionCompiler::warn(SourceLoc loc, const std::string& message) {
  pc_.diagnostics.push_back({Severity::Warning, loc, message});
}

} // namespace pine
