// Calls: user functions (specialised per argument types), table-driven
// builtins, and the builtins with bespoke lowering.
#include <algorithm>
#include <map>

#include "builtin_table.h"
#include "codegen.h"

namespace pine {

using sema::Qual;
using sema::TypeInfo;

namespace {

/// Name of a call's callee ("ta.sma"), or empty when it is not a name.
std::string callee_name(const ast::Expr& call) {
  if (call.lhs && call.lhs->kind == ast::ExprKind::Name) return call.lhs->text;
  return {};
}

/// Whether a value of type `from` can be passed where `to` is expected;
/// `exact` forbids promotions.
bool can_convert(const TypeInfo& from, Type to, bool exact) {
  if (from.is_na) return to != Type::Bool;
  if (from.type == to) return true;
  if (exact) return false;
  if (from.type == Type::Int && to == Type::Float) return true;
  return from.type == Type::Float && from.int_like && to == Type::Int;
}

/// Binds arguments to parameter names: index per parameter, or -1.
/// Returns an error message, or empty on success.
std::string bind_args(const std::vector<std::string>& params, const std::vector<CompiledArg>& args,
                      const std::string& fname, std::vector<int>& bound, SourceLoc* where = nullptr) {
  bound.assign(params.size(), -1);
  std::size_t positional = 0;
  bool seen_named = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (where) *where = args[i].loc;
    if (args[i].name.empty()) {
      if (seen_named) return "Positional arguments cannot follow named arguments (in the call to '" + fname + "')";
      if (positional >= params.size())
        return "too many arguments in the call to '" + fname + "': it takes " + std::to_string(params.size());
      bound[positional++] = static_cast<int>(i);
      continue;
    }
    seen_named = true;
    std::size_t p = 0;
    while (p < params.size() && params[p] != args[i].name) ++p;
    if (p == params.size()) return "'" + fname + "' has no parameter named '" + args[i].name + "'";
    if (bound[p] >= 0) return "the argument '" + args[i].name + "' is given twice in the call to '" + fname + "'";
    bound[p] = static_cast<int>(i);
  }
  return {};
}

} // namespace

