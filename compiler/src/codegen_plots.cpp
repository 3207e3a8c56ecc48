// Output calls: plot, plotshape, plotchar, plotarrow, plotbar, plotcandle,
// hline, fill, bgcolor and barcolor (their output columns, see
// pine/vm/outputs.h), and the alerts (alert, alertcondition).
//
// Every argument of an output call lands somewhere, never silently dropped:
// - a plotted series becomes a column;
// - any other argument whose value the compiler knows (fold_constant) is
//   recorded on the call's first column (attributes, offset, targets);
// - any other argument (a colour that varies per bar, a width read from an
//   input) becomes one more column, named `<title>:<parameter>`.
// plot() and hline() return their id: the index of their first column, as a
// const int. fill() finds the call behind an id through the script's global
// declarations, so the ids need no type of their own.
#include <cmath>
#include <map>

#include "builtin_table.h"
#include "codegen.h"
#include "constant_fold.h"
#include "pine/vm/number_format.h"

namespace pine {

using sema::Qual;

namespace {

/// Most output columns one script may declare. Pine allows 64 plotted series,
/// each call a handful of columns; the bound keeps PLOT's 16-bit column
/// operand and the output table small even for generated scripts.
constexpr std::size_t kMaxColumns = 4096;
/// Pine's limit on output series per script (user manual, "Limitations").
constexpr std::size_t kMaxPlotCount = 64;
/// Largest |offset| accepted. Pine draws at most 500 bars into the future and
/// 10,000 into the past; the bound keeps any offset far inside int32.
constexpr std::int64_t kMaxOffset = 1 << 20;

/// How an output call uses one of its parameters.
enum class Role : std::uint8_t {
  Value,  ///< a plotted series: always a column
  Data,   ///< known at compile time: an attribute; else a column `<title>:<name>`
  Offset, ///< the drawing shift: PlotInfo::offset when known, else a column
  Title,  ///< the call's title: a constant string
  Target, ///< fill(): a plot or hline id
};

/// One parameter of an output call.
struct OutParam {
  const char* name;
  Role role;
  Type type;                  ///< Void: any type (Value: bool or number)
  Qual cap = Qual::Series;    ///< strongest qualifier accepted
  bool required = false;
  bool own_field = false;     ///< a Value column named `<title>:<name>` (plotbar's open...)
  const char* alias = nullptr; ///< another accepted name (fill: hline1 for plot1)
};

/// The parameters of one output function, in Pine's positional order.
struct OutSignature {
  PlotKind kind;
  std::vector<OutParam> params;
};

constexpr Type F = Type::Float;
constexpr Type I = Type::Int;
constexpr Type B = Type::Bool;
constexpr Type S = Type::String;
constexpr Type C = Type::Color;
/// Parameters typed by named constants of other modules (plot.style_*,
/// display.*, shape.*, location.*, size.*): any constant is accepted.
constexpr Type Any = Type::Void;

/// A required plotted series of type `t`.
OutParam value(const char* name, Type t, Qual cap = Qual::Series) { return {name, Role::Value, t, cap, true}; }
/// One of plotbar/plotcandle's prices: a value column named `<title>:<name>`.
OutParam ohlc(const char* name) {
  OutParam p = value(name, F);
  p.own_field = true;
  return p;
}
/// An optional argument: an attribute when known, else a column.
OutParam data(const char* name, Type t, Qual cap = Qual::Series) { return {name, Role::Data, t, cap}; }
/// The call's `title` (const string).
OutParam title() { return {"title", Role::Title, S, Qual::Const}; }
/// The drawing shift (simple int in v6).
OutParam offset() { return {"offset", Role::Offset, I, Qual::Simple}; }
/// A fill() end: a plot or hline id, also accepted under `alias`.
OutParam target(const char* name, const char* alias) { return {name, Role::Target, I, Qual::Series, true, false, alias}; }

/// The parameters most plot functions end with.
std::vector<OutParam> with_tail(std::vector<OutParam> params) {
  params.push_back(data("editable", B, Qual::Const));
  params.push_back(data("show_last", I, Qual::Input));
  params.push_back(data("display", Any, Qual::Input));
  params.push_back(data("format", S, Qual::Input));
  params.push_back(data("precision", I, Qual::Input));
  params.push_back(data("force_overlay", B, Qual::Const));
  return params;
}

/// Every output function's signature (Pine v6 reference), keyed by name;
/// fill's gradient form is "fill/gradient", its hline form "fill/hline".
const std::map<std::string, OutSignature>& signatures() {
  static const std::map<std::string, OutSignature> sigs = [] {
    const Qual K = Qual::Const, In = Qual::Input;
    std::map<std::string, OutSignature> m;
    m["plot"] = {PlotKind::Plot,
                 {value("series", F), title(), data("color", C), data("linewidth", I, In), data("style", Any, In),
                  data("trackprice", B, In), data("histbase", F, In), offset(), data("join", B, In),
                  data("editable", B, K), data("show_last", I, In), data("display", Any, In), data("format", S, In),
                  data("precision", I, In), data("force_overlay", B, K), data("linestyle", Any, In)}};
    m["plotshape"] = {PlotKind::Shape,
                      with_tail({value("series", Any), title(), data("style", Any, In), data("location", Any, In),
                                 data("color", C), offset(), data("text", S, K), data("textcolor", C)})};
    // plotshape/plotchar put `size` after `editable`; Pine code names it.
    m["plotshape"].params.insert(m["plotshape"].params.begin() + 9, data("size", Any, K));
    m["plotchar"] = {PlotKind::Char,
                     with_tail({value("series", Any), title(), data("char", S, In), data("location", Any, In),
                                data("color", C), offset(), data("text", S, K), data("textcolor", C)})};
    m["plotchar"].params.insert(m["plotchar"].params.begin() + 9, data("size", Any, K));
    m["plotarrow"] = {PlotKind::Arrow,
                      with_tail({value("series", F), title(), data("colorup", C), data("colordown", C), offset(),
                                 data("minheight", I, In), data("maxheight", I, In)})};
    m["plotbar"] = {PlotKind::Bar, with_tail({ohlc("open"), ohlc("high"), ohlc("low"), ohlc("close"), title(), data("color", C)})};
    m["plotcandle"] = {PlotKind::Candle,
                       {ohlc("open"), ohlc("high"), ohlc("low"), ohlc("close"), title(), data("color", C),
                        data("wickcolor", C), data("editable", B, K), data("show_last", I, In), data("bordercolor", C),
                        data("display", Any, In), data("format", S, In), data("precision", I, In),
                        data("force_overlay", B, K)}};
    m["hline"] = {PlotKind::Hline,
                  {value("price", F, In), title(), data("color", C, In), data("linestyle", Any, In),
                   data("linewidth", I, In), data("editable", B, K), data("display", Any, In)}};
    m["bgcolor"] = {PlotKind::BgColor,
                    {value("color", C), offset(), data("editable", B, K), data("show_last", I, In), title(),
                     data("display", Any, In), data("force_overlay", B, K)}};
    m["barcolor"] = {PlotKind::BarColor,
                     {value("color", C), offset(), data("editable", B, K), data("show_last", I, In), title(),
                      data("display", Any, In)}};
    OutParam fill_color = value("color", C);
    fill_color.required = false; // omitted: the column is na (the host's default fill)
    m["fill"] = {PlotKind::Fill,
                 {target("plot1", "hline1"), target("plot2", "hline2"), fill_color, title(), data("editable", B, K),
                  data("show_last", I, In), data("fillgaps", B, K), data("display", Any, In)}};
    m["fill/hline"] = {PlotKind::Fill,
                       {target("plot1", "hline1"), target("plot2", "hline2"), fill_color, title(),
                        data("editable", B, K), data("fillgaps", B, K), data("display", Any, In)}};
    OutParam top_color = value("top_color", C), bottom_color = value("bottom_color", C);
    top_color.own_field = bottom_color.own_field = true;
    m["fill/gradient"] = {PlotKind::Fill,
                          {target("plot1", "hline1"), target("plot2", "hline2"), data("top_value", F),
                           data("bottom_value", F), top_color, bottom_color, title(), data("display", Any, In),
                           data("fillgaps", B, K), data("editable", B, K)}};
    return m;
  }();
  return sigs;
}

/// The signature of output call `name`: fill's gradient form when a gradient
/// parameter is named or five or more positional arguments are given with no
/// title string in fourth place; its hline form when an hline parameter name
/// is used. Null when `name` is no output function.
const OutSignature* pick_signature(const ast::Expr& e, const std::string& name) {
  std::string key = name;
  if (name == "fill") {
    std::size_t positional = 0;
    bool gradient = false, hline = false, fourth_is_title = false;
    for (const ast::Arg& a : e.args) {
      if (a.name.empty()) {
        if (positional == 3) fourth_is_title = a.value->kind == ast::ExprKind::StringLit;
        ++positional;
      }
      gradient = gradient || a.name == "top_value" || a.name == "bottom_value" || a.name == "top_color" ||
                 a.name == "bottom_color";
      hline = hline || a.name == "hline1" || a.name == "hline2";
    }
    if (gradient || (positional >= 5 && !fourth_is_title)) key = "fill/gradient";
    else if (hline) key = "fill/hline";
  }
  auto it = signatures().find(key);
  return it == signatures().end() ? nullptr : &it->second;
}

/// Binds a call's arguments to `params` (positional in order, then by name
/// or alias): one argument or null per parameter. Returns an error message,
/// or empty on success; `where` is set to the offending argument.
std::string bind_params(const ast::Expr& call, const std::string& fname, const std::vector<OutParam>& params,
                        std::vector<const ast::Arg*>& bound, SourceLoc& where) {
  bound.assign(params.size(), nullptr);
  std::size_t positional = 0;
  bool seen_named = false;
  for (const ast::Arg& a : call.args) {
    where = a.loc;
    if (a.name.empty()) {
      if (seen_named) return "Positional arguments cannot follow named arguments (in the call to '" + fname + "')";
      if (positional >= params.size())
        return "too many arguments in the call to '" + fname + "': it takes " + std::to_string(params.size());
      bound[positional++] = &a;
      continue;
    }
    seen_named = true;
    std::size_t p = 0;
    while (p < params.size() && a.name != params[p].name && (params[p].alias == nullptr || a.name != params[p].alias)) ++p;
    if (p == params.size()) return "'" + fname + "' has no parameter named '" + a.name + "'";
    if (bound[p] != nullptr) return "the argument '" + a.name + "' is given twice in the call to '" + fname + "'";
    bound[p] = &a;
  }
  return {};
}

/// The text of a folded value in a PlotAttribute (see outputs.h).
std::string folded_text(const Program& p, const FoldedValue& f) {
  switch (f.type) {
    case Type::Int: return f.value.i == kIntNa ? "na" : format_pine_int(f.value.i);
    case Type::Float: return std::isnan(f.value.f) ? "na" : format_pine_number(f.value.f);
    case Type::Bool: return f.value.i != 0 ? "true" : "false";
    case Type::Color: {
      if (f.value.i == kColorNa) return "na";
      static constexpr char kHex[] = "0123456789ABCDEF";
      std::string s = "#";
      for (int shift = 28; shift >= 0; shift -= 4) s.push_back(kHex[(f.value.u >> shift) & 0xF]);
      return s;
    }
    case Type::String: return f.value.i == kStringNa ? "na" : p.strings[static_cast<std::size_t>(f.value.i)];
    case Type::Enum: case Type::Ref: case Type::Void: break; // never folded
  }
  return "na";
}

/// What a parameter capped at `cap` accepts, for messages.
std::string allowed_qualifiers(Qual cap) {
  switch (cap) {
    case Qual::Const: return "a constant";
    case Qual::Input: return "an input or constant";
    case Qual::Simple: return "simple (fixed on the first bar)";
    case Qual::Series: break;
  }
  return "a series";
}

/// Pine's name of an argument's static type, "na" for the untyped na.
std::string type_text(const FoldedValue& f) { return f.type == Type::Void ? "na" : "const " + sema::type_name(f.type); }

} // namespace

std::uint16_t FunctionCompiler::output_target(const ast::Expr& arg, const std::string& fname) {
  const ast::Expr* call = nullptr;
  if (arg.kind == ast::ExprKind::Call) {
    compile_single(arg); // a plot()/hline() call written in place
    call = &arg;
  } else if (arg.kind == ast::ExprKind::Name && pc_.script != nullptr) {
    const auto global = scopes_.front().find(arg.text);
    if (global != scopes_.front().end() && lookup(arg.text) == &global->second)
      if (const ast::Stmt* decl = global_declaration(*pc_.script, arg.text)) call = decl->value.get();
  }
  const auto it = pc_.output_ids.find(call);
  if (call == nullptr || it == pc_.output_ids.end())
    error(arg.loc, "'" + fname + "' needs the id of a plot or an hline: the result of plot()/hline(), or a global "
                   "variable assigned one");
  return it->second;
}

std::optional<std::vector<ExprValue>> FunctionCompiler::compile_output_call(const ast::Expr& e, const std::string& name) {
  if (name == "alert" || name == "alertcondition") {
    compile_alert(e, name);
    return std::vector<ExprValue>{};
  }
  const OutSignature* sig = pick_signature(e, name);
  if (sig == nullptr) return std::nullopt;
  if (!is_main_ || scopes_.size() != 1 || cond_depth_ > 0)
    error(e.loc, "'" + name + "' can only be called in the global scope");
  std::vector<const ast::Arg*> bound;
  SourceLoc where = e.loc;
  if (std::string err = bind_params(e, name, sig->params, bound, where); !err.empty()) error(where, err);

  // One output column before it is declared: what it holds and where.
  struct Column {
    std::string field;
    Type type;
    std::uint16_t reg;
    bool counted; ///< counts against Pine's 64-plot limit
  };
  std::vector<Column> values, extras;
  PlotInfo head;
  head.kind = sig->kind;
  const bool counts = sig->kind != PlotKind::Hline && sig->kind != PlotKind::Fill;
  for (std::size_t i = 0; i < sig->params.size(); ++i) {
    const OutParam& p = sig->params[i];
    const std::string what = "argument '" + std::string(p.name) + "' of '" + name + "'";
    if (bound[i] == nullptr) {
      if (p.required) error(e.loc, "missing argument '" + std::string(p.name) + "' in the call to '" + name + "'");
      if (p.role == Role::Value) values.push_back({p.own_field ? p.name : "", p.type, constant(p.type, na_value(p.type)).reg, false});
      continue;
    }
    const ast::Expr& x = *bound[i]->value;
    switch (p.role) {
      case Role::Title: {
        const std::optional<FoldedValue> f = fold_constant(x);
        if (!f || f->type != Type::String || f->value.i < 0) error(x.loc, "the title of '" + name + "' must be a constant string");
        head.title = pc_.program.strings[static_cast<std::size_t>(f->value.i)];
        break;
      }
      case Role::Target: head.targets.push_back(output_target(x, name)); break;
      case Role::Value: {
        ExprValue v;
        if (p.type == Type::Void) { // plotshape/plotchar: a bool, or a number plotted as float
          v = compile_single(x);
          if (v.type.type != Type::Bool && !convert(v, Type::Float))
            error(x.loc, "type mismatch: " + what + " expects bool or float, got " + sema::describe(v.type));
        } else {
          v = compile_as(x, p.type, what);
        }
        if (v.type.qual > p.cap) error(x.loc, what + " must be " + allowed_qualifiers(p.cap) + ", not " + sema::describe(v.type));
        values.push_back({p.own_field ? p.name : "", v.type.type, v.reg, counts || v.type.qual > Qual::Const});
        break;
      }
      case Role::Data:
      case Role::Offset: {
        if (const std::optional<FoldedValue> f = fold_constant(x)) {
          const std::optional<FoldedValue> c = coerce_folded(*f, p.type);
          if (!c) error(x.loc, "type mismatch: " + what + " expects " + sema::type_name(p.type) + ", got " + type_text(*f));
          if (p.role == Role::Data) {
            head.attributes.push_back({p.name, folded_text(pc_.program, *c)});
            break;
          }
          if (c->value.i == kIntNa || c->value.i < -kMaxOffset || c->value.i > kMaxOffset)
            error(x.loc, what + " must be an int between -" + std::to_string(kMaxOffset) + " and " + std::to_string(kMaxOffset));
          head.offset = static_cast<std::int32_t>(c->value.i);
          break;
        }
        ExprValue v = p.type == Type::Void ? compile_single(x) : compile_as(x, p.type, what);
        if (v.type.is_na) error(x.loc, what + " needs a typed value");
        if (v.type.qual > p.cap) error(x.loc, what + " must be " + allowed_qualifiers(p.cap) + ", not " + sema::describe(v.type));
        // A colour counts toward the plot limit only when it varies per bar.
        extras.push_back({p.name, v.type.type, v.reg,
                          v.type.type == Type::Color && sig->kind != PlotKind::Hline && v.type.qual == Qual::Series});
        break;
      }
    }
  }
  if (head.targets.size() == 2 && pc_.program.plots[head.targets[0]].kind != pc_.program.plots[head.targets[1]].kind)
    error(e.loc, "'fill' needs two plots or two hlines, not one of each");

  values.insert(values.end(), extras.begin(), extras.end());
  const std::size_t first = pc_.program.plots.size();
  if (first + values.size() > kMaxColumns)
    error(e.loc, "a script can declare at most " + std::to_string(kMaxColumns) + " output columns");
  for (const Column& c : values) pc_.plot_count += c.counted;
  if (pc_.plot_count > kMaxPlotCount)
    error(e.loc, "the script plots more than " + std::to_string(kMaxPlotCount) +
                     " series (plotbar/plotcandle count 4, a colour that varies per bar 1 more)");
  at(e.loc);
  for (std::size_t k = 0; k < values.size(); ++k) {
    PlotInfo column;
    if (k == 0) column = head;
    column.title = head.title;
    column.kind = head.kind;
    column.type = values[k].type;
    column.part = static_cast<std::uint16_t>(k);
    column.field = values[k].field;
    pc_.program.plots.push_back(std::move(column));
    emit_.abc(Opcode::PLOT, static_cast<std::uint16_t>(first + k), values[k].reg);
  }
  if (sig->kind != PlotKind::Plot && sig->kind != PlotKind::Hline) return std::vector<ExprValue>{};
  // The id: the first column's index, a const int that fill() resolves. A
  // call written as a statement discards it, so nothing is loaded then.
  pc_.output_ids[&e] = static_cast<std::uint16_t>(first);
  for (const ast::StmtPtr& s : pc_.script->body.stmts)
    if (s->kind == ast::StmtKind::ExprStmt && s->value.get() == &e) return std::vector<ExprValue>{};
  return std::vector<ExprValue>{constant(Type::Int, make_int(static_cast<std::int64_t>(first)))};
}

void FunctionCompiler::compile_alert(const ast::Expr& e, const std::string& name) {
  const bool is_alert = name == "alert";
  const std::vector<OutParam> params =
      is_alert ? std::vector<OutParam>{value("message", S), data("freq", S, Qual::Const)}
               : std::vector<OutParam>{value("condition", B), data("title", S, Qual::Const), data("message", S, Qual::Const)};
  std::vector<const ast::Arg*> bound;
  SourceLoc where = e.loc;
  if (std::string err = bind_params(e, name, params, bound, where); !err.empty()) error(where, err);
  if (bound[0] == nullptr) error(e.loc, std::string("missing argument '") + params[0].name + "' in the call to '" + name + "'");
  // The constant string argument `i`, or "" when it is omitted.
  const auto constant_text = [&](std::size_t i) -> std::string {
    if (bound[i] == nullptr) return {};
    const std::optional<FoldedValue> f = fold_constant(*bound[i]->value);
    if (!f || f->type != Type::String || f->value.i < 0)
      error(bound[i]->value->loc, "argument '" + std::string(params[i].name) + "' of '" + name + "' must be a constant string");
    return pc_.program.strings[static_cast<std::size_t>(f->value.i)];
  };
  if (is_alert) {
    // alert(): allowed anywhere; the frequency must be one of alert.freq_*.
    ExprValue msg = compile_as(*bound[0]->value, Type::String, "alert()'s message");
    std::uint16_t freq = 1; // alert.freq_once_per_bar, the default
    if (bound[1] != nullptr) {
      const std::string f = constant_text(1);
      if (f == "freq_all") freq = 0;
      else if (f == "freq_once_per_bar") freq = 1;
      else if (f == "freq_once_per_bar_close") freq = 2;
      else error(bound[1]->value->loc, "alert()'s freq must be alert.freq_all, alert.freq_once_per_bar or alert.freq_once_per_bar_close");
    }
    at(e.loc);
    emit_.abc(Opcode::ALERT, msg.reg, freq);
    return;
  }
  // alertcondition(): global only; fires (records its message) on the bars
  // where the condition is true; an empty message falls back to the title.
  if (!is_main_ || scopes_.size() != 1 || cond_depth_ > 0)
    error(e.loc, "'" + name + "' can only be called in the global scope");
  const ExprValue cond = compile_as(*bound[0]->value, Type::Bool, "alertcondition()'s condition");
  const std::string title = constant_text(1), message = constant_text(2);
  at(e.loc);
  const std::size_t skip = emit_.jump(Opcode::JMPF, cond.reg);
  const ExprValue text = constant(Type::String, make_int(pc_.pool.intern(message.empty() ? title : message)));
  emit_.abc(Opcode::ALERT, text.reg, 0);
  emit_.patch_to_here(skip);
}

} // namespace pine
