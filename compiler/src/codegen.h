// Checking and lowering: AST -> typed bytecode, in one walk.
//
// The checker and the code generator are one pass over the AST: each
// expression is type-checked and lowered at once (compile_expr returns the
// register holding the value and its static type). Pine's generic functions
// are specialised per argument types, so a user function body is compiled
// once per distinct (types, qualifiers) signature it is called with, when
// the first such call is met.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ast.h"
#include "emitter.h"
#include "pine/compiler/diagnostic.h"
#include "pine/vm/program.h"
#include "prescan.h"
#include "collection_table.h"
#include "constant_fold.h"
#include "type_table.h"
#include "types.h"

namespace pine {

/// Thrown at the first error of a statement; the statement is abandoned.
struct CompileError {
  SourceLoc loc;
  std::string message;
};

/// A variable visible in some scope.
struct Variable {
  std::uint16_t reg = 0;
  sema::TypeInfo type;
  bool is_global = false;   ///< a main-frame variable seen from a user function
  bool is_builtin = false;  ///< a built-in variable (close, bar_index...): read-only
  bool is_var = false;      ///< declared with var/varip
  bool is_const = false;    ///< declared `const`: never reassigned
  int series = -1;          ///< series index (main's for globals), -1 = no history
  std::size_t order = 0;    ///< declaration order among globals
};

/// A user function as declared (its body is compiled per specialisation).
struct UserFunction {
  const ast::Stmt* decl = nullptr;
  std::size_t order = 0;          ///< position among function declarations
  std::size_t globals_visible = 0; ///< globals declared before it
  /// Specialisations: key (argument types) -> function index and result types.
  struct Spec {
    std::uint32_t index = 0;
    std::vector<sema::TypeInfo> results;
    std::uint32_t height = 0; ///< nested user calls below it (0: it calls none)
  };
  std::map<std::string, Spec> specs;
  std::string ns;        ///< "alias." for a library function (its own names resolve there first)
  bool exported = true;  ///< false: a library function only its own library may call
  std::optional<sema::TypeInfo> self_type; ///< methods: the first parameter's type, resolved where declared
};

class ProgramCompiler;

/// The value of a compiled expression.
struct ExprValue {
  std::uint16_t reg = 0;
  sema::TypeInfo type;
  /// For a bare `na` literal: the LOADK to retarget once its type is known.
  std::optional<std::size_t> na_load;
  /// For a constant: the LOADK that produced it (an int constant that must
  /// become a float is re-pointed at the float constant, no I2F needed).
  std::optional<std::size_t> const_load;
  Value const_value{}; ///< the constant's value when const_load is set
};

/// A compiled call argument with its name (empty when positional).
struct CompiledArg {
  std::string name;
  SourceLoc loc;
  ExprValue value;
};

/// Compiles one function body (or the main script) into a FunctionProto.
class FunctionCompiler {
public:
  FunctionCompiler(ProgramCompiler& pc, FunctionProto& fn, const ast::Stmt* decl);

  /// The main script: top-level statements in order.
  void compile_main(const ast::Script& script);
  /// A user function specialised for `args`; returns its result types.
  std::vector<sema::TypeInfo> compile_function(const std::vector<sema::TypeInfo>& args, std::size_t globals_visible,
                                               std::size_t order);

  /// A library: compiles every exported function once with its declared
  /// parameter types, so that `check` reports errors in their bodies.
  void check_library_exports(const ast::Script& script);