std::vector<ExprValue> FunctionCompiler::compile_call(const ast::Expr& e) {
  NestingGuard guard(pc_, e.loc);
  at(e.loc);
  const std::string name = callee_name(e);
  if (name.empty()) {
    if (auto method = compile_object_call(e, name)) return *method;
    error(e.loc, "only named functions can be called");
  }
  auto uf = find_scoped(pc_.functions, name);
  if (uf != pc_.functions.end()) {
    if (!uf->second.exported && uf->second.ns != ns_) {
      const std::string alias = name.substr(0, name.find('.'));
      error(e.lhs->loc, "library '" + alias + "' does not export '" + name.substr(name.find('.') + 1) + "'");
    }
    auto more = pc_.overloads.find(uf->first);
    if (more == pc_.overloads.end()) return compile_user_call(e, uf->second);
    // Overloads: the first, in declaration order, whose parameters the
    // arguments bind to (all required ones given) with convertible types.
    std::vector<CompiledArg> args;
    for (const ast::Arg& a : e.args) args.push_back({a.name, a.loc, compile_single(*a.value)});
    std::vector<UserFunction*> candidates{&uf->second};
    for (UserFunction& f : more->second) candidates.push_back(&f);
    for (UserFunction* f : candidates) {
      std::vector<std::string> names;
      for (const ast::Param& p : f->decl->params) names.push_back(p.name);
      std::vector<int> bound;
      if (!bind_args(names, args, name, bound).empty()) continue;
      bool ok = true;
      for (std::size_t i = 0; ok && i < names.size(); ++i) {
        const ast::Param& p = f->decl->params[i];
        if (bound[i] < 0) {
          ok = p.default_value != nullptr;
          continue;
        }
        if (!p.type) continue;
        const TypeInfo want = resolve_type_in(*p.type, f->ns);
        const TypeInfo& have = args[static_cast<std::size_t>(bound[i])].value.type;
        ok = have.is_na || sema::same_type(have, want) || (have.type == Type::Int && want.type == Type::Float) ||
             (have.int_like && want.type == Type::Int);
      }
      if (ok) return compile_user_call(e, *f, std::move(args));
    }
    error(e.loc, "no overload of '" + name + "' accepts these arguments");
  }
  if (auto objects = compile_object_call(e, name)) return *objects;
  if (auto special = compile_special_call(e, name)) return *special;
  if (name == "ta.pivot_point_levels") return {compile_pivot_point_levels(e)};
  if (!find_builtin(name).empty()) return compile_table_call(e, name);
  if (lookup(name) != nullptr) error(e.loc, "'" + name + "' is a variable, not a function");
  if (const std::size_t dot = name.find('.'); dot != std::string::npos && pc_.library_aliases.count(name.substr(0, dot)))
    error(e.lhs->loc, "library '" + name.substr(0, dot) + "' has no exported member '" + name.substr(dot + 1) + "'");
  if (const char* feature = unsupported_feature(name))
    error(e.lhs->loc, "'" + name + "' is not supported yet: pinevm does not implement " + feature);
  // A misspelt member of a built-in namespace: name the namespace.
  static const char* const namespaces[] = {"ta", "math", "str", "array", "map", "matrix", "color", "input",
                                           "syminfo", "timeframe", "barstate", "log", "runtime", "chart", "session"};
  if (const std::size_t dot = name.find('.'); dot != std::string::npos && name.find('.', dot + 1) == std::string::npos) {
    for (const char* ns : namespaces)
      if (name.compare(0, dot, ns) == 0 && std::char_traits<char>::length(ns) == dot)
        error(e.lhs->loc, "'" + name.substr(0, dot) + "' has no function '" + name.substr(dot + 1) + "'");
  }
  error(e.lhs->loc, "undeclared function '" + name + "'");
}

std::vector<ExprValue> FunctionCompiler::compile_user_call(const ast::Expr& e, UserFunction& f) {
  std::vector<CompiledArg> args;
  for (const ast::Arg& a : e.args) args.push_back({a.name, a.loc, compile_single(*a.value)});
  return compile_user_call(e, f, std::move(args));
}

