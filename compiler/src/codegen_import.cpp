// Libraries: `import owner/name/version [as alias]`.
//
// A library is compiled into the importing program: its declarations are
// registered under "alias." (functions, types, enums, constants) and its
// function bodies are compiled, like the script's own, when first called.
// Inside a library, its own names resolve first (find_scoped), so a library
// function calling a helper `g` finds "alias.g" and never a script function
// of the same name. Only exported names are visible to the importer.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "codegen.h"
#include "parser.h"

namespace pine {

namespace {

/// The library file for `path` in the first folder that has it, or empty.
std::string find_library(const std::vector<std::string>& dirs, const std::string& path) {
  for (const std::string& dir : dirs) {
    const std::filesystem::path file = std::filesystem::path(dir) / (path + ".pine");
    std::error_code ec;
    if (std::filesystem::is_regular_file(file, ec)) return file.string();
  }
  return {};
}

/// The literal value of an exported constant's initialiser, if it is one.
std::optional<std::pair<Type, Value>> literal_value(const ast::Expr& e) {
  switch (e.kind) {
    case ast::ExprKind::IntLit: return std::make_pair(Type::Int, make_int(e.int_value));
    case ast::ExprKind::FloatLit: return std::make_pair(Type::Float, make_float(e.float_value));
    case ast::ExprKind::BoolLit: return std::make_pair(Type::Bool, make_int(e.bool_value ? 1 : 0));
    case ast::ExprKind::ColorLit: return std::make_pair(Type::Color, make_int(e.color_value));
    case ast::ExprKind::Unary:
      if (e.op == ast::Op::Neg && e.lhs) {
        auto v = literal_value(*e.lhs);
        if (v && v->first == Type::Int) v->second.i = -v->second.i;
        else if (v && v->first == Type::Float) v->second.f = -v->second.f;
        else return std::nullopt;
        return v;
      }
      return std::nullopt;
    default: return std::nullopt;
  }
}

} // namespace

void FunctionCompiler::import_library(const ast::Stmt& s) {
  if (!is_main_ || scopes_.size() != 1) error(s.loc, "'import' is only allowed at the top level of a script");
  const std::string& path = s.name;
  // A library imported by a library lives under its importer's namespace.
  const std::string outer = ns_;
  const std::string alias = outer + s.names.at(0);
  if (pc_.library_aliases.count(alias)) error(s.loc, "the alias '" + s.names.at(0) + "' is already used by another import");
  if (outer.empty() && lookup(alias) != nullptr) error(s.loc, "the alias '" + alias + "' is already a variable name");
  for (const std::string& open : pc_.importing)
    if (open == path) error(s.loc, "library '" + path + "' imports itself (directly or through other libraries)");
  const std::string file = find_library(pc_.lib_paths, path);
  if (file.empty()) {
    error(s.loc, "library '" + path + "' not found" +
                     (pc_.lib_paths.empty() ? std::string(" (no library path given: use --lib-path DIR)")
                                            : " in the library path (looked for " + path + ".pine)"));
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  ParseResult parsed = parse(text.str());
  if (!parsed.ok()) {
    for (const Diagnostic& d : parsed.diagnostics)
      if (d.severity == Severity::Error)
        error(s.loc, "library '" + path + "' does not parse: " + std::to_string(d.loc.line) + ":" + std::to_string(d.loc.col) +
                         ": " + d.message);
  }
  const ast::Script& lib = *parsed.script;
  bool declared = false;
  for (const ast::StmtPtr& st : lib.body.stmts)
    if (st->kind == ast::StmtKind::ExprStmt && st->value->kind == ast::ExprKind::Call && st->value->lhs &&
        st->value->lhs->text == "library")
      declared = true;
  if (!declared) error(s.loc, "imported script '" + path + "' has no 'library()' declaration");
  pc_.library_aliases[alias] = path;
  pc_.libraries.push_back(std::move(parsed.script));

  // Declarations in order, with this library's names resolving first.
  ns_ = alias + ".";
  pc_.importing.push_back(path);
  try {
    for (const ast::StmtPtr& st : pc_.libraries.back()->body.stmts) {
      const std::string where = "library '" + path + "' line " + std::to_string(st->loc.line) + ": ";
      switch (st->kind) {
        case ast::StmtKind::TypeDecl: declare_udt(*st); break;
        case ast::StmtKind::EnumDecl: declare_enum(*st); break;
        case ast::StmtKind::FuncDecl: {
          UserFunction f;
          f.decl = st.get();
          f.order = pc_.function_count++;
          f.globals_visible = 0; // library functions see no script globals
          f.ns = ns_;
          f.exported = st->is_export;
          if (st->is_method) {
            if (st->params.empty() || !st->params.front().type)
              error(s.loc, where + "the first parameter of method '" + st->name + "' must have a declared type");
            f.self_type = resolve_type(*st->params.front().type);
            pc_.methods[st->name].push_back(std::move(f));
          } else {
            if (pc_.functions.count(ns_ + st->name)) error(s.loc, where + "function '" + st->name + "' is declared twice");
            pc_.functions.emplace(ns_ + st->name, std::move(f));
          }
          break;
        }
        case ast::StmtKind::VarDecl: {
          const auto value = literal_value(*st->value);
          if (!value && st->value->kind == ast::ExprKind::StringLit) {
            pc_.lib_constants[ns_ + st->name] = {Type::String, make_int(pc_.pool.intern(st->value->text))};
          } else if (value) {
            pc_.lib_constants[ns_ + st->name] = *value;
          } else {
            error(s.loc, where + "a library constant must be a literal ('" + st->name + "')");
          }
          break;
        }
        case ast::StmtKind::ExprStmt:
          if (st->value->kind == ast::ExprKind::Call && st->value->lhs && st->value->lhs->text == "library") break;
          error(s.loc, where + "a library may only contain declarations");
        case ast::StmtKind::Import: import_library(*st); break;
        default: error(s.loc, where + "a library may only contain declarations");
      }
    }
  } catch (...) {
    ns_ = outer;
    pc_.importing.pop_back();
    throw;
  }
  ns_ = outer;
  pc_.importing.pop_back();
}

} // namespace pine