  // Statements (codegen_stmt.cpp).
  void compile_block(const ast::Block& block);
  /// A branch of an if/switch whose value is unused: a block whose last
  /// statement may be a tuple (evaluated, its values dropped).
  void compile_branch_block(const ast::Block& block);
  void compile_stmt(const ast::Stmt& s);
  void compile_var_decl(const ast::Stmt& s);
  void compile_tuple_decl(const ast::Stmt& s);
  /// Whether every value is in its own register allocated since `start`
  /// (a temporary of the statement being compiled, not a variable's).
  bool own_distinct_temporaries(const std::vector<ExprValue>& values, std::uint16_t start) const;
  /// An if/else-if/else chain or subject-less switch whose branches end with
  /// tuples: one register per element (codegen_tuples.cpp).
  std::vector<ExprValue> compile_tuple_conditional(const ast::Expr& e);
  void compile_assign(const ast::Stmt& s);
  void compile_for(const ast::Expr& e);
  /// A loop used as a value (`x = for ...`); `required` makes a body without
  /// a value an error, else the result is void.
  ExprValue compile_loop_value(const ast::Expr& e, bool required);
  /// A loop body: a plain block, or, when the loop is a value, a value block
  /// whose value is moved into the loop's result register.
  void compile_loop_body(const ast::Block& body);
  struct LoopValue {
    std::uint16_t reg = 0;
    std::optional<sema::TypeInfo> type;
    /// A loop whose body ends with a tuple: one register and type per
    /// element (reg is the first), filled in by the body.
    std::size_t tuple_size = 0;
    std::vector<std::optional<sema::TypeInfo>> element_types;
  };
  /// Compiles loop `e` with `lv` receiving its body's value(s).
  void compile_loop_capturing(const ast::Expr& e, LoopValue& lv);
  /// `[a, b] = for ...`: the last iteration's tuple, na where none ran.
  std::vector<ExprValue> compile_tuple_loop(const ast::Expr& e);
  LoopValue* loop_value_ = nullptr; ///< the loop being compiled as a value, if any
  void compile_while(const ast::Expr& e);
  /// Enters a loop: break/continue targets and the loop counters.
  void begin_loop();
  /// Leaves a loop: the exit jump and every `break` land here.
  void end_loop(std::size_t exit_jump);
  /// A block used as a value: its last expression's value into `target`.
  std::optional<ExprValue> compile_value_block(const ast::Block& block);

  // Expressions (codegen_expr.cpp).
  ExprValue compile_expr(const ast::Expr& e);
  /// Compiles `e` and converts it to `want` (int->float promotion, na
  /// retyping, int-like truncation), raising a type error otherwise.
  ExprValue compile_as(const ast::Expr& e, Type want, const std::string& what);
  ExprValue compile_name(const ast::Expr& e);
  /// session.* state and the fundamentals feed's future values: pinevm's
  /// data is one continuous session with no fundamentals (codegen_time.cpp).
  std::optional<ExprValue> compile_session_name(const ast::Expr& e);
  /// strategy.position_entry_name and strategy.account_currency (queries of
  /// the broker), and a clear error for a strategy.* variable outside a
  /// strategy (codegen_strategy.cpp). Nullopt for other names.
  std::optional<ExprValue> compile_strategy_name(const ast::Expr& e);
  /// The strategy() declaration: its settings into Program::strategy, each
  /// argument a constant the compiler can fold (codegen_strategy.cpp).
  void compile_strategy_declaration(const ast::Expr& e);
  ExprValue compile_unary(const ast::Expr& e);
  ExprValue compile_binary(const ast::Expr& e);
  /// The operator `e.op` applied to already compiled operands (shared by
  /// binary expressions and compound assignments).
  ExprValue emit_binary(const ast::Expr& e, ExprValue l, ExprValue r);
  ExprValue compile_logical(const ast::Expr& e);
  ExprValue compile_ternary(const ast::Expr& e);
  ExprValue compile_if(const ast::Expr& e, bool want_value);
  /// `switch` with a subject (cases compared with ==) or without (cases are
  /// bool conditions); the first matching case runs.
  ExprValue compile_switch(const ast::Expr& e, bool want_value);
  /// One arm of a conditional chain: `test` (absent for a default arm)
  /// compiles to a bool; `body` yields the arm's value, if any.
  struct ArmSpec {
    std::function<ExprValue()> test;
    std::function<std::optional<ExprValue>()> body;
  };
  /// Emits a chain of arms (if/else, ?:, switch): the first whose test holds
  /// runs; the result register gets the unified type of the arms' values.
  ExprValue compile_arms(const std::vector<ArmSpec>& arms, bool want_value, SourceLoc loc);
  /// An arm whose value is `na` gets the result type's na loaded straight
  /// into the result register after its MOVE: retires that MOVE (at index
  /// `move`) and, when nothing else reads it, the arm's own na load.
  void drop_overwritten_na(const ExprValue& na, std::size_t move);
  /// `cond ? then : else` code shared by ?: and if: each arm yields an
  /// optional value; the result register gets the unified type.
  ExprValue compile_conditional(const ast::Expr& cond, const std::function<std::optional<ExprValue>()>& then_arm,
                                const std::function<std::optional<ExprValue>()>& else_arm, bool want_value, SourceLoc loc);
  ExprValue compile_history(const ast::Expr& e);
  ExprValue constant(Type t, Value v, sema::Qual q = sema::Qual::Const);
  /// Converts `v` in place to `want`; false when no implicit conversion exists.
  bool convert(ExprValue& v, Type want);
  /// Unifies the branch values of a conditional into one type.
  sema::TypeInfo unify(const std::vector<ExprValue*>& values, SourceLoc loc);

