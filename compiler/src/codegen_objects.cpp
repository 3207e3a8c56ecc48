// Objects: type and enum declarations, field access, constructors, the
// collection builtins and method calls.
#include "codegen.h"

#include "builtin_table.h"
#include "codegen_matrix.h"

namespace pine {

using sema::Qual;
using sema::TypeInfo;

namespace {

/// True for the drawing types, which are rejected as not supported yet.
bool is_drawing_type(const std::string& n) {
  return n == "line" || n == "label" || n == "box" || n == "table" || n == "linefill" || n == "polyline" ||
         n == "chart.point";
}

/// The legacy array constructors and the element type each makes.
std::optional<Type> legacy_array_elem(const std::string& name) {
  if (name == "array.new_float") return Type::Float;
  if (name == "array.new_int") return Type::Int;
  if (name == "array.new_bool") return Type::Bool;
  if (name == "array.new_string") return Type::String;
  if (name == "array.new_color") return Type::Color;
  return std::nullopt;
}

/// Splits "a.b.c" into its parts.
std::vector<std::string> split_dots(const std::string& s) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = s.find('.', start);
    parts.push_back(s.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

std::string join_parts(const std::vector<std::string>& parts, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) out += (i > from ? "." : "") + parts[i];
  return out;
}

} // namespace

TypeInfo FunctionCompiler::resolve_type(const ast::TypeRef& t) {
  auto arity = [&](std::size_t n) {
    if (t.args.size() != n)
      error(t.loc, "type '" + t.name + "' takes " + std::to_string(n) + " type argument" + (n == 1 ? "" : "s"));
  };
  if (auto core = core_type_from_keyword(t.name)) {
    arity(0);
    return sema::make_type(*core, Qual::Series);
  }
  if (t.name == "array") {
    arity(1);
    return pc_.types.array_of(resolve_type(t.args[0]));
  }
  if (t.name == "map") {
    arity(2);
    const TypeInfo key = resolve_type(t.args[0]);
    if (key.type == Type::Ref) error(t.args[0].loc, "map keys must be a value type (int, float, bool, color, string or an enum)");
    return pc_.types.map_of(key, resolve_type(t.args[1]));
  }
  if (t.name == "matrix") {
    arity(1);
    return pc_.types.matrix_of(resolve_type(t.args[0]));
  }
  if (is_drawing_type(t.name)) error(t.loc, "type '" + t.name + "' is not supported yet (drawings)");
  arity(0);
  if (auto u = find_scoped(pc_.udt_names, t.name); u != pc_.udt_names.end()) {
    TypeInfo r = sema::make_type(Type::Ref, Qual::Series);
    r.id = pc_.types.udts[u->second].composite;
    return r;
  }
  if (auto en = find_scoped(pc_.enum_names, t.name); en != pc_.enum_names.end()) {
    TypeInfo r = sema::make_type(Type::Enum, Qual::Series);
    r.id = en->second;
    return r;
  }
  error(t.loc, "unknown type '" + t.name + "'");
}

bool FunctionCompiler::convert_to(ExprValue& v, const TypeInfo& want) {
  if (want.type != Type::Ref && want.type != Type::Enum) return convert(v, want.type);
  if (v.type.is_na) {
    emit_.patch(*v.na_load, pc_.pool.add(want.type, na_value(want.type)));
    v.na_load.reset();
    v.type = want;
    v.type.qual = Qual::Const;
    return true;
  }
  return sema::same_type(v.type, want);
}

ExprValue FunctionCompiler::compile_as_type(const ast::Expr& e, const TypeInfo& want, const std::string& what) {
  if (want.type != Type::Ref && want.type != Type::Enum) return compile_as(e, want.type, what);
  ExprValue v = compile_single(e);
  if (!convert_to(v, want))
    error(e.loc, "type mismatch: " + what + " expects " + pc_.types.name(want) + ", got " + describe(v.type));
  return v;
}

void FunctionCompiler::declare_udt(const ast::Stmt& s) {
  if (!is_main_ || scopes_.size() != 1) error(s.loc, "types can only be declared at the top level");
  const std::string name = ns_ + s.name;
  if (pc_.udt_names.count(name) || pc_.enum_names.count(name) || core_type_from_keyword(s.name) || s.name == "array" ||
      s.name == "map" || s.name == "matrix")
    error(s.loc, "type '" + s.name + "' is already declared");
  // Register the name first: a field may have the type itself (a linked list).
  const auto index = static_cast<std::uint32_t>(pc_.types.udts.size());
  pc_.types.udts.push_back(sema::UdtInfo{name, {}, 0, static_cast<std::uint32_t>(pc_.program.types.size())});
  sema::Composite c;
  c.kind = sema::CompositeKind::Udt;
  c.udt = index;
  pc_.types.udts[index].composite = pc_.types.ref(c).id;
  pc_.udt_names[name] = index;
  TypeDecl decl;
  decl.name = name;
  std::vector<sema::UdtField> fields;
  for (const ast::Param& f : s.params) {
    for (const sema::UdtField& seen : fields)
      if (seen.name == f.name) error(f.loc, "field '" + f.name + "' is declared twice in type '" + s.name + "'");
    sema::UdtField field;
    field.name = f.name;
    field.type = resolve_type(*f.type);
    field.default_value = f.default_value.get();
    field.varip = f.varip;
    fields.push_back(field);
    decl.fields.push_back(FieldDecl{f.name, field.type.type});
  }
  pc_.types.udts[index].fields = std::move(fields);
  pc_.program.types.push_back(std::move(decl));
}

void FunctionCompiler::declare_enum(const ast::Stmt& s) {
  if (!is_main_ || scopes_.size() != 1) error(s.loc, "enums can only be declared at the top level");
  const std::string name = ns_ + s.name;
  if (pc_.udt_names.count(name) || pc_.enum_names.count(name)) error(s.loc, "type '" + s.name + "' is already declared");
  sema::EnumInfo info;
  info.name = name;
  info.vm_index = static_cast<std::uint32_t>(pc_.program.enums.size());
  EnumDecl decl;
  decl.name = name;
  for (const ast::Param& m : s.params) {
    for (const std::string& seen : info.members)
      if (seen == m.name) error(m.loc, "member '" + m.name + "' is declared twice in enum '" + s.name + "'");
    std::string title = m.name;
    if (m.default_value) {
      if (m.default_value->kind != ast::ExprKind::StringLit) error(m.default_value->loc, "an enum member's title must be a string literal");
      title = m.default_value->text;
    }
    info.members.push_back(m.name);
    decl.titles.push_back(static_cast<std::uint32_t>(pc_.pool.intern(title)));
  }
  pc_.enum_names[name] = static_cast<std::uint32_t>(pc_.types.enums.size());
  pc_.note_name(name);
  pc_.types.enums.push_back(std::move(info));
  pc_.program.enums.push_back(std::move(decl));
}

ExprValue FunctionCompiler::emit_field_get(const ExprValue& obj, const std::string& field, SourceLoc loc) {
  if (!pc_.types.is_udt(obj.type)) error(loc, "cannot access field '" + field + "' of " + describe(obj.type));
  const sema::UdtInfo& udt = pc_.types.udt_of(obj.type);
  for (std::size_t i = 0; i < udt.fields.size(); ++i) {
    if (udt.fields[i].name != field) continue;
    ExprValue r;
    r.reg = alloc_reg(loc);
    r.type = udt.fields[i].type;
    r.type.qual = Qual::Series;
    at(loc);
    emit_.abc(Opcode::GETFIELD, r.reg, obj.reg, static_cast<std::uint16_t>(i));
    return r;
  }
  error(loc, "type '" + udt.name + "' has no field '" + field + "'");
}

std::optional<ExprValue> FunctionCompiler::compile_dotted_name(const ast::Expr& e) {
  const std::vector<std::string> parts = split_dots(e.text);
  if (parts.size() < 2) return std::nullopt;
  if (auto c = find_scoped(pc_.lib_constants, e.text); c != pc_.lib_constants.end())
    return constant(c->second.first, c->second.second);
  // Only prefixes of at most max_name_parts parts can name an enum or a
  // variable: without this bound a chain `a.next.next...` of n fields
  // would build n prefixes of up to n parts, O(n^2).
  const std::size_t longest = std::min(parts.size() - 1, pc_.max_name_parts);
  // Enum.member, where the enum name may itself be dotted (lib.Dir.up).
  for (std::size_t k = 1; k <= longest; ++k) {
    auto en = find_scoped(pc_.enum_names, join_parts(parts, 0, k));
    if (en == pc_.enum_names.end()) continue;
    const sema::EnumInfo& info = pc_.types.enums[en->second];
    if (k + 1 != parts.size()) error(e.loc, "'" + e.text + "' is not a member of enum '" + info.name + "'");
    for (std::size_t i = 0; i < info.members.size(); ++i) {
      if (info.members[i] != parts[k]) continue;
      ExprValue v = constant(Type::Enum, make_int(static_cast<std::int64_t>(i)));
      v.type.id = en->second;
      return v;
    }
    error(e.loc, "enum '" + info.name + "' has no member '" + parts[k] + "'");
  }
  // The longest prefix that names a variable, then fields.
  for (std::size_t n = longest; n >= 1; --n) {
    const Variable* var = lookup(join_parts(parts, 0, n));
    if (var == nullptr) continue;
    // A built-in variable that shares its name with a namespace
    // (`dayofweek` and `dayofweek.monday`) is not an object.
    if (var->is_builtin && var->type.type != Type::Ref) return std::nullopt;
    ast::Expr head(ast::ExprKind::Name, e.loc);
    head.text = join_parts(parts, 0, n);
    ExprValue v = compile_name(head);
    for (std::size_t i = n; i < parts.size(); ++i) v = emit_field_get(v, parts[i], e.loc);
    return v;
  }
  return std::nullopt;
}

std::uint8_t FunctionCompiler::elem_code(const TypeInfo& coll) {
  const sema::Composite& c = pc_.types.composite(coll);
  if (c.kind == sema::CompositeKind::Map)
    return static_cast<std::uint8_t>((static_cast<unsigned>(c.key.type) << 4) | static_cast<unsigned>(c.elem.type));
  return static_cast<std::uint8_t>(c.elem.type);
}

ExprValue FunctionCompiler::emit_coll(CollOp op, std::uint8_t t, const std::vector<ExprValue>& args, const TypeInfo& result,
                                      SourceLoc loc) {
  const CollOpInfo& info = coll_op_info(op);
  const std::uint16_t first = alloc_regs(info.arity, loc);
  if (args.size() <= info.arity) emit_arg_block(first, args);
  else emit_arg_block(first, std::vector<ExprValue>(args.begin(), args.begin() + info.arity));
  ExprValue out;
  out.reg = info.results > 0 ? alloc_regs(info.results, loc) : first;
  out.type = result;
  at(loc);
  emit_.at(emit_.abc(Opcode::COLL, static_cast<std::uint16_t>(op), first, out.reg)).elem_type = t;
  return out;
}

std::vector<ExprValue> FunctionCompiler::emit_collection_call(const ast::Expr& e, const std::string& name, const CollSig& sig,
                                                              std::vector<CompiledArg> args) {
  // Bind arguments to parameters (positional, then named).
  std::vector<int> bound(sig.params.size(), -1);
  std::size_t positional = 0;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i].name.empty()) {
      if (positional >= sig.params.size())
        error(args[i].loc, "too many arguments in the call to '" + name + "': it takes " + std::to_string(sig.params.size()));
      bound[positional++] = static_cast<int>(i);
      continue;
    }
    std::size_t p = 0;
    while (p < sig.params.size() && args[i].name != sig.params[p].name) ++p;
    if (p == sig.params.size()) error(args[i].loc, "'" + name + "' has no parameter named '" + args[i].name + "'");
    if (bound[p] >= 0) error(args[i].loc, "the argument '" + args[i].name + "' is given twice in the call to '" + name + "'");
    bound[p] = static_cast<int>(i);
  }
  if (bound[0] < 0) error(e.loc, "missing argument 'id' in the call to '" + name + "'");
  CompiledArg& self_arg = args[static_cast<std::size_t>(bound[0])];
  const TypeInfo self = self_arg.value.type;
  const bool want_map = name.rfind("map.", 0) == 0;
  const bool want_matrix = name.rfind("matrix.", 0) == 0;
  const std::string kind = want_map ? "map" : want_matrix ? "matrix" : "array";
  if (self.is_na) error(self_arg.loc, "'" + name + "' needs a typed " + kind + ", not na");
  if (want_map ? !pc_.types.is_map(self) : want_matrix ? !pc_.types.is_matrix(self) : !pc_.types.is_array(self))
    error(self_arg.loc, "'" + name + "' expects " + (want_map ? "a map" : want_matrix ? "a matrix" : "an array") + ", got " +
                            describe(self));
  const sema::Composite& comp = pc_.types.composite(self);
  const TypeInfo elem = comp.elem, key = comp.key;
  const Type et = elem.type;
  const bool numeric = et == Type::Int || et == Type::Float;
  bool elem_ok = true;
  switch (sig.rule) {
    case ElemRule::Any: break;
    case ElemRule::Numeric: elem_ok = numeric; break;
    case ElemRule::Sortable: elem_ok = numeric || et == Type::String || et == Type::Bool; break;
    case ElemRule::Truthy: elem_ok = et == Type::Bool || numeric; break;
    case ElemRule::Value: elem_ok = et != Type::Ref; break;
  }
  if (!elem_ok) error(e.loc, "'" + name + "' cannot be used on " + describe(self));

  std::vector<ExprValue> values(sig.params.size());
  std::optional<MatrixOperand> operand; // matrix arithmetic: set by the Operand parameter
  Qual qual = Qual::Series;
  for (std::size_t i = 0; i < sig.params.size(); ++i) {
    const CollParam& p = sig.params[i];
    TypeInfo want;
    switch (p.kind) {
      case CollParamKind::Self: case CollParamKind::Other: want = self; break;
      case CollParamKind::Elem: want = elem; break;
      case CollParamKind::Key: want = key; break;
      case CollParamKind::Int: want = sema::make_type(Type::Int, Qual::Series); break;
      case CollParamKind::Float: want = sema::make_type(Type::Float, Qual::Series); break;
      case CollParamKind::Bool: case CollParamKind::Order: want = sema::make_type(Type::Bool, Qual::Series); break;
      case CollParamKind::String: want = sema::make_type(Type::String, Qual::Series); break;
      case CollParamKind::ArrayOfElem: want = pc_.types.array_of(elem); break;
      case CollParamKind::Operand: want = self; break;
    }
    if (bound[i] < 0) {
      if (p.def == CollDefault::Required) error(e.loc, "missing argument '" + std::string(p.name) + "' in the call to '" + name + "'");
      Value dv = na_value(want.type);
      if (p.def == CollDefault::Zero) dv = make_int(0);
      if (p.def == CollDefault::True) dv = make_int(1);
      if (p.def == CollDefault::False) dv = make_int(0);
      values[i] = constant(want.type, dv);
      values[i].type.id = want.id;
      continue;
    }
    CompiledArg& a = args[static_cast<std::size_t>(bound[i])];
    values[i] = a.value;
    if (p.kind == CollParamKind::Order) {
      // order.ascending / order.descending are const strings; the VM takes
      // a "descending" flag.
      const ExprValue& v = a.value;
      const bool known = v.type.type == Type::String && v.const_load && v.const_value.i >= 0 &&
                         static_cast<std::size_t>(v.const_value.i) < pc_.program.strings.size();
      const std::string order = known ? pc_.program.strings[static_cast<std::size_t>(v.const_value.i)] : std::string();
      if (order != "ascending" && order != "descending")
        error(a.loc, "argument '" + std::string(p.name) + "' of '" + name + "' must be order.ascending or order.descending");
      values[i] = constant(Type::Bool, make_int(order == "descending" ? 1 : 0));
      continue;
    }
    if (p.kind == CollParamKind::Operand) {
      operand = resolve_matrix_operand(*this, sig, self, values[i], a.loc, name);
      continue;
    }
    if (!convert_to(values[i], want))
      error(a.loc, "type mismatch: argument '" + std::string(p.name) + "' of '" + name + "' expects " + pc_.types.name(want) +
                       ", got " + describe(a.value.type));
  }
  TypeInfo result;
  switch (sig.result) {
    case CollResult::None: result.type = Type::Void; break;
    case CollResult::Elem: result = elem; break;
    case CollResult::Key: result = key; break;
    case CollResult::Int: result = sema::make_type(Type::Int, qual); break;
    case CollResult::Float: result = sema::make_type(Type::Float, qual); break;
    case CollResult::Bool: result = sema::make_type(Type::Bool, qual); break;
    case CollResult::String: result = sema::make_type(Type::String, qual); break;
    case CollResult::Self: result = self; break;
    case CollResult::ArrayOfElem: result = pc_.types.array_of(elem); break;
    case CollResult::ArrayOfKey: result = pc_.types.array_of(key); break;
    case CollResult::ArrayOfInt: result = pc_.types.array_of(sema::make_type(Type::Int, qual)); break;
    case CollResult::ArrayOfFloat: result = pc_.types.array_of(sema::make_type(Type::Float, qual)); break;
    case CollResult::MatrixOfFloat: result = pc_.types.matrix_of(sema::make_type(Type::Float, qual)); break;
    case CollResult::Operand: result = operand ? operand->result : self; break;
  }
  result.qual = qual;
  ExprValue out = operand ? emit_coll(operand->op, operand->code, values, result, e.loc)
                          : emit_coll(sig.op, elem_code(self), values, result, e.loc);
  if (result.type == Type::Void) return {};
  return {out};
}

