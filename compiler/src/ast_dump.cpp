// S-expression rendering of the AST; the format is documented in ast_dump.h.
#include "ast_dump.h"

#include <charconv>
#include <cstdio>

#include "pine/vm/color.h"

namespace pine {
namespace {

using ast::Expr;
using ast::ExprKind;
using ast::Stmt;
using ast::StmtKind;

void expr_to(std::string& out, const Expr& e);
void stmt_to(std::string& out, const Stmt& s);

/// Shortest round-trip text of a double, always recognizable as a float.
std::string float_text(double v) {
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string s = ec == std::errc() ? std::string(buf, ptr) : std::string("?");
  if (s.find_first_of(".ein") == std::string::npos) s += ".0";
  return s;
}

/// A string literal with quotes and the escapes the lexer understands.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    default: out += c;
    }
  }
  return out + "\"";
}

/// Spelling of an operator in the dump: the source spelling, except that
/// unary minus and plus are "neg" and "pos" so they never read as binary.
const char* dump_op_text(ast::Op op) {
  if (op == ast::Op::Neg) return "neg";
  if (op == ast::Op::Plus) return "pos";
  return ast::op_text(op);
}

/// Spelling of an assignment operator.
const char* assign_text(ast::AssignOp op) {
  switch (op) {
  case ast::AssignOp::Reassign: return ":=";
  case ast::AssignOp::AddAssign: return "+=";
  case ast::AssignOp::SubAssign: return "-=";
  case ast::AssignOp::MulAssign: return "*=";
  case ast::AssignOp::DivAssign: return "/=";
  case ast::AssignOp::ModAssign: return "%=";
  }
  return "?";
}

/// Qualifier keyword followed by a space, or nothing.
const char* qualifier_text(ast::Qualifier q) {
  switch (q) {
  case ast::Qualifier::Const: return "const ";
  case ast::Qualifier::Simple: return "simple ";
  case ast::Qualifier::Series: return "series ";
  case ast::Qualifier::None: break;
  }
  return "";
}

/// Appends `(tag stmts...)`.
void block_to(std::string& out, const char* tag, const ast::Block& b) {
  out += '(';
  out += tag;
  for (const ast::StmtPtr& s : b.stmts) {
    out += ' ';
    if (s) stmt_to(out, *s);
  }
  out += ')';
}

/// Appends " <child>" (or " ?" for a missing child).
void child_to(std::string& out, const ast::ExprPtr& e) {
  out += ' ';
  if (e) {
    expr_to(out, *e);
  } else {
    out += '?';
  }
}

/// Appends the rendering of an expression.
void expr_to(std::string& out, const Expr& e) {
  switch (e.kind) {
  case ExprKind::IntLit: out += std::to_string(e.int_value); return;
  case ExprKind::FloatLit: out += float_text(e.float_value); return;
  case ExprKind::BoolLit: out += e.bool_value ? "true" : "false"; return;
  case ExprKind::StringLit: out += quoted(e.text); return;
  case ExprKind::ColorLit: out += color_hex_text(static_cast<std::uint32_t>(e.color_value)); return;
  case ExprKind::Na: out += "na"; return;
  case ExprKind::Name: out += e.text; return;
  case ExprKind::Member:
    out += "(.";
    child_to(out, e.lhs);
    out += ' ' + e.text + ')';
    return;
  case ExprKind::Call:
    out += "(call";
    child_to(out, e.lhs);
    if (!e.type_args.empty()) {
      out += '<';
      for (std::size_t i = 0; i < e.type_args.size(); ++i) {
        if (i) out += ',';
        out += dump_type(e.type_args[i]);
      }
      out += '>';
    }
    for (const ast::Arg& a : e.args) {
      out += ' ';
      if (!a.name.empty()) out += a.name + '=';
      if (a.value) expr_to(out, *a.value);
    }
    out += ')';
    return;
  case ExprKind::History:
    out += "(hist";
    child_to(out, e.lhs);
    child_to(out, e.rhs);
    out += ')';
    return;
  case ExprKind::Unary:
  case ExprKind::Binary:
    out += '(';
    out += dump_op_text(e.op);
    child_to(out, e.lhs);
    if (e.kind == ExprKind::Binary) child_to(out, e.rhs);
    out += ')';
    return;
  case ExprKind::Ternary:
    out += "(?";
    child_to(out, e.cond);
    child_to(out, e.lhs);
    child_to(out, e.rhs);
    out += ')';
    return;
  case ExprKind::Tuple:
    out += "(tuple";
    for (const ast::ExprPtr& x : e.elems) child_to(out, x);
    out += ')';
    return;
  case ExprKind::If:
    out += "(if";
    child_to(out, e.cond);
    out += ' ';
    block_to(out, "then", e.then_block);
    if (e.has_else) {
      out += ' ';
      block_to(out, "else", e.else_block);
    }
    out += ')';
    return;
  case ExprKind::Switch:
    out += "(switch";
    if (e.cond) child_to(out, e.cond);
    for (const ast::SwitchCase& c : e.cases) {
      out += ' ';
      if (c.cond) {
        std::string head = "case ";
        expr_to(head, *c.cond);
        block_to(out, head.c_str(), c.body);
      } else {
        block_to(out, "default", c.body);
      }
    }
    out += ')';
    return;
  case ExprKind::For:
    out += "(for " + e.var_name;
    child_to(out, e.from);
    child_to(out, e.to);
    if (e.step) {
      out += " (by";
      child_to(out, e.step);
      out += ')';
    }
    out += ' ';
    block_to(out, "do", e.then_block);
    out += ')';
    return;
  case ExprKind::ForIn:
    out += "(for-in ";
    out += e.index_name.empty() ? e.var_name : "[" + e.index_name + " " + e.var_name + "]";
    child_to(out, e.to);
    out += ' ';
    block_to(out, "do", e.then_block);
    out += ')';
    return;
  case ExprKind::While:
    out += "(while";
    child_to(out, e.cond);
    out += ' ';
    block_to(out, "do", e.then_block);
    out += ')';
    return;
  }
  out += "?";
}