  // Calls (codegen_call.cpp).
  /// Compiles a call; may produce several values (tuples).
  std::vector<ExprValue> compile_call(const ast::Expr& e);
  std::vector<ExprValue> compile_user_call(const ast::Expr& e, UserFunction& f);
  /// A user function or method call with its arguments already compiled
  /// (a method call passes its receiver as the first, positional, argument).
  std::vector<ExprValue> compile_user_call(const ast::Expr& e, UserFunction& f, std::vector<CompiledArg> args);
  std::optional<std::vector<ExprValue>> compile_special_call(const ast::Expr& e, const std::string& name);
  std::vector<ExprValue> compile_table_call(const ast::Expr& e, const std::string& name);
  /// ta.pivot_point_levels(type, anchor, developing=false) -> array<float>.
  ExprValue compile_pivot_point_levels(const ast::Expr& e);
  /// Resolves the overload of table builtin `name` for compiled `args` and emits it.
  std::vector<ExprValue> emit_table_call(const ast::Expr& e, const std::string& name, std::vector<CompiledArg> args);
  ExprValue compile_single(const ast::Expr& e); ///< a call or expression that must give one value
  /// Copies `values` into the consecutive slots from `first` (a call's
  /// argument block, or one variable's register). A constant is loaded
  /// straight into its slot and its original load retired: one instruction
  /// instead of two. Every element of `values` must be consumed here: none
  /// may be read or converted afterwards.
  void emit_arg_block(std::uint16_t first, const std::vector<ExprValue>& values);
  /// The constant index `v` can be loaded from directly, with its own load
  /// retired; nullopt when `v` is no constant or its register may be read
  /// by code emitted since its load.
  std::optional<std::uint32_t> take_constant(const ExprValue& v);
  /// Whether no instruction at indices [from, to) might read or write `reg`
  /// (conservative: slot ranges starting at or below `reg` count).
  bool untouched_between(std::uint16_t reg, std::size_t from, std::size_t to);
  /// Makes the last instruction emitted, which computed `v` from the code
  /// emitted since index `start`, write `dst` instead of v's register, when
  /// that is a temporary (at or above `temps`) nothing else touched; true
  /// when done (the caller then emits no MOVE and never reads v again).
  bool retarget_result(const ExprValue& v, std::size_t start, std::uint16_t temps, std::uint16_t dst);
  /// The operand of `in` naming the one slot it writes; nullptr when it
  /// writes none, several, or one slot among others.
  std::uint16_t* single_result_slot(Instr& in);
  /// Constant loads retired by take_constant() (their NOPs keep the operands).
  std::unordered_set<std::size_t> retired_loads_;
  /// input.*(): records an InputDecl and loads its resolved value.
  ExprValue compile_input(const ast::Expr& e, const std::string& name);
  /// input.source(): selects one of the float built-in series.
  ExprValue compile_source_input(const ast::Expr& e, const ast::Expr& defval, InputDecl in);
  /// input.color(), input.time(), input.enum(): their defaults are a colour,
  /// a time and an enum member.
  ExprValue compile_typed_input(const ast::Expr& e, const std::string& name, const ast::Expr& defval, InputDecl in);
  /// Adds an input to the program (titles must be unique); returns its index.
  std::uint16_t register_input(const ast::Expr& e, InputDecl in);
  /// str.format(pattern, args...) with the pattern at argument `first`
  /// (also the formatting form of log.*); one STRFORMAT instruction.
  ExprValue compile_str_format(const ast::Expr& e, std::size_t first, const std::string& fname);

  // Output calls: the plot family, fill, bgcolor/barcolor, alerts
  // (codegen_plots.cpp). Nullopt when `name` is none of them.
  std::optional<std::vector<ExprValue>> compile_output_call(const ast::Expr& e, const std::string& name);
  /// alert() and alertcondition().
  void compile_alert(const ast::Expr& e, const std::string& name);
  /// The value of `e` when the compiler can know it: literals, named
  /// constants, `na`, unary minus, + - * / of known numbers, + of known
  /// strings, color.new/color.rgb of known values, and names of global
  /// constants initialised with such an expression. Emits no code
  /// (constant_fold.cpp).
  std::optional<FoldedValue> fold_constant(const ast::Expr& e, int depth = 0);
  /// The first column of the plot() or hline() call whose id `arg` holds
  /// (a variable assigned the call's result, or the call itself).
  std::uint16_t output_target(const ast::Expr& arg, const std::string& fname);

