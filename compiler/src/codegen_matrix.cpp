// Matrix-specific code generation (see codegen_matrix.h).
#include "codegen_matrix.h"

namespace pine {

using sema::Qual;
using sema::TypeInfo;

namespace {

bool is_number(Type t) { return t == Type::Int || t == Type::Float; }

std::uint8_t type_pair(Type operand, Type elem) {
  return static_cast<std::uint8_t>((static_cast<unsigned>(operand) << 4) | static_cast<unsigned>(elem));
}

/// The scalar variant of a matrix-by-matrix operation.
CollOp scalar_variant(CollOp op) {
  switch (op) {
    case CollOp::MATRIX_SUM: return CollOp::MATRIX_SUM_SCALAR;
    case CollOp::MATRIX_DIFF: return CollOp::MATRIX_DIFF_SCALAR;
    default: return CollOp::MATRIX_MULT_SCALAR;
  }
}

} // namespace

MatrixOperand resolve_matrix_operand(FunctionCompiler& fc, const CollSig& sig, const TypeInfo& self, ExprValue& operand,
                                     SourceLoc loc, const std::string& name) {
  sema::TypeTable& types = fc.pc_.types;
  const Type elem = types.composite(self).elem.type;
  const TypeInfo t = operand.type;
  auto result_elem = [&](Type other) {
    return sema::make_type(elem == Type::Float || other == Type::Float ? Type::Float : Type::Int, Qual::Series);
  };
  if (types.is_matrix(t)) {
    const Type other = types.composite(t).elem.type;
    if (!is_number(other)) fc.error(loc, "'" + name + "' needs a matrix of int or float, got " + fc.describe(t));
    return {sig.op, type_pair(other, elem), types.matrix_of(result_elem(other))};
  }
  if (sig.op == CollOp::MATRIX_MULT && types.is_array(t)) {
    const Type other = types.composite(t).elem.type;
    if (!is_number(other)) fc.error(loc, "'" + name + "' needs an array of int or float, got " + fc.describe(t));
    return {CollOp::MATRIX_MULT_ARRAY, type_pair(other, elem), types.array_of(result_elem(other))};
  }
  if (sig.op != CollOp::MATRIX_KRON && (is_number(t.type) || t.is_na) && t.type != Type::Ref) {
    // A bare na is a float na; an int-like (int / int) value keeps its fraction.
    if (t.is_na || t.int_like) fc.convert(operand, Type::Float);
    const Type other = operand.type.type;
    return {scalar_variant(sig.op), type_pair(other, elem), types.matrix_of(result_elem(other))};
  }
  const std::string wants = sig.op == CollOp::MATRIX_KRON   ? "a matrix"
                            : sig.op == CollOp::MATRIX_MULT ? "a matrix, an array or a number"
                                                            : "a matrix or a number";
  fc.error(loc, "type mismatch: argument 'id2' of '" + name + "' expects " + wants + ", got " + fc.describe(t));
}

ExprValue compile_matrix_new(FunctionCompiler& fc, const ast::Expr& e) {
  if (e.type_args.size() != 1) fc.error(e.loc, "matrix.new needs one type argument, e.g. matrix.new<float>(2, 2, 0)");
  TypeInfo elem;
  try {
    elem = fc.resolve_type(e.type_args[0]);
  } catch (CompileError& err) {
    err.message = "Invalid matrix element type: " + err.message;
    throw;
  }
  elem.qual = Qual::Series;
  const TypeInfo int_type = sema::make_type(Type::Int, Qual::Series);
  const char* names[] = {"rows", "columns", "initial_value"};
  const TypeInfo wants[] = {int_type, int_type, elem};
  std::vector<ExprValue> values(3);
  std::vector<bool> seen(3, false);
  std::size_t positional = 0;
  for (const ast::Arg& a : e.args) {
    std::size_t p = positional;
    if (!a.name.empty()) {
      p = 0;
      while (p < 3 && a.name != names[p]) ++p;
      if (p == 3) fc.error(a.loc, "'matrix.new' has no parameter named '" + a.name + "'");
    } else {
      ++positional;
    }
    if (p >= 3) fc.error(a.loc, "too many arguments in the call to 'matrix.new': it takes 3");
    if (seen[p]) fc.error(a.loc, "the argument '" + std::string(names[p]) + "' is given twice in the call to 'matrix.new'");
    seen[p] = true;
    values[p] = fc.compile_single(*a.value);
    const TypeInfo got = values[p].type;
    if (!fc.convert_to(values[p], wants[p]))
      fc.error(a.loc, "type mismatch: argument '" + std::string(names[p]) + "' of 'matrix.new' expects " +
                          fc.pc_.types.name(wants[p]) + ", got " + fc.describe(got));
  }
  for (std::size_t p = 0; p < 2; ++p)
    if (!seen[p]) values[p] = fc.constant(Type::Int, make_int(0));
  if (!seen[2]) {
    values[2] = fc.constant(elem.type, na_value(elem.type));
    values[2].type.id = elem.id;
  }
  const TypeInfo m = fc.pc_.types.matrix_of(elem);
  return fc.emit_coll(CollOp::MATRIX_NEW, static_cast<std::uint8_t>(elem.type), values, m, e.loc);
}

} // namespace pine