std::vector<ExprValue> FunctionCompiler::compile_user_call(const ast::Expr& e, UserFunction& f, std::vector<CompiledArg> args) {
  NestingGuard guard(pc_, e.loc);
  const ast::Stmt& decl = *f.decl;
  if (!is_main_ && f.order >= order_) {
    if (decl_ == f.decl) error(e.loc, "'" + decl.name + "' calls itself: recursion is not allowed in Pine");
    error(e.loc, "function '" + decl.name + "' must be declared before the functions that call it");
  }
  std::vector<std::string> names;
  for (const ast::Param& p : decl.params) names.push_back(p.name);
  std::vector<int> bound;
  SourceLoc where = e.loc;
  if (std::string err = bind_args(names, args, decl.name, bound, &where); !err.empty()) error(where, err);

  std::vector<ExprValue> values(decl.params.size());
  for (std::size_t i = 0; i < decl.params.size(); ++i) {
    const ast::Param& p = decl.params[i];
    if (bound[i] >= 0) {
      values[i] = args[static_cast<std::size_t>(bound[i])].value;
    } else if (p.default_value) {
      values[i] = compile_single(*p.default_value);
    } else {
      error(e.loc, "missing argument '" + p.name + "' in the call to '" + decl.name + "'");
    }
    if (p.type) {
      // Parameter types are names in the callee's library, not the caller's.
      const TypeInfo want = resolve_type_in(*p.type, f.ns);
      if (!convert_to(values[i], want))
        error(bound[i] >= 0 ? args[static_cast<std::size_t>(bound[i])].loc : e.loc,
              "type mismatch: parameter '" + p.name + "' of '" + decl.name + "' expects " + pc_.types.name(want) + ", got " +
                  describe(values[i].type));
    }
    // An explicit qualifier on a parameter caps what its argument may be.
    const sema::Qual cap = p.qualifier == ast::Qualifier::Const    ? Qual::Const
                           : p.qualifier == ast::Qualifier::Simple ? Qual::Simple
                                                                   : Qual::Series;
    // Qualifiers constrain values, not references: an array made by
    // array.from(...) may go to a `simple array<float>` parameter.
    if (values[i].type.qual > cap && values[i].type.type != Type::Ref)
      error(bound[i] >= 0 ? args[static_cast<std::size_t>(bound[i])].loc : e.loc,
            "parameter '" + p.name + "' of '" + decl.name + "' is " + sema::qual_name(cap) + ", but the argument is " +
                sema::describe(values[i].type));
    if (p.qualifier != ast::Qualifier::None) values[i].type.qual = cap;
    if (!p.type && values[i].type.is_na) {
      error(e.loc, "cannot pass 'na' to the untyped parameter '" + p.name + "'; cast it, e.g. float(na)");
    }
  }

  // Specialisation key: the parameter types and qualifiers.
  std::vector<TypeInfo> types;
  std::string key;
  for (const ExprValue& v : values) {
    types.push_back(v.type);
    key += std::to_string(static_cast<int>(v.type.type)) + "#" + std::to_string(v.type.id) + ":" +
           std::to_string(static_cast<int>(v.type.qual)) +
           (v.type.int_like ? "i" : "") + ",";
  }
  // The callee's frame is one deeper than this function's; its own calls
  // nest `height` more. kMaxUserCallDepth bounds the whole chain.
  const auto too_deep = [&]() {
    error(e.loc, "this call nests user functions more than " + std::to_string(kMaxUserCallDepth) +
                     " levels deep (counting from the script's top level)");
  };
  auto spec = f.specs.find(key);
  if (spec == f.specs.end()) {
    // Checked before compiling the body, which would nest one level deeper.
    if (call_depth_ + 1 > kMaxUserCallDepth) too_deep();
    const auto index = static_cast<std::uint32_t>(pc_.functions_storage.size());
    pc_.functions_storage.push_back(std::make_unique<FunctionProto>());
    FunctionCompiler sub(pc_, *pc_.functions_storage[index], f.decl);
    sub.ns_ = f.ns;
    sub.call_depth_ = call_depth_ + 1;
    UserFunction::Spec s;
    s.index = index;
    s.results = sub.compile_function(types, f.globals_visible, f.order);
    s.height = sub.call_height_;
    spec = f.specs.emplace(key, s).first;
  }
  const UserFunction::Spec s = spec->second;
  // A specialisation compiled earlier from a shallower place may be too
  // deep here.
  if (call_depth_ + 1 + s.height > kMaxUserCallDepth) too_deep();
  call_height_ = std::max(call_height_, s.height + 1);
  if (fn_.call_sites.size() >= 65535) error(e.loc, "too many calls in one function");
  fn_.call_sites.push_back(s.index);
  const auto site = static_cast<std::uint16_t>(fn_.call_sites.size() - 1);
  const std::uint16_t first_arg = alloc_regs(static_cast<std::uint16_t>(values.size()), e.loc);
  emit_arg_block(first_arg, values);
  const std::uint16_t first_result = alloc_regs(static_cast<std::uint16_t>(s.results.size()), e.loc);
  at(e.loc);
  emit_.abc(Opcode::CALL, site, first_arg, first_result);
  std::vector<ExprValue> out;
  for (std::size_t i = 0; i < s.results.size(); ++i) {
    ExprValue v;
    v.reg = static_cast<std::uint16_t>(first_result + i);
    v.type = s.results[i];
    v.type.qual = Qual::Series;
    out.push_back(v);
  }
  return out;
}

