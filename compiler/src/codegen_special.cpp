// Builtins with bespoke lowering: declarations, logs, inputs, na handling,
// casts, variadic math and str.format (output calls: codegen_plots.cpp).
#include <cmath>

#include <unordered_set>

#include "builtin_table.h"
#include "codegen.h"
#include "codegen_time.h"
#include "pine/vm/number_format.h"

namespace pine {

using sema::Qual;

namespace {

/// The argument for parameter `name` at position `pos` (named or
/// positional), or null.
const ast::Expr* find_arg(const ast::Expr& call, std::size_t pos, const char* name) {
  std::size_t positional = 0;
  for (const ast::Arg& a : call.args) {
    if (a.name.empty()) {
      if (positional++ == pos) return a.value.get();
    } else if (a.name == name) {
      return a.value.get();
    }
  }
  return nullptr;
}

/// Rejects named arguments not in `allowed` and too many positional ones.
std::string check_params(const ast::Expr& call, const std::string& fname, const std::vector<const char*>& allowed) {
  std::size_t positional = 0;
  bool seen_named = false;
  for (const ast::Arg& a : call.args) {
    if (a.name.empty()) {
      if (seen_named) return "Positional arguments cannot follow named arguments (in the call to '" + fname + "')";
      ++positional;
      continue;
    }
    seen_named = true;
    bool known = false;
    for (const char* n : allowed) known = known || a.name == n;
    if (!known) return "'" + fname + "' has no parameter named '" + a.name + "'";
  }
  if (positional > allowed.size())
    return "too many arguments in the call to '" + fname + "': it takes " + std::to_string(allowed.size());
  return {};
}

/// Most arguments one str.format call takes: far more than any message
/// needs, and few enough to keep the argument window small.
constexpr std::size_t kMaxFormatArguments = 256;

/// The value of a literal (possibly negated) numeric argument.
std::optional<double> literal_number(const ast::Expr* e) {
  if (e == nullptr) return std::nullopt;
  if (e->kind == ast::ExprKind::IntLit) return static_cast<double>(e->int_value);
  if (e->kind == ast::ExprKind::FloatLit) return e->float_value;
  if (e->kind == ast::ExprKind::Unary && e->op == ast::Op::Neg) {
    if (auto v = literal_number(e->lhs.get())) return -*v;
  }
  return std::nullopt;
}

} // namespace

std::optional<std::vector<ExprValue>> FunctionCompiler::compile_special_call(const ast::Expr& e, const std::string& name) {
  if (auto output = compile_output_call(e, name)) return output;
  auto need = [&](const ast::Expr* a, const char* param) -> const ast::Expr& {
    if (a == nullptr) error(e.loc, "missing argument '" + std::string(param) + "' in the call to '" + name + "'");
    return *a;
  };
  auto check = [&](const std::vector<const char*>& allowed) {
    if (std::string err = check_params(e, name, allowed); !err.empty()) error(e.loc, err);
  };
  auto global_only = [&]() {
    if (!is_main_ || scopes_.size() != 1 || cond_depth_ > 0)
      error(e.loc, "'" + name + "' can only be called in the global scope");
  };
  auto string_literal = [&](const ast::Expr* a, const char* what) -> std::string {
    if (a == nullptr) return {};
    if (a->kind != ast::ExprKind::StringLit) error(a->loc, std::string(what) + " must be a string literal");
    return a->text;
  };

  if (name == "indicator") {
    global_only();
    check({"title", "shorttitle", "overlay", "format", "precision", "scale", "max_bars_back", "timeframe",
           "timeframe_gaps", "explicit_plot_zorder", "max_lines_count", "max_labels_count", "max_boxes_count",
           "calc_bars_count", "max_polylines_count", "dynamic_requests", "behind_chart"});
    if (pc_.declared_indicator) error(e.loc, "a script may only have one indicator/strategy/library declaration");
    pc_.declared_indicator = true;
    pc_.program.title = string_literal(find_arg(e, 0, "title"), "the indicator title");
    // max_bars_back was read before compilation started (compile_main).
    return std::vector<ExprValue>{};
  }
  if (name == "strategy") {
    global_only();
    if (pc_.declared_indicator) error(e.loc, "a script may only have one indicator/strategy/library declaration");
    pc_.declared_indicator = true;
    compile_strategy_declaration(e);
    return std::vector<ExprValue>{};
  }
  if (name == "library") {
    // A library: its exported functions are checked after the body
    // (ProgramCompiler::check_library_exports); it cannot be run.
    global_only();
    check({"title", "overlay", "dynamic_requests"});
    if (pc_.declared_indicator) error(e.loc, "a script may only have one indicator/strategy/library declaration");
    pc_.declared_indicator = true;
    pc_.is_library = true;
    pc_.program.title = string_literal(find_arg(e, 0, "title"), "the library title");
    return std::vector<ExprValue>{};
  }
  if (name == "study")
    error(e.loc, "'study()' declares a Pine Script version 1-4 script (on TradingView a script without a //@version line "
                 "is version 1); pinevm runs versions 5 and 6: port the script and declare it with indicator()");
  if (name == "log.info" || name == "log.warning" || name == "log.error" || name == "runtime.error") {
    // log.*(message) or log.*(formatString, args...) as str.format.
    ExprValue msg;
    if (name != "runtime.error" && e.args.size() > 1) {
      msg = compile_str_format(e, 0, name);
    } else {
      check({"message"});
      const ast::Expr& arg = need(find_arg(e, 0, "message"), "message");
      msg = compile_single(arg);
      if (!convert(msg, Type::String))
        error(arg.loc, "type mismatch: " + name + " expects a string message, got " + sema::describe(msg.type));
    }
    at(e.loc);
    if (name == "runtime.error") emit_.abc(Opcode::RAISE, msg.reg);
    else emit_.abc(Opcode::LOG, name == "log.info" ? 0 : (name == "log.warning" ? 1 : 2), msg.reg);
    return std::vector<ExprValue>{};
  }
  if (name == "str.format") return std::vector<ExprValue>{compile_str_format(e, 0, name)};
  if (name == "math.random") {
    // math.random(min = 0, max = 1, seed = na): the instance's generator.
    check({"min", "max", "seed"});
    const std::uint16_t args = alloc_regs(3, e.loc);
    const ast::Expr* min = find_arg(e, 0, "min");
    const ast::Expr* max = find_arg(e, 1, "max");
    const ast::Expr* seed = find_arg(e, 2, "seed");
    const ExprValue lo = min ? compile_as(*min, Type::Float, "math.random()'s min") : constant(Type::Float, make_float(0));
    const ExprValue hi = max ? compile_as(*max, Type::Float, "math.random()'s max") : constant(Type::Float, make_float(1));
    const ExprValue sd = seed ? compile_as(*seed, Type::Int, "math.random()'s seed") : constant(Type::Int, make_int(kIntNa));
    emit_arg_block(args, {lo, hi, sd});
    ExprValue out;
    out.reg = alloc_reg(e.loc);
    out.type = sema::make_type(Type::Float, Qual::Series);
    at(e.loc);
    emit_.abc(Opcode::RANDOM, out.reg, args);
    return std::vector<ExprValue>{out};
  }
  if (name == "na") {
    check({"x"});
    const ast::Expr& x = need(find_arg(e, 0, "x"), "x");
    ExprValue v = compile_single(x);
    if (v.type.is_na) return std::vector<ExprValue>{constant(Type::Bool, make_int(1))};
    Opcode op = Opcode::ISNAF;
    switch (v.type.type) {
      case Type::Float: op = Opcode::ISNAF; break;
      case Type::Int: op = Opcode::ISNAI; break;
      case Type::Color: op = Opcode::ISNAC; break;
      case Type::String: op = Opcode::ISNAS; break;
      case Type::Enum: op = Opcode::ISNAI; break;
      case Type::Ref: op = Opcode::ISNAR; break;
      default: error(x.loc, "na() does not accept " + sema::describe(v.type) + " (bool values are never na in v6)");
    }
    ExprValue out;
    out.reg = alloc_reg(e.loc);
    out.type = sema::make_type(Type::Bool, v.type.qual);
    emit_.abc(op, out.reg, v.reg);
    return std::vector<ExprValue>{out};
  }
  if (name == "nz") {
    check({"source", "replacement"});
    const ast::Expr& x = need(find_arg(e, 0, "source"), "source");
    ExprValue v = compile_single(x);
    if (v.type.is_na) error(x.loc, "nz() needs a typed value");
    const Type t = v.type.type;
    Opcode test = Opcode::ISNAF;
    switch (t) {
      case Type::Float: test = Opcode::ISNAF; break;
      case Type::Int: test = Opcode::ISNAI; break;
      case Type::Color: test = Opcode::ISNAC; break;
      default: error(x.loc, "nz() does not accept " + sema::describe(v.type));
    }
    ExprValue out;
    out.reg = alloc_reg(e.loc);
    out.type = v.type;
    emit_.abc(Opcode::MOVE, out.reg, v.reg);
    const std::uint16_t flag = alloc_reg(e.loc);
    emit_.abc(test, flag, out.reg);
    const std::size_t skip = emit_.jump(Opcode::JMPF, flag);
    ExprValue repl;
    if (const ast::Expr* r = find_arg(e, 1, "replacement")) {
      repl = compile_as(*r, t, "nz()'s replacement");
      out.type.qual = sema::max_qual(out.type.qual, repl.type.qual);
    } else {
      repl = constant(t, t == Type::Float ? make_float(0.0) : make_int(0));
    }
    emit_.abc(Opcode::MOVE, out.reg, repl.reg);
    emit_.patch_to_here(skip);
    return std::vector<ExprValue>{out};
  }
  if (name == "int" || name == "float") {
    check({"x"});
    const ast::Expr& x = need(find_arg(e, 0, "x"), "x");
    ExprValue v = compile_single(x);
    const Type want = name == "int" ? Type::Int : Type::Float;
    if (v.type.is_na || v.type.type == want) {
      convert(v, want);
      v.type.int_like = false;
      return std::vector<ExprValue>{v};
    }
    if (v.type.type == Type::Bool) {
      // A bool is 0 or 1 in its slot: int(true) is 1, float(true) is 1.0.
      ExprValue out;
      out.reg = alloc_reg(e.loc);
      out.type = sema::make_type(want, v.type.qual);
      emit_.abc(want == Type::Int ? Opcode::MOVE : Opcode::I2F, out.reg, v.reg);
      return std::vector<ExprValue>{out};
    }
    if (v.type.type != Type::Int && v.type.type != Type::Float)
      error(x.loc, "cannot convert " + sema::describe(v.type) + " to " + name);
    ExprValue out;
    out.reg = alloc_reg(e.loc);
    out.type = sema::make_type(want, v.type.qual);
    emit_.abc(want == Type::Int ? Opcode::F2I : Opcode::I2F, out.reg, v.reg);
    return std::vector<ExprValue>{out};
  }
  if (name == "bool") {
    // bool(x): true for a number other than 0; na (and 0) give false.
    check({"x"});
    const ast::Expr& x = need(find_arg(e, 0, "x"), "x");
    ExprValue v = compile_single(x);
    if (v.type.is_na) return std::vector<ExprValue>{constant(Type::Bool, make_int(0))};
    if (v.type.type == Type::Bool) return std::vector<ExprValue>{v};
    if (v.type.type != Type::Int && v.type.type != Type::Float)
      error(x.loc, "cannot convert " + sema::describe(v.type) + " to bool");
    const bool is_int = v.type.type == Type::Int;
    ExprValue zero = constant(v.type.type, is_int ? make_int(0) : make_float(0.0));
    ExprValue out;
    out.reg = alloc_reg(e.loc);
    out.type = sema::make_type(Type::Bool, v.type.qual);
    emit_.abc(is_int ? Opcode::NEI : Opcode::NEF, out.reg, v.reg, zero.reg);
    return std::vector<ExprValue>{out};
  }
  if (name == "max_bars_back") {
    // max_bars_back(var, n): history rings are sized from the code at compile
    // time, so the hint only needs checking (a variable, a literal 1..5000).
    check({"var", "num"});
    const ast::Expr& var = need(find_arg(e, 0, "var"), "var");
    const ast::Expr& num = need(find_arg(e, 1, "num"), "num");
    if (var.kind != ast::ExprKind::Name || lookup(var.text) == nullptr)
      error(var.loc, "max_bars_back() needs a variable or built-in series as its first argument");
    if (num.kind != ast::ExprKind::IntLit || num.int_value < 1 || num.int_value > 5000)
      error(num.loc, "max_bars_back() needs an int literal between 1 and 5000");
    return std::vector<ExprValue>{};
  }
  if (name == "math.max" || name == "math.min" || name == "math.avg") {
    if (e.args.size() < 2) error(e.loc, "'" + name + "' needs at least two arguments");
    std::vector<ExprValue> vs;
    bool all_int = name != "math.avg";
    for (const ast::Arg& a : e.args) {
      if (!a.name.empty()) error(a.loc, "'" + name + "' takes only positional arguments");
      ExprValue v = compile_single(*a.value);
      if (v.type.is_na) convert(v, Type::Float);
      if (v.type.type != Type::Int && v.type.type != Type::Float)
        error(a.loc, "'" + name + "' needs numbers, got " + sema::describe(v.type));
      all_int = all_int && v.type.type == Type::Int;
      vs.push_back(v);
    }
    const Type t = all_int ? Type::Int : Type::Float;
    Qual q = Qual::Const;
    for (ExprValue& v : vs) {
      convert(v, t);
      q = sema::max_qual(q, v.type.qual);
    }
    ExprValue acc;
    acc.reg = alloc_reg(e.loc);
    acc.type = sema::make_type(t, q);
    emit_.abc(Opcode::MOVE, acc.reg, vs[0].reg);
    const std::uint16_t pair = alloc_regs(2, e.loc);
    for (std::size_t i = 1; i < vs.size(); ++i) {
      if (name == "math.avg") {
        emit_.abc(Opcode::ADDF, acc.reg, acc.reg, vs[i].reg);
        continue;
      }
      emit_.abc(Opcode::MOVE, pair, acc.reg);
      emit_.abc(Opcode::MOVE, static_cast<std::uint16_t>(pair + 1), vs[i].reg);
      BuiltinId id = name == "math.max" ? (all_int ? BuiltinId::MAX_I : BuiltinId::MAX_F)
                                        : (all_int ? BuiltinId::MIN_I : BuiltinId::MIN_F);
      emit_.abc(Opcode::BUILTIN, static_cast<std::uint16_t>(id), pair, acc.reg);
    }
    if (name == "math.avg") {
      ExprValue n = constant(Type::Float, make_float(static_cast<double>(vs.size())));
      emit_.abc(Opcode::DIVF, acc.reg, acc.reg, n.reg);
    }
    return std::vector<ExprValue>{acc};
  }
  if ((name == "ta.highest" || name == "ta.lowest") && e.args.size() == 1 && e.args[0].name != "source") {
    // The one-argument overload reads high (highest) or low (lowest).
    std::vector<CompiledArg> args;
    args.push_back({"", e.loc, compile_name_value(name == "ta.highest" ? "high" : "low", e.loc)});
    args.push_back({"length", e.args[0].loc, compile_single(*e.args[0].value)});
    return emit_table_call(e, name, std::move(args));
  }
  if (name == "input" || name.rfind("input.", 0) == 0)
    return std::vector<ExprValue>{compile_input(e, name)};
  if (auto timed = compile_time_call(*this, e, name)) return timed;
  return std::nullopt;
}

ExprValue FunctionCompiler::compile_str_format(const ast::Expr& e, std::size_t first, const std::string& fname) {
  // The pattern, then each argument in one slot; their types travel as a
  // string constant ("fis": float, int, string) the VM and verifier read.
  if (e.args.size() <= first) error(e.loc, "missing argument 'formatString' in the call to '" + fname + "'");
  for (std::size_t i = 0; i < e.args.size(); ++i) {
    const ast::Arg& a = e.args[i];
    if (!a.name.empty() && !(i == first && (a.name == "formatString" || a.name == "message")))
      error(a.loc, "'" + fname + "' takes its format arguments by position");
  }
  if (e.args.size() - first - 1 > kMaxFormatArguments)
    error(e.loc, "'" + fname + "' takes at most " + std::to_string(kMaxFormatArguments) + " format arguments");
  std::vector<ExprValue> values{compile_as(*e.args[first].value, Type::String, fname + "()'s format string")};
  std::string types;
  Qual qual = values[0].type.qual;
  for (std::size_t i = first + 1; i < e.args.size(); ++i) {
    ExprValue v = compile_single(*e.args[i].value);
    if (v.type.is_na) convert(v, Type::Float);
    switch (v.type.type) {
      case Type::Float: types.push_back('f'); break;
      case Type::Int: types.push_back('i'); break;
      case Type::Bool: types.push_back('b'); break;
      case Type::String: types.push_back('s'); break;
      default: error(e.args[i].loc, "'" + fname + "' cannot format " + sema::describe(v.type));
    }
    qual = sema::max_qual(qual, v.type.qual);
    values.push_back(v);
  }
  const std::int64_t signature = pc_.pool.intern(types);
  if (signature > 65535) error(e.loc, "the script has too many distinct strings");
  const std::uint16_t base = alloc_regs(static_cast<std::uint16_t>(values.size()), e.loc);
  emit_arg_block(base, values);
  ExprValue out;
  out.reg = alloc_reg(e.loc);
  out.type = sema::make_type(Type::String, qual);
  at(e.loc);
  emit_.abc(Opcode::STRFORMAT, out.reg, base, static_cast<std::uint16_t>(signature));
  return out;
}

ExprValue FunctionCompiler::compile_source_input(const ast::Expr& e, const ast::Expr& defval, InputDecl in) {
  // The default must be one of the float built-in series; the input then
  // selects which one the script reads on every bar.
  std::uint64_t var = static_cast<std::uint64_t>(BuiltinVar::Count);
  if (defval.kind == ast::ExprKind::Name)
    for (std::uint8_t v = 0; v < static_cast<std::uint8_t>(BuiltinVar::Count); ++v)
      if (is_source_var(v) && defval.text == builtin_var_info(static_cast<BuiltinVar>(v)).name) var = v;
  if (var == static_cast<std::uint64_t>(BuiltinVar::Count))
    error(defval.loc, "input.source()'s default must be a built-in price series (open, high, low, close, volume, hl2, hlc3, "
                      "ohlc4, hlcc4)");
  in.kind = InputKind::Source;
  in.default_value.u = var;
  const std::uint16_t index = register_input(e, std::move(in));
  ExprValue out;
  out.reg = alloc_reg(e.loc);
  out.type = sema::make_type(Type::Float, Qual::Series);
  at(e.loc);
  emit_.abc(Opcode::LOADSOURCE, out.reg, index);
  return out;
}

std::uint16_t FunctionCompiler::register_input(const ast::Expr& e, InputDecl in) {
  if (in.title.empty()) in.title = "input " + std::to_string(pc_.program.inputs.size());
  // The group, when given as a literal (TradingView requires a const string).
  std::string group;
  for (const ast::Arg& a : e.args)
    if (a.name == "group" && a.value && a.value->kind == ast::ExprKind::StringLit) group = a.value->text;
  // Titles may repeat across groups (TradingView shows them apart); a host
  // then names each such input "group/title" (docs/semantics.md, Inputs).
  // Only colliding inputs get that key, so other programs' bytes do not change.
  auto key_of = [](const std::string& g, const std::string& title) { return g + "/" + title; };
  std::vector<std::size_t> same_title;
  for (std::size_t i = 0; i < pc_.program.inputs.size(); ++i) {
    if (pc_.program.inputs[i].title != in.title) continue;
    if (pc_.input_groups[i] == group)
      error(e.loc, "two inputs share the title '" + in.title + "'" +
                       (group.empty() ? std::string(" and have no group") : " in the group '" + group + "'"));
    same_title.push_back(i);
  }
  if (!same_title.empty()) {
    in.key = key_of(group, in.title);
    for (std::size_t i : same_title) pc_.program.inputs[i].key = key_of(pc_.input_groups[i], in.title);
  }
  // A name must pick one input: the names (keys, or titles where there is
  // no key) must differ. Only keys can clash, so this runs when one is involved.
  auto name_of = [](const InputDecl& x) -> const std::string& { return x.key.empty() ? x.title : x.key; };
  bool keys_involved = !in.key.empty();
  for (const InputDecl& other : pc_.program.inputs) keys_involved = keys_involved || other.key == in.title;
  if (keys_involved) {
    std::unordered_set<std::string> names{name_of(in)};
    for (const InputDecl& other : pc_.program.inputs)
      if (!names.insert(name_of(other)).second)
        error(e.loc, "the input '" + name_of(other) + "' cannot be told apart from another input named '" + name_of(other) + "'");
  }
  if (pc_.program.inputs.size() >= 65535) error(e.loc, "too many inputs");
  pc_.program.inputs.push_back(std::move(in));
  pc_.input_groups.push_back(group);
  return static_cast<std::uint16_t>(pc_.program.inputs.size() - 1);
}

ExprValue FunctionCompiler::compile_input(const ast::Expr& e, const std::string& name) {
  const ast::Expr* defval = find_arg(e, 0, "defval");
  if (defval == nullptr) error(e.loc, "missing argument 'defval' in the call to '" + name + "'");
  InputDecl in;
  const ast::Expr* title = find_arg(e, 1, "title");
  if (title != nullptr) {
    if (title->kind != ast::ExprKind::StringLit) error(title->loc, "an input title must be a string literal");
    in.title = title->text;
  }
  // input(close) is a source input, as input.source(close) (Reference:
  // input, which infers its kind from the default).
  const bool source_default = defval->kind == ast::ExprKind::Name && lookup(defval->text) != nullptr &&
                              lookup(defval->text)->is_builtin && lookup(defval->text)->type.type == Type::Float;
  if (name == "input.source" || (name == "input" && source_default)) return compile_source_input(e, *defval, std::move(in));
  // The kind: from the function name, or from the default's type.
  Type t = Type::Void;
  if (name == "input.int") t = Type::Int;
  else if (name == "input.float") t = Type::Float;
  else if (name == "input.bool") t = Type::Bool;
  // Timeframes, symbols, sessions and text areas are string inputs; their
  // text is passed to the script as given.
  else if (name == "input.string" || name == "input.timeframe" || name == "input.symbol" || name == "input.session" ||
           name == "input.text_area")
    t = Type::String;
  else if (name == "input.price") t = Type::Float;
  else if (name == "input.color" || name == "input.time" || name == "input.enum")
    return compile_typed_input(e, name, *defval, std::move(in));
  else if (name != "input")
    error(e.loc, "'" + name + "' is not supported yet");
  auto number = literal_number(defval);
  if (t == Type::Void) {
    switch (defval->kind) {
      case ast::ExprKind::IntLit: t = Type::Int; break;
      case ast::ExprKind::FloatLit: t = Type::Float; break;
      case ast::ExprKind::BoolLit: t = Type::Bool; break;
      case ast::ExprKind::StringLit: t = Type::String; break;
      default:
        if (number) t = defval->lhs && defval->lhs->kind == ast::ExprKind::IntLit ? Type::Int : Type::Float;
        else error(defval->loc, "input()'s default must be a literal int, float, bool or string");
    }
  }
  switch (t) {
    case Type::Int:
      if (!number || std::floor(*number) != *number || (defval->kind == ast::ExprKind::FloatLit))
        error(defval->loc, "'" + name + "' needs an int literal default");
      in.kind = InputKind::Int;
      in.default_value = make_int(static_cast<std::int64_t>(*number));
      break;
    case Type::Float:
      if (!number) error(defval->loc, "'" + name + "' needs a numeric literal default");
      in.kind = InputKind::Float;
      in.default_value = make_float(*number);
      break;
    case Type::Bool:
      if (defval->kind != ast::ExprKind::BoolLit) error(defval->loc, "'" + name + "' needs a bool literal default");
      in.kind = InputKind::Bool;
      in.default_value = make_int(defval->bool_value ? 1 : 0);
      break;
    default:
      if (defval->kind != ast::ExprKind::StringLit) error(defval->loc, "'" + name + "' needs a string literal default");
      in.kind = InputKind::String;
      in.default_value = make_int(pc_.pool.intern(defval->text));
      // The host's value for these is checked (InstanceBuilder::input).
      in.format = name == "input.timeframe" ? InputFormat::Timeframe
                  : name == "input.symbol"  ? InputFormat::Symbol
                  : name == "input.session" ? InputFormat::Session
                                            : InputFormat::Any;
      break;
  }
  if (const ast::Expr* minval = find_arg(e, 99, "minval")) {
    auto v = literal_number(minval);
    if (!v) error(minval->loc, "minval must be a numeric literal");
    in.minval = *v;
  }
  if (const ast::Expr* maxval = find_arg(e, 99, "maxval")) {
    auto v = literal_number(maxval);
    if (!v) error(maxval->loc, "maxval must be a numeric literal");
    in.maxval = *v;
  }
  if (const ast::Expr* options = find_arg(e, 99, "options")) {
    if (options->kind != ast::ExprKind::Tuple) error(options->loc, "options must be a list literal like [\"a\", \"b\"]");
    for (const ast::ExprPtr& o : options->elems) {
      if (o->kind == ast::ExprKind::StringLit) in.options.push_back(o->text);
      else if (auto v = literal_number(o.get())) in.options.push_back(format_pine_number(*v));
      else error(o->loc, "options must be literals");
    }
  }
  const std::uint16_t index = register_input(e, std::move(in));
  ExprValue out;
  out.reg = alloc_reg(e.loc);
  out.type = sema::make_type(t, Qual::Input);
  at(e.loc);
  emit_.abc(Opcode::LOADINPUT, out.reg, index);
  return out;
}

} // namespace pine