std::vector<ExprValue> FunctionCompiler::compile_method_call(const ast::Expr& e, ExprValue receiver, const std::string& method) {
  NestingGuard guard(pc_, e.loc);
  std::vector<CompiledArg> args;
  args.push_back({"", e.loc, receiver});
  for (const ast::Arg& a : e.args) args.push_back({a.name, a.loc, compile_single(*a.value)});
  // User methods whose first parameter has the receiver's type.
  if (auto m = pc_.methods.find(method); m != pc_.methods.end()) {
    for (UserFunction& f : m->second) {
      const TypeInfo self = method_self_type(f);
      if (receiver.type.is_na || sema::same_type(self, receiver.type) ||
          (receiver.type.type == Type::Int && self.type == Type::Float))
        return compile_user_call(e, f, std::move(args));
    }
  }
  std::string ns;
  if (pc_.types.is_array(receiver.type)) ns = "array.";
  else if (pc_.types.is_map(receiver.type)) ns = "map.";
  else if (pc_.types.is_matrix(receiver.type)) ns = "matrix.";
  if (!ns.empty()) {
    if (const CollSig* sig = find_collection_function(ns + method)) return emit_collection_call(e, ns + method, *sig, std::move(args));
  }
  if (pc_.types.is_udt(receiver.type) && method == "copy" && e.args.empty()) {
    return {emit_coll(CollOp::OBJECT_COPY, 0, {receiver}, receiver.type, e.loc)};
  }
  error(e.loc, "no method '" + method + "' for " + describe(receiver.type));
}