std::vector<ExprValue> FunctionCompiler::compile_table_call(const ast::Expr& e, const std::string& name) {
  std::vector<CompiledArg> args;
  for (const ast::Arg& a : e.args) args.push_back({a.name, a.loc, compile_single(*a.value)});
  return emit_table_call(e, name, std::move(args));
}

std::vector<ExprValue> FunctionCompiler::emit_table_call(const ast::Expr& e, const std::string& name,
                                                         std::vector<CompiledArg> args) {
  const std::vector<const BuiltinSig*> sigs = find_builtin(name);
  const BuiltinSig* chosen = nullptr;
  std::vector<int> bound;
  std::string first_error;
  SourceLoc first_error_loc = e.loc;
  for (bool exact : {true, false}) {
    for (const BuiltinSig* sig : sigs) {
      std::vector<std::string> names;
      for (const ParamSig& p : sig->params) names.push_back(p.name);
      std::vector<int> b;
      SourceLoc where = e.loc;
      std::string err = bind_args(names, args, name, b, &where);
      bool ok = err.empty();
      if (ok) where = e.loc;
      for (std::size_t i = 0; ok && i < sig->params.size(); ++i) {
        if (b[i] < 0) {
          if (!sig->params[i].default_value) {
            ok = false;
            err = "missing argument '" + std::string(sig->params[i].name) + "' in the call to '" + name + "'";
          }
          continue;
        }
        const CompiledArg& a = args[static_cast<std::size_t>(b[i])];
        if (!can_convert(a.value.type, sig->params[i].type, exact)) {
          ok = false;
          where = a.loc;
          err = "type mismatch: argument '" + std::string(sig->params[i].name) + "' of '" + name + "' expects " +
                sema::type_name(sig->params[i].type) + ", got " + sema::describe(a.value.type);
        }
      }
      if (ok) {
        chosen = sig;
        bound = b;
        break;
      }
      if (first_error.empty()) {
        first_error = err;
        first_error_loc = where;
      }
    }
    if (chosen) break;
  }
  if (!chosen) error(first_error_loc, first_error);

  // Arguments go to consecutive registers in parameter order.
  const auto n = static_cast<std::uint16_t>(chosen->params.size());
  std::vector<ExprValue> values(n);
  Qual qual = Qual::Const;
  for (std::size_t i = 0; i < n; ++i) {
    const ParamSig& p = chosen->params[i];
    if (bound[i] < 0) {
      if (p.type == Type::String && p.default_value->i == kEmptyString)
        values[i] = constant(Type::String, make_int(pc_.pool.intern("")));
      else
        values[i] = constant(p.type, *p.default_value);
      continue;
    }
    CompiledArg& a = args[static_cast<std::size_t>(bound[i])];
    values[i] = a.value;
    convert(values[i], p.type);
    if (p.simple && a.value.type.qual == Qual::Series)
      error(a.loc, "argument '" + std::string(p.name) + "' of '" + name + "' must be 'simple " + sema::type_name(p.type) +
                       "' (fixed on the first bar), but it is " + sema::describe(a.value.type));
    qual = sema::max_qual(qual, a.value.type.qual);
  }
  const std::uint16_t first_arg = alloc_regs(n, e.loc);
  emit_arg_block(first_arg, values);
  const auto nres = static_cast<std::uint16_t>(chosen->results.size());
  const std::uint16_t first_result = alloc_regs(nres, e.loc);
  at(e.loc);
  if (chosen->kind == BuiltinSig::Kind::Builtin) {
    emit_.abc(Opcode::BUILTIN, chosen->id, first_arg, first_result);
  } else if (chosen->kind == BuiltinSig::Kind::Strategy) {
    if (!pc_.program.strategy)
      error(e.loc, "'" + name + "' can only be used in a strategy: declare the script with strategy() instead of indicator()");
    emit_.abc(Opcode::STRATEGY, chosen->id, first_arg, first_result);
    qual = Qual::Series;
  } else {
    if (cond_depth_ > 0)
      warn(e.loc, "'" + name + "' should be called on each calculation for consistency; extract the call from this scope");
    fn_.states.push_back(static_cast<StateKind>(chosen->id));
    emit_.abc(Opcode::TA, static_cast<std::uint16_t>(fn_.states.size() - 1), first_arg, first_result);
    qual = Qual::Series;
  }
  std::vector<ExprValue> out;
  for (std::uint16_t i = 0; i < nres; ++i) {
    ExprValue v;
    v.reg = static_cast<std::uint16_t>(first_result + i);
    v.type = sema::make_type(chosen->results[i], qual);
    out.push_back(v);
  }
  return out;
}

