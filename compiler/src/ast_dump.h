// A compact, deterministic S-expression rendering of the AST, for tests and
// debugging. Source locations and checker annotations are not shown.
//
// Format (one top-level statement per line, no trailing newline):
//   literals     42  1.5  1.0  6.02e-23  true  "a\"b\n"  #FF0000FF  na
//                (floats always show a '.', an exponent, inf or nan)
//   names        ta.sma                    (a dotted chain is one name)
//   member       (. operand field)
//   call         (call callee arg name=arg ...)   generic: (call array.new<float> 3)
//   history      (hist operand index)
//   unary        (neg x) (pos x) (not x)
//   binary       (+ a b) (- a b) (* a b) (/ a b) (% a b) (< a b) (<= a b) (> a b)
//                (>= a b) (== a b) (!= a b) (and a b) (or a b)
//   ternary      (? cond then else)
//   tuple        (tuple a b)
//   if           (if cond (then stmts...) (else stmts...))   -- (else ...) only when has_else
//   switch       (switch [subject] (case cond stmts...) (default stmts...))
//   for          (for i from to [(by step)] (do stmts...))
//   for-in       (for-in x coll (do ...))   (for-in [i x] coll (do ...))
//   while        (while cond (do stmts...))
//   var decl     (decl [export] [var|varip] [const|simple|series] [type] name value)
//   tuple decl   (tuple-decl [a b _] value)
//   assignment   (:= target value)  (+= target value)  -= *= /= %=
//   expr stmt    the expression itself
//   function     (func [export] [method] name (p1, qual type p2=default) stmts...)
//   break        break      continue     continue
//   types        float  array<float>  map<string,int>  chart.point
#pragma once

#include <string>

#include "ast.h"

namespace pine {

/// Renders the whole script (its top-level statements, one per line).
std::string dump_ast(const ast::Script& script);

/// Renders one expression.
std::string dump_expr(const ast::Expr& e);

/// Renders one statement.
std::string dump_stmt(const ast::Stmt& s);

/// Renders a written type.
std::string dump_type(const ast::TypeRef& t);

} // namespace pine