std::optional<std::vector<ExprValue>> FunctionCompiler::compile_object_call(const ast::Expr& e, const std::string& name) {
  // Its frame is large (about 8 KiB under AddressSanitizer): it counts as a level of its own.
  NestingGuard guard(pc_, e.loc);
  auto compile_args = [&](std::size_t skip) {
    std::vector<CompiledArg> args;
    for (std::size_t i = skip; i < e.args.size(); ++i) args.push_back({e.args[i].name, e.args[i].loc, compile_single(*e.args[i].value)});
    return args;
  };
  // Method call on an expression: `f().push(x)`, `(a).size()`.
  if (name.empty()) {
    if (!e.lhs || e.lhs->kind != ast::ExprKind::Member) return std::nullopt;
    ExprValue receiver = compile_single(*e.lhs->lhs);
    return compile_method_call(e, receiver, e.lhs->text);
  }
  // array.new<T>(size, initial), array.new_float(...), map.new<K, V>().
  const std::optional<Type> legacy = legacy_array_elem(name);
  if (name == "array.new" || legacy) {
    TypeInfo elem;
    if (legacy) {
      elem = sema::make_type(*legacy, Qual::Series);
    } else {
      if (e.type_args.size() != 1) error(e.loc, "array.new needs one type argument, e.g. array.new<float>()");
      elem = resolve_type(e.type_args[0]);
    }
    std::vector<CompiledArg> args = compile_args(0);
    std::vector<ExprValue> values(2);
    const char* names[] = {"size", "initial_value"};
    std::vector<bool> seen(2, false);
    std::size_t pos = 0;
    for (CompiledArg& a : args) {
      std::size_t p = pos;
      if (!a.name.empty()) {
        p = a.name == "size" ? 0 : a.name == "initial_value" ? 1 : 2;
        if (p == 2) error(a.loc, "'" + name + "' has no parameter named '" + a.name + "'");
      } else {
        ++pos;
      }
      if (p >= 2) error(a.loc, "too many arguments in the call to '" + name + "'");
      if (seen[p]) error(a.loc, "the argument '" + std::string(names[p]) + "' is given twice");
      seen[p] = true;
      values[p] = a.value;
      if (!convert_to(values[p], p == 0 ? sema::make_type(Type::Int, Qual::Series) : elem))
        error(a.loc, "type mismatch: argument '" + std::string(names[p]) + "' of '" + name + "' expects " +
                         pc_.types.name(p == 0 ? sema::make_type(Type::Int, Qual::Series) : elem) + ", got " + describe(a.value.type));
    }
    if (!seen[0]) values[0] = constant(Type::Int, make_int(0));
    if (!seen[1]) values[1] = constant(elem.type, na_value(elem.type));
    const TypeInfo arr = pc_.types.array_of(elem);
    return std::vector<ExprValue>{emit_coll(CollOp::ARRAY_NEW, static_cast<std::uint8_t>(elem.type), values, arr, e.loc)};
  }
  if (name == "array.from") {
    std::vector<const ast::Expr*> elems;
    for (const ast::Arg& a : e.args) {
      if (!a.name.empty()) error(a.loc, "array.from takes positional arguments only");
      elems.push_back(a.value.get());
    }
    return std::vector<ExprValue>{compile_array_literal(elems, e.loc)};
  }
  if (name == "matrix.new") return std::vector<ExprValue>{compile_matrix_new(*this, e)};
  if (name == "map.new") {
    if (e.type_args.size() != 2) error(e.loc, "map.new needs two type arguments, e.g. map.new<string, float>()");
    if (!e.args.empty()) error(e.loc, "map.new takes no arguments");
    const TypeInfo key = resolve_type(e.type_args[0]);
    if (key.type == Type::Ref) error(e.type_args[0].loc, "map keys must be a value type (int, float, bool, color, string or an enum)");
    const TypeInfo m = pc_.types.map_of(key, resolve_type(e.type_args[1]));
    return std::vector<ExprValue>{emit_coll(CollOp::MAP_NEW, elem_code(m), {}, m, e.loc)};
  }
  if (name == "str.tostring" && !e.args.empty() && e.args[0].name.empty()) {
    // Arrays print as "[a, b]" and enum members as their titles; every
    // other type goes to the table-driven overloads.
    std::vector<CompiledArg> args = compile_args(0);
    const TypeInfo t = args[0].value.type;
    if (args.size() == 1 && pc_.types.is_array(t)) {
      if (pc_.types.composite(t).elem.type == Type::Ref) error(e.loc, "str.tostring cannot print an array of objects");
      return std::vector<ExprValue>{emit_coll(CollOp::ARRAY_TOSTRING, elem_code(t), {args[0].value},
                                              sema::make_type(Type::String, Qual::Series), e.loc)};
    }
    if (args.size() == 1 && pc_.types.is_matrix(t)) {
      if (pc_.types.composite(t).elem.type == Type::Ref) error(e.loc, "str.tostring cannot print a matrix of objects");
      return std::vector<ExprValue>{emit_coll(CollOp::MATRIX_TOSTRING, elem_code(t), {args[0].value},
                                              sema::make_type(Type::String, Qual::Series), e.loc)};
    }
    if (args.size() == 1 && t.type == Type::Enum && !t.is_na) {
      ExprValue out;
      out.reg = alloc_reg(e.loc);
      out.type = sema::make_type(Type::String, t.qual);
      at(e.loc);
      emit_.abc(Opcode::ENUMSTR, out.reg, args[0].value.reg, static_cast<std::uint16_t>(pc_.types.enums[t.id].vm_index));
      return std::vector<ExprValue>{out};
    }
    return emit_table_call(e, name, std::move(args));
  }
  if (name == "str.split") {
    std::vector<CompiledArg> args = compile_args(0);
    if (args.size() != 2) error(e.loc, "str.split takes 2 arguments (string, separator)");
    for (CompiledArg& a : args)
      if (!convert(a.value, Type::String)) error(a.loc, "type mismatch: str.split expects string, got " + describe(a.value.type));
    const TypeInfo arr = pc_.types.array_of(sema::make_type(Type::String, Qual::Series));
    return std::vector<ExprValue>{emit_coll(CollOp::STR_SPLIT, static_cast<std::uint8_t>(Type::String),
                                            {args[0].value, args[1].value}, arr, e.loc)};
  }
  if (const CollSig* sig = find_collection_function(name)) return emit_collection_call(e, name, *sig, compile_args(0));

  std::vector<std::string> parts = split_dots(name);
  // Point.new(...), Point.copy(p), lib.Point.new(...).
  if (parts.size() >= 2) {
    if (auto u = find_scoped(pc_.udt_names, join_parts(parts, 0, parts.size() - 1)); u != pc_.udt_names.end()) {
      parts = {join_parts(parts, 0, parts.size() - 1), parts.back()};
      const sema::UdtInfo udt = pc_.types.udts[u->second];
      TypeInfo self = sema::make_type(Type::Ref, Qual::Series);
      self.id = udt.composite;
      if (parts[1] == "copy") {
        std::vector<CompiledArg> args = compile_args(0);
        if (args.size() != 1 || !convert_to(args[0].value, self)) error(e.loc, parts[0] + ".copy takes one " + parts[0] + " object");
        return std::vector<ExprValue>{emit_coll(CollOp::OBJECT_COPY, 0, {args[0].value}, self, e.loc)};
      }
      if (parts[1] != "new") error(e.loc, "type '" + parts[0] + "' has no function '" + parts[1] + "'");
      std::vector<CompiledArg> args = compile_args(0);
      std::vector<int> bound(udt.fields.size(), -1);
      std::size_t pos = 0;
      for (std::size_t i = 0; i < args.size(); ++i) {
        std::size_t f = pos;
        if (!args[i].name.empty()) {
          f = 0;
          while (f < udt.fields.size() && udt.fields[f].name != args[i].name) ++f;
          if (f == udt.fields.size()) error(args[i].loc, "type '" + udt.name + "' has no field '" + args[i].name + "'");
        } else {
          ++pos;
        }
        if (f >= udt.fields.size()) error(args[i].loc, "too many arguments in the call to '" + name + "'");
        if (bound[f] >= 0) error(args[i].loc, "the field '" + udt.fields[f].name + "' is given twice");
        bound[f] = static_cast<int>(i);
      }
      std::vector<ExprValue> values(udt.fields.size());
      for (std::size_t f = 0; f < udt.fields.size(); ++f) {
        const sema::UdtField& field = udt.fields[f];
        if (bound[f] >= 0) {
          CompiledArg& a = args[static_cast<std::size_t>(bound[f])];
          values[f] = a.value;
          if (!convert_to(values[f], field.type))
            error(a.loc, "type mismatch: field '" + field.name + "' of '" + udt.name + "' is " + pc_.types.name(field.type) +
                             ", got " + describe(a.value.type));
        } else if (field.default_value) {
          values[f] = compile_as_type(*field.default_value, field.type, "the default of field '" + field.name + "'");
        } else {
          values[f] = constant(field.type.type, na_value(field.type.type));
        }
      }
      const auto n = static_cast<std::uint16_t>(values.size());
      const std::uint16_t first = alloc_regs(n, e.loc);
      emit_arg_block(first, values);
      ExprValue out;
      out.reg = alloc_reg(e.loc);
      out.type = self;
      at(e.loc);
      emit_.abc(Opcode::NEWOBJ, out.reg, static_cast<std::uint16_t>(udt.vm_index), first);
      return std::vector<ExprValue>{out};
    }
  }
  // A method call on a variable or field chain: `a.push(x)`, `obj.items.size()`.
  // (Prefixes longer than any variable name cannot match: see compile_dotted_name.)
  for (std::size_t n = std::min(parts.size() - 1, pc_.max_name_parts); n >= 1; --n) {
    const Variable* prefix = lookup(join_parts(parts, 0, n));
    if (prefix == nullptr) continue;
    // A built-in variable that is also a namespace (strategy.closedtrades,
    // strategy.opentrades) has no methods: the name is the function's.
    if (prefix->is_builtin && !find_builtin(name).empty()) break;
    ast::Expr head(ast::ExprKind::Name, e.loc);
    head.text = join_parts(parts, 0, n);
    ExprValue v = compile_name(head);
    for (std::size_t i = n; i + 1 < parts.size(); ++i) v = emit_field_get(v, parts[i], e.loc);
    return compile_method_call(e, v, parts.back());
  }
  // A method call on an enum member or library constant: `Dir.up.flip()`.
  if (parts.size() >= 3 && (pc_.methods.count(parts.back()) != 0)) {
    ast::Expr head(ast::ExprKind::Name, e.loc);
    head.text = join_parts(parts, 0, parts.size() - 1);
    if (std::optional<ExprValue> v = compile_dotted_name(head)) return compile_method_call(e, *v, parts.back());
  }
  // A user method called as a function: `m(obj, ...)`.
  if (auto m = pc_.methods.find(name); m != pc_.methods.end() && !e.args.empty()) {
    std::vector<CompiledArg> args = compile_args(0);
    for (UserFunction& f : m->second) {
      const TypeInfo self = method_self_type(f);
      if (sema::same_type(self, args[0].value.type) || args[0].value.type.is_na) return compile_user_call(e, f, std::move(args));
    }
    error(e.loc, "no overload of method '" + name + "' accepts " + describe(args[0].value.type));
  }
  return std::nullopt;
}