  // Objects, collections, enums and methods (codegen_objects.cpp).
  /// The type a written type denotes (core, array<T>, T[], map<K,V>, a UDT, an enum).
  sema::TypeInfo resolve_type(const ast::TypeRef& t);
  /// resolve_type() as seen from library namespace `ns` (a callee's
  /// parameter types are names of its own library).
  sema::TypeInfo resolve_type_in(const ast::TypeRef& t, const std::string& ns);
  std::string describe(const sema::TypeInfo& t) const;
  /// convert() for any type: reference and enum types accept na and themselves.
  bool convert_to(ExprValue& v, const sema::TypeInfo& want);
  ExprValue compile_as_type(const ast::Expr& e, const sema::TypeInfo& want, const std::string& what);
  void declare_udt(const ast::Stmt& s);
  void declare_enum(const ast::Stmt& s);
  /// `obj.field.field` and `Enum.member` names; nullopt when the head of the
  /// dotted name is neither a variable nor an enum.
  std::optional<ExprValue> compile_dotted_name(const ast::Expr& e);
  ExprValue emit_field_get(const ExprValue& obj, const std::string& field, SourceLoc loc);
  /// Calls that involve objects: constructors (array.new, map.new, T.new,
  /// T.copy), collection functions, str.tostring/str.split on them, and
  /// method calls `recv.m(...)`. nullopt when `e` is none of these.
  std::optional<std::vector<ExprValue>> compile_object_call(const ast::Expr& e, const std::string& name);
  std::vector<ExprValue> emit_collection_call(const ast::Expr& e, const std::string& name, const CollSig& sig,
                                              std::vector<CompiledArg> args);
  /// A method call on `receiver`: user methods first, then the builtin
  /// collection function of the receiver's namespace.
  std::vector<ExprValue> compile_method_call(const ast::Expr& e, ExprValue receiver, const std::string& method);
  ExprValue emit_coll(CollOp op, std::uint8_t t, const std::vector<ExprValue>& args, const sema::TypeInfo& result, SourceLoc loc);
  /// The element type code COLL carries for a collection type.
  std::uint8_t elem_code(const sema::TypeInfo& coll);
  void compile_field_assign(const ast::Stmt& s);
  /// The type of a method's first parameter, resolved where it was declared.
  sema::TypeInfo method_self_type(UserFunction& f);
  /// A new array holding `elems` (array.from).
  ExprValue compile_array_literal(const std::vector<const ast::Expr*>& elems, SourceLoc loc);
  void compile_for_in(const ast::Expr& e);

  // Libraries (codegen_import.cpp).
  /// `import path as alias`: parses the library and declares its exports
  /// under `alias.` (functions, methods, types, enums, constants).
  void import_library(const ast::Stmt& s);
  /// `name` as seen from this function: its library's own declaration
  /// ("alias.name") when there is one, else `name` itself.
  template <class Map>
  typename Map::iterator find_scoped(Map& map, const std::string& name) {
    if (!ns_.empty()) {
      auto it = map.find(ns_ + name);
      if (it != map.end()) return it;
    }
    return map.find(name);
  }
  std::string ns_; ///< the library namespace being compiled ("alias."), empty for the script

  // Registers.
  std::uint16_t alloc_reg(SourceLoc loc);
  std::uint16_t alloc_regs(std::uint16_t n, SourceLoc loc);
  /// The first free register (temporaries above it are released on return).
  std::uint16_t top() const { return next_reg_; }
  void release_to(std::uint16_t top) { next_reg_ = top; }

  // Scopes.
  void push_scope() { scopes_.emplace_back(); }
  void pop_scope() { scopes_.pop_back(); }
  Variable* lookup(const std::string& name);
  Variable& declare(const std::string& name, Variable v, SourceLoc loc);

