// input.color(), input.time() and input.enum(): inputs whose default is a
// colour, a point in time or an enum member. Their values are fixed before
// the first bar (qualifier "input"); hosts override them by text
// (InstanceBuilder::input: "#RRGGBB[AA]", UNIX ms or a date, a member title).
#include "builtin_table.h"
#include "codegen.h"
#include "pine/vm/calendar.h"

namespace pine {

using sema::Qual;

ExprValue FunctionCompiler::compile_typed_input(const ast::Expr& e, const std::string& name, const ast::Expr& defval,
                                                InputDecl in) {
  sema::TypeInfo type;
  if (name == "input.color") {
    // A colour literal or a named colour constant.
    std::optional<std::uint32_t> rgba;
    if (defval.kind == ast::ExprKind::ColorLit) rgba = defval.color_value;
    else if (defval.kind == ast::ExprKind::Name) rgba = find_color_constant(defval.text);
    if (!rgba) error(defval.loc, "input.color() needs a colour literal or a color.* constant as its default");
    in.kind = InputKind::Color;
    in.default_value = make_int(*rgba);
    type = sema::make_type(Type::Color, Qual::Input);
  } else if (name == "input.time") {
    // An int literal (UNIX ms) or timestamp("date").
    std::optional<std::int64_t> ms;
    if (defval.kind == ast::ExprKind::IntLit) ms = defval.int_value;
    if (defval.kind == ast::ExprKind::Call && defval.lhs && defval.lhs->text == "timestamp" && defval.args.size() == 1 &&
        defval.args[0].value->kind == ast::ExprKind::StringLit)
      ms = parse_date_string(defval.args[0].value->text);
    if (!ms) error(defval.loc, "input.time() needs an int literal or timestamp(\"date\") as its default");
    in.kind = InputKind::Time;
    in.default_value = make_int(*ms);
    type = sema::make_type(Type::Int, Qual::Input);
  } else {
    // input.enum(Dir.up): the options are the members' titles.
    ExprValue member = compile_single(defval);
    if (member.type.type != Type::Enum || member.type.is_na || !member.const_load)
      error(defval.loc, "input.enum() needs an enum member such as Dir.up as its default");
    const sema::EnumInfo& info = pc_.types.enums[member.type.id];
    const EnumDecl& decl = pc_.program.enums[info.vm_index];
    for (std::uint32_t title : decl.titles) in.options.push_back(pc_.program.strings[title]);
    in.kind = InputKind::Enum;
    in.default_value = member.const_value;
    type = member.type;
    type.qual = Qual::Input;
  }
  for (const ast::Arg& a : e.args)
    if (a.name == "options" || a.name == "minval" || a.name == "maxval")
      error(a.loc, "'" + name + "' has no parameter named '" + a.name + "'");
  const std::uint16_t index = register_input(e, std::move(in));
  ExprValue out;
  out.reg = alloc_reg(e.loc);
  out.type = type;
  at(e.loc);
  emit_.abc(Opcode::LOADINPUT, out.reg, index);
  return out;
}

} // namespace pine