/// Appends the rendering of a statement.
void stmt_to(std::string& out, const Stmt& s) {
  switch (s.kind) {
  case StmtKind::VarDecl:
    out += "(decl ";
    if (s.is_export) out += "export ";
    if (s.mode == ast::DeclMode::Var) out += "var ";
    if (s.mode == ast::DeclMode::Varip) out += "varip ";
    out += qualifier_text(s.qualifier);
    if (s.type) out += dump_type(*s.type) + ' ';
    out += s.name;
    child_to(out, s.value);
    out += ')';
    return;
  case StmtKind::TupleDecl:
    out += "(tuple-decl [";
    for (std::size_t i = 0; i < s.names.size(); ++i) {
      if (i) out += ' ';
      out += s.names[i];
    }
    out += ']';
    child_to(out, s.value);
    out += ')';
    return;
  case StmtKind::Assign:
    out += '(';
    out += assign_text(s.assign_op);
    child_to(out, s.target);
    child_to(out, s.value);
    out += ')';
    return;
  case StmtKind::ExprStmt:
    if (s.value) {
      expr_to(out, *s.value);
    } else {
      out += '?';
    }
    return;
  case StmtKind::FuncDecl:
    out += "(func ";
    if (s.is_export) out += "export ";
    if (s.is_method) out += "method ";
    out += s.name + " (";
    for (std::size_t i = 0; i < s.params.size(); ++i) {
      const ast::Param& p = s.params[i];
      if (i) out += ", ";
      out += qualifier_text(p.qualifier);
      if (p.type) out += dump_type(*p.type) + ' ';
      out += p.name;
      if (p.default_value) {
        out += '=';
        expr_to(out, *p.default_value);
      }
    }
    out += ')';
    for (const ast::StmtPtr& b : s.body.stmts) {
      out += ' ';
      if (b) stmt_to(out, *b);
    }
    out += ')';
    return;
  case StmtKind::TypeDecl:
  case StmtKind::EnumDecl:
    out += s.kind == StmtKind::TypeDecl ? "(type " : "(enum ";
    if (s.is_export) out += "export ";
    out += s.name;
    for (const ast::Param& f : s.params) {
      out += ' ';
      if (f.varip) out += "varip ";
      if (f.type) out += dump_type(*f.type) + ' ';
      out += f.name;
      if (f.default_value) {
        out += '=';
        expr_to(out, *f.default_value);
      }
    }
    out += ')';
    return;
  case StmtKind::Import: out += "(import " + s.name + " as " + (s.names.empty() ? std::string("?") : s.names[0]) + ")"; return;
  case StmtKind::Break: out += "break"; return;
  case StmtKind::Continue: out += "continue"; return;
  }
  out += "?";
}

} // namespace

std::string dump_type(const ast::TypeRef& t) {
  std::string out = t.name;
  if (!t.args.empty()) {
    out += '<';
    for (std::size_t i = 0; i < t.args.size(); ++i) {
      if (i) out += ',';
      out += dump_type(t.args[i]);
    }
    out += '>';
  }
  return out;
}

std::string dump_expr(const ast::Expr& e) {
  std::string out;
  expr_to(out, e);
  return out;
}

std::string dump_stmt(const ast::Stmt& s) {
  std::string out;
  stmt_to(out, s);
  return out;
}

std::string dump_ast(const ast::Script& script) {
  std::string out;
  for (std::size_t i = 0; i < script.body.stmts.size(); ++i) {
    if (i) out += '\n';
    if (script.body.stmts[i]) stmt_to(out, *script.body.stmts[i]);
  }
  return out;
}

} // namespace pine