// Three instructions: BUILTIN PIVOT_TYPE turns the (series) type string
// into its code, with TradingView's runtime error for an unknown one; TA
// PIVOT_LEVELS steps the call site's period state into 11 floats; then a new
// array<float> receives them, as TradingView returns a fresh array per call.
ExprValue FunctionCompiler::compile_pivot_point_levels(const ast::Expr& e) {
  const std::string fname = "ta.pivot_point_levels";
  std::vector<CompiledArg> args;
  for (const ast::Arg& a : e.args) args.push_back({a.name, a.loc, compile_single(*a.value)});
  std::vector<int> bound;
  SourceLoc where = e.loc;
  if (std::string err = bind_args({"type", "anchor", "developing"}, args, fname, bound, &where); !err.empty())
    error(where, err);
  static const Type kTypes[] = {Type::String, Type::Bool, Type::Bool};
  static const char* const kNames[] = {"type", "anchor", "developing"};
  std::vector<ExprValue> values(3);
  for (std::size_t i = 0; i < 3; ++i) {
    if (bound[i] < 0) {
      if (i < 2) error(e.loc, "missing argument '" + std::string(kNames[i]) + "' in the call to '" + fname + "'");
      values[i] = constant(Type::Bool, make_int(0)); // developing = false
      continue;
    }
    CompiledArg& a = args[static_cast<std::size_t>(bound[i])];
    values[i] = a.value;
    if (!can_convert(a.value.type, kTypes[i], true) || !convert(values[i], kTypes[i]))
      error(a.loc, "type mismatch: argument '" + std::string(kNames[i]) + "' of '" + fname + "' expects " +
                       sema::type_name(kTypes[i]) + ", got " + sema::describe(a.value.type));
  }
  if (cond_depth_ > 0)
    warn(e.loc, "'" + fname + "' should be called on each calculation for consistency; extract the call from this scope");
  at(e.loc);
  const std::uint16_t first_arg = alloc_regs(3, e.loc);
  emit_.abc(Opcode::BUILTIN, static_cast<std::uint16_t>(BuiltinId::PIVOT_TYPE), values[0].reg, first_arg);
  emit_arg_block(static_cast<std::uint16_t>(first_arg + 1), {values[1], values[2]});
  const std::uint16_t first_level = alloc_regs(11, e.loc);
  fn_.states.push_back(StateKind::PIVOT_LEVELS);
  emit_.abc(Opcode::TA, static_cast<std::uint16_t>(fn_.states.size() - 1), first_arg, first_level);

  const TypeInfo elem = sema::make_type(Type::Float, Qual::Series);
  const TypeInfo arr = pc_.types.array_of(elem);
  const auto code = static_cast<std::uint8_t>(Type::Float);
  ExprValue out = emit_coll(CollOp::ARRAY_NEW, code, {constant(Type::Int, make_int(0)), constant(Type::Float, make_float(kFloatNa))},
                            arr, e.loc);
  for (std::uint16_t i = 0; i < 11; ++i) {
    ExprValue level;
    level.reg = static_cast<std::uint16_t>(first_level + i);
    level.type = elem;
    emit_coll(CollOp::ARRAY_PUSH, code, {out, level}, TypeInfo{}, e.loc);
  }
  return out;
}

} // namespace pine