ExprValue FunctionCompiler::compile_array_literal(const std::vector<const ast::Expr*>& elems, SourceLoc loc) {
  if (elems.empty()) error(loc, "an array literal needs at least one element");
  std::vector<ExprValue> values;
  for (const ast::Expr* x : elems) values.push_back(compile_single(*x));
  std::vector<ExprValue*> ptrs;
  for (ExprValue& v : values) ptrs.push_back(&v);
  TypeInfo elem = unify(ptrs, loc);
  if (elem.is_na) error(loc, "cannot infer an array's element type from na values");
  elem.qual = Qual::Series;
  elem.int_like = false;
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!convert_to(values[i], elem)) error(elems[i]->loc, "array elements must all have one type");
  const TypeInfo arr = pc_.types.array_of(elem);
  const std::uint8_t code = static_cast<std::uint8_t>(elem.type);
  ExprValue out = emit_coll(CollOp::ARRAY_NEW, code, {constant(Type::Int, make_int(0)), constant(elem.type, na_value(elem.type))},
                            arr, loc);
  for (std::size_t i = 0; i < values.size(); ++i) emit_coll(CollOp::ARRAY_PUSH, code, {out, values[i]}, TypeInfo{}, elems[i]->loc);
  return out;
}

TypeInfo FunctionCompiler::resolve_type_in(const ast::TypeRef& t, const std::string& ns) {
  const std::string saved = ns_;
  ns_ = ns;
  try {
    const TypeInfo r = resolve_type(t);
    ns_ = saved;
    return r;
  } catch (...) {
    ns_ = saved;
    throw;
  }
}

