// The abstract syntax tree produced by the parser and annotated by the checker.
//
// Nodes are owned through unique_ptr; every node records where it starts so
// that every diagnostic can point at the source. The checker writes its
// results (types, resolved symbols) into the `sema` fields; the parser leaves
// them default.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pine/compiler/diagnostic.h"

namespace pine::ast {

struct Expr;
struct Stmt;
using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;

/// A statement list at one indentation level.
struct Block {
  std::vector<StmtPtr> stmts;
};

/// A written type: `float`, `array<float>`, `map<string, int>`, `float[]`
/// (legacy, stored as name "array" with one argument), `lib.Type`.
struct TypeRef {
  SourceLoc loc;
  std::string name;
  std::vector<TypeRef> args;
};

/// Declared qualifier keyword, if any.
enum class Qualifier : std::uint8_t { None, Const, Simple, Series };

/// `var` / `varip` declaration modes.
enum class DeclMode : std::uint8_t { Plain, Var, Varip };

enum class ExprKind : std::uint8_t {
  IntLit,    ///< int_value
  FloatLit,  ///< float_value
  BoolLit,   ///< bool_value
  StringLit, ///< text (escapes already decoded)
  ColorLit,  ///< color_value, 0xRRGGBBAA
  Na,        ///< `na`
  Name,      ///< text: an identifier or a dotted chain of identifiers (`ta.sma`, `barstate.isfirst`)
  Member,    ///< operand.text, when operand is not a plain name chain (`f().x`)
  Call,      ///< callee(args), callee is a Name or Member; type_args for `array.new<float>`
  History,   ///< operand[index]
  Unary,     ///< op operand
  Binary,    ///< lhs op rhs
  Ternary,   ///< cond ? lhs : rhs
  Tuple,     ///< [elems...] (only as a function result or tuple declaration source)
  If,        ///< if cond then_block else else_block (else-if is an If inside else_block)
  Switch,    ///< switch [subject] cases
  For,       ///< for var_name = from to to [by step] body
  ForIn,     ///< for var_name in coll / for [index_name, var_name] in coll
  While,     ///< while cond body
};

enum class Op : std::uint8_t {
  // unary
  Neg, Plus, Not,
  // binary
  Add, Sub, Mul, Div, Mod,
  Lt, Le, Gt, Ge, Eq, Ne,
  And, Or,
};

/// An operator as it is written in source ("+", "<=", "and"; unary minus
/// and plus are "-" and "+"), for messages and dumps.
inline const char* op_text(Op op) {
  switch (op) {
    case Op::Neg: return "-";
    case Op::Plus: return "+";
    case Op::Not: return "not";
    case Op::Add: return "+";
    case Op::Sub: return "-";
    case Op::Mul: return "*";
    case Op::Div: return "/";
    case Op::Mod: return "%";
    case Op::Lt: return "<";
    case Op::Le: return "<=";
    case Op::Gt: return ">";
    case Op::Ge: return ">=";
    case Op::Eq: return "==";
    case Op::Ne: return "!=";
    case Op::And: return "and";
    case Op::Or: return "or";
  }
  return "?";
}

/// One call argument, optionally named (`f(x = 1)`).
struct Arg {
  SourceLoc loc;
  std::string name; ///< empty when positional
  ExprPtr value;
};

/// One `switch` case; `cond` is null for the default (`=>`) case.
struct SwitchCase {
  SourceLoc loc;
  ExprPtr cond;
  Block body;
};

/// What the checker learned about an expression (filled by the checker).
struct ExprSema {
  std::int32_t type = -1; ///< checker-defined type id; -1 = not yet checked
  std::int32_t symbol = -1; ///< resolved symbol/builtin id, where applicable
};

/// An expression node. One struct with per-kind fields keeps the parser and
/// the passes free of casts; unused fields stay empty.
struct Expr {
  ExprKind kind;
  SourceLoc loc;