  /// Gives every var/varip declaration its value and once-flag registers,
  /// below all temporaries, so nothing else ever writes them.
  void reserve_var_slots();
  /// The stateful built-in variables the script reads anywhere (ta.tr,
  /// ta.obv, ta.vwap...) are computed at the top of main on every bar, as
  /// TradingView computes them whether or not the code reading them runs.
  void hoist_stateful_variables(const ast::Script& script);
  /// The value of variable `name` (as if the name were an expression).
  ExprValue compile_name_value(const std::string& name, SourceLoc loc);
  /// History ring capacity `name` needs in this function (0 = none).
  std::uint32_t history_capacity(const std::string& name) const;

  /// Records `reg` as the current bar's value of `var`'s series, if any.
  void record_series(const Variable& var, std::uint16_t reg);
  /// A series index in this function for a new series of `type`/`capacity`.
  int add_series(Type type, std::uint32_t capacity);

  [[noreturn]] void error(SourceLoc loc, const std::string& message);
  void warn(SourceLoc loc, const std::string& message);
  /// Marks where the code emitted next comes from (lines for runtime
  /// errors, and the fallback location of errors raised without one).
  void at(SourceLoc loc) {
    emit_.set_line(loc.line);
    if (loc.line != 0) cur_loc_ = loc;
  }
  /// `loc`, or when it is unknown the position of the code being compiled.
  SourceLoc known_loc(SourceLoc loc) const;

  ProgramCompiler& pc_;
  FunctionProto& fn_;
  Emitter emit_;
  const ast::Stmt* decl_;
  PrescanResult scan_;
  bool is_main_ = false;
  std::vector<std::unordered_map<std::string, Variable>> scopes_;
  std::uint16_t next_reg_ = 0;
  std::uint16_t max_reg_ = 0;
  std::size_t globals_visible_ = 0;
  std::size_t order_ = 0;
  int loop_depth_ = 0;
  int cond_depth_ = 0; ///< > 0 inside if/ternary/loop/and-or: stateful calls there warn
  std::vector<std::vector<std::size_t>> break_jumps_;
  std::vector<std::vector<std::size_t>> continue_jumps_;
  std::vector<sema::TypeInfo> result_types_;
  std::unordered_map<const ast::Stmt*, std::pair<std::uint16_t, std::uint16_t>> var_regs_; ///< value, flag
  Variable global_view_; ///< lookup()'s result for a global seen from a function
  SourceLoc cur_loc_;    ///< the last known position passed to at()
  /// Frames between main and this function (main 0, a function main calls 1).
  std::uint32_t call_depth_ = 0;
  /// Nested user calls below this function so far (its calls' 1 + height).
  std::uint32_t call_height_ = 0;
};

/// The number of values a block that ends with a tuple gives: a tuple
/// literal, or an if/switch whose first branch ends with one; 0 otherwise
/// (codegen_tuples.cpp).
std::size_t tuple_size(const ast::Block& block);

/// Program-wide compilation state.
class ProgramCompiler {
public:

  std::shared_ptr<Program> compile(const ast::Script& script);

  Program program;
  ConstantPool pool{program};
  std::vector<Diagnostic> diagnostics;
  std::unordered_map<std::string, UserFunction> functions; ///< the first declaration of each name
  /// Later declarations of a name (overloads), in declaration order.
  std::unordered_map<std::string, std::vector<UserFunction>> overloads;
  /// User methods by name; overloads differ in the type of their first parameter.
  std::unordered_map<std::string, std::vector<UserFunction>> methods;
  sema::TypeTable types;
  std::unordered_map<std::string, std::uint32_t> udt_names;  ///< UDT name -> TypeTable::udts index
  std::unordered_map<std::string, std::uint32_t> enum_names; ///< enum name -> TypeTable::enums index
  std::size_t function_count = 0;
  std::size_t global_count = 0; ///< globals declared so far (visibility order)
  /// Function bodies, stable while nested compilations append more.
  std::vector<std::unique_ptr<FunctionProto>> functions_storage;
  /// Main-frame variables visible to user functions (globals), by name.
  FunctionCompiler* main = nullptr;
  bool declared_indicator = false;
  int version = 6; ///< the script's //@version (0, absent, counts as 6)
  std::vector<std::string> compiling; ///< functions being compiled (recursion guard)
  std::vector<std::string> lib_paths;  ///< where imports are looked up
  std::vector<std::unique_ptr<ast::Script>> libraries; ///< imported ASTs (function bodies point into them)
  std::unordered_map<std::string, std::string> library_aliases; ///< alias -> import path
  std::vector<std::string> importing; ///< libraries being imported, outermost first (cycle guard)
  /// Exported library constants ("alias.NAME") and their literal values.
  std::unordered_map<std::string, std::pair<Type, Value>> lib_constants;
  const ast::Script* script = nullptr; ///< the script being compiled (fill() resolves plot ids through it)
  /// plot()/hline() calls compiled so far -> their first output column (the id they return).
  std::map<const ast::Expr*, std::uint16_t> output_ids;
  /// Output series counted against Pine's 64-plot limit (hline and fill
  /// columns and non-colour argument columns do not count, as on TradingView).
  std::size_t plot_count = 0;
  /// Levels of compile_expr/compile_stmt/compile_single under way, over
  /// every function being compiled (see NestingGuard).
  int nesting = 0;
  /// Most dot-separated parts in a variable or enum name declared so far
  /// (`barstate.isfirst` has 2): compile_dotted_name tries no longer prefix.
  std::size_t max_name_parts = 1;
  /// Records a declared variable or enum name for max_name_parts.
  void note_name(const std::string& name) {
    max_name_parts = std::max(max_name_parts, 1 + static_cast<std::size_t>(std::count(name.begin(), name.end(), '.')));
  }
  bool is_library = false; ///< the script declares library()
  /// The group of each input of program.inputs ("" when none): titles may
  /// repeat across groups (register_input).
  std::vector<std::string> input_groups;