TypeInfo FunctionCompiler::method_self_type(UserFunction& f) {
  if (!f.self_type) f.self_type = resolve_type_in(*f.decl->params.front().type, f.ns);
  return *f.self_type;
}

void FunctionCompiler::compile_field_assign(const ast::Stmt& s) {
  // The target is `obj.field` (a dotted Name) or `expr.field` (Member).
  ExprValue obj;
  std::string field;
  if (s.target->kind == ast::ExprKind::Member) {
    obj = compile_single(*s.target->lhs);
    field = s.target->text;
  } else {
    const std::string& text = s.target->text;
    const std::size_t dot = text.rfind('.');
    ast::Expr head(ast::ExprKind::Name, s.target->loc);
    head.text = text.substr(0, dot);
    field = text.substr(dot + 1);
    std::optional<ExprValue> v = lookup(head.text) ? std::optional<ExprValue>(compile_name(head)) : compile_dotted_name(head);
    if (!v) error(s.target->loc, "undeclared identifier '" + head.text + "'");
    obj = *v;
  }
  if (!pc_.types.is_udt(obj.type)) error(s.target->loc, "cannot assign field '" + field + "' of " + describe(obj.type));
  const sema::UdtInfo& udt = pc_.types.udt_of(obj.type);
  std::size_t index = 0;
  while (index < udt.fields.size() && udt.fields[index].name != field) ++index;
  if (index == udt.fields.size()) error(s.target->loc, "type '" + udt.name + "' has no field '" + field + "'");
  const TypeInfo ftype = udt.fields[index].type;
  ExprValue value;
  if (s.assign_op == ast::AssignOp::Reassign) {
    value = compile_as_type(*s.value, ftype, "field '" + field + "'");
  } else {
    static const ast::Op ops[] = {ast::Op::Add, ast::Op::Add, ast::Op::Sub, ast::Op::Mul, ast::Op::Div, ast::Op::Mod};
    ast::Expr op(ast::ExprKind::Binary, s.loc);
    op.op = ops[static_cast<int>(s.assign_op)];
    ExprValue current = emit_field_get(obj, field, s.target->loc);
    value = emit_binary(op, current, compile_expr(*s.value));
    if (!convert_to(value, ftype))
      error(s.loc, "cannot assign " + describe(value.type) + " to field '" + field + "' of type " + pc_.types.name(ftype));
  }
  at(s.loc);
  emit_.abc(Opcode::SETFIELD, obj.reg, static_cast<std::uint16_t>(index), value.reg);
}

} // namespace pine