  std::int64_t int_value = 0;
  double float_value = 0;
  bool bool_value = false;
  std::uint32_t color_value = 0;
  std::string text; ///< Name / Member / StringLit

  Op op = Op::Add;
  ExprPtr lhs;  ///< Binary lhs, Unary/History/Member operand, Call callee, Ternary then-value
  ExprPtr rhs;  ///< Binary rhs, History index, Ternary else-value
  ExprPtr cond; ///< Ternary/If/While condition, Switch subject (may be null)

  std::vector<Arg> args;          ///< Call
  std::vector<TypeRef> type_args; ///< Call: `array.new<float>`
  std::vector<ExprPtr> elems;     ///< Tuple

  Block then_block; ///< If: then; For/ForIn/While: body
  Block else_block; ///< If: else (an else-if chain is one If statement here)
  bool has_else = false;
  std::vector<SwitchCase> cases; ///< Switch

  std::string var_name;   ///< For/ForIn loop variable
  std::string index_name; ///< ForIn `[i, x]` form: i
  ExprPtr from, to, step; ///< For bounds (step may be null); ForIn: `to` is the collection

  ExprSema sema;

  Expr(ExprKind k, SourceLoc l) : kind(k), loc(l) {}
  /// Frees the subtree without recursion (ast.cpp): an else-if chain or a
  /// long operator chain may be tens of thousands of nodes deep.
  ~Expr();
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;
};

/// One function parameter: `[qualifier] [type] name [= default]`.
struct Param {
  SourceLoc loc;
  Qualifier qualifier = Qualifier::None;
  std::optional<TypeRef> type;
  std::string name;
  ExprPtr default_value;
  bool varip = false; ///< a `varip` field of a type declaration
};

enum class StmtKind : std::uint8_t {
  VarDecl,   ///< [var|varip] [qualifier] [type] name = value
  TupleDecl, ///< [a, b, _] = value
  Assign,    ///< target op value; op is Assign(:=) or a compound operator
  ExprStmt,  ///< value (calls, and if/for/while/switch used as statements)
  FuncDecl,  ///< name(params) => body
  TypeDecl,  ///< type name, fields in `params` ([varip] type name [= default])
  EnumDecl,  ///< enum name, members in `params` (name [= "title"] in default_value)
  Import,    ///< import `name` (owner/name/version) as names[0] (the alias)
  Break,
  Continue,
};

/// Assignment operators of an Assign statement.
enum class AssignOp : std::uint8_t { Reassign, AddAssign, SubAssign, MulAssign, DivAssign, ModAssign };

/// A statement node, with per-kind fields as for Expr.
struct Stmt {
  StmtKind kind;
  SourceLoc loc;

  // VarDecl
  DeclMode mode = DeclMode::Plain;
  Qualifier qualifier = Qualifier::None;
  std::optional<TypeRef> type;
  std::string name;                ///< VarDecl / FuncDecl name
  std::vector<std::string> names;  ///< TupleDecl names ("_" discards)
  std::vector<SourceLoc> name_locs;///< TupleDecl name positions

  // Assign
  AssignOp assign_op = AssignOp::Reassign;
  ExprPtr target; ///< Assign: a Name or Member expression

  ExprPtr value; ///< VarDecl/TupleDecl/Assign/ExprStmt value

  // FuncDecl
  std::vector<Param> params;
  Block body;           ///< FuncDecl body; a one-line body `=> a, b` becomes a block of its comma-separated parts
  bool is_method = false;
  bool is_export = false;

  Stmt(StmtKind k, SourceLoc l) : kind(k), loc(l) {}
  /// Frees the subtree without recursion, as ~Expr.
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
};

/// A whole script: the `//@version=` number (0 when absent) and its top level.
struct Script {
  int version = 0;
  std::uint32_t version_line = 0; ///< where the //@version comment is (0: none)
  Block body;
};

} // namespace pine::ast