  std::size_t error_count() const;
  /// Reports call cycles among the script's functions, called or not (a
  /// called one is also caught when it is compiled).
  void check_recursion();
};

/// Levels of the compiler's own recursion, summed over the whole program:
/// each compile_expr, compile_stmt, compile_call, if, switch, value block,
/// object call and function body is one level, and a call's new
/// specialisation compiles the callee's body on top of the caller's levels.
/// 20,000 allows any realistic script (a 256-deep call chain of small
/// functions needs about 1,500 levels, a flat sum of 10,000 terms 10,000, an
/// else-if chain two per branch) and bounds the native stack: measured under
/// clang's AddressSanitizer at -O1 (the fuzz build) at 1.1-3 KiB per level
/// for operator, history and else-if chains, 4.3 KiB for nested ternaries
/// and 8.5 KiB for method-call chains, so at most about 170 MiB, within
/// kCompilerStackBudget of the compiler thread's stack (compile.cpp).
inline constexpr int kMaxCompileNesting = 20000;

/// Native stack the checker may use before NestingGuard stops it whatever
/// the count says (compile.cpp sets the base): a backstop in case some
/// shape of input costs more per level than measured. Leaves 64 MiB of the
/// compiler thread's 256 MiB for the frames below the last guard.
inline constexpr std::size_t kCompilerStackBudget = std::size_t{192} << 20;

/// The compiler thread's stack base (the frame of its entry function), or
/// null on other threads (pine::parse() callers, tests): set by compile.cpp.
const char*& compiler_stack_base();

/// Bytes of native stack in use below compiler_stack_base() (0 when unset).
inline std::size_t compiler_stack_used() {
  const char* base = compiler_stack_base();
  if (base == nullptr) return 0;
  const char* here = static_cast<const char*>(__builtin_frame_address(0));
  return base > here ? static_cast<std::size_t>(base - here) : 0;
}

/// RAII: one level of the compiler's recursion; past kMaxCompileNesting (or
/// kCompilerStackBudget) it reports "nested too deeply" at `loc` instead of
/// risking the stack.
class NestingGuard {
public:
  NestingGuard(ProgramCompiler& pc, SourceLoc loc) : pc_(pc) {
    if (pc_.nesting >= kMaxCompileNesting)
      throw CompileError{loc, "the code is nested too deeply: more than " + std::to_string(kMaxCompileNesting) +
                                  " levels of expressions, statements and function calls"};
    if (compiler_stack_used() > kCompilerStackBudget)
      throw CompileError{loc, "the code is nested too deeply: its expressions, statements and function calls need more "
                              "than the compiler's stack"};
    ++pc_.nesting;
  }
  ~NestingGuard() { --pc_.nesting; }
  NestingGuard(const NestingGuard&) = delete;
  NestingGuard& operator=(const NestingGuard&) = delete;

private:
  ProgramCompiler& pc_;
};

inline std::string FunctionCompiler::describe(const sema::TypeInfo& t) const { return pc_.types.describe(t); }

} // namespace pine
